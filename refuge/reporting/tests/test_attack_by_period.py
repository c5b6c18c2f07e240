"""The recompute attack across periods: an observer downloads the figures of every view for
neighbouring and nested periods, and looks at the sites overview every day, then puts it all
together with every sum they know holds (sites to regions to the programme, rows to totals,
weeks to the period, a period to its sub-periods, a week to its days, people present at one
period's end to the next one's through the arrivals and departures between). No withheld
figure can be solved for. Every cell is keyed by the period it was shown for, so that a cell
withheld in one period and shown in another is found, not merged away."""

import csv
import io
from datetime import date, timedelta

from django.urls import reverse

from refuge.registry.vocabulary import Relationship
from refuge.reporting.disclosure import PROGRAMME, Places, published_sums
from refuge.reporting.periods import week_label, week_start
from refuge.reporting.selectors import site_overview
from refuge.reporting.tests.attack import solve
from refuge.reporting.tests.conftest import seek
from refuge.testing import family_of_four, member, register

FLOWS = ("arrivals", "departures")
WINDOWED = ("transfers",)  # counted over the period, like the weeks' sum
NOT_SUMMED = ("Total", "Capacity", "Percent of capacity", "In the period")


def _csv(client, user, view, first, last) -> list[dict]:
    client.force_login(user)
    response = client.get(
        reverse("reporting:figures_csv"),
        {"view": view, "from": week_label(first), "to": week_label(last)},
    )
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _weeks(first: date, last: date) -> list[date]:
    return [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]


def _collect(client, user, world, today, periods):
    """Every figure the user can download, {(period, figure, row, place): text}, and each
    period's as-of day."""
    # The two regions' pages show every site and region, the programme's the whole.
    views = ["programme", "region:Latakia", "region:Perm Krai"]
    place_key = {s.local_name: ("site", s.pk) for s in (world.shelter, world.perm, world.perm2)}
    place_key.update(
        {"Latakia": ("region", "Latakia"), "Perm Krai": ("region", "Perm Krai")},
        **{"All sites": PROGRAMME},
    )
    cells, as_of = {}, {}
    for period in periods:
        for view in views:
            for row in _csv(client, user, view, *period):
                if row["place"] not in place_key or row["row"] in (
                    "Capacity",
                    "Percent of capacity",
                ):
                    continue  # the funnel's median days; public capacity and its ratio
                cells[(period, row["figure"], row["row"], place_key[row["place"]])] = row["value"]
                as_of[period] = date.fromisoformat(row["as_of"])
    return cells, as_of


OVERVIEW_COUNTS = ("arrivals_today", "arrivals_week", "people", "households")


def _overview(user, world, days):
    """What the sites overview showed on each day: people and households present, arrivals
    that day and in the seven days to it, per site and in all."""
    cells = {}
    for day in days:
        overview = site_overview(user, day)
        for site, figures in overview.rows:
            for count in OVERVIEW_COUNTS:
                cells[("overview", day, count, ("site", site.pk))] = str(figures[count])
        for count in OVERVIEW_COUNTS:
            cells[("overview", day, count, PROGRAMME)] = str(overview.table.total[count])
    return cells


