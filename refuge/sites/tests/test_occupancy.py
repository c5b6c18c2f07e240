from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from refuge.reception.services import record_arrival, record_departure
from refuge.sites.selectors import occupancy
from refuge.testing import member, register


def _row(user, site):
    return next(r for r in occupancy(user, timezone.localdate()) if r.site == site)


def test_occupancy_counts_people_of_households_present(world):
    register(world.perm, world.user("clerk_perm"))
    register(world.perm, world.user("clerk_perm"), [member()])

    row = _row(world.user("coordinator"), world.perm)

    assert (row.people, row.households) == (5, 2)
    assert row.arrivals_today == 5
    assert row.percent == round(100 * 5 / world.perm.capacity)


def test_a_move_closes_one_stay_and_opens_the_next(world):
    today = timezone.localdate()
    household = register(
        world.perm, world.user("clerk_perm"), registered_on=today - timedelta(days=3)
    )

    record_arrival(household=household, site=world.perm2, on=today, by=world.user("admin"))

    stays = list(household.stays.order_by("arrived_on"))
    assert [(s.site, s.left_on) for s in stays] == [(world.perm, today), (world.perm2, None)]
    coordinator = world.user("coordinator")
    assert _row(coordinator, world.perm).people == 0
    assert _row(coordinator, world.perm2).people == 4
    assert _row(coordinator, world.perm2).arrivals_week == 4


def test_arrival_before_the_current_stay_began_is_refused(world):
    household = register(world.perm, world.user("clerk_perm"))

    with pytest.raises(ValidationError):
        record_arrival(
            household=household,
            site=world.perm2,
            on=household.registered_on - timedelta(days=1),
            by=world.user("admin"),
        )
    assert household.stays.count() == 1


def test_departure_leaves_the_household_between_sites(world):
    household = register(world.perm, world.user("clerk_perm"))

    record_departure(household=household, on=timezone.localdate(), by=world.user("admin"))

    household.refresh_from_db()
    assert household.current_site is None
    assert _row(world.user("coordinator"), world.perm).people == 0


def test_users_see_only_their_sites(world):
    sites = [r.site for r in occupancy(world.user("clerk"), timezone.localdate())]

    assert sites == [world.shelter]
