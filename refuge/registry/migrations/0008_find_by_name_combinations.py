from django.db import migrations

NAME_FIELDS = [
    f"{part}_{script}"
    for part in ("given_name", "father_name", "family_name")
    for script in ("ar", "lat", "cyr")
]
MARKS = ("~gf~", "~gp~", "~gpf~")


def add_combination_tokens(apps, schema_editor):
    """People registered before Find looked up two or three names at once get those tokens."""
    from refuge.registry.search import combination_tokens

    Person = apps.get_model("registry", "Person")
    PersonNameToken = apps.get_model("registry", "PersonNameToken")
    batch = []
    for person_id, *names in Person.objects.values_list("pk", *NAME_FIELDS).iterator(
        chunk_size=2000
    ):
        tokens = combination_tokens(tuple(names[0:3]), tuple(names[3:6]), tuple(names[6:9]))
        batch += [PersonNameToken(person_id=person_id, token=t[:80]) for t in sorted(tokens)]
        if len(batch) >= 5000:
            PersonNameToken.objects.bulk_create(batch)
            batch = []
    PersonNameToken.objects.bulk_create(batch)


def remove_combination_tokens(apps, schema_editor):
    PersonNameToken = apps.get_model("registry", "PersonNameToken")
    for mark in MARKS:
        PersonNameToken.objects.filter(token__startswith=mark).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0007_merge_20261201_1258"),
    ]

    operations = [
        migrations.RunPython(add_combination_tokens, remove_combination_tokens),
    ]
