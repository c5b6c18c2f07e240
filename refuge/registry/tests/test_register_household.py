from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from refuge.audit.models import AuditEntry
from refuge.registry.models import Consent, Household, Person
from refuge.registry.vocabulary import Relationship
from refuge.testing import family_of_four, member, register


def test_household_and_members_land_together(world):
    household = register(world.shelter, world.user("clerk"))

    assert household.members.count() == 4
    assert household.current_site == world.shelter
    assert household.stays.get().arrived_on == household.registered_on
    assert Consent.objects.filter(person__household=household).count() == 4


def test_bad_member_saves_nothing_and_names_the_field(world):
    members = family_of_four()
    members[2].birth_date = date(2999, 1, 1)
    audit_before = AuditEntry.objects.count()

    with pytest.raises(ValidationError) as caught:
        register(world.shelter, world.user("clerk"), members)

    assert "members-2-birth_date" in caught.value.message_dict
    assert Household.objects.count() == 0
    assert Person.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before


def test_member_without_any_given_name_is_refused(world):
    members = family_of_four()
    members[1].names = {"family_name_lat": "Deeb"}

    with pytest.raises(ValidationError) as caught:
        register(world.shelter, world.user("clerk"), members)

    assert "members-1-given_name_ar" in caught.value.message_dict


def test_household_needs_exactly_one_head(world):
    members = family_of_four()
    members[1].relationship = Relationship.HEAD

    with pytest.raises(ValidationError) as caught:
        register(world.shelter, world.user("clerk"), members)

    assert "exactly one head" in caught.value.message_dict["members"][0]


def test_registration_numbers_follow_the_site_sequence(world):
    first = register(world.shelter, world.user("clerk"))
    second = register(world.shelter, world.user("clerk"), [member()])

    assert first.registration_number == "HMM-000001"
    assert second.registration_number == "HMM-000002"


def test_clerk_cannot_register_at_another_site(world):
    with pytest.raises(PermissionDenied):
        register(world.perm, world.user("clerk"))
    assert Household.objects.count() == 0


def test_registration_is_audited_per_person(world):
    household = register(world.shelter, world.user("clerk"))

    created = AuditEntry.objects.filter(action="create", object_type="registry.person")
    assert created.count() == 4
    assert {e.detail["household"] for e in created} == {household.registration_number}
    assert all(e.actor_username == "clerk" for e in created)
