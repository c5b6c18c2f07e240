"""Encrypt the document numbers and phones written before 0009, and index the numbers.

Raw SQL, not the models: the model fields decrypt what they read, and these rows are still in
clear. Set REFUGE_FIELD_KEYS and REFUGE_BLIND_INDEX_KEY before migrating, as in production."""

from django.db import migrations

from refuge.encryption import blind_index, open_text, rewrite_column, seal_text
from refuge.registry.search import normalise_document_number


def _sealed_number(pk, number):
    return seal_text(number), blind_index("document-number", normalise_document_number(number))


def encrypt(apps, schema_editor):
    connection = schema_editor.connection
    rewrite_column(connection, "registry_document", "number", _sealed_number, also="number_index")
    rewrite_column(connection, "registry_household", "phone", lambda pk, phone: (seal_text(phone),))


def decrypt(apps, schema_editor):
    connection = schema_editor.connection
    rewrite_column(connection, "registry_document", "number", lambda pk, n: (open_text(n),))
    rewrite_column(connection, "registry_household", "phone", lambda pk, phone: (open_text(phone),))


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0009_encrypted_numbers_and_phones"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt)]
