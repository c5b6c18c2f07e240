"""A past period's state figures (needs, overdue steps, pending duplicates) are counted as on
its last day, live or stored, not as they are now; the page says which can only be "as of
now"."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from refuge.reporting.aggregates import refresh_figures
from refuge.reporting.periods import Period, week_label, week_start
from refuge.reporting.selectors import View, dashboard


def _site(w, name):
    return ("site", getattr(w.world, name).pk)


def _past(w) -> Period:
    # The two weeks before this one: A and D arrived in the first, B and E in the second;
    # it ends before today, whatever day of the week the test runs on.
    return Period.of_weeks(w.today - timedelta(weeks=2), w.today - timedelta(weeks=1))


def _board(w, period, role="admin"):
    return dashboard(w.world.user(role), view=View("programme"), period=period, today=w.today)


def test_needs_of_a_past_period_are_those_recorded_by_its_end_where_people_stayed_then(
    reporting_world,
):
    from refuge.registry.models import Need

    w = reporting_world
    before = Period.of_weeks(w.today - timedelta(weeks=2), w.today - timedelta(weeks=2))
    d_member = w.families["D"].members.first()
    # D's need was recorded on arrival at Perm centre 2; the family has left since.
    Need.objects.create(
        person=d_member, code="SV", status="confirmed", recorded_on=w.today - timedelta(weeks=2)
    )

    needs = _board(w, before).figure("needs")

    # B's and E's needs were recorded a week ago, C's today: none was open yet.
    assert needs.cell("SM", _site(w, "perm")).value == 0
    assert needs.cell("ER", _site(w, "perm")).value == 0
    assert needs.cell("SV", _site(w, "shelter")).value == 0
    # D was at Perm centre 2 on the week's last day (they left six days ago).
    assert needs.cell("SV", _site(w, "perm2")).value == 1
    now = _board(w, Period.weeks_ending(w.today, 3)).figure("needs")
    assert now.cell("SM", _site(w, "perm")).value == 2


def test_a_step_done_since_the_period_ended_was_overdue_in_it(reporting_world):
    w = reporting_world
    period = _past(w)
    # A arrived two weeks ago and was screened today: screening (due in 3 days) was overdue on
    # the period's last day; B's, due three days after B arrived a week ago, only if that day
    # fell before the period's end.
    b_due = w.today - timedelta(weeks=1) + timedelta(days=3)
    expected = 4 + (4 if b_due < period.end else 0)

    overdue = _board(w, period).figure("overdue")

    assert overdue.cell("health_screening", _site(w, "perm")).value == expected


def test_duplicates_pending_at_the_end_of_a_past_period(reporting_world):
    from refuge.identity.models import CandidatePair, PairStatus

    w = reporting_world
    a = w.families["A"].members.order_by("pk")
    b = w.families["B"].members.order_by("pk")
    period = _past(w)
    long_ago = timezone.now() - timedelta(weeks=2)

    def pair(x, y, **fields):
        found = CandidatePair.objects.create(
            person_a=x, person_b=y, probability=0.9, decision="possible", **fields
        )
        return found

    pair(a[0], a[1])  # found today: not yet in the past period
    decided = pair(a[0], a[2], status=PairStatus.DIFFERENT, decided_at=timezone.now())
    resolved = pair(a[1], a[2], status=PairStatus.SAME, decided_at=timezone.now())
    unsure = pair(a[0], a[3], status=PairStatus.UNSURE, decided_at=long_ago)
    settled = pair(b[0], b[1], status=PairStatus.SAME, decided_at=long_ago)
    CandidatePair.objects.filter(pk__in=[decided.pk, resolved.pk, unsure.pk, settled.pk]).update(
        found_at=long_ago
    )

    duplicates = _board(w, period).figure("duplicates")
    current = _board(w, Period.weeks_ending(w.today, 1)).figure("duplicates")

    # Two decided today, so still to review then; one unsure since two weeks; one found to be
    # the same person two weeks ago.
    assert duplicates.cell("open", _site(w, "perm")).value == 2
    assert duplicates.cell("unsure", _site(w, "perm")).value == 1
    assert current.cell("open", _site(w, "perm")).value == 1  # the one found today
    assert current.cell("unsure", _site(w, "perm")).value == 1


def test_a_stored_past_period_is_counted_as_on_its_last_day(reporting_world):
    w = reporting_world
    last_week = week_start(w.today) - timedelta(weeks=1)
    past = Period.of_weeks(last_week, last_week)
    refresh_figures(w.today)  # the sitrep's week just ended is one of the stored periods

    needs = _board(w, past).figure("needs")

    assert needs.cell("ER", _site(w, "perm")).value == 0  # C's need was recorded today


def test_the_page_says_which_figures_of_a_past_period_are_as_of_now(reporting_world, client):
    w = reporting_world
    client.force_login(w.world.user("coordinator"))
    week = week_label(week_start(w.today) - timedelta(weeks=2))

    past = client.get(reverse("reporting:dashboard"), {"from": week, "to": week}).content.decode()
    current = client.get(reverse("reporting:dashboard")).content.decode()

    assert 'id="note-needs"' in past and "keeps no date of its closing" in past
    assert 'id="note-tracing"' in past
    assert 'id="note-needs"' not in current
