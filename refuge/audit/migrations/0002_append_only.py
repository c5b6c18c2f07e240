"""The database itself refuses to change or remove audit entries, whatever code asks it to."""

from django.db import migrations

from refuge.audit import triggers


def create_triggers(apps, schema_editor):
    triggers.install(schema_editor.connection)


def drop_triggers(apps, schema_editor):
    triggers.remove(schema_editor.connection)


def create_chain_head(apps, schema_editor):
    apps.get_model("audit", "ChainHead").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [
        migrations.RunPython(create_chain_head, migrations.RunPython.noop),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
