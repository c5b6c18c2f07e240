from django.db import migrations


def load_places(apps, schema_editor):
    from refuge.registry.places import DISTRICTS, GOVERNORATES

    Place = apps.get_model("registry", "Place")
    governorates = {}
    for pcode, en, ar, ru in GOVERNORATES:
        governorates[pcode], _ = Place.objects.update_or_create(
            pcode=pcode, defaults={"level": 1, "name_en": en, "name_ar": ar, "name_ru": ru}
        )
    for pcode, en, ar, ru in DISTRICTS:
        Place.objects.update_or_create(
            pcode=pcode,
            defaults={"level": 2, "parent": governorates[pcode[:4]], "name_en": en,
                      "name_ar": ar, "name_ru": ru},
        )


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_initial")]
    operations = [migrations.RunPython(load_places, migrations.RunPython.noop)]
