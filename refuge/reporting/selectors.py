"""Aggregates for dashboards: each is read from the apps and passes through disclosure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from refuge.accounts.roles import Capability
from refuge.reporting.disclosure import DisclosedTable, disclose
from refuge.sites.models import Site
from refuge.sites.selectors import occupancy

OVERVIEW_COUNTS = ("people", "households", "arrivals_today", "arrivals_week")


def _percent(people: int, capacity: int) -> int:
    return round(100 * people / capacity) if capacity else 0


@dataclass
class SiteOverview:
    sites: list[Site]
    table: DisclosedTable
    capacity: int

    @property
    def rows(self):
        return list(zip(self.sites, self.table.rows, strict=True))


def site_overview(user, today: date) -> SiteOverview:
    """Occupancy and arrivals per site the user may see, with a total row; exact for those
    who see people there, suppressed for everyone else (observers, the DPO)."""
    rows = occupancy(user, today)
    raw = [
        {
            "people": row.people,
            "households": row.households,
            "arrivals_today": row.arrivals_today,
            "arrivals_week": row.arrivals_week,
            "capacity": row.site.capacity,
        }
        for row in rows
    ]
    capacity = sum(r["capacity"] for r in raw)
    derived = {
        # The capacity is public: a percentage or free places beside it give the count back.
        "percent": (("people",), lambda r: _percent(r["people"], r["capacity"])),
        "free": (("people",), lambda r: max(r["capacity"] - r["people"], 0)),
    }
    table = disclose(
        raw,
        counts=OVERVIEW_COUNTS,
        derived=derived,
        exact=user.can(Capability.VIEW_PEOPLE),
    )
    return SiteOverview(sites=[row.site for row in rows], table=table, capacity=capacity)


def bottleneck_figures(user, *, site: Site | None, today: date) -> list[tuple]:
    """People waiting at each step and for how long, as (load, figures): the count passes the
    disclosure rule like every aggregate (exact for the casework roles who may see it)."""
    from refuge.casework.selectors import bottlenecks

    loads = bottlenecks(user, site=site, today=today)
    table = disclose(
        [{"people": load.people} for load in loads],
        counts=("people",),
        exact=user.can(Capability.VIEW_PEOPLE),
    )
    return list(zip(loads, table.rows, strict=True))
