"""Each step row carries its person's current site, so that worklists read a site's steps
without joining through case, person and household: the copy must follow the household."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from refuge.casework.models import StepProgress
from refuge.casework.selectors import Worklist, bottlenecks, worklist
from refuge.reception.services import add_member, arrive, record_arrival, record_departure
from refuge.sites.movements import add_household, depart, plan_movement
from refuge.testing import member, register, screen_for_travel

TODAY = timezone.localdate()


@pytest.fixture
def household(world):
    return register(world.perm, world.user("clerk_perm"), registered_on=TODAY - timedelta(days=10))


def _sites(household) -> set:
    return set(
        StepProgress.objects.filter(case__person__household=household).values_list(
            "site", flat=True
        )
    )


def _overdue(user, household, site=None) -> set[int]:
    rows = worklist(user, Worklist.OVERDUE, today=TODAY, site=site)
    return {r.pk for r in rows if r.case.person.household_id == household.pk}


def test_registration_puts_every_step_at_the_site_of_registration(world, household):
    assert _sites(household) == {world.perm.pk}


def test_a_transfer_moves_the_steps_to_the_worklists_of_the_new_site(world, household):
    coordinator = world.user("coordinator")
    screen_for_travel(household, world.user("medical"))
    transfer = plan_movement(
        from_site=world.perm,
        to_site=world.perm2,
        planned_on=TODAY,
        means="bus",
        seats=10,
        by=coordinator,
    )
    add_household(movement=transfer, household=household, by=coordinator)
    people = set(household.members.values_list("pk", flat=True))
    depart(movement=transfer, boarded=people, on=TODAY, by=coordinator)
    overdue_before = _overdue(world.user("caseworker"), household)

    arrive(movement=transfer, arrived=people, on=TODAY, by=coordinator)

    assert overdue_before
    assert _sites(household) == {world.perm2.pk}
    assert _overdue(world.user("caseworker"), household) == set()
    assert _overdue(coordinator, household, site=world.perm) == set()
    assert _overdue(coordinator, household, site=world.perm2) == overdue_before
    loads = bottlenecks(world.user("caseworker"), site=None, today=TODAY)
    assert loads == []


def test_a_household_that_leaves_every_site_leaves_the_worklists(world, household):
    record_departure(household=household, on=TODAY, by=world.user("manager"))

    assert _sites(household) == {None}
    assert _overdue(world.user("caseworker"), household) == set()


def test_an_arrival_recorded_at_another_site_moves_the_steps(world, household):
    record_arrival(household=household, site=world.shelter, on=TODAY, by=world.user("admin"))

    assert _sites(household) == {world.shelter.pk}
    assert _overdue(world.user("caseworker"), household) == set()


def test_a_member_who_joins_later_has_steps_at_the_household_s_site(world, household):
    record_arrival(household=household, site=world.perm2, on=TODAY, by=world.user("admin"))

    add_member(
        household=household,
        member=member("سلمى", relationship="daughter", sex="f", birth_date=TODAY),
        by=world.user("admin"),
    )

    assert _sites(household) == {world.perm2.pk}


def test_the_migration_fills_the_site_of_existing_steps_in_one_statement(
    world, household, django_assert_num_queries
):
    StepProgress.objects.update(site=None)
    migration = importlib.import_module("refuge.casework.migrations.0003_steps_by_site")

    with django_assert_num_queries(1):
        migration.fill_sites(apps, None)

    assert _sites(household) == {world.perm.pk}
