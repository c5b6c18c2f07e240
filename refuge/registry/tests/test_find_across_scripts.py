"""Find: names across scripts, numbers however typed, and a slip's QR code."""

import pytest
from django.urls import reverse

from refuge.registry.search import _JCUKEN, _QWERTY
from refuge.registry.selectors import FoundBy, find_people, search_people
from refuge.registry.services import DocumentData
from refuge.registry.vocabulary import Relationship
from refuge.sites.documents import slip_qr_payload
from refuge.testing import family_of_four, member, register


def _abdulrahman():
    # Typed at the shelter in Arabic and Latin; no Cyrillic form yet.
    return member(
        "عبد الرحمن", "الشامي", father="محمود", latin=("Abdulrahman", "Mahmoud", "Al-Shami")
    )


def test_a_name_typed_in_arabic_and_latin_is_found_by_its_cyrillic_form(world):
    register(world.shelter, world.user("clerk"), [_abdulrahman()])

    found = find_people(world.user("clerk"), "Абдулрахман Шами")

    assert [f.person.given_name_lat for f in found] == ["Abdulrahman"]
    assert found[0].reason is FoundBy.SOUND


def test_a_son_typed_in_arabic_only_is_found_by_omar(world):
    son = member("عمر", "حسن", father="محمد", relationship=Relationship.SON, birth_date=None)
    register(world.shelter, world.user("clerk"), [*family_of_four()[:1], son])

    found = find_people(world.user("clerk"), "Omar")

    assert [f.person.given_name_ar for f in found] == ["عمر"]


def test_a_name_found_as_typed_ranks_before_one_found_across_scripts(world):
    clerk = world.user("clerk")
    register(world.shelter, clerk, [member("عمر", "حسن", father="محمد")])
    register(world.shelter, clerk, [member("عمر", "ديب", latin=("Omar", "Ali", "Deeb"))])

    found = find_people(clerk, "omar")

    assert [f.reason for f in found] == [FoundBy.NAME, FoundBy.SOUND]
    assert found[0].person.family_name_lat == "Deeb"


def test_of_names_with_the_same_consonants_the_one_that_sounds_as_typed_ranks_first(world):
    # Mahmoud and Mohammed share the skeleton mhmd; typed in Cyrillic, Mohammed is meant.
    clerk = world.user("clerk")
    register(world.shelter, clerk, [member("محمود", "حسن", latin=("Mahmoud", "Ali", "Hassan"))])
    register(world.shelter, clerk, [member("محمد", "حسن", latin=("Mohammed", "Ali", "Hassan"))])

    found = find_people(clerk, "Мухаммед Хасан")

    assert [f.person.given_name_lat for f in found] == ["Mohammed", "Mahmoud"]


def test_a_birth_year_typed_with_the_names_ranks_namesakes(world):
    from datetime import date

    clerk = world.user("clerk")
    for born in (date(1990, 3, 1), date(2015, 6, 9), date(2016, 1, 5)):
        register(world.shelter, clerk, [member("عمر", "حسن", birth_date=born)])

    found = find_people(clerk, "Omar Hassan 2015")

    assert [f.person.birth_date.year for f in found] == [2015, 2016, 1990]


def test_among_many_namesakes_both_names_are_looked_up_at_once(world, monkeypatch):
    from refuge.registry import selectors

    clerk = world.user("clerk")
    for family in ("ديب", "شامي", "خطيب", "نجار", "حداد", "عطار"):
        register(world.shelter, clerk, [member("محمد", family)])
    for given in ("علي", "عمر", "سامر", "باسل", "ماهر", "وائل"):
        register(world.shelter, clerk, [member(given, "حسن")])
    register(world.shelter, clerk, [member("محمد", "حسن", latin=("Mohammed", "Ali", "Hassan"))])
    # As if each name had thousands of holders: the meeting of the two lists reads only the
    # first few people of the rarer name, and the one sought is not among them.
    monkeypatch.setattr(selectors, "DRIVER_ROWS", 3)
    monkeypatch.setattr(selectors, "DRIVER_BATCHES", 1)
    monkeypatch.setattr(selectors, "COUNT_ROWS", 3)

    found = find_people(clerk, "Мухаммед Хасан")

    assert [f.person.given_name_lat for f in found] == ["Mohammed"]


def test_a_different_name_with_other_consonants_is_not_found(world):
    register(world.shelter, world.user("clerk"), [_abdulrahman()])

    assert find_people(world.user("clerk"), "Абдулла Шами") == []


def test_finding_across_scripts_never_reaches_beyond_the_users_sites(world):
    register(world.perm, world.user("clerk_perm"), [_abdulrahman()])

    assert find_people(world.user("clerk"), "Абдулрахман") == []
    assert len(find_people(world.user("clerk_perm"), "Абдулрахман")) == 1


