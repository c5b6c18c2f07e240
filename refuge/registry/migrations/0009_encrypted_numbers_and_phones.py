"""Document numbers and contact phones encrypted at rest, documents found by a blind index.

The columns become text (a Fernet token is about three times as long as the value); the next
migration encrypts the rows already there and computes their indexes."""

from django.db import migrations, models

import refuge.encryption


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0008_find_by_name_combinations"),
    ]

    operations = [
        migrations.RemoveField(model_name="document", name="number_normalised"),
        migrations.AddField(
            model_name="document",
            name="number_index",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="document",
            name="number",
            field=refuge.encryption.EncryptedCharField(
                max_length=40, verbose_name="document number"
            ),
        ),
        migrations.AlterField(
            model_name="household",
            name="phone",
            field=refuge.encryption.EncryptedCharField(
                blank=True, max_length=32, verbose_name="contact phone"
            ),
        ),
    ]