def _equations(cells, as_of, periods, places, today, days):
    site_ids = [s for ids in places.regions.values() for s in ids]

    def sites_of(column):
        level, key = column
        if level == "site":
            return [key]
        return list(places.regions[key]) if level == "region" else site_ids

    by_figure: dict[tuple, set] = {}
    for period, figure, row, _place in cells:
        if period == "overview":
            continue
        by_figure.setdefault((period, figure), set()).add(row)
    equations = []
    # Sums within one page: sites to regions to the programme, rows to the total row.
    for (period, figure), rows in by_figure.items():
        plain = sorted(r for r in rows if r not in NOT_SUMMED)
        for equation in published_sums(plain, places, "Total" in rows):
            equations.append(
                {
                    (period, figure, "Total" if r == "__total__" else r, c): k
                    for (r, c), k in equation.items()
                }
            )
        for column in places.columns:
            if figure == "occupancy":
                equations.append(
                    {
                        (period, "occupancy", "People", column): 1,
                        (period, "age_sex", "Total", column): -1,
                    }
                )
                equations.append(
                    {
                        (period, "occupancy", "Households", column): 1,
                        (period, "household_size", "Total", column): -1,
                    }
                )
            if figure in FLOWS:
                weeks = [week_label(w) for w in _weeks(*period)]
                equation = {(period, figure, w, column): 1 for w in weeks}
                equation[(period, figure, "In the period", column)] = -1
                equations.append(equation)
    # The same cell shown for two periods: a week's flows in every period holding it, and every
    # snapshot figure of two periods that end on the same day.
    for period, figure, row, column in list(cells):
        if period == "overview":
            continue
        for other in periods:
            if other <= period or (other, figure, row, column) not in cells:
                continue
            same_week = figure in FLOWS and row not in NOT_SUMMED
            same_day = figure not in FLOWS + WINDOWED and as_of[other] == as_of[period]
            if same_week or same_day:
                equations.append(
                    {(period, figure, row, column): 1, (other, figure, row, column): -1}
                )
    # A period's windowed counts are its sub-periods' sums.
    for whole in periods:
        for head in periods:
            tail = next(
                (p for p in periods if p[0] == head[1] + timedelta(weeks=1) and p[1] == whole[1]),
                None,
            )
            if head[0] != whole[0] or tail is None or head == whole:
                continue
            for figure in WINDOWED:
                for row in by_figure.get((whole, figure), ()):
                    for column in places.columns:
                        equations.append(
                            {
                                (whole, figure, row, column): 1,
                                (head, figure, row, column): -1,
                                (tail, figure, row, column): -1,
                            }
                        )
    # People present at one period's end are those present at an earlier end, plus the
    # arrivals and less the departures of the whole weeks between.
    for later in periods:
        for earlier in periods:
            if not (as_of[earlier] < as_of[later] and as_of[earlier].weekday() == 6):
                continue
            between = [w for w in _weeks(*later) if as_of[earlier] < w <= as_of[later]]
            if week_start(as_of[earlier]) + timedelta(weeks=1) != (between or [None])[0]:
                continue  # the weeks between are not all shown on the later period's page
            for column in places.columns:
                equation = {
                    (later, "occupancy", "People", column): 1,
                    (earlier, "occupancy", "People", column): -1,
                }
                for w in between:
                    equation[(later, "arrivals", week_label(w), column)] = -1
                    equation[(later, "departures", week_label(w), column)] = 1
                equations.append(equation)
    # A week's arrivals are its days' (to today), and the overview showed each day's and the
    # seven days' to it: the days are unknowns the attacker may solve for along the way.
    for period in periods:
        for w in _weeks(*period):
            for column in places.columns:
                equation = {(period, "arrivals", week_label(w), column): -1}
                for d in range(7):
                    day = w + timedelta(days=d)
                    if day <= today:
                        for site in sites_of(column):
                            equation[("day", day, site)] = 1
                equations.append(equation)
    # By day: the people present one day, plus that day's arrivals, less its departures (which
    # no page shows by day: unknowns, adding up to the week's), are the next day's; and the
    # overview's people present on a period's last day are the dashboard's.
    overview_columns = (*(("site", s) for s in site_ids), PROGRAMME)
    for period in periods:
        for column in overview_columns:
            if ("overview", as_of[period], "people", column) in cells:
                equations.append(
                    {
                        ("overview", as_of[period], "people", column): 1,
                        (period, "occupancy", "People", column): -1,
                    }
                )
        for w in _weeks(*period):
            for column in places.columns:
                equation = {(period, "departures", week_label(w), column): -1}
                for d in range(7):
                    day = w + timedelta(days=d)
                    if day <= today:
                        for site in sites_of(column):
                            equation[("left", day, site)] = 1
                equations.append(equation)
    for yesterday, day in zip(days, days[1:], strict=False):
        for column in overview_columns:
            equation = {
                ("overview", yesterday, "people", column): 1,
                ("overview", day, "people", column): -1,
            }
            for site in sites_of(column):
                equation[("day", day, site)] = 1
                equation[("left", day, site)] = -1
            equations.append(equation)
    for day in days:
        for column in overview_columns:
            today_eq = {("overview", day, "arrivals_today", column): -1}
            week_eq = {("overview", day, "arrivals_week", column): -1}
            for site in sites_of(column):
                today_eq[("day", day, site)] = 1
                for back in range(7):
                    week_eq[("day", day - timedelta(days=back), site)] = 1
            equations += [today_eq, week_eq]
    return equations


def _world_with_small_days(reporting_world):
    """The hand-built world, with family tracing, a family of five arriving at the shelter on
    another day of last week than E's four, and two people arriving at Perm centre 2 today."""
    w, today = reporting_world.world, reporting_world.today
    admin = w.user("admin")
    opened = today - timedelta(days=21)
    seek(w, w.shelter, "tracer_shelter", "Zaid", "Omar", opened_on=opened)
    seek(w, w.perm, "tracer", "Karim", "Nour", "Sami", "Adel", "Fadi", "Rami", opened_on=opened)
    e_day = today - timedelta(weeks=1)
    other_day = week_start(e_day) + timedelta(days=(e_day.weekday() + 3) % 7)
    five = family_of_four("نصر", "Nasr") + [
        member(
            "ليلى", "نصر", relationship=Relationship.DAUGHTER, sex="f", birth_date=date(2015, 3, 1)
        )
    ]
    register(w.shelter, admin, five, registered_on=other_day)
    register(w.perm2, admin, family_of_four("بكر", "Bakr")[:2], registered_on=today)


