"""Aggregates for dashboards: each is read from the apps and passes through disclosure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from refuge.accounts.roles import Capability
from refuge.reporting.disclosure import (
    PROGRAMME,
    TOTAL_ROW,
    DisclosedTable,
    Figure,
    Places,
    disclose,
    disclose_cross,
    is_small,
    protect_jointly,
    published_sums,
    withheld,
)
from refuge.reporting.periods import Period
from refuge.sites.models import Site, Stay
from refuge.sites.selectors import occupancy

OVERVIEW_COUNTS = ("people", "households", "arrivals_today", "arrivals_week")


def _percent(people: int, capacity: int) -> int:
    return round(100 * people / capacity) if capacity else 0


@dataclass
class SiteOverview:
    sites: list[Site]
    table: DisclosedTable
    capacity: int
    # When the people and households present were counted, for a reader who sees them through
    # the dashboard's stored figures (see _share_present_figures); None when counted now.
    counted_at: datetime | None = None

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
    exact = user.can(Capability.VIEW_PEOPLE)
    table = disclose(raw, counts=OVERVIEW_COUNTS, derived=derived, exact=exact)
    counted_at = None
    if not exact:
        counted_at = _share_present_figures(table, [row.site for row in rows], raw, derived, today)
    return SiteOverview(
        sites=[row.site for row in rows], table=table, capacity=capacity, counted_at=counted_at
    )


def _share_present_figures(table, sites, raw, derived, today) -> datetime | None:
    """People and households present are the dashboard's figures, withheld exactly as there:
    suppressed on their own here, a different choice of second cell on each page would let
    one page's shown cell give back the other's withheld one. They are read from the
    dashboard's stored figures for the weeks to today (counted by the regular refresh, or
    now if it has not run today):
    protecting them takes every week's end before (see _stock_and_flow), too slow a count
    for each view of this page. Returns when they were counted."""
    from refuge.reporting.aggregates import stored_figures
    from refuge.reporting.forms import DEFAULT_WEEKS

    if not sites:
        return None
    places = _places(sites)
    stored = stored_figures(
        sites, Period.weeks_ending(today, DEFAULT_WEEKS), exact=False, today=today, of_today=True
    )
    occupancy = next(f for f in stored.figures if f.key == "occupancy")
    cells = [*zip([("site", s.pk) for s in sites], table.rows, raw, strict=True)]
    if len(places.columns) > 1:
        raw_total = {c: sum(r[c] for r in raw) for c in raw[0]}
        cells.append((PROGRAMME, table.total, raw_total))
    for column, figures, counts in cells:
        figures["people"] = occupancy.cell("people", column)
        figures["households"] = occupancy.cell("households", column)
        # From the figure shown, not today's count: a percentage of the public capacity
        # gives back the count it is computed from.
        shown = {**counts, "people": figures["people"].value}
        for name, (_sources, compute) in derived.items():
            figures[name] = (
                withheld(derived=True)
                if figures["people"].suppressed
                else Figure(compute(shown), str(compute(shown)))
            )
    return stored.computed_at


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


# --- Dashboards --------------------------------------------------------------------------
#
# Every figure is a table of counts by row and site; `disclose_cross` turns it into figures
# for every site, region and the programme at once, and a page shows the columns of the view
# the reader chose. Rows over time are whole ISO weeks (see periods.py); snapshot figures are
# counted on the period's last day (or today while it runs).

AGE_BANDS = ((0, 4), (5, 11), (12, 17), (18, 59), (60, None))  # UNHCR's standard bands
COARSE_AGE_BANDS = ((0, 17), (18, 59), (60, None))  # children, adults, elderly
HOUSEHOLD_SIZES = (1, 2, 3, 4, 5, 6, 7)  # 7 stands for seven or more
OPEN_NEEDS = ("pending", "confirmed")


@dataclass(frozen=True)
class View:
    """What a dashboard is about: the whole programme, one region or one site."""

    level: str  # "programme" | "region" | "site"
    key: object = ""  # the region's name or the site's id

    @property
    def column(self) -> tuple[str, object]:
        return (self.level, self.key)


@dataclass
class CrossFigure:
    """One dashboard figure: rows (label, figures by column) and, when the rows split the
    people, a total row; `median_days` beside the funnel's counts."""

    key: str
    title: str
    unit: str
    rows: list[tuple[object, str]]
    figures: dict[tuple, Figure]
    additive: bool
    median_days: dict[tuple, Figure] | None = None
    capacity: dict[tuple, int] | None = None
    # For a past period, what the figure cannot count as it was on the period's last day
    # (the records keep no history of it): the page says so beside the figure.
    note: str | None = None
    # The occupancy's: the columns whose departures in the week to this day are withheld with
    # the people present (see _stock_and_flow).
    departures_withheld: frozenset = frozenset()

    def cell(self, row, column) -> Figure:
        return self.figures[(row, column)]

    def total(self, column) -> Figure | None:
        return self.figures.get((TOTAL_ROW, column))

    def window_total(self, column) -> Figure:
        """The sum over the period's weeks, shown only when every week is: a period's total
        beside a neighbouring period's would otherwise give back a withheld week."""
        cells = [self.figures[(row, column)] for row, _label in self.rows]
        if any(f.suppressed for f in cells):
            return withheld(derived=True)
        total = sum(f.value for f in cells)
        return Figure(total, str(total))

    def percent_of_capacity(self, column) -> Figure:
        """People present as a percentage of the place's capacity, withheld with the count (the
        capacity is public: a percentage of it gives the count back)."""
        people = self.figures[("people", column)]
        capacity = (self.capacity or {}).get(column, 0)
        if people.suppressed:
            return withheld(derived=True)
        percent = round(100 * people.value / capacity) if capacity else 0
        return Figure(percent, f"{percent}%")


