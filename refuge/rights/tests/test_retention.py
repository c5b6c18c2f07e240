"""The retention policy as data: a report of what is overdue, and applying it."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from refuge.audit.services import verify_chain
from refuge.registry.models import Person
from refuge.rights.models import RetentionRule
from refuge.rights.retention import apply_retention, overdue_report
from refuge.sites.models import Stay
from refuge.sites.services import end_stay
from refuge.testing import register


@pytest.fixture
def departed_long_ago(world):
    household = register(world.perm, world.user("clerk_perm"))
    Stay.objects.filter(household=household).update(arrived_on=date(2019, 3, 1))
    end_stay(household=household, on=date.today() - timedelta(days=6 * 365), by=world.user("admin"))
    register(world.perm, world.user("clerk_perm"))  # still here: kept
    return household


def test_the_report_counts_people_past_their_retention(world, departed_long_ago, capsys):
    assert dict((r.kind, n) for r, n in overdue_report())["person_departed"] == 4

    call_command("retention")

    assert "person_departed: kept 1825 days, 4 overdue" in capsys.readouterr().out


def test_applying_the_policy_erases_only_the_overdue_and_is_the_dpos(world, departed_long_ago):
    with pytest.raises(PermissionDenied):
        apply_retention(by=world.user("admin"))

    done = apply_retention(by=world.user("dpo"))

    assert done["person_departed"] == 4
    assert set(departed_long_ago.members.values_list("given_name_lat", flat=True)) == {""}
    assert Person.objects.exclude(given_name_lat="").count() == 4
    assert dict((r.kind, n) for r, n in overdue_report())["person_departed"] == 0
    assert verify_chain().intact


def test_a_longer_period_keeps_them(world, departed_long_ago):
    RetentionRule.objects.filter(kind="person_departed").update(keep_days=10 * 365)

    assert apply_retention(by=world.user("dpo"))["person_departed"] == 0
