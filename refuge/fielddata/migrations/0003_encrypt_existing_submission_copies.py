"""Encrypt the submissions' and edits' copies written before 0002.

Raw SQL, not the models: the model fields decrypt what they read, and these rows are still in
clear. Set REFUGE_FIELD_KEYS before migrating, as in production."""

import json

from django.db import migrations

from refuge.encryption import open_text, rewrite_column, seal_text

COLUMNS = [
    ("fielddata_fieldsubmission", "content"),
    ("fielddata_submissionedit", "content"),
    ("fielddata_submissionedit", "changes"),
]


def _sealed(pk, text):
    # PostgreSQL hands back the former jsonb as text, SQLite as it was stored: JSON either way.
    value = json.loads(text) if text else {}
    return (seal_text(json.dumps(value, ensure_ascii=False, sort_keys=True)) if value else "",)


def encrypt(apps, schema_editor):
    for table, column in COLUMNS:
        rewrite_column(schema_editor.connection, table, column, _sealed)


def decrypt(apps, schema_editor):
    for table, column in COLUMNS:
        rewrite_column(
            schema_editor.connection, table, column, lambda pk, token: (open_text(token) or "{}",)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("fielddata", "0002_encrypted_submission_copies"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt)]