@dataclass
class Dashboard:
    view: View
    period: Period
    as_of: date
    columns: list[tuple[tuple[str, object], str]]  # (column key, label) the page shows
    figures: list[CrossFigure]
    exact: bool
    computed_at: datetime | None = None  # when the figures were counted (see refresh_figures)

    @property
    def threshold(self) -> int:
        from django.conf import settings

        return settings.REFUGE_SMALL_COUNT_THRESHOLD

    def figure(self, key: str) -> CrossFigure:
        return next(f for f in self.figures if f.key == key)


def _places(sites: list[Site]) -> Places:
    regions: dict[str, list[int]] = {}
    for site in sites:
        regions.setdefault(site.region, []).append(site.pk)
    return Places({region: tuple(ids) for region, ids in sorted(regions.items())})


def _present_stays(sites: list[Site], day: date):
    from django.db.models import Q

    return Stay.objects.filter(site__in=sites, arrived_on__lte=day).filter(
        Q(left_on__isnull=True) | Q(left_on__gt=day)
    )


def _members_present(day: date):
    from django.db.models import Q

    # Someone who boarded a transfer and did not arrive is not counted anywhere (sites.FollowUp).
    return Q(household__members__missing_since__isnull=True) | Q(
        household__members__missing_since__gt=day
    )


def _weekly(queryset, day_field: str) -> dict[tuple, int]:
    from django.db.models import Count
    from django.db.models.functions import TruncWeek

    counts: dict[tuple, int] = {}
    for site, week, people in (
        queryset.annotate(week=TruncWeek(day_field))
        .values_list("site", "week")
        .annotate(people=Count("household__members"))
        .order_by()
    ):
        week = week.date() if hasattr(week, "date") else week
        counts[(week, site)] = counts.get((week, site), 0) + people
    return counts


def arrivals_by_week(sites: list[Site], period: Period) -> dict[tuple, int]:
    """People in households whose stay at a site began in each week (a transfer arrives at
    its destination too)."""
    return _weekly(
        Stay.objects.filter(site__in=sites, arrived_on__range=(period.start, period.end)),
        "arrived_on",
    )


