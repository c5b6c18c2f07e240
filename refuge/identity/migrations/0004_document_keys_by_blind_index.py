"""The instant check's document keys stored by the blind index of the number, not the number
(refuge.identity.records.stored_key): the key table held every document number in clear."""

from django.db import migrations

from refuge.identity.records import stored_key


def index_document_keys(apps, schema_editor):
    PersonKey = apps.get_model("identity", "PersonKey")
    for key in PersonKey.objects.filter(key__startswith="doc:").iterator():
        PersonKey.objects.filter(pk=key.pk).update(key=stored_key(key.key))


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0003_pair_log_odds_and_clerk_reason"),
    ]

    # Not reversible: a blind index cannot give the number back (refresh_person_keys can).
    operations = [migrations.RunPython(index_document_keys, migrations.RunPython.noop)]
