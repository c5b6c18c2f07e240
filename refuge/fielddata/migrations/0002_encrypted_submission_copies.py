"""The submissions' and edits' copies (names, document numbers, phones) encrypted at rest
(refuge.encryption); the next migration encrypts the rows already there."""

import refuge.encryption
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('fielddata', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='fieldsubmission',
            name='content',
            field=refuge.encryption.EncryptedJSONField(),
        ),
        migrations.AlterField(
            model_name='submissionedit',
            name='changes',
            field=refuge.encryption.EncryptedJSONField(),
        ),
        migrations.AlterField(
            model_name='submissionedit',
            name='content',
            field=refuge.encryption.EncryptedJSONField(),
        ),
    ]
