"""Reads of casework for pages: a person's case, worklists and the bottleneck figures, always
scoped to the sites the user works at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Prefetch, QuerySet

from refuge.casework.models import (
    OPEN_STATUSES,
    Case,
    Referral,
    StepDefinition,
    StepProgress,
    StepStatus,
)
from refuge.casework.pathways import current_pathway
from refuge.registry.models import Person
from refuge.sites.models import Site
from refuge.sites.selectors import visible_sites


class Worklist:
    MINE = "mine"
    OVERDUE = "overdue"
    BLOCKED = "blocked"
    WAITING = "waiting"
    ALL = (MINE, OVERDUE, BLOCKED, WAITING)


WAITING_DAYS_DEFAULT = 14
BULK_LIMIT = 500


def _progress_rows() -> QuerySet[StepProgress]:
    return StepProgress.objects.select_related(
        "step", "owner", "case__person__household__current_site"
    )


def person_cases(person: Person) -> list[Case]:
    steps = StepProgress.objects.select_related("step", "owner", "updated_by").order_by(
        "step__order"
    )
    return list(
        person.cases.select_related("pathway")
        .prefetch_related(Prefetch("steps", queryset=steps))
        .order_by("-opened_on")
    )


def referrals_of(person: Person) -> list[Referral]:
    return list(person.referrals.select_related("partner", "step__step", "referred_by"))


@dataclass
class HouseholdRow:
    person: Person
    cells: list[StepProgress | None]


def household_matrix(household) -> tuple[list[StepDefinition], list[HouseholdRow]]:
    """Members down, steps across: where each member of a family stands."""
    members = list(household.members.all())
    progress = list(
        StepProgress.objects.filter(case__person__in=members).select_related("step", "case")
    )
    codes: dict[str, StepDefinition] = {}
    for p in sorted(progress, key=lambda p: p.step.order):
        codes.setdefault(p.step.code, p.step)
    by_cell = {(p.case.person_id, p.step.code): p for p in progress}
    rows = [HouseholdRow(m, [by_cell.get((m.pk, code)) for code in codes]) for m in members]
    return list(codes.values()), rows


def _site_ids(user, site: Site | None) -> list[int]:
    ids = list(visible_sites(user).values_list("pk", flat=True))
    if site is not None:
        ids = [i for i in ids if i == site.pk]
    return ids


def worklist(
    user,
    kind: str,
    *,
    today: date,
    site: Site | None = None,
    step_code: str = "",
    days: int = WAITING_DAYS_DEFAULT,
) -> QuerySet[StepProgress]:
    """One of the four worklists, newest trouble last; filterable by site and step."""
    rows = _progress_rows().filter(
        case__person__household__current_site_id__in=_site_ids(user, site)
    )
    if step_code:
        rows = rows.filter(step__code=step_code)
    if kind == Worklist.MINE:
        return rows.filter(owner=user, status__in=OPEN_STATUSES).order_by("due_on", "pk")
    if kind == Worklist.OVERDUE:
        return rows.filter(
            status__in=OPEN_STATUSES, ready_since__isnull=False, due_on__lt=today
        ).order_by("due_on", "pk")
    if kind == Worklist.BLOCKED:
        return rows.filter(status=StepStatus.BLOCKED).order_by("status_since", "pk")
    if kind == Worklist.WAITING:
        return rows.filter(
            status=StepStatus.WAITING, status_since__lte=today - timedelta(days=days)
        ).order_by("status_since", "pk")
    raise ValueError(kind)


def step_choices() -> list[tuple[str, str]]:
    pathway = current_pathway()
    if pathway is None:
        return []
    return [(s.code, s.name) for s in pathway.steps.order_by("order")]


def bulk_candidates(user, *, site: Site, step_code: str) -> list[StepProgress]:
    """The people at a site whose step is open and ready to be worked on."""
    return list(
        _progress_rows()
        .filter(
            case__person__household__current_site_id__in=_site_ids(user, site),
            step__code=step_code,
            status__in=OPEN_STATUSES,
            ready_since__isnull=False,
        )
        .order_by("case__person__household__registration_number", "case__person_id")[:BULK_LIMIT]
    )


@dataclass
class StepLoad:
    code: str
    name: str
    people: int
    median_days: int
    p90_days: int


def _percentile(histogram: list[tuple[int, int]], total: int, fraction: float) -> int:
    """The value below which `fraction` of the people fall, from (days, count) pairs."""
    rank = max(1, round(fraction * total))
    seen = 0
    for days, count in histogram:
        seen += count
        if seen >= rank:
            return days
    return histogram[-1][0] if histogram else 0


def bottlenecks(user, *, site: Site | None, today: date) -> list[StepLoad]:
    """How many people wait at each step (open, with every prerequisite done) and for how long.

    The database groups by step and by the day the wait began, so a site of any size comes
    back as a few thousand rows at most; the percentiles are taken from that histogram.
    """
    rows = (
        StepProgress.objects.filter(
            case__person__household__current_site_id__in=_site_ids(user, site),
            status__in=OPEN_STATUSES,
            ready_since__isnull=False,
        )
        .values_list("step__code", "ready_since")
        .annotate(people=Count("id"))
        .order_by()
    )
    waits: dict[str, dict[int, int]] = {}
    for code, ready_since, people in rows:
        days = max(0, (today - ready_since).days)
        histogram = waits.setdefault(code, {})
        histogram[days] = histogram.get(days, 0) + people
    pathway = current_pathway()
    steps = {s.code: s for s in pathway.steps.filter(code__in=waits)} if pathway else {}
    loads = []
    for code, histogram in waits.items():
        pairs = sorted(histogram.items())
        total = sum(histogram.values())
        step = steps.get(code)
        loads.append(
            StepLoad(
                code=code,
                name=step.name if step else code,
                people=total,
                median_days=_percentile(pairs, total, 0.5),
                p90_days=_percentile(pairs, total, 0.9),
            )
        )
    order = {code: s.order for code, s in steps.items()}
    return sorted(loads, key=lambda load: order.get(load.code, 999))
