"""Sealed detail, and the triggers that refuse TRUNCATE and a rewound chain head.

Adding the column rebuilds the table on SQLite, which drops its triggers: put them all back.
"""

from django.db import migrations, models

from refuge.audit import triggers


def install_triggers(apps, schema_editor):
    triggers.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]
    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="sealed",
            field=models.TextField(blank=True, default="", verbose_name="sealed detail"),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("view", "viewed"),
                    ("search", "searched"),
                    ("create", "created"),
                    ("change", "changed"),
                    ("delete", "deleted"),
                    ("export", "exported"),
                    ("login", "signed in"),
                    ("denied", "was refused access"),
                    ("merge", "merged"),
                    ("unmerge", "unmerged"),
                    ("login_failed", "failed to sign in"),
                    ("locked_out", "was locked out"),
                    ("logout", "signed out"),
                    ("disclose", "disclosed sealed audit details"),
                ],
                max_length=16,
                verbose_name="action",
            ),
        ),
        migrations.RunPython(install_triggers, migrations.RunPython.noop),
    ]
