"""The dashboard page and its CSV: who may open them, what they show, and that nothing they
show names a person or gives back a withheld count."""

import csv
import io
import re

import pytest
from django.urls import reverse

from refuge.audit.models import AuditEntry
from refuge.registry.models import Person


def _get(client, user, name="reporting:dashboard", **params):
    client.force_login(user)
    return client.get(reverse(name), params)


def _names(world) -> set[str]:
    names = set()
    for person in Person.objects.all():
        for script in ("ar", "lat", "cyr"):
            names.update(p for p in person.name_in(script).split() if len(p) > 2)
    return names


@pytest.mark.parametrize("role", ["observer", "dpo"])
def test_observer_and_dpo_see_the_figures_with_small_counts_withheld(reporting_world, client, role):
    page = _get(client, reporting_world.world.user(role)).content.decode()

    assert 'id="figure-arrivals"' in page and "<svg" in page
    assert "&lt;5" in page
    # No cell of any table is a small count.
    cells = re.findall(r'<td class="num">([^<]*)</td>', page)
    assert cells and not [c for c in cells if c.isdigit() and 0 < int(c) < 5]


@pytest.mark.parametrize("role", ["observer", "dpo", "coordinator", "admin"])
def test_no_dashboard_names_a_person(reporting_world, client, role):
    response = _get(client, reporting_world.world.user(role))
    exported = _get(client, reporting_world.world.user(role), "reporting:figures_csv")

    text = response.content.decode() + exported.content.decode()
    assert response.status_code == 200 and exported.status_code == 200
    assert [name for name in _names(reporting_world.world) if name in text] == []


def test_staff_who_see_people_get_exact_counts(reporting_world, client):
    page = _get(client, reporting_world.world.user("coordinator")).content.decode()

    assert "&lt;5" not in page
    assert '<td class="num">4</td>' in page


def test_a_site_outside_the_readers_scope_is_not_found(reporting_world, client):
    w = reporting_world.world
    response = _get(client, w.user("observer_perm"), view=f"site:{w.shelter.pk}")

    assert response.status_code == 404


def test_a_malformed_week_is_refused_naming_the_field_in_the_readers_language(
    reporting_world, client
):
    client.cookies["django_language"] = "ru"
    response = _get(client, reporting_world.world.user("observer"), to="2026-48")

    assert response.status_code == 400
    assert "2026-W48" in response.content.decode()
    assert "Give a week" not in response.content.decode()


def test_arabic_draws_the_charts_from_the_right(reporting_world, client):
    client.cookies["django_language"] = "ar"
    page = _get(client, reporting_world.world.user("observer")).content.decode()

    assert 'dir="rtl"' in page
    labels = re.findall(r'<text x="([0-9.]+)" y="[0-9.]+" text-anchor="(\w+)" class="label"', page)
    assert labels and all(anchor == "end" and float(x) > 500 for x, anchor in labels)


def test_each_read_and_export_is_audited_without_naming_anyone(reporting_world, client):
    observer = reporting_world.world.user("observer")
    _get(client, observer)
    _get(client, observer, "reporting:figures_csv")

    entries = AuditEntry.objects.filter(actor=observer, object_type="reporting.dashboard")
    assert sorted(entries.values_list("action", flat=True)) == ["export", "view"]


def _csv(client, user, **params) -> list[dict]:
    response = _get(client, user, "reporting:figures_csv", **params)
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_sites_overview_withholds_the_same_people_counts_as_the_dashboard(reporting_world):
    from django.utils import timezone

    from refuge.reporting.periods import Period
    from refuge.reporting.selectors import View, dashboard, site_overview

    observer = reporting_world.world.user("observer")
    today = timezone.localdate()
    overview = site_overview(observer, today)
    board = dashboard(
        observer, view=View("programme"), period=Period.weeks_ending(today), today=today
    )
    occupancy = board.figure("occupancy")

    shown = {site.pk: str(row["people"]) for site, row in overview.rows}
    assert shown == {pk: str(occupancy.cell("people", ("site", pk))) for pk in shown}
    assert str(overview.table.total["people"]) == str(occupancy.cell("people", ("programme", "")))
    assert "<5" in shown.values() or "*" in shown.values()


def test_the_sites_overview_says_when_an_observers_people_present_were_counted(
    reporting_world, client
):
    """The observer's people present are the dashboard's stored figures, counted by the last
    refresh, not now: the page says when, in the reader's language; staff's are live."""
    from django.utils import formats, timezone, translation

    from refuge.reporting.aggregates import refresh_figures
    from refuge.reporting.selectors import site_overview

    w = reporting_world
    refresh_figures(w.today)
    counted_at = site_overview(w.world.user("observer"), w.today).counted_at
    assert counted_at is not None
    shown = formats.date_format(timezone.localtime(counted_at), "SHORT_DATETIME_FORMAT")
    for lang, words in (("en", "counted at"), ("ru", "подсчитаны"), ("ar", "أُحصي")):
        client.force_login(w.world.user("observer"))
        with translation.override(lang):
            page = client.get(reverse("sites:overview"), HTTP_ACCEPT_LANGUAGE=lang)
            shown = formats.date_format(timezone.localtime(counted_at), "SHORT_DATETIME_FORMAT")
        text = page.content.decode()
        assert 'id="counted-at"' in text and words in text and shown in text, lang

    assert site_overview(w.world.user("admin"), w.today).counted_at is None
    client.force_login(w.world.user("admin"))
    assert 'id="counted-at"' not in client.get(reverse("sites:overview")).content.decode()