@pytest.mark.parametrize("typed", ["{code}{seq}", "{code_lower}-{seq}", "{code} {seq_short}"])
def test_a_registration_number_is_found_whatever_the_case_spaces_or_hyphens(world, typed):
    household = register(world.shelter, world.user("clerk"))
    code, seq = household.registration_number.split("-")
    query = typed.format(code=code, code_lower=code.lower(), seq=seq, seq_short=int(seq))

    found = find_people(world.user("clerk"), query)

    assert len(found) == 4
    assert {f.reason for f in found} == {FoundBy.REGISTRATION_NUMBER}


def test_a_registration_number_of_a_site_code_ending_in_a_digit_typed_without_hyphen(world):
    household = register(world.perm, world.user("clerk_perm"))
    assert household.registration_number.startswith("PRM1-")

    query = household.registration_number.replace("-", "").lower()

    assert len(search_people(world.user("clerk_perm"), query)) == 4


def test_a_document_number_is_found_whatever_the_case_spaces_or_hyphens(world):
    members = family_of_four()
    members[0].documents = [DocumentData("passport", "N 012-3456")]
    register(world.shelter, world.user("clerk"), members)

    found = find_people(world.user("clerk"), "n-012 3456")

    assert [(f.person.given_name_lat, f.reason) for f in found] == [
        ("Mohammed", FoundBy.DOCUMENT_NUMBER)
    ]


def test_the_reason_is_shown_beside_each_result(world, client):
    register(world.shelter, world.user("clerk"), [_abdulrahman()])
    client.force_login(world.user("clerk"))

    response = client.post(reverse("registry:search"), {"q": "Абдулрахман"})

    assert "Same name in another script" in response.content.decode()


@pytest.mark.parametrize(
    "language,sentences",
    [("en", "people found. These are the nearest"), ("ru", "человека. Это ближайшие")],
)
def test_the_count_of_people_found_ends_before_the_hint_to_narrow_the_search(
    world, client, monkeypatch, language, sentences
):
    from refuge.registry import selectors

    register(world.shelter, world.user("clerk"), family_of_four())
    monkeypatch.setattr(selectors, "SEARCH_LIMIT", 2)  # three found: more than shown
    client.force_login(world.user("clerk"))
    client.cookies["django_language"] = language

    page = client.post(reverse("registry:search"), {"q": "Hassan"}).content.decode()

    assert sentences in page


def test_a_slips_qr_address_opens_the_household_in_a_tablets_camera(world, client):
    household = register(world.shelter, world.user("clerk"))
    payload = slip_qr_payload(household, base_url="https://refuge.example.org/")
    assert payload.startswith("https://refuge.example.org/registry/h/")
    client.force_login(world.user("clerk"))

    response = client.get(payload.removeprefix("https://refuge.example.org"))

    assert response.status_code == 302
    assert response["Location"] == reverse("registry:household", args=[household.pk])


def test_a_slips_qr_address_typed_by_a_handheld_scanner_into_find_opens_the_household(
    world, client
):
    household = register(world.shelter, world.user("clerk"))
    payload = slip_qr_payload(household, base_url="http://127.0.0.1:8000/")
    client.force_login(world.user("clerk"))

    plain = client.post(reverse("registry:search"), {"q": payload})
    htmx = client.post(reverse("registry:search"), {"q": payload}, headers={"HX-Request": "true"})

    household_url = reverse("registry:household", args=[household.pk])
    assert plain.status_code == 302 and plain["Location"] == household_url
    assert htmx["HX-Redirect"] == household_url


def test_a_scanner_typing_under_a_russian_keyboard_layout_still_opens_the_household(world, client):
    household = register(world.shelter, world.user("clerk"))
    payload = slip_qr_payload(household, base_url="http://127.0.0.1:8000/")
    typed = payload.translate(str.maketrans(_QWERTY, _JCUKEN))
    assert "HMM" not in typed
    client.force_login(world.user("clerk"))

    response = client.post(reverse("registry:search"), {"q": typed})

    assert response["Location"] == reverse("registry:household", args=[household.pk])


def test_a_slip_of_another_sites_household_does_not_open(world, client):
    household = register(world.perm, world.user("clerk_perm"))
    payload = slip_qr_payload(household)
    client.force_login(world.user("clerk"))

    assert client.get(payload).status_code == 404
    response = client.post(reverse("registry:search"), {"q": payload})
    assert response.status_code == 200
    assert "No one found" in response.content.decode()


def test_people_registered_before_find_searched_across_scripts_get_sound_tokens(world):
    from importlib import import_module

    from django.apps import apps

    from refuge.registry.models import PersonNameToken

    register(world.shelter, world.user("clerk"), [_abdulrahman()])
    PersonNameToken.objects.filter(token__startswith="~").delete()
    assert find_people(world.user("clerk"), "Абдулрахман") == []

    migration = import_module("refuge.registry.migrations.0005_find_across_scripts")
    migration.add_sound_tokens(apps, None)

    assert len(find_people(world.user("clerk"), "Абдулрахман")) == 1
