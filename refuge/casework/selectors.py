"""Reads of casework for pages: a person's case, worklists and the bottleneck figures, always
scoped to the sites the user works at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import reduce
from math import ceil
from operator import or_

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from refuge.accounts.roles import may_read_step_findings, may_write_step
from refuge.audit import services as audit
from refuge.casework.models import (
    READY_AND_OPEN,
    Case,
    Referral,
    StepDefinition,
    StepProgress,
    StepStatus,
)
from refuge.casework.pathways import current_pathway
from refuge.params import record_id
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
PAGE_SIZE = 50
# A worklist says how long it is up to this many steps, and "more than" beyond: counting a
# site's hundred thousand overdue steps for every page would cost more than the page itself.
COUNT_CAP = 1000
ROW_RELATIONS = ("step", "owner", "site", "case__person__household")


def _rows_in_order(
    ids: list[int], relations=ROW_RELATIONS, today: date | None = None
) -> list[StepProgress]:
    steps = StepProgress.objects.with_overdue(today or timezone.localdate())
    rows = steps.select_related(*relations).in_bulk(ids)
    return [rows[pk] for pk in ids]


def withhold_findings(user, steps):
    """Blank, in these copies, the outcome and evidence of the steps whose findings the user's
    role may not read (a medical step's, for anyone but medical staff); the step's existence
    and status stay. Every read of steps for a page or the API passes through here, so it also
    marks the steps the user's role may update (`writable`): a page offers only those."""
    for progress in steps:
        progress.writable = may_write_step(user.role, progress.step.owner_role)
        recorded = progress.outcome or progress.evidence
        if recorded and not may_read_step_findings(user.role, progress.step.owner_role):
            progress.outcome, progress.evidence = "", {}
            progress.findings_withheld = True
    return steps


def step_for(
    user, pk: int, *, today: date | None = None, purpose: str | None = "step"
) -> StepProgress:
    """One step of a person the user may see, as its row on the case page reads; the read is
    audited unless `purpose` is None (the save that follows is)."""
    progress = (
        with_note_counts(
            StepProgress.objects.with_overdue(today or timezone.localdate()).filter(
                case__person__in=Person.objects.visible_to(user)
            ),
            user,
        )
        .select_related("step", "owner", "updated_by", "case__person__household")
        .get(pk=pk)
    )
    if purpose:
        audit.record(
            actor=user, action=audit.Action.VIEW, target=progress, detail={"page": purpose}
        )
    return withhold_findings(user, [progress])[0]


def _record_list(user, rows, list_name: str) -> None:
    """Lists of people are reads of personal data too: who saw which names, and where."""
    audit.record(
        actor=user,
        action=audit.Action.VIEW,
        object_type="casework.worklist",
        detail={"list": list_name, "people": sorted({p.case.person_id for p in rows})},
    )


def with_note_counts(steps: QuerySet[StepProgress], user) -> QuerySet[StepProgress]:
    """Each step with `note_count`: the notes about it this user's role may read (a count is
    not a read of a note, so it is not audited)."""
    return steps.annotate(note_count=Count("notes", filter=Q(notes__domain__in=user.note_domains)))


def person_cases(person: Person, user, *, today: date | None = None) -> list[Case]:
    steps = with_note_counts(
        StepProgress.objects.with_overdue(today or timezone.localdate()).select_related(
            "step", "owner", "updated_by"
        ),
        user,
    ).order_by("step__order")
    cases = list(
        person.cases.select_related("pathway")
        .prefetch_related(Prefetch("steps", queryset=steps))
        .order_by("-opened_on")
    )
    for case in cases:
        withhold_findings(user, case.steps.all())
    return cases


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


def _step_ids(**filters) -> list[int]:
    """Steps of every pathway version (cases stay on the version they were opened on)."""
    return list(StepDefinition.objects.filter(**filters).values_list("pk", flat=True))


def _worklist_parts(
    user, kind: str, *, today: date, site: Site | None, step_code: str, days: int
) -> tuple[list[QuerySet[StepProgress]], tuple[str, str]]:
    """A worklist as one or two querysets and its order: each part is read in that order
    straight off one of StepProgress's indexes, so a page never sorts a whole site."""
    rows = StepProgress.objects.filter(site_id__in=_site_ids(user, site))
    step_filter = {"code": step_code} if step_code else {}
    if step_code:
        rows = rows.filter(step_id__in=_step_ids(**step_filter))
    if kind == Worklist.MINE:
        parts = [rows.filter(owner=user, open=True)]
        # Steps nobody has taken yet, of the kind this user's role takes on: a new
        # caseworker's list is not empty on the first day.
        unowned = _step_ids(owner_role=user.role, **step_filter)
        if unowned:
            parts.append(rows.filter(READY_AND_OPEN, owner__isnull=True, step_id__in=unowned))
        return parts, ("due_on", "id")
    if kind == Worklist.OVERDUE:
        return [rows.overdue(today)], ("due_on", "id")
    if kind == Worklist.BLOCKED:
        return [rows.filter(status=StepStatus.BLOCKED)], ("status_since", "id")
    if kind == Worklist.WAITING:
        return [
            rows.filter(status=StepStatus.WAITING, status_since__lte=today - timedelta(days=days))
        ], ("status_since", "id")
    raise ValueError(kind)


def worklist(
    user,
    kind: str,
    *,
    today: date,
    site: Site | None = None,
    step_code: str = "",
    days: int = WAITING_DAYS_DEFAULT,
) -> QuerySet[StepProgress]:
    """One of the four worklists, whole, newest trouble last; filterable by site and step.
    Pages read it through worklist_page."""
    parts, order = _worklist_parts(
        user, kind, today=today, site=site, step_code=step_code, days=days
    )
    return reduce(or_, parts).select_related(*ROW_RELATIONS).order_by(*order)


@dataclass
class WorklistPage:
    """A page of a worklist, found without counting the list: it reads one row past the page
    to know whether there is a next one, and counts at most COUNT_CAP rows."""

    object_list: list[StepProgress]
    number: int
    has_next: bool
    # The length of the whole list, or None when it is longer than COUNT_CAP.
    total: int | None
    count_cap: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def num_pages(self) -> int | None:
        return None if self.total is None else max(1, ceil(self.total / PAGE_SIZE))


def _ordered_ids(parts: list[QuerySet], order: tuple[str, str], limit: int) -> list[int]:
    keys = [part.order_by().values_list(*order) for part in parts]
    combined = keys[0].union(*keys[1:], all=True) if len(keys) > 1 else keys[0]
    return [row[-1] for row in combined.order_by(*order)[:limit]]


def page_number(value) -> int:
    """The page asked for in a URL; anything that is not a page number means the first."""
    return record_id(value) or 1


def worklist_page(
    user,
    kind: str,
    *,
    number: int,
    today: date,
    site: Site | None = None,
    step_code: str = "",
    days: int = WAITING_DAYS_DEFAULT,
) -> WorklistPage:
    """Page `number` of a worklist (a page past the end shows the last one)."""
    parts, order = _worklist_parts(
        user, kind, today=today, site=site, step_code=step_code, days=days
    )
    offset = (number - 1) * PAGE_SIZE
    # One read of the row ids up to the end of the page (and the count cap), plus one.
    fetch = max(offset + PAGE_SIZE, COUNT_CAP) + 1
    ids = _ordered_ids(parts, order, fetch)
    total = len(ids) if len(ids) < fetch else None
    if number > 1 and offset >= len(ids):
        number = max(1, ceil(len(ids) / PAGE_SIZE))
        offset = (number - 1) * PAGE_SIZE
    rows = _rows_in_order(ids[offset : offset + PAGE_SIZE], today=today)
    _record_list(user, rows, kind)
    return WorklistPage(
        object_list=rows,
        number=number,
        has_next=len(ids) > offset + PAGE_SIZE,
        total=total,
        count_cap=COUNT_CAP,
    )


def step_choices() -> list[tuple[str, str]]:
    pathway = current_pathway()
    if pathway is None:
        return []
    return [(s.code, s.name) for s in pathway.steps.order_by("order")]


def bulk_candidates(user, *, site: Site, step_code: str) -> list[StepProgress]:
    """The people at a site whose step is open and ready to be worked on, family by family:
    in the order their cases were opened, which is household by household at registration
    (members who joined later come after). Sorting by registration number instead joined three
    tables for every waiting step of the site: 45 ms at 18,000 of them, against 3."""
    ids = list(
        StepProgress.objects.filter(
            READY_AND_OPEN,
            site_id__in=_site_ids(user, site),
            step_id__in=_step_ids(code=step_code),
        )
        .order_by("case_id")
        .values_list("pk", flat=True)[:BULK_LIMIT]
    )
    rows = _rows_in_order(ids, ("case__person__household",))
    _record_list(user, rows, f"bulk:{step_code}")
    return rows


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
    # Grouped by site too, so that the database reads each site's index entries in order.
    rows = (
        StepProgress.objects.filter(READY_AND_OPEN, site_id__in=_site_ids(user, site))
        .values_list("site", "step", "ready_since")
        .annotate(people=Count("id"))
        .order_by()
    )
    rows = list(rows)
    codes = dict(
        StepDefinition.objects.filter(pk__in={row[1] for row in rows}).values_list("pk", "code")
    )
    waits: dict[str, dict[int, int]] = {}
    for _site, step_id, ready_since, people in rows:
        days = max(0, (today - ready_since).days)
        histogram = waits.setdefault(codes[step_id], {})
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