def departures_by_week(sites: list[Site], period: Period) -> dict[tuple, int]:
    return _weekly(
        Stay.objects.filter(site__in=sites, left_on__range=(period.start, period.end)),
        "left_on",
    )


def households_by_size(sites: list[Site], day: date) -> dict[tuple, int]:
    from django.db.models import Count

    counts: dict[tuple, int] = {}
    for site, size in (
        _present_stays(sites, day)
        .annotate(size=Count("household__members", filter=_members_present(day)))
        .values_list("site", "size")
    ):
        if size:
            key = (min(size, HOUSEHOLD_SIZES[-1]), site)
            counts[key] = counts.get(key, 0) + 1
    return counts


def _band_of(age: int | None, bands) -> str:
    if age is None:
        return "unknown"
    for low, high in bands:
        if high is None or age <= high:
            if age >= low:
                return f"{low}-{high}" if high is not None else f"{low}+"
    return "unknown"


def people_by_age_and_sex(sites: list[Site], day: date, bands) -> dict[tuple, int]:
    """People present by (age band, sex): the database groups by birth date and sex, so the
    rows are as many as distinct birth dates, not people."""
    from django.db.models import Count

    from refuge.registry.models import age_on

    counts: dict[tuple, int] = {}
    for site, born, sex, people in (
        _present_stays(sites, day)
        .filter(_members_present(day))
        .values_list("site", "household__members__birth_date", "household__members__sex")
        .annotate(people=Count("household__members"))
        .order_by()
    ):
        if sex is None:
            continue
        key = ((_band_of(age_on(born, day), bands), sex), site)
        counts[key] = counts.get(key, 0) + people
    return counts


def _steps():
    from refuge.casework.pathways import current_pathway

    pathway = current_pathway()
    return list(pathway.steps.order_by("order")) if pathway else []


def funnel(sites: list[Site], day: date) -> tuple[dict[tuple, int], dict[tuple, list[int]]]:
    """People who have done each step by `day`, and the days each took from the day it could
    be started (every step before it done) to the day it was done."""
    from django.db.models import Count

    from refuge.casework.models import StepProgress, StepStatus

    counts: dict[tuple, int] = {}
    durations: dict[tuple, list[int]] = {}
    # Grouped by the two dates, so the database sends a row per distinct wait, not per person.
    for code, site, ready, done, people in (
        StepProgress.objects.filter(site__in=sites, status=StepStatus.DONE, done_on__lte=day)
        .values_list("step__code", "site", "ready_since", "done_on")
        .annotate(people=Count("id"))
        .order_by()
    ):
        counts[(code, site)] = counts.get((code, site), 0) + people
        if ready and done:
            durations.setdefault((code, site), []).extend([max((done - ready).days, 0)] * people)
    return counts, durations


def overdue_steps(sites: list[Site], day: date) -> dict[tuple, int]:
    """Steps overdue on `day`: ready by then, due before it, and still open then (open now, or
    closed since: a step's status_since is the day it was closed)."""
    from django.db.models import Count, Q

    from refuge.casework.models import StepProgress

    return {
        (code, site): n
        for code, site, n in StepProgress.objects.filter(
            Q(open=True) | Q(status_since__gt=day),
            ready_since__lte=day,
            due_on__lt=day,
            site__in=sites,
        )
        .values_list("step__code", "site")
        .annotate(n=Count("pk"))
        .order_by()
    }


def _stay_on(prefix: str, day: date):
    """The stay of `prefix`'s household that was open on `day` (the site they were at then)."""
    from django.db.models import Q

    stays = f"{prefix}household__stays__"
    return Q(**{f"{stays}arrived_on__lte": day}) & (
        Q(**{f"{stays}left_on__isnull": True}) | Q(**{f"{stays}left_on__gt": day})
    )


