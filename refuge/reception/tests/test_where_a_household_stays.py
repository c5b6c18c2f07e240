"""Where a household is staying is recorded once, by its open stay (sites.Stay). The household's
current site and each of its members' steps' site are indexed copies for the scoped lists and
worklists; only the orchestration here (reception.services) moves all three, in one
transaction, whatever way the household moves."""

from datetime import timedelta

from django.utils import timezone

from refuge.casework.models import StepProgress
from refuge.reception import services as reception
from refuge.sites.movements import add_household, depart, plan_movement
from refuge.testing import register, screen_for_travel

TODAY = timezone.localdate()


def _where(household) -> tuple:
    """(the open stay's site, the household's current site, the sites of its members' steps)."""
    household.refresh_from_db()
    stay = household.stays.filter(left_on__isnull=True).first()
    steps = set(
        StepProgress.objects.filter(case__person__household=household).values_list(
            "site_id", flat=True
        )
    )
    return (stay.site_id if stay else None, household.current_site_id, steps)


def test_registration_arrival_transfer_and_departure_keep_the_copies_with_the_stay(world):
    coordinator = world.user("coordinator")
    household = register(
        world.perm, world.user("clerk_perm"), registered_on=TODAY - timedelta(days=5)
    )
    assert _where(household) == (world.perm.pk, world.perm.pk, {world.perm.pk})

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
    everyone = set(household.members.values_list("pk", flat=True))
    depart(movement=transfer, boarded=everyone, on=TODAY, by=coordinator)
    reception.arrive(movement=transfer, arrived=everyone, on=TODAY, by=coordinator)
    assert _where(household) == (world.perm2.pk, world.perm2.pk, {world.perm2.pk})

    reception.record_departure(household=household, on=TODAY, by=coordinator)
    assert _where(household) == (None, None, {None})

    reception.record_arrival(household=household, site=world.perm, on=TODAY, by=coordinator)
    assert _where(household) == (world.perm.pk, world.perm.pk, {world.perm.pk})
