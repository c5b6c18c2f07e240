"""Encrypt the inquirers' contacts, the separation stories, the answers' witnesses and the notes
written before 0002.

Raw SQL, not the models: the model fields decrypt what they read, and these rows are still in
clear. Set REFUGE_FIELD_KEYS before migrating, as in production."""

from django.db import migrations

from refuge.encryption import open_text, rewrite_column, seal_text

COLUMNS = [
    ("tracing_tracingrequest", "inquirer_contact"),
    ("tracing_soughtperson", "circumstances"),
    ("tracing_soughtperson", "distinguishing"),
    ("tracing_answer", "with_whom"),
    ("tracing_tracingnote", "text"),
]


def encrypt(apps, schema_editor):
    for table, column in COLUMNS:
        rewrite_column(schema_editor.connection, table, column, lambda pk, text: (seal_text(text),))


def decrypt(apps, schema_editor):
    for table, column in COLUMNS:
        rewrite_column(schema_editor.connection, table, column, lambda pk, token: (open_text(token),))


class Migration(migrations.Migration):
    dependencies = [
        ("tracing", "0002_encrypted_contacts_stories_and_notes"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt)]
