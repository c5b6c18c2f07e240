from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from refuge.reception.services import arrive
from refuge.sites.housing import allocate_household, create_room
from refuge.sites.models import BedAssignment, FollowUp, MovementStatus, TravelHold
from refuge.sites.movements import add_household, depart, plan_movement
from refuge.sites.selectors import occupancy
from refuge.testing import member, register, screen_for_travel

TODAY = timezone.localdate()


@pytest.fixture
def transfer(world):
    return plan_movement(
        from_site=world.perm,
        to_site=world.perm2,
        planned_on=TODAY,
        means="bus",
        seats=40,
        by=world.user("coordinator"),
    )


def _families(world, n):
    families = [
        register(world.perm, world.user("clerk_perm"), registered_on=TODAY - timedelta(days=5))
        for _ in range(n)
    ]
    for household in families:
        screen_for_travel(household, world.user("medical"))
    return families


def _people(household):
    return set(household.members.values_list("pk", flat=True))


def _present(world, site):
    return next(r for r in occupancy(world.user("coordinator"), TODAY) if r.site == site).people


def test_reconciliation_flags_who_boarded_and_did_not_arrive(world, transfer):
    families = _families(world, 3)
    for household in families:
        add_household(movement=transfer, household=household, by=world.user("coordinator"))
    everyone = set().union(*(_people(h) for h in families))
    depart(movement=transfer, boarded=everyone, on=TODAY, by=world.user("coordinator"))
    lost = families[1].members.get(relationship="son")

    flagged = arrive(
        movement=transfer, arrived=everyone - {lost.pk}, on=TODAY, by=world.user("coordinator")
    )

    assert [f.person for f in flagged] == [lost]
    assert FollowUp.objects.get().person == lost
    lost.refresh_from_db()
    assert lost.missing_since == TODAY
    transfer.refresh_from_db()
    assert transfer.status == MovementStatus.ARRIVED


def test_stays_and_occupancy_follow_the_transfer(world, transfer):
    families = _families(world, 2)
    for household in families:
        add_household(movement=transfer, household=household, by=world.user("coordinator"))
    everyone = set().union(*(_people(h) for h in families))
    lost = next(iter(_people(families[0])))
    depart(movement=transfer, boarded=everyone, on=TODAY, by=world.user("coordinator"))

    arrive(movement=transfer, arrived=everyone - {lost}, on=TODAY, by=world.user("coordinator"))

    for household in families:
        household.refresh_from_db()
        assert household.current_site == world.perm2
        assert household.stays.get(left_on__isnull=True).site == world.perm2
    assert _present(world, world.perm) == 0
    assert _present(world, world.perm2) == 7  # eight travelled, one is missing


def test_beds_at_the_origin_are_freed_on_arrival(world, transfer):
    room = create_room(site=world.perm, building="A", name="1", beds=4, by=world.user("admin"))
    household = _families(world, 1)[0]
    allocate_household(household=household, room=room, by=world.user("manager"))
    add_household(movement=transfer, household=household, by=world.user("coordinator"))
    depart(movement=transfer, boarded=_people(household), on=TODAY, by=world.user("coordinator"))

    arrive(movement=transfer, arrived=_people(household), on=TODAY, by=world.user("coordinator"))

    assert not BedAssignment.objects.current().exists()


def test_a_household_travels_whole_or_not_at_all(world, transfer):
    household = _families(world, 1)[0]
    add_household(movement=transfer, household=household, by=world.user("coordinator"))
    some = set(list(_people(household))[:2])

    with pytest.raises(ValidationError, match="2 of 4 members did not board"):
        depart(movement=transfer, boarded=some, on=TODAY, by=world.user("coordinator"))


def test_a_travel_hold_stops_departure(world, transfer):
    household = _families(world, 1)[0]
    add_household(movement=transfer, household=household, by=world.user("coordinator"))
    TravelHold.objects.create(
        household=household, reason="awaiting TB test result", placed_by=world.user("medical")
    )

    with pytest.raises(ValidationError, match="awaiting TB test result"):
        depart(
            movement=transfer, boarded=_people(household), on=TODAY, by=world.user("coordinator")
        )


def test_seats_cannot_be_overbooked(world):
    small = plan_movement(
        from_site=world.perm,
        to_site=world.perm2,
        planned_on=TODAY,
        means="car",
        seats=3,
        by=world.user("coordinator"),
    )
    household = _families(world, 1)[0]

    with pytest.raises(ValidationError, match="3 left, household .* needs 4"):
        add_household(movement=small, household=household, by=world.user("coordinator"))


def test_a_household_from_elsewhere_cannot_join(world, transfer):
    elsewhere = register(world.perm2, world.user("admin"), [member()])

    with pytest.raises(ValidationError, match="is not at"):
        add_household(movement=transfer, household=elsewhere, by=world.user("coordinator"))


def test_nightly_count_leaves_out_the_missing(world, transfer):
    from refuge.sites.services import record_nightly_occupancy

    household = _families(world, 1)[0]
    add_household(movement=transfer, household=household, by=world.user("coordinator"))
    people = _people(household)
    depart(movement=transfer, boarded=people, on=TODAY, by=world.user("coordinator"))
    arrive(
        movement=transfer, arrived=people - {min(people)}, on=TODAY, by=world.user("coordinator")
    )

    counts = {r.site: r.people for r in record_nightly_occupancy(on=TODAY)}

    assert counts[world.perm2] == 3 and counts[world.perm] == 0


def test_planned_arrivals_raise_the_projection_and_the_warning(world, transfer):
    from refuge.sites.selectors import capacity_outlook

    world.perm2.capacity = 5
    world.perm2.save()
    for household in _families(world, 2):
        add_household(movement=transfer, household=household, by=world.user("coordinator"))

    outlook = capacity_outlook(world.perm2, TODAY)

    assert (outlook["present"], outlook["incoming"], outlook["projected"]) == (0, 8, 8)
    assert outlook["projected_over_threshold"] and not outlook["over_threshold"]


def test_everyone_who_arrived_gets_a_bed_families_together(world, transfer):
    from refuge.sites.housing import allocate_arrivals

    rooms = [
        create_room(site=world.perm2, building="A", name=str(i), beds=4, by=world.user("admin"))
        for i in range(3)
    ]
    families = _families(world, 2)
    for household in families:
        add_household(movement=transfer, household=household, by=world.user("coordinator"))
    everyone = set().union(*(_people(h) for h in families))
    depart(movement=transfer, boarded=everyone, on=TODAY, by=world.user("coordinator"))
    arrive(movement=transfer, arrived=everyone, on=TODAY, by=world.user("coordinator"))
    for household in families:
        household.refresh_from_db()

    placed = allocate_arrivals(households=families, by=world.user("admin"))

    assert set(placed.values()) <= set(rooms) and None not in placed.values()
    for household in families:
        assert (
            len(
                {
                    a.bed.room_id
                    for a in BedAssignment.objects.current().filter(person__household=household)
                }
            )
            == 1
        )
