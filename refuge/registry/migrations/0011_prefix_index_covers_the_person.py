"""On PostgreSQL, Find's prefix index carries the person too, so that "every person whose word
begins with rahaf" is read from the index alone instead of visiting a table row per token
(at a million people, thousands of rows per common word). The model keeps describing the
index as before: Django can give a pattern index covering columns only on PostgreSQL, and
SQLite already reads these lookups from `name_token_person_idx`."""

from django.db import migrations

TABLE = "registry_personnametoken"
INDEX = "name_token_prefix_idx"


def _on_postgresql(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


covering = _on_postgresql(
    f"DROP INDEX IF EXISTS {INDEX}; "
    f"CREATE INDEX {INDEX} ON {TABLE} (token varchar_pattern_ops) INCLUDE (person_id)"
)
plain = _on_postgresql(
    f"DROP INDEX IF EXISTS {INDEX}; CREATE INDEX {INDEX} ON {TABLE} (token varchar_pattern_ops)"
)


class Migration(migrations.Migration):
    dependencies = [("registry", "0010_encrypt_existing_numbers_and_phones")]

    operations = [migrations.RunPython(covering, plain, elidable=False)]
