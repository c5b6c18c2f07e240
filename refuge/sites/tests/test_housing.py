import pytest
from django.core.exceptions import ValidationError

from refuge.registry.models import Need
from refuge.sites.housing import allocate_household, create_room, move_people, suggest_rooms
from refuge.sites.models import BedAssignment
from refuge.testing import member, register


@pytest.fixture
def rooms(world):
    return {
        "small": create_room(
            site=world.perm, building="A", name="101", beds=2, by=world.user("admin")
        ),
        "family": create_room(
            site=world.perm,
            building="A",
            name="102",
            beds=6,
            family_room=True,
            by=world.user("admin"),
        ),
        "ground": create_room(
            site=world.perm,
            building="B",
            name="G1",
            beds=4,
            accessible=True,
            by=world.user("admin"),
        ),
        "women": create_room(
            site=world.perm,
            building="B",
            name="G2",
            beds=6,
            women_only=True,
            by=world.user("admin"),
        ),
    }


def test_a_household_is_allocated_together_in_one_room(world, rooms):
    household = register(world.perm, world.user("clerk_perm"))

    allocate_household(household=household, room=rooms["family"], by=world.user("manager"))

    assignments = BedAssignment.objects.current().filter(person__household=household)
    assert assignments.count() == 4
    assert {a.bed.room for a in assignments} == {rooms["family"]}


def test_over_allocation_is_refused_with_the_numbers(world, rooms):
    household = register(world.perm, world.user("clerk_perm"))

    with pytest.raises(ValidationError, match="2 free beds; this household needs 4"):
        allocate_household(household=household, room=rooms["small"], by=world.user("manager"))
    assert not BedAssignment.objects.exists()


def test_beds_taken_by_another_family_are_not_free(world, rooms):
    first = register(world.perm, world.user("clerk_perm"))
    second = register(world.perm, world.user("clerk_perm"), [member()])
    third = register(world.perm, world.user("clerk_perm"))
    allocate_household(household=first, room=rooms["family"], by=world.user("manager"))

    allocate_household(household=second, room=rooms["family"], by=world.user("manager"))

    with pytest.raises(ValidationError, match="1 free beds; this household needs 4"):
        allocate_household(household=third, room=rooms["family"], by=world.user("manager"))


def test_women_only_rooms_are_refused_to_households_with_men(world, rooms):
    household = register(world.perm, world.user("clerk_perm"))

    with pytest.raises(ValidationError, match="women only"):
        allocate_household(household=household, room=rooms["women"], by=world.user("manager"))


def test_suggestions_put_an_accessible_room_first_for_a_disability(world, rooms):
    household = register(world.perm, world.user("clerk_perm"))
    Need.objects.create(
        person=household.members.first(), code="DS", recorded_on=household.registered_on
    )

    suggestions = suggest_rooms(household)

    assert suggestions[0].room == rooms["ground"]
    assert rooms["small"] not in [s.room for s in suggestions]  # too small for four
    assert rooms["women"] not in [s.room for s in suggestions]


def test_reallocating_moves_the_family_and_frees_the_old_beds(world, rooms):
    household = register(world.perm, world.user("clerk_perm"))
    allocate_household(household=household, room=rooms["ground"], by=world.user("manager"))

    allocate_household(household=household, room=rooms["family"], by=world.user("manager"))

    current = BedAssignment.objects.current()
    assert {a.bed.room for a in current} == {rooms["family"]}
    assert BedAssignment.objects.filter(released_on__isnull=False).count() == 4


def test_moving_one_person_to_another_room(world, rooms):
    household = register(world.perm, world.user("clerk_perm"))
    allocate_household(household=household, room=rooms["family"], by=world.user("manager"))
    grandmother = household.members.first()

    move_people(people=[grandmother], room=rooms["small"], by=world.user("manager"))

    assert BedAssignment.objects.current().get(person=grandmother).bed.room == rooms["small"]


def test_the_beds_page_moves_one_member_to_another_room(world, rooms, client):
    household = register(world.perm, world.user("clerk_perm"))
    allocate_household(household=household, room=rooms["family"], by=world.user("manager"))
    mother = household.members.get(relationship="spouse")
    client.force_login(world.user("manager"))

    response = client.post(
        f"/sites/households/{household.pk}/allocate/",
        {"person": mother.pk, "room": rooms["ground"].pk},
    )

    assert response.status_code == 302
    assert BedAssignment.objects.current().get(person=mother).bed.room == rooms["ground"]
