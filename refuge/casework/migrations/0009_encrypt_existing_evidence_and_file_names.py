"""Encrypt the step evidence and attachment file names and digests written before 0008.

Raw SQL, not the models: the model fields decrypt what they read, and these rows are still in
clear. Set REFUGE_FIELD_KEYS before migrating, as in production."""

import json

from django.db import migrations

from refuge.encryption import open_text, rewrite_column, seal_text


def _sealed_evidence(pk, text):
    # PostgreSQL hands back the former jsonb as text, SQLite as it was stored: JSON either way.
    value = json.loads(text) if text else {}
    return (seal_text(json.dumps(value, ensure_ascii=False, sort_keys=True)) if value else "",)


def encrypt(apps, schema_editor):
    connection = schema_editor.connection
    rewrite_column(connection, "casework_stepprogress", "evidence", _sealed_evidence)
    for column in ("filename", "sha256"):
        rewrite_column(connection, "casework_attachment", column, lambda pk, v: (seal_text(v),))


def decrypt(apps, schema_editor):
    connection = schema_editor.connection
    rewrite_column(
        connection,
        "casework_stepprogress",
        "evidence",
        lambda pk, token: (open_text(token) or "{}",),
    )
    for column in ("filename", "sha256"):
        rewrite_column(connection, "casework_attachment", column, lambda pk, v: (open_text(v),))


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0008_encrypted_evidence_and_file_names"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt)]
