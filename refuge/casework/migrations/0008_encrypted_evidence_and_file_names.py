"""Step evidence, attachment file names and digests encrypted at rest (refuge.encryption); the
next migration encrypts the rows already there."""

from django.db import migrations

import refuge.encryption


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0007_names_per_language"),
    ]

    operations = [
        migrations.AlterField(
            model_name="attachment",
            name="filename",
            field=refuge.encryption.EncryptedCharField(max_length=200, verbose_name="file name"),
        ),
        migrations.AlterField(
            model_name="attachment",
            name="sha256",
            field=refuge.encryption.EncryptedCharField(max_length=64),
        ),
        migrations.AlterField(
            model_name="stepprogress",
            name="evidence",
            field=refuge.encryption.EncryptedJSONField(
                blank=True, default=dict, verbose_name="evidence"
            ),
        ),
    ]
