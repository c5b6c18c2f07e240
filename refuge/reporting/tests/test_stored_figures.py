"""The dashboards read figures stored by refresh_figures: the same as a live count, as old
as the page says, and recounted only where something may have changed."""

import pickle
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import formats, timezone, translation

from refuge.reporting.aggregates import audience_key, default_periods, refresh_figures
from refuge.reporting.disclosure import PROGRAMME
from refuge.reporting.models import StoredFigures
from refuge.reporting.periods import Period, week_start
from refuge.reporting.selectors import View, compute_figures, dashboard
from refuge.sites.selectors import visible_sites
from refuge.testing import family_of_four, register


def _default_period(today):
    return Period.weeks_ending(today, 8)


def _numbers(figures) -> list:
    return [(f.key, f.figures, f.median_days) for f in figures]


def _board(user, today, period=None):
    return dashboard(
        user, view=View("programme"), period=period or _default_period(today), today=today
    )


@pytest.mark.parametrize("role,exact", [("admin", True), ("observer", False)])
def test_stored_figures_are_the_live_count(reporting_world, role, exact):
    w = reporting_world
    refresh_figures(w.today)
    user = w.world.user(role)
    period = _default_period(w.today)
    sites = list(visible_sites(user))

    board = _board(user, w.today)
    stored = StoredFigures.objects.get(
        audience=audience_key([s.pk for s in sites], exact=exact),
        period_start=period.start,
        period_end=period.end,
    )

    assert board.computed_at == stored.computed_at and board.exact is exact
    live = compute_figures(sites, period, exact=exact, as_of=w.today)
    assert _numbers(board.figures) == _numbers(live)
    # The observer's stored set is the suppressed one, never the coordinator's exact set.
    texts = {f.text for figure in board.figures for f in figure.figures.values()}
    assert ("<5" in texts) is not exact


def test_a_change_after_a_refresh_shows_at_the_next_one_and_the_page_says_when(
    reporting_world, client
):
    w = reporting_world
    admin = w.world.user("admin")
    refresh_figures(w.today)
    first = _board(admin, w.today)
    assert first.figure("occupancy").cell("people", PROGRAMME).value == 18

    register(w.world.perm, admin, family_of_four("نور", "Nour"), registered_on=w.today)

    stale = _board(admin, w.today)
    assert stale.figure("occupancy").cell("people", PROGRAMME).value == 18
    client.force_login(w.world.user("coordinator"))
    with translation.override("ru"):
        page = client.get(reverse("reporting:dashboard"), HTTP_ACCEPT_LANGUAGE="ru")
        shown = formats.date_format(timezone.localtime(stale.computed_at), "SHORT_DATETIME_FORMAT")
    assert "Данные на" in page.content.decode() and shown in page.content.decode()

    refresh_figures(w.today)
    fresh = _board(admin, w.today)
    assert fresh.figure("occupancy").cell("people", PROGRAMME).value == 22
    assert fresh.computed_at > stale.computed_at


def test_a_complete_past_period_is_counted_once_until_something_changes(reporting_world):
    w = reporting_world
    admin = w.world.user("admin")
    last_week = week_start(w.today) - timedelta(weeks=1)
    past, current = Period.of_weeks(last_week, last_week), _default_period(w.today)

    def counted_at(period):
        return {
            row.audience: row.computed_at
            for row in StoredFigures.objects.filter(period_start=period.start)
            if row.period_end == period.end
        }

    refresh_figures(w.today)
    past_at, current_at = counted_at(past), counted_at(current)
    assert len(past_at) == len(current_at) == 2  # exact and suppressed

    result = refresh_figures(w.today)
    assert counted_at(past) == past_at  # complete, nothing changed: kept
    assert all(counted_at(current)[k] > t for k, t in current_at.items())  # still open
    assert result.kept == 2 and result.computed == 2

    register(w.world.perm, admin, family_of_four("نور", "Nour"), registered_on=last_week)
    refresh_figures(w.today)
    assert all(counted_at(past)[k] > t for k, t in past_at.items())
    assert _board(admin, w.today, past).figure("arrivals").cell(last_week, PROGRAMME).value == 12


def test_the_regular_run_stores_the_default_periods_for_both_audiences(reporting_world, capsys):
    call_command("refresh_reporting")

    assert "computed 4, kept 0" in capsys.readouterr().out
    assert set(StoredFigures.objects.values_list("exact", flat=True)) == {True, False}


