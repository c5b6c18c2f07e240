"""A hand-built world for the dashboard: five families at three sites over three weeks, each
with a known share of every figure (see `reporting_world`)."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from refuge.accounts.roles import Role
from refuge.reception.services import record_departure
from refuge.registry.vocabulary import Relationship
from refuge.sites.movements import add_household, plan_movement
from refuge.testing import UserFactory, family_of_four, member, register, screen_for_travel


@dataclass
class ReportingWorld:
    world: object
    today: date
    families: dict


def _family(name: str, latin: str, *, needs: dict[int, list[str]] | None = None, extra=()):
    members = family_of_four(name, latin) + list(extra)
    for index, codes in (needs or {}).items():
        members[index].needs = codes
    return members


@pytest.fixture
def reporting_world(world):
    """Perm centre 1: A (4, two weeks ago, screened), B (4, a week ago, two with a serious
    medical need), C (6, today, with a grandmother at risk); Perm centre 2: D (4, two weeks
    ago, left six days ago); the shelter: E (4, a week ago, a survivor of violence). A is on a
    transfer planned for today from Perm centre 1 to Perm centre 2."""
    today = timezone.localdate()
    admin = world.user("admin")
    weeks_ago = {n: today - timedelta(7 * n) for n in (1, 2)}
    families = {
        "A": register(world.perm, admin, _family("حسن", "Hassan"), registered_on=weeks_ago[2]),
        "B": register(
            world.perm, admin, _family("ديب", "Deeb", needs={0: ["SM"], 1: ["SM-CI"]}),
            registered_on=weeks_ago[1],
        ),
        "C": register(
            world.perm, admin,
            _family("سالم", "Salem", needs={4: ["ER"]}, extra=[
                member("خديجة", "سالم", relationship=Relationship.GRANDPARENT, sex="f",
                       birth_date=date(1950, 5, 5)),
                member("يوسف", "سالم", relationship=Relationship.SON, sex="m",
                       birth_date=today - timedelta(days=700)),
            ]),
            registered_on=today,
        ),
        "D": register(world.perm2, admin, _family("خليل", "Khalil"), registered_on=weeks_ago[2]),
        "E": register(
            world.shelter, admin, _family("عمر", "Omar", needs={0: ["SV"]}),
            registered_on=weeks_ago[1],
        ),
    }  # fmt: skip
    record_departure(household=families["D"], on=today - timedelta(6), by=admin)
    screen_for_travel(families["A"], world.user(Role.MEDICAL), on=today)
    movement = plan_movement(
        from_site=world.perm, to_site=world.perm2, planned_on=today, means="bus", seats=20,
        by=admin,
    )  # fmt: skip
    add_household(movement=movement, household=families["A"], by=admin)
    world.users["observer_perm"] = UserFactory(
        username="observer.perm", role=Role.OBSERVER, sites=[world.perm, world.perm2]
    )
    return ReportingWorld(world=world, today=today, families=families)


def seek(world, site, by, *names, opened_on=None):
    """Open a tracing request at `site` by the officer `by`, one sought son a name."""
    from refuge.tracing.services import InquirerData, SoughtData, open_request

    return open_request(
        site=site,
        inquirer=InquirerData(given_name="فاطمة", sex="f", contact="tent 4"),
        sought=[
            SoughtData(given_name=n, relationship="son", prefix=f"sought-{i}")
            for i, n in enumerate(names)
        ],
        by=world.user(by),
        opened_on=opened_on,
    )