def test_no_withheld_figure_can_be_solved_for_from_neighbouring_periods_or_days(
    reporting_world, client
):
    _world_with_small_days(reporting_world)
    w, today = reporting_world.world, reporting_world.today
    this = week_start(today)
    week = [this - timedelta(weeks=n) for n in range(3)]  # this week, and the two before
    periods = [
        (week[2], week[0]),  # the page's default shape: three weeks to this one
        (week[2], week[1]),  # its first two weeks
        *((wk, wk) for wk in week[:3]),  # and each week on its own
    ]
    days = [week[2] + timedelta(days=d) for d in range((today - week[2]).days + 1)]
    places = Places({"Latakia": (w.shelter.pk,), "Perm Krai": (w.perm.pk, w.perm2.pk)})

    # The attacker's sums are true: on the exact figures, each holds.
    exact, as_of = _collect(client, w.user("admin"), w, today, periods)
    exact |= _overview(w.user("admin"), w, days)
    equations = _equations(exact, as_of, periods, places, today, days)
    for equation in equations:
        # Staff's overview counts the people staying now whatever the day (sites.occupancy);
        # the day's own count, which an observer sees, is the dashboard's (present_figures).
        if any(e[0] == "overview" and e[2] in ("people", "households") for e in equation):
            continue
        if all(e in exact for e in equation):
            assert sum(k * int(exact[e]) for e, k in equation.items()) == 0, equation

    observed, as_of = _collect(client, w.user("observer"), w, today, periods)
    observed |= _overview(w.user("observer"), w, days)
    shown = {e: int(v) for e, v in observed.items() if v.lstrip("-").isdigit()}
    hidden = {e for e, v in observed.items() if e not in shown}
    assert any(e[0] == "overview" for e in hidden), "a small day must be withheld"
    assert any(e[1] == "arrivals" for e in hidden)
    equations = _equations(observed, as_of, periods, places, today, days)
    # Cells that are one number shown on two pages: shown on one, it is shown on both.
    same, others = _merge_identities(equations)
    assert [c for c in same if c & hidden and c & set(shown)] == []
    canonical = {e: min(c, key=repr) for c in same for e in c}
    merged = {
        tuple(sorted(_rename(eq, canonical).items(), key=repr)) for eq in others
    }  # one equation each, however many pages it came from
    unknown = {canonical.get(e, e) for e in hidden} | {
        e for eq in equations for e in eq if e[0] in ("day", "left")
    }

    known = {canonical.get(e, e): v for e, v in shown.items()}
    solved = solve(known, unknown, [dict(eq) for eq in merged if eq])

    recovered = {e: v for e, v in solved.items() if e in unknown - _days(unknown)}
    # The overview withholds its arrivals by day outright: a seven days to a Sunday that is
    # a week shown on the dashboard is no secret. Anything small, or withheld on the
    # dashboard, is, with one exception known and left open (see the report on issue 15):
    # a period's departures in all, withheld because two or more of its weeks are, follow
    # from the people present at its two ends and its arrivals; no week of them does.
    recovered = {e: v for e, v in recovered.items() if e[0] != "overview" or 0 < v < 5}
    run_sums = {
        e
        for e in recovered
        if e[1] == "departures"
        and e[2] == "In the period"
        and sum(
            canonical.get((e[0], e[1], week_label(w), e[3]), (e[0], e[1], week_label(w), e[3]))
            in unknown
            for w in _weeks(*e[0])
        )
        >= 2
    }
    assert {e: v for e, v in recovered.items() if e not in run_sums} == {}


def _days(entries):
    return {e for e in entries if e[0] in ("day", "left")}


def _merge_identities(equations):
    """Union the two sides of every `a - b = 0`; the other equations as they are."""
    parent: dict = {}

    def root(e):
        while parent.get(e, e) != e:
            e = parent[e]
        return e

    others = []
    for eq in equations:
        if len(eq) == 2 and sorted(eq.values()) == [-1, 1]:
            a, b = eq
            parent[root(a)] = root(b)
        else:
            others.append(eq)
    classes: dict = {}
    for e in parent:
        classes.setdefault(root(e), set()).add(e)
    for r, c in classes.items():
        c.add(r)
    return list(classes.values()), others


def _rename(equation, canonical):
    out: dict = {}
    for e, k in equation.items():
        e = canonical.get(e, e)
        out[e] = out.get(e, 0) + k
    return {e: k for e, k in out.items() if k}
