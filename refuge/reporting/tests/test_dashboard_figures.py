"""Each dashboard figure against the hand-built world of conftest.py, as staff who may see the
people read it (exact): the numbers come from what was registered, not from the code."""

from datetime import timedelta

import pytest

from refuge.reporting.disclosure import PROGRAMME, TOTAL_ROW
from refuge.reporting.periods import Period, week_start
from refuge.reporting.selectors import View, dashboard
from refuge.reporting.tests.conftest import seek


@pytest.fixture
def board(reporting_world):
    w = reporting_world
    return dashboard(
        w.world.user("admin"),
        view=View("programme"),
        period=Period.weeks_ending(w.today, weeks=3),
        today=w.today,
    )


def _site(w, name):
    return ("site", getattr(w.world, name).pk)


def test_arrivals_and_departures_fall_in_the_week_they_happened(reporting_world, board):
    w = reporting_world
    this, last, before = (week_start(w.today - timedelta(d)) for d in (0, 7, 14))
    arrivals, departures = board.figure("arrivals"), board.figure("departures")

    assert arrivals.cell(before, _site(w, "perm")).value == 4
    assert arrivals.cell(before, _site(w, "perm2")).value == 4
    assert arrivals.cell(last, _site(w, "perm")).value == 4
    assert arrivals.cell(last, _site(w, "shelter")).value == 4
    assert arrivals.cell(this, _site(w, "perm")).value == 6
    assert arrivals.cell(this, ("region", "Perm Krai")).value == 6
    assert arrivals.cell(before, PROGRAMME).value == 8
    assert departures.cell(week_start(w.today - timedelta(6)), _site(w, "perm2")).value == 4
    assert sum(departures.cell(week, PROGRAMME).value for week in board.period.weeks) == 4


def test_occupancy_counts_who_is_there_on_the_last_day(reporting_world, board):
    w = reporting_world
    occupancy = board.figure("occupancy")

    assert occupancy.cell("people", _site(w, "perm")).value == 14
    assert occupancy.cell("households", _site(w, "perm")).value == 3
    assert occupancy.cell("people", _site(w, "perm2")).value == 0  # D left
    assert occupancy.cell("people", PROGRAMME).value == 18
    assert occupancy.capacity[("region", "Perm Krai")] == 300


def test_the_funnel_counts_people_who_did_each_step_and_the_median_wait(reporting_world, board):
    w = reporting_world
    funnel = board.figure("funnel")

    assert funnel.cell("reception_registration", _site(w, "perm")).value == 14
    assert funnel.cell("reception_registration", _site(w, "perm2")).value == 0  # D left
    assert funnel.cell("health_screening", _site(w, "perm")).value == 4  # family A only
    assert funnel.median_days[("health_screening", _site(w, "perm"))].value == 14
    assert funnel.median_days[("reception_registration", PROGRAMME)].value == 0


def test_overdue_steps_are_counted_by_step_and_site(reporting_world, board):
    w = reporting_world
    overdue = board.figure("overdue")

    # B and E are a week in: screening (3 days) is overdue; A's migration registration
    # (7 days after it registered two weeks ago) too; C registered today.
    assert overdue.cell("health_screening", _site(w, "perm")).value == 4
    assert overdue.cell("health_screening", _site(w, "shelter")).value == 4
    assert overdue.cell("migration_registration", _site(w, "perm")).value == 4
    assert overdue.total(_site(w, "perm")).value == 8


def test_open_needs_count_people_by_unhcr_category(reporting_world, board):
    w = reporting_world
    needs = board.figure("needs")

    assert needs.cell("SM", _site(w, "perm")).value == 2  # SM and SM-CI
    assert needs.cell("ER", _site(w, "perm")).value == 1
    assert needs.cell("SV", _site(w, "shelter")).value == 1
    assert needs.cell("SV", PROGRAMME).value == 1


def test_households_by_size_and_people_by_coarsened_age_and_sex(reporting_world, board):
    w = reporting_world
    sizes, ages = board.figure("household_size"), board.figure("age_sex")
    perm = _site(w, "perm")

    assert sizes.cell(4, perm).value == 2 and sizes.cell(6, perm).value == 1
    assert sizes.total(PROGRAMME).value == 4
    # A two-year-old is alone in 0-4 at Perm: the bands coarsen to children, adults, elderly.
    assert [row for row, _label in ages.rows][:2] == [("0-17", "f"), ("0-17", "m")]
    assert ages.cell(("0-17", "f"), perm).value == 3
    assert ages.cell(("0-17", "m"), perm).value == 4
    assert ages.cell(("18-59", "m"), perm).value == 3
    assert ages.cell(("60+", "f"), perm).value == 1
    assert ages.total(PROGRAMME).value == 18


def test_transfers_planned_count_their_passengers_at_the_site_they_leave(reporting_world, board):
    w = reporting_world
    transfers = board.figure("transfers")

    assert transfers.cell("planned", _site(w, "perm")).value == 4
    assert transfers.cell("completed", PROGRAMME).value == 0


def test_a_region_view_shows_its_sites_and_the_region(reporting_world):
    w = reporting_world
    board = dashboard(
        w.world.user("admin"),
        view=View("region", "Perm Krai"),
        period=Period.weeks_ending(w.today, weeks=3),
        today=w.today,
    )

    assert [column for column, _label in board.columns] == [
        _site(w, "perm"),
        _site(w, "perm2"),
        ("region", "Perm Krai"),
    ]


def test_the_total_row_is_only_for_rows_that_split_the_people(board):
    assert board.figure("overdue").total(PROGRAMME) is not None
    assert (TOTAL_ROW, PROGRAMME) not in board.figure("funnel").figures


def test_tracing_counts_people_sought_by_status_at_the_site_the_request_was_opened(
    reporting_world,
):
    from refuge.tracing.models import SoughtPerson, TraceStatus

    w = reporting_world
    today = w.today
    seek(w.world, w.world.shelter, "tracer_shelter", "Zaid", "Omar")
    closed = seek(w.world, w.world.perm, "tracer", "Karim").traces.get()
    SoughtPerson.objects.filter(pk=closed.pk).update(status=TraceStatus.CLOSED)
    # Opened after the period's last day: not in it.
    seek(w.world, w.world.perm, "tracer", "Nour", opened_on=today + timedelta(1))

    tracing = dashboard(
        w.world.user("admin"),
        view=View("programme"),
        period=Period.weeks_ending(today, weeks=3),
        today=today,
    ).figure("tracing")

    assert [row for row, _label in tracing.rows] == [s for s, _l in TraceStatus.choices]
    shelter, perm = _site(w, "shelter"), _site(w, "perm")
    assert tracing.cell("open", shelter).value + tracing.cell("possible_match", shelter).value == 2
    assert tracing.cell("closed", perm).value == 1
    assert tracing.cell("open", perm).value == 0
    assert tracing.total(PROGRAMME).value == 3
