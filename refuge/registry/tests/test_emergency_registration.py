"""UNHCR's emergency level: the minimum per person now, completed by caseworkers later, and
visibly incomplete until then."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from refuge.reception.services import update_person
from refuge.registry.models import Place
from refuge.registry.services import complete_registration
from refuge.registry.vocabulary import RegistrationLevel
from refuge.testing import member, register


def _minimum(**extra):
    # Name in one script, sex, birth year, relationship: nothing else.
    return member("عمر", "حسن", father="", birth_date=date(1990, 1, 1), **extra)


def test_the_emergency_minimum_includes_a_birth_year(world):
    with pytest.raises(ValidationError) as refused:
        register(
            world.shelter,
            world.user("clerk"),
            [member("عمر", "حسن", father="", birth_date=None)],
            level=RegistrationLevel.EMERGENCY,
        )
    assert "members-0-birth_date" in refused.value.message_dict


def test_an_emergency_registration_shows_what_is_left_to_complete(world, client):
    household = register(
        world.shelter, world.user("clerk"), [_minimum()], level=RegistrationLevel.EMERGENCY
    )
    person = household.members.get()
    client.force_login(world.user("clerk"))

    page = client.get(reverse("registry:household", args=[household.pk])).content.decode()

    assert household.is_emergency_registration
    assert "Emergency registration" in page
    assert "name in Latin" in page and "father&#x27;s name" in page
    assert "place of origin" in page
    assert (
        "Emergency registration"
        in client.get(reverse("registry:person", args=[person.pk])).content.decode()
    )


def test_it_is_complete_only_when_every_record_is(world, client):
    household = register(
        world.shelter, world.user("clerk"), [_minimum()], level=RegistrationLevel.EMERGENCY
    )
    person = household.members.get()
    caseworker = world.user("clerk")
    with pytest.raises(ValidationError):
        complete_registration(household=household, by=caseworker)

    place = Place.objects.first() or Place.objects.create(
        pcode="SY07", name_en="Tartus", name_ar="طرطوس", name_ru="Тартус"
    )
    update_person(
        person=person,
        changes={
            "father_name_ar": "محمد",
            "given_name_lat": "Omar",
            "family_name_lat": "Hassan",
            "given_name_cyr": "Омар",
            "family_name_cyr": "Хасан",
            "origin": place,
        },
        by=caseworker,
    )
    client.force_login(caseworker)
    response = client.post(reverse("registry:complete_registration", args=[household.pk]))

    assert response.status_code == 302
    household.refresh_from_db()
    assert household.registration_level == RegistrationLevel.FULL
    page = client.get(reverse("registry:household", args=[household.pk])).content.decode()
    assert "Emergency registration" not in page


def test_a_full_registration_is_not_marked_incomplete(world, client):
    household = register(world.shelter, world.user("clerk"), [_minimum()])
    client.force_login(world.user("clerk"))
    page = client.get(reverse("registry:household", args=[household.pk])).content.decode()
    assert "Emergency registration" not in page
