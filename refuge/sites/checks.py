"""Checks a household must pass before it may leave on a transfer.

Each check is a plain function (household) -> a problem sentence, or None when all is well.
Other apps add theirs with `@departure_check`; casework will add "health screening done"
this way, so that the sites app need not know about pathways.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

DepartureCheck = Callable[[object], list[str]]
CHECKS: list[DepartureCheck] = []


def departure_check(check: DepartureCheck) -> DepartureCheck:
    CHECKS.append(check)
    return check


def problems_before_departure(household) -> list[str]:
    """Everything that stands in the way of this household travelling now."""
    problems: list[str] = []
    for check in CHECKS:
        problems.extend(check(household))
    return problems


@departure_check
def members_present(household) -> list[str]:
    return [
        _("%(name)s is missing since %(date)s.") % {"name": p.display_name, "date": p.missing_since}
        for p in household.members.all()
        if p.missing_since
    ]


@departure_check
def no_travel_hold(household) -> list[str]:
    return [
        _("Travel hold: %(reason)s") % {"reason": hold.reason}
        for hold in household.travel_holds.all()
        if hold.lifted_at is None
    ]