def open_needs_by_category(sites: list[Site], day: date) -> dict[tuple, int]:
    """People with an open specific need on `day`, by UNHCR category (SM-CI counts under SM),
    at the site where they stayed that day. A need recorded after `day` is not counted; one
    open then but closed since is not either: a need keeps no date of its closing, so its
    status is the one it has now (the page says so for a past period)."""
    from django.db.models import Count
    from django.db.models.functions import Substr

    from refuge.registry.models import Need

    return {
        (category, site): n
        for category, site, n in Need.objects.filter(
            _stay_on("person__", day),
            status__in=OPEN_NEEDS,
            recorded_on__lte=day,
            person__household__stays__site__in=sites,
        )
        .annotate(category=Substr("code", 1, 2))
        .values_list("category", "person__household__stays__site")
        .annotate(n=Count("person", distinct=True))
        .order_by()
    }


def transfers(sites: list[Site], period: Period) -> dict[tuple, int]:
    """People on transfers planned to leave a site in the period, and people who arrived
    from one in the period (counted at the site they left)."""
    from django.db.models import Count

    from refuge.sites.models import Passenger

    counts: dict[tuple, int] = {}
    window = (period.start, period.end)
    for row, queryset in (
        ("planned", Passenger.objects.filter(movement__planned_on__range=window)),
        (
            "completed",
            Passenger.objects.filter(arrived=True, movement__arrived_on__range=window),
        ),
    ):
        for site, n in (
            queryset.filter(movement__from_site__in=sites)
            .values_list("movement__from_site")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            counts[(row, site)] = n
    return counts


def duplicates_pending(sites: list[Site], day: date) -> dict[tuple, int]:
    """Pairs of registrations waiting for a reviewer at the end of `day`, at the site where
    the first one's household stayed that day: found by then and not decided by then (a pair
    decided later was still to review; one marked unsure by then is counted as unsure)."""
    from datetime import datetime, time, timedelta

    from django.db.models import Case, CharField, Count, Q, Value, When
    from django.utils import timezone

    from refuge.identity.models import CandidatePair, PairStatus

    day_ends = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    undecided = Q(decided_at__isnull=True) | Q(decided_at__gte=day_ends)
    return {
        (status, site): n
        for status, site, n in CandidatePair.objects.filter(
            _stay_on("person_a__", day),
            undecided | Q(status=PairStatus.UNSURE),
            found_at__lt=day_ends,
            person_a__household__stays__site__in=sites,
        )
        .annotate(
            status_then=Case(
                When(undecided, then=Value(PairStatus.OPEN)),
                default=Value(PairStatus.UNSURE),
                output_field=CharField(),
            )
        )
        .values_list("status_then", "person_a__household__stays__site")
        .annotate(n=Count("pk"))
        .order_by()
    }


def tracing_by_status(sites: list[Site], day: date) -> dict[tuple, int]:
    """People sought by family tracing, by the status of their trace, at the site where the
    request was opened: requests opened by `day`, each trace in the status it is in now (a
    trace keeps no history of its statuses)."""
    from django.db.models import Count

    from refuge.tracing.models import SoughtPerson

    return {
        (status, site): n
        for status, site, n in SoughtPerson.objects.filter(
            request__site__in=sites, request__opened_on__lte=day
        )
        .values_list("status", "request__site")
        .annotate(n=Count("pk"))
        .order_by()
    }


def _median(values: list[int]) -> int:
    import statistics

    return round(statistics.median(values))


def _medians(durations, places: Places, rows, reached: dict[tuple, Figure]) -> dict:
    """Median days per row and column, withheld with the count of people behind it: a median
    of a handful of people is close to one person's own wait."""
    out = {}
    for row in rows:
        for column in places.columns:
            level, key = column
            sites = (
                [key]
                if level == "site"
                else places.regions[key]
                if level == "region"
                else [s for ids in places.regions.values() for s in ids]
            )
            values = [d for s in sites for d in durations.get((row, s), [])]
            if reached[(row, column)].suppressed or not values:
                out[(row, column)] = withheld(derived=True) if values else Figure(None, "—")
            else:
                median = _median(values)
                out[(row, column)] = Figure(median, str(median))
    return out


def _pyramid_bands(sites: list[Site], day: date):
    """UNHCR's five age bands, or children, adults and elderly when a site has a small cell in
    the five: the choice is made once for every column, so no two views can be subtracted."""
    fine = people_by_age_and_sex(sites, day, AGE_BANDS)
    if any(is_small(n) for n in fine.values()):
        return COARSE_AGE_BANDS, people_by_age_and_sex(sites, day, COARSE_AGE_BANDS)
    return AGE_BANDS, fine


def band_label(band: str) -> str:
    from django.utils.translation import gettext as _

    if band == "unknown":
        return _("age unknown")
    if band.endswith("+"):
        return _("%(low)s and over") % {"low": band[:-1]}
    low, high = band.split("-")
    return f"{low}–{high}"


def step_name(name_en: str, name_ru: str, name_ar: str) -> str:
    """A pathway step's name in the reader's language (StepDefinition.name), from its three."""
    from django.utils.translation import get_language

    language = (get_language() or "en")[:2]
    return {"ru": name_ru, "ar": name_ar}.get(language) or name_en


def _step_label(name_en: str, name_ru: str, name_ar: str):
    from django.utils.functional import lazy

    # Lazy, as the age bands' labels: stored figures read in the reader's language, not in the
    # language of whoever counted them first.
    return lazy(step_name, str)(name_en, name_ru, name_ar)


def age_sex_label(band: str, sex: str) -> str:
    """A row of the age and sex table: the band's label and the sex's, in the reader's language."""
    return f"{band_label(band)} · {sex}"


def _age_sex_label(band: str, sex):
    from django.utils.functional import lazy

    # An f-string of the two lazy labels would fix them in the counter's language.
    return lazy(age_sex_label, str)(band, sex)


def _band_labels(bands) -> list[tuple[str, str]]:
    keys = [f"{low}+" if high is None else f"{low}-{high}" for low, high in bands]
    from django.utils.functional import lazy

    # Lazy, so that stored figures read in the reader's language, not the refresher's.
    return [(key, lazy(band_label, str)(key)) for key in [*keys, "unknown"]]


def present_figures(
    sites: list[Site],
    places: Places,
    as_of: date,
    *,
    exact: bool,
    stock_and_flow: bool = True,
    memo: dict | None = None,
) -> tuple[CrossFigure, CrossFigure, CrossFigure]:
    """Households by size, people by age and sex, and occupancy (their totals) on `as_of`:
    one protected table each, shared by the dashboard and the sites overview so that the
    two pages withhold the same cells. Suppressed, the people present are protected jointly
    with the week's arrivals and departures to this day as well (see _stock_and_flow);
    `memo` keeps each day's tables for the next call (the weeks before are counted too)."""
    memo = {} if memo is None else memo
    if (as_of, exact, stock_and_flow) in memo:
        return memo[(as_of, exact, stock_and_flow)]
    from django.utils.translation import gettext_lazy as _
    from django.utils.translation import pgettext_lazy

    from refuge.registry.vocabulary import Sex

    def cross(key, title, unit, rows, counts, *, additive, also=frozenset()):
        figures = disclose_cross(
            counts, rows=[r for r, _label in rows], places=places, additive_rows=additive,
            exact=exact, also_withheld=also,
        )  # fmt: skip
        return CrossFigure(key, title, unit, rows, figures, additive)

    bands, ages = _pyramid_bands(sites, as_of)
    sexes = dict(Sex.choices)  # lazy labels
    sizes_figure = cross(
        "household_size", _("Households by size"), "households",
        [(n, str(n)) for n in HOUSEHOLD_SIZES[:-1]]
        + [(HOUSEHOLD_SIZES[-1], pgettext_lazy("household size", "7 or more"))],
        households_by_size(sites, as_of), additive=True,
    )  # fmt: skip
    age_rows = [
        ((band, sex), _age_sex_label(band, sexes[sex]))
        for band, _label in _band_labels(bands)
        for sex in (Sex.FEMALE, Sex.MALE)
    ]
    people_withheld: set = set()
    departures: frozenset = frozenset()
    while True:
        ages_figure = cross(
            "age_sex", _("People by age and sex"), "people", age_rows, ages, additive=True,
            also={(TOTAL_ROW, c) for c in people_withheld},
        )  # fmt: skip
        if exact or not stock_and_flow:
            break
        departures, people = _stock_and_flow(sites, places, as_of, ages_figure, memo)
        if people <= people_withheld:
            break
        people_withheld |= people  # withheld with cells of their own, then checked again
    # The people and households present are the totals of the two tables above, protected
    # with their cells: counted separately, a total shown here could give back a cell there.
    occupancy_figure = CrossFigure(
        "occupancy", _("Occupancy against capacity"), "people",
        [("people", _("People")), ("households", _("Households"))],
        {
            **{("people", c): ages_figure.figures[(TOTAL_ROW, c)] for c in places.columns},
            **{("households", c): sizes_figure.figures[(TOTAL_ROW, c)] for c in places.columns},
        },
        additive=False, capacity=_capacities(places, sites), departures_withheld=departures,
    )  # fmt: skip
    memo[(as_of, exact, stock_and_flow)] = (sizes_figure, ages_figure, occupancy_figure)
    return memo[(as_of, exact, stock_and_flow)]


def _first_arrival(sites: list[Site]) -> date:
    from django.db.models import Min

    first = Stay.objects.filter(site__in=sites).aggregate(first=Min("arrived_on"))["first"]
    return first or date.max


def _stock_and_flow(
    sites: list[Site], places: Places, day: date, ages: CrossFigure, memo: dict
) -> tuple[frozenset, set]:
    """People present on the day before a week, plus the week's arrivals to `day`, less its
    departures, are the people present on `day`: a reader who puts the pages side by side
    could solve that sum for a withheld count of people present or a withheld week's flow.
    So the sum is protected jointly with the tables it links (people by age and sex on both
    days, the week's arrivals and departures by site, region and programme): which columns'
    departures to withhold as well, and which columns' people present (each with a cell of its
    own table, by the caller), until no withheld figure can be solved for, the day before's
    withheld figures included (as protected by its own week, back to the first arrival).

    Departures first, as they cost the reader least; the people present when nothing else
    will do. Never the arrivals: the sites overview shows them day by day, and would give a
    withheld week back. The choice for `day` depends on the data to that day alone, so it is
    the same on every page and in every period that shows it."""
    from datetime import timedelta

    from refuge.reporting.periods import week_start

    week = week_start(day)
    before = week - timedelta(days=1)
    _sizes, ages_before, _occupancy = present_figures(
        sites, places, before, exact=False, stock_and_flow=before >= _first_arrival(sites),
        memo=memo,
    )  # fmt: skip
    hidden: set = set()
    equations: list[dict] = []
    for moment, table in ((before, ages_before), (day, ages)):
        hidden |= {("age", moment, *e) for e, f in table.figures.items() if f.suppressed}
        rows = [r for r, _label in table.rows]
        for equation in published_sums(rows, places, True):
            equations.append({("age", moment, *e): k for e, k in equation.items()})
    week_so_far = Period(week, day)
    candidates, values = [], {}
    for name, counts in (
        ("arrivals", arrivals_by_week(sites, week_so_far)),
        ("departures", departures_by_week(sites, week_so_far)),
    ):
        figures = disclose_cross(counts, rows=[week], places=places, additive_rows=False)
        for column in places.columns:
            entry, shown = (name, column), figures[(week, column)]
            if shown.suppressed:
                hidden.add(entry)
            elif name == "departures":
                candidates.append(entry)
                values[entry] = shown.value
        for equation in published_sums([week], places, False):
            equations.append({(name, column): k for (_row, column), k in equation.items()})
    for column in places.columns:
        total = ("age", day, TOTAL_ROW, column)
        equations.append(
            {
                ("age", before, TOTAL_ROW, column): 1,
                ("arrivals", column): 1,
                ("departures", column): -1,
                total: -1,
            }
        )
        if total not in hidden:
            candidates.append(total)
            values[total] = ages.figures[(TOTAL_ROW, column)].value
    added = protect_jointly(
        hidden,
        equations,
        candidates=candidates,
        values=values,
        prefer=lambda entry: entry[0] != "departures",
        near=lambda pinned, entry: pinned[-1] == entry[-1],
    )
    departures = frozenset(e[-1] for e in added if e[0] == "departures")
    return departures, {e[-1] for e in added if e[0] == "age"}


def dashboard(
    user,
    *,
    view: View,
    period: Period,
    today: date,
    export: bool = False,
    public: bool = False,
) -> Dashboard:
    """Every dashboard figure for the period, as the reader may see it: exact for staff who
    see the people counted, through the one suppression rule for everyone else. The read is
    audited (which view and period, never a person)."""
    from refuge.accounts.access import require
    from refuge.audit import services as audit
    from refuge.reporting.aggregates import stored_figures
    from refuge.sites.selectors import visible_sites

    require(user, Capability.VIEW_OVERVIEW)
    sites = list(visible_sites(user))
    places = _places(sites)
    columns = _view_columns(view, places, sites)
    # A public document (the sitrep) is suppressed whoever prints it: it leaves the building.
    exact = user.can(Capability.VIEW_PEOPLE) and not public
    stored = stored_figures(sites, period, exact=exact, today=today)
    audit.record(
        actor=user,
        action=audit.Action.EXPORT if export else audit.Action.VIEW,
        object_type="reporting.dashboard",
        object_id=f"{view.level}:{view.key}"[:64],
        site_id=view.key if view.level == "site" else None,
        detail={
            "period": period.label,
            "as_of": stored.as_of.isoformat(),
            "exact": exact,
            "report": "sitrep" if public else "dashboard",
        },
    )
    return Dashboard(
        view, period, stored.as_of, columns, stored.figures, exact, computed_at=stored.computed_at
    )


def compute_figures(
    sites: list[Site], period: Period, *, exact: bool, as_of: date
) -> list[CrossFigure]:
    """Every dashboard figure for the period over `sites`, disclosed for every site, region
    and the programme at once (a page shows the columns of its view)."""
    from datetime import timedelta

    from django.utils.translation import gettext_lazy as _

    from refuge.registry.vocabulary import SpecificNeed
    from refuge.reporting.periods import week_label
    from refuge.tracing.models import TraceStatus

    places = _places(sites)

    def cross(key, title, unit, rows, counts, *, additive):
        figures = disclose_cross(
            counts, rows=[r for r, _label in rows], places=places, additive_rows=additive,
            exact=exact,
        )  # fmt: skip
        return CrossFigure(key, title, unit, rows, figures, additive)

    weeks = [(w, week_label(w)) for w in period.weeks]
    steps = _steps()
    step_rows = [(s.code, _step_label(s.name_en, s.name_ru, s.name_ar)) for s in steps]
    reached, durations = funnel(sites, as_of)
    funnel_figure = cross(
        "funnel", _("People who have done each step"), "people", step_rows, reached,
        additive=False,
    )  # fmt: skip
    funnel_figure.median_days = _medians(
        durations, places, [r for r, _l in step_rows], funnel_figure.figures
    )
    categories = [(c, label) for c, label in SpecificNeed.choices if "-" not in c]
    memo: dict = {}
    present = {as_of: present_figures(sites, places, as_of, exact=exact, memo=memo)}
    sizes_figure, ages_figure, occupancy_figure = present[as_of]
    arrivals_figure = cross(
        "arrivals", _("Arrivals by week"), "people", weeks,
        arrivals_by_week(sites, period), additive=False,
    )  # fmt: skip
    departures_figure = cross(
        "departures", _("Departures by week"), "people", weeks,
        departures_by_week(sites, period), additive=False,
    )  # fmt: skip
    if not exact:
        # The departures each week's end withholds with its people present (see
        # _stock_and_flow): the same in every period that shows the week.
        for week in period.weeks:
            if week > as_of:
                continue
            last = min(week + timedelta(days=6), as_of)
            if last not in present:
                present[last] = present_figures(sites, places, last, exact=False, memo=memo)
            for column in present[last][2].departures_withheld:
                departures_figure.figures[(week, column)] = withheld(derived=True)
    figures = [
        arrivals_figure,
        departures_figure,
        occupancy_figure,
        funnel_figure,
        cross(
            "overdue", _("Overdue steps"), "steps", step_rows,
            overdue_steps(sites, as_of), additive=True,
        ),
        cross(
            "needs", _("People with open specific needs"), "people", categories,
            open_needs_by_category(sites, as_of), additive=False,
        ),
        sizes_figure,
        ages_figure,
        cross(
            "transfers", _("Transfers"), "people",
            [("planned", _("planned")), ("completed", _("completed"))],
            transfers(sites, period), additive=False,
        ),
        cross(
            "duplicates", _("Possible duplicates waiting for review"), "pairs",
            [("open", _("to review")), ("unsure", _("marked unsure"))],
            duplicates_pending(sites, as_of), additive=True,
        ),
        cross(
            "tracing", _("People sought by family tracing, by status"), "people",
            list(TraceStatus.choices), tracing_by_status(sites, as_of), additive=True,
        ),
    ]  # fmt: skip
    if as_of >= period.end:
        for figure in figures:
            figure.note = _past_period_notes().get(figure.key)
    return figures


def _past_period_notes() -> dict[str, str]:
    from django.utils.translation import gettext_lazy as _

    at_site_now = _("Counted at the site where each person is now.")
    return {
        "funnel": at_site_now,
        "overdue": at_site_now,
        "needs": _(
            "As of now, not the period's last day: a need closed since is not counted, since "
            "a need keeps no date of its closing."
        ),
        "tracing": _(
            "As of now, not the period's last day: each trace is counted in the status it has now."
        ),
    }


def _capacities(places: Places, sites: list[Site]) -> dict[tuple, int]:
    by_site = {s.pk: s.capacity for s in sites}
    out = {("site", pk): cap for pk, cap in by_site.items()}
    for region, ids in places.regions.items():
        out[("region", region)] = sum(by_site[i] for i in ids)
    out[PROGRAMME] = sum(by_site.values())
    return out


def _view_columns(view: View, places: Places, sites: list[Site]) -> list[tuple[tuple, str]]:
    from django.utils.translation import gettext_lazy as _

    names = {s.pk: s.local_name for s in sites}
    if view.level == "site":
        if view.key not in names:
            raise Site.DoesNotExist
        return [(("site", view.key), names[view.key])]
    if view.level == "region":
        if view.key not in places.regions:
            raise Site.DoesNotExist
        return [(("site", pk), names[pk]) for pk in places.regions[view.key]] + [
            (("region", view.key), view.key)
        ]
    return [(("region", r), r) for r in places.regions] + [(PROGRAMME, _("All sites"))]


def view_choices(user) -> list[tuple[str, str]]:
    """The views a reader may pick: the programme, each region and each site they see."""
    from django.utils.translation import gettext as _

    from refuge.sites.selectors import visible_sites

    sites = list(visible_sites(user))
    regions = sorted({s.region for s in sites})
    return [
        ("programme", _("All sites")),
        *((f"region:{r}", r) for r in regions),
        *((f"site:{s.pk}", s.local_name) for s in sorted(sites, key=lambda s: s.local_name)),
    ]
