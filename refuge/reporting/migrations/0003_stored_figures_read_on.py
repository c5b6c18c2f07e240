from django.db import migrations, models


def recount_everything(apps, schema_editor):
    # The watermark was the audit trail's newest entry; it is now the change counter, which
    # starts lower: a stored set must not look newer than every change to come.
    StoredFigures = apps.get_model("reporting", "StoredFigures")
    StoredFigures.objects.update(watermark=-1)


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0002_stored_figures"),
    ]

    operations = [
        migrations.AddField(
            model_name="storedfigures",
            name="read_on",
            field=models.DateField(db_index=True, null=True),
        ),
        migrations.RunPython(recount_everything, migrations.RunPython.noop),
    ]
