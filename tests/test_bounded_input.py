"""Every input has a limit, refused with a clear error naming the field; nothing is half-saved."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from refuge.audit.models import AuditEntry
from refuge.identity.models import PersonKey
from refuge.registry.models import Household
from refuge.registry.names import clean_name
from refuge.registry.selectors import search_people
from refuge.sites.models import Site
from refuge.testing import SiteFactory, member, register

ZERO_WIDTH = "\u200b"
BIDI = "\u202e"  # right-to-left override


def _member_fields(index: int) -> dict:
    return {
        f"members-{index}-relationship": "head" if index == 0 else "son",
        f"members-{index}-given_name_ar": "علي",
        f"members-{index}-family_name_ar": "حسن",
        f"members-{index}-sex": "m",
        f"members-{index}-birth_date_text": "2001",
    }


def _form(world, count: int, **extra) -> dict:
    data = {
        "site": world.shelter.pk,
        "registered_on": "2026-01-05",
        "consent": ["registration"],
        "members-TOTAL_FORMS": str(count),
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "40",
    }
    for index in range(count):
        data.update(_member_fields(index))
    data.update(extra)
    return data


def test_a_ten_megabyte_search_is_refused_and_leaves_no_ten_megabyte_audit_row(world, client):
    client.force_login(world.user("clerk"))

    response = client.post(reverse("registry:search"), {"q": "a" * 10_000_000})

    assert response.status_code == 200
    assert "Search for at most 200 characters." in response.content.decode()
    assert not AuditEntry.objects.filter(action="search").exists()


def test_the_search_selector_refuses_an_oversized_query_naming_the_field(world):
    with pytest.raises(ValidationError) as refused:
        search_people(world.user("clerk"), "x" * 201)

    assert "q" in refused.value.message_dict


def test_a_megabyte_name_is_refused_before_anything_is_done_with_it(world):
    with pytest.raises(ValidationError) as refused:
        register(world.shelter, world.user("clerk"), [member("م" * 1_000_000)])

    assert refused.value.message_dict["members-0-given_name_ar"] == ["At most 80 characters."]
    assert not Household.objects.exists()


def test_invisible_characters_are_cleaned_from_names_before_they_are_stored_and_keyed(world):
    household = register(
        world.shelter,
        world.user("clerk"),
        [
            member(
                f"مح{ZERO_WIDTH}مد", f"{BIDI}حسن", latin=(f"Moh{ZERO_WIDTH}ammed", "Ali", "Hassan")
            )
        ],
    )

    person = household.members.get()
    assert (person.given_name_ar, person.family_name_ar) == ("محمد", "حسن")
    assert person.given_name_lat == "Mohammed"
    assert PersonKey.objects.filter(person=person).exists()
    assert search_people(world.user("clerk"), "Mohammed") == [person]


def test_clean_name_keeps_letters_and_drops_format_and_control_characters():
    assert clean_name(" Abd\u200d al-\u2066Rahman\u2069\x00 ") == "Abd al-Rahman"


def test_a_name_of_invisible_characters_only_is_a_missing_name(world):
    with pytest.raises(ValidationError) as refused:
        register(world.shelter, world.user("clerk"), [member(ZERO_WIDTH * 3)])

    assert "members-0-given_name_ar" in refused.value.message_dict


def test_a_registration_before_the_earliest_date_is_refused(world, settings):
    settings.REFUGE_EARLIEST_REGISTRATION_DATE = date(2011, 1, 1)

    with pytest.raises(ValidationError) as refused:
        register(world.shelter, world.user("clerk"), registered_on=date(2010, 12, 31))

    assert "2011-01-01" in refused.value.message_dict["registered_on"][0]


def test_a_registration_before_a_member_was_born_is_refused_on_that_member(world, client):
    client.force_login(world.user("clerk"))

    response = client.post(
        reverse("registry:register"),
        _form(world, 1, **{"members-0-birth_date_text": "2026-03-01"}),
    )

    assert "Born after the registration date" in response.content.decode()
    assert not Household.objects.exists()


@pytest.mark.parametrize("count", [50, 100])
def test_a_form_of_fifty_or_more_members_gets_a_form_error(world, count):
    # With the CSRF check on, as in a browser: it reads the form before any view does.
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("clerk"))
    client.get(reverse("registry:register"))
    token = client.cookies["csrftoken"].value

    response = client.post(
        reverse("registry:register"), _form(world, count, csrfmiddlewaretoken=token)
    )

    assert response.status_code == 200
    assert "at most 40 members" in response.content.decode()
    assert not Household.objects.exists()


def test_site_codes_are_unique_whatever_their_case(world):
    with pytest.raises(ValidationError) as refused:
        Site(code="prm1", name="Another", kind="accommodation", region="x", capacity=1).full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        SiteFactory(code="Prm1")

    assert "Another site has this code" in str(refused.value)


@pytest.mark.parametrize("value", ["9" * 5000, "²", "-1"])
def test_a_tampered_page_or_id_is_refused_not_a_server_error(world, client, value):
    household = register(world.perm, world.user("clerk_perm"))
    client.force_login(world.user("admin"))

    pages = [
        client.get(reverse("casework:worklist"), {"page": value}),
        client.get(reverse("casework:bottlenecks"), {"site": value}),
        client.get(reverse("registry:member_row"), {"index": value}),
        client.post(reverse("sites:allocate", args=[household.pk]), {"person": value}),
    ]

    assert all(page.status_code < 500 for page in pages)


def test_an_oversized_name_in_the_instant_check_is_not_checked(world, client):
    client.force_login(world.user("clerk"))

    response = client.post(
        reverse("identity:instant_check"),
        {"prefix": "members-0", "members-0-given_name_lat": "M" * 1_000_000},
    )

    assert response.status_code == 200 and "Possibly" not in response.content.decode()
