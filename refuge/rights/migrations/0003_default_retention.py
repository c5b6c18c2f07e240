"""The default retention policy; a deployment changes the rows in /admin/ to its own."""

from django.db import migrations

DEFAULTS = [
    ("person_departed", 5 * 365, "Five years after a household has left every site."),
    ("sign_in_record", 90, "Three months of sign-in attempts, for investigating attacks."),
]


def add_defaults(apps, schema_editor):
    rule = apps.get_model("rights", "RetentionRule")
    for kind, days, note in DEFAULTS:
        rule.objects.get_or_create(kind=kind, defaults={"keep_days": days, "note": note})


class Migration(migrations.Migration):
    dependencies = [("rights", "0002_retention_rules")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
