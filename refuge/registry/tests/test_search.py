from django.urls import reverse

from refuge.audit.models import AuditEntry
from refuge.audit.services import unsealed
from refuge.registry.selectors import search_people
from refuge.registry.services import DocumentData
from refuge.testing import family_of_four, member, register


def _names(people):
    return sorted(p.given_name_lat or p.given_name_ar for p in people)


def test_finds_a_household_by_registration_number(world):
    household = register(world.shelter, world.user("clerk"))

    found = search_people(world.user("clerk"), household.registration_number.lower())

    assert _names(found) == ["Ali", "Fatima", "Maryam", "Mohammed"]


def test_finds_a_person_by_document_number_typed_differently(world):
    members = family_of_four()
    members[0].documents = [DocumentData("passport", "N 012-3456")]
    register(world.shelter, world.user("clerk"), members)

    assert _names(search_people(world.user("clerk"), "n0123456")) == ["Mohammed"]


def test_finds_by_name_prefix_in_any_script(world):
    register(
        world.shelter,
        world.user("clerk"),
        [
            member(
                "محمد",
                "حسن",
                latin=("Mohammed", "Ali", "Hassan"),
                cyrillic=("Мухаммед", "Али", "Хасан"),
            ),
        ],
    )
    clerk = world.user("clerk")

    assert _names(search_people(clerk, "moh has")) == ["Mohammed"]
    assert _names(search_people(clerk, "МУХ")) == ["Mohammed"]
    assert _names(search_people(clerk, "محم")) == ["Mohammed"]
    assert search_people(clerk, "moh smith") == []


def test_arabic_search_ignores_hamza_and_diacritics(world):
    register(world.shelter, world.user("clerk"), [member("أحمد", "إبراهيم")])

    assert len(search_people(world.user("clerk"), "احمد ابراهيم")) == 1
    assert len(search_people(world.user("clerk"), "أَحْمَد")) == 1


def test_search_never_reaches_beyond_the_users_sites(world):
    register(world.perm, world.user("clerk_perm"))

    assert search_people(world.user("clerk"), "محمد") == []
    assert len(search_people(world.user("clerk_perm"), "محمد")) >= 1


def test_search_is_posted_and_audited_with_its_results(world, client):
    household = register(world.shelter, world.user("clerk"))
    client.force_login(world.user("clerk"))

    response = client.post(reverse("registry:search"), {"q": household.registration_number})

    assert response.status_code == 200
    entry = AuditEntry.objects.filter(action="search").get()
    assert unsealed(entry)["query"] == household.registration_number
    assert len(entry.detail["results"]) == 4
