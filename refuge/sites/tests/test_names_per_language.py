from django.urls import reverse
from django.utils import translation

from refuge.casework.models import Partner, PartnerKind


def test_a_site_is_named_in_the_readers_language_when_an_administrator_gave_one(world, client):
    world.perm.name_ru = "Пункт временного размещения № 1"
    world.perm.name_ar = "مركز الإيواء المؤقت رقم 1"
    world.perm.save()
    client.force_login(world.user("admin"))

    for language, name in (("ru", world.perm.name_ru), ("ar", world.perm.name_ar)):
        client.cookies["django_language"] = language
        assert name in client.get(reverse("sites:site", args=[world.perm.pk])).content.decode()
        assert name in client.get(reverse("sites:overview")).content.decode()


def test_a_name_not_given_in_a_language_falls_back_to_the_name(world):
    with translation.override("ar"):
        assert str(world.shelter) == "Hmeimim shelter"


def test_a_partner_organisation_is_named_in_the_readers_language(db):
    partner = Partner.objects.create(
        name="School No. 9", name_ru="Школа № 9", kind=PartnerKind.SCHOOL
    )

    with translation.override("ru"):
        assert str(partner) == "Школа № 9"
    with translation.override("en"):
        assert str(partner) == "School No. 9"
