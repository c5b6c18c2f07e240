"""What the instant check suggests in a large registry: an earlier registration of the person
being registered even when a common name gives it many namesakes, when its birth year is one
off and a field is missing, and when at a million the engine puts it below the dedupe run's
"possible" band; never a pair the engine vetoes."""

from datetime import date

from django.utils import timezone

from refuge.identity.models import PersonKey
from refuge.identity.records import indexed_keys, person_records, records_from_names
from refuge.identity.selectors import instant_check, member_matches
from refuge.registry.models import Household, Person
from refuge.testing import member, register


def _namesakes(site, count: int) -> None:
    """`count` registrations of other men called محمد علي حسن without a birth date, loaded in
    bulk (as a large registry holds them) before the person the test looks for."""
    households = Household.objects.bulk_create(
        Household(
            registration_number=f"NS-{n}",
            registered_at=site,
            current_site=site,
            registered_on=timezone.localdate(),
        )
        for n in range(count)
    )
    people = Person.objects.bulk_create(
        Person(
            household=household,
            relationship="head",
            sex="m",
            given_name_ar="محمد",
            father_name_ar="علي",
            family_name_ar="حسن",
        )
        for household in households
    )
    PersonKey.objects.bulk_create(
        PersonKey(person=person, key=key)
        for person in people
        for key in indexed_keys(person_records(person))
    )


def test_a_returning_person_is_suggested_first_among_thirty_namesakes(world):
    clerk = world.user("clerk")
    _namesakes(world.shelter, 30)
    household = register(
        world.shelter, clerk, [member("محمد", "حسن", father="علي", birth_date=date(1984, 4, 17))]
    )
    # The same man again, his birth year written one off; the namesakes were registered first
    # and share his three names as much as he does.
    query = records_from_names(
        {"given_name_lat": "Mohamed", "father_name_lat": "Ali", "family_name_lat": "Hassan"},
        record_id="new",
        sex="m",
        birth_date="1983-04-17",
    )

    found = instant_check(clerk, query)

    assert found[0].person == household.members.get()
    assert len(found) == 5


def test_a_birth_year_one_off_and_no_fathers_name_still_finds_the_registration(world):
    clerk = world.user("clerk")
    household = register(
        world.shelter,
        clerk,
        [member("رغد", "ملحم", father="محمد", sex="f", birth_date=date(1991, 11, 17))],
    )
    # No key of the two is shared: the father's name is missing here, the year differs.
    query = records_from_names(
        {"given_name_lat": "Raghad", "family_name_lat": "Melhem"},
        record_id="new",
        sex="f",
        birth_date="1990",
    )

    assert [m.person for m in instant_check(clerk, query)] == [household.members.get()]


def test_at_a_million_a_registration_below_the_possible_band_is_still_suggested(world, monkeypatch):
    clerk = world.user("clerk")
    earlier = member("رشا", "الحسن", father="", sex="f", birth_date=None)
    earlier.names["mother_name_ar"] = "هدى"
    household = register(world.shelter, clerk, [earlier])
    again = member("Resha", "Al-Hessan", father="Nizar", sex="f", birth_date=None, latin=None)
    again.names = {
        "given_name_lat": "Resha",
        "father_name_lat": "Nizar",
        "family_name_lat": "Al-Hessan",
        "mother_name_lat": "Huda",
    }
    # The engine's prior for a registry of a million people.
    monkeypatch.setattr("refuge.identity.selectors.registry_size", lambda: 1_000_000)

    found = member_matches(clerk, again)

    assert [m.person for m in found] == [household.members.get()]
    # Below the dedupe run's "possible" band: shown to the clerk, never queued as likely.
    assert found[0].decision == "non_match" and 0.01 <= found[0].probability < 0.2


def test_a_vetoed_pair_is_not_suggested_however_low_the_floor(world):
    clerk = world.user("clerk")
    register(world.shelter, clerk, [member(birth_date=date(1995, 6, 1))])
    # The same three names, born twelve years apart: the engine vetoes the pair (its
    # probability is capped at 0.1, above the instant check's floor).
    query = records_from_names(
        {"given_name_ar": "محمد", "father_name_ar": "علي", "family_name_ar": "حسن"},
        record_id="new",
        sex="m",
        birth_date="1983-04-17",
    )

    assert instant_check(clerk, query) == []