def test_a_stored_set_planted_without_the_key_is_never_loaded(reporting_world):
    """Someone with write access to the database but not SECRET_KEY replaces the stored
    figures with a pickle of their own: it is not unpickled, the figures are counted again."""
    w = reporting_world
    admin = w.world.user("admin")
    refresh_figures(w.today)
    period = _default_period(w.today)
    stored = StoredFigures.objects.get(
        audience=audience_key([s.pk for s in visible_sites(admin)], exact=True),
        period_start=period.start,
        period_end=period.end,
    )
    planted = pickle.dumps(["planted"])
    StoredFigures.objects.filter(pk=stored.pk).update(figures=bytes(stored.figures)[:32] + planted)

    board = _board(admin, w.today)

    assert board.figure("occupancy").cell("people", PROGRAMME).value == 18


def test_a_bulk_change_without_audit_entries_invalidates_a_stored_past_period(reporting_world):
    """An import's bulk_create or a queryset update writes no audit entry per row: the stored
    figures of a complete period must be recounted all the same."""
    from refuge.audit.models import AuditEntry
    from refuge.registry.models import Need
    from refuge.sites.models import Stay

    w = reporting_world
    admin = w.world.user("admin")
    last_week = week_start(w.today) - timedelta(weeks=1)
    past = Period.of_weeks(last_week, last_week)
    perm = ("site", w.world.perm.pk)
    refresh_figures(w.today)
    before = _board(admin, w.today, past)
    assert before.figure("needs").cell("SV", perm).value == 0
    audited = AuditEntry.objects.count()

    Need.objects.bulk_create(
        Need(person=p, code="SV", status="confirmed", recorded_on=last_week)
        for p in w.families["A"].members.all()
    )
    Stay.objects.filter(household=w.families["E"]).update(arrived_on=last_week)
    assert AuditEntry.objects.count() == audited  # nothing in the trail says anything changed

    result = refresh_figures(w.today)

    assert result.kept == 0
    after = _board(admin, w.today, past)
    assert after.computed_at > before.computed_at
    assert after.figure("needs").cell("SV", perm).value == 4
    # A queryset delete (retention, erasure) is seen too.
    Need.objects.filter(person__household=w.families["A"]).delete()
    refresh_figures(w.today)
    assert _board(admin, w.today, past).figure("needs").cell("SV", perm).value == 0


def test_every_table_the_figures_are_counted_from_has_its_change_trigger(db):
    from django.db import connection

    from refuge.reporting.changes import watched_tables

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            )
        triggers = {(table, name) for table, name in cursor.fetchall()}
    expected_per_table = 3 if connection.vendor == "sqlite" else 1

    for table in watched_tables():
        mine = [name for t, name in triggers if t == table and name.startswith("reporting_")]
        assert len(mine) == expected_per_table, table


def test_stored_sets_nobody_reads_are_pruned_and_the_default_ones_kept(reporting_world):
    w = reporting_world
    admin = w.world.user("admin")
    chosen = Period.of_weeks(w.today - timedelta(weeks=6), w.today - timedelta(weeks=5))

    def stored():
        return set(StoredFigures.objects.values_list("period_start", "period_end", "exact"))

    refresh_figures(w.today)
    _board(admin, w.today, chosen)  # a period a coordinator chose: stored when first read
    assert len(stored()) == 5
    for days in range(1, 8):  # a refresh every day for a week: no set is added twice
        refresh_figures(w.today + timedelta(days=days))
    later = w.today + timedelta(days=8)

    result = refresh_figures(later)

    defaults = {(p.start, p.end, exact) for p in default_periods(later) for exact in (True, False)}
    # Last week's default sets were never read: gone; the chosen one was read 8 days ago.
    assert stored() == defaults | {(chosen.start, chosen.end, True)}
    assert result.pruned == 0  # pruned by the daily runs already, as the week turned
    refresh_figures(w.today + timedelta(days=15))
    assert (chosen.start, chosen.end, True) not in stored()
    # Read again, it is counted again.
    assert _board(admin, w.today, chosen).figure("occupancy") is not None
    assert (chosen.start, chosen.end, True) in stored()


def test_step_names_in_stored_figures_read_in_the_readers_language(reporting_world):
    w = reporting_world
    with translation.override("ar"):  # counted first for a reader in Arabic
        refresh_figures(w.today)
    user = w.world.user("observer")
    with translation.override("en"):
        board = _board(user, w.today)
    funnel = next(f for f in board.figures if f.key == "funnel")
    from refuge.casework.models import StepDefinition

    by_code = {s.code: s for s in StepDefinition.objects.all()}
    with translation.override("en"):
        english = [str(label) for _code, label in funnel.rows]
    assert english == [by_code[code].name_en for code, _label in funnel.rows]
    with translation.override("ru"):
        assert str(funnel.rows[0][1]) == by_code[funnel.rows[0][0]].name_ru
    # The age and sex rows as well: "age unknown · Female", not the Arabic of the first count.
    ages = next(f for f in board.figures if f.key == "age_sex")
    with translation.override("en"):
        unknown = [str(label) for (band, _sex), label in ages.rows if band == "unknown"]
    assert unknown == ["age unknown · Female", "age unknown · Male"]
