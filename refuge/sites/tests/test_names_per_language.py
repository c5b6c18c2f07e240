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


def test_a_building_is_named_in_the_readers_language_on_the_rooms_page(world, client):
    from refuge.sites.housing import create_room
    from refuge.sites.models import Building

    admin = world.user("admin")
    create_room(site=world.perm, building="Block 1", name="101", beds=4, by=admin)
    Building.objects.filter(name="Block 1").update(name_ru="Корпус 1", name_ar="المبنى 1")
    client.force_login(admin)

    for language, name in (("ru", "Корпус 1"), ("ar", "المبنى 1"), ("en", "Block 1")):
        client.cookies["django_language"] = language
        page = client.get(reverse("sites:rooms", args=[world.perm.pk])).content.decode()
        assert name in page


def test_the_pathway_is_named_in_the_readers_language_on_a_persons_case(world, client):
    from refuge.testing import register

    household = register(world.perm, world.user("clerk_perm"))
    person = household.members.get(relationship="head")
    client.force_login(world.user("caseworker"))

    client.cookies["django_language"] = "ru"
    page = client.get(reverse("casework:person", args=[person.pk])).content.decode()
    assert "Приём в Российской Федерации" in page
    assert "Reception in the Russian Federation" not in page


def test_renaming_a_pathway_in_a_language_keeps_its_version(world):
    from refuge.casework.pathways import current_pathway, load_pathway, pathway_definition

    pathway = current_pathway()
    definition = pathway_definition(pathway)
    definition["name_ar"] = "استقبال اللاجئين"

    renamed = load_pathway(definition, by=world.user("admin"))

    assert (renamed.pk, renamed.version) == (pathway.pk, pathway.version)
    with translation.override("ar"):
        assert renamed.local_name == "استقبال اللاجئين"
