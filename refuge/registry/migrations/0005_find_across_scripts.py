from django.db import migrations, models

NAME_FIELDS = [
    f"{part}_{script}"
    for part in ("given_name", "father_name", "family_name", "mother_name")
    for script in ("ar", "lat", "cyr")
]


def add_sound_tokens(apps, schema_editor):
    """People registered before Find searched across scripts get their names' skeletons."""
    from refuge.registry.search import sound_tokens

    Person = apps.get_model("registry", "Person")
    PersonNameToken = apps.get_model("registry", "PersonNameToken")
    batch = []
    for values in Person.objects.values_list("pk", *NAME_FIELDS).iterator(chunk_size=2000):
        person_id, *names = values
        batch += [
            PersonNameToken(person_id=person_id, token=t[:80]) for t in sorted(sound_tokens(*names))
        ]
        if len(batch) >= 5000:
            PersonNameToken.objects.bulk_create(batch)
            batch = []
    PersonNameToken.objects.bulk_create(batch)


def remove_sound_tokens(apps, schema_editor):
    apps.get_model("registry", "PersonNameToken").objects.filter(token__startswith="~").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0004_person_missing_since"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="personnametoken",
            name="name_token_idx",
        ),
        migrations.AddIndex(
            model_name="personnametoken",
            index=models.Index(fields=["token", "person"], name="name_token_person_idx"),
        ),
        migrations.RunPython(add_sound_tokens, remove_sound_tokens),
    ]
