"""The dashboard, the sitrep and the HXL export of one week tell the same numbers on the
demo population: each is read from its own product (the dashboard's CSV, the HXL file, the
sitrep) and compared."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from refuge.accounts.models import User
from refuge.demo.population import populate
from refuge.reporting.aggregates import refresh_figures
from refuge.reporting.models import StoredFigures
from refuge.reporting.periods import Period, week_label, week_start
from refuge.reporting.readers import PublicReader
from refuge.reporting.sitrep import sitrep_for
from refuge.sites.models import Site


@pytest.fixture
def demo(db):
    populate(households=60, seed=11)
    return User.objects.get(username="observer")


def _rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _mark(text: str) -> str:
    return text if text.isdigit() else "withheld"


@pytest.mark.parametrize("refreshed", [False, True], ids=["live", "stored"])
def test_dashboard_sitrep_and_hxl_agree_on_last_week(demo, client, refreshed):
    today = timezone.localdate()
    if refreshed:
        # Every product then reads the stored figures (nothing is counted afresh).
        refresh_figures(today)
        stored = StoredFigures.objects.count()
    monday = week_start(today) - timedelta(weeks=1)
    week = week_label(monday)
    client.force_login(demo)
    params = {"from": week, "to": week}

    figures = _rows(client.get(reverse("reporting:figures_csv"), params))
    hxl_lines = list(
        csv.reader(
            io.StringIO(client.get(reverse("reporting:hxl", args=["csv"]), params).content.decode())
        )
    )
    sitrep = sitrep_for(PublicReader(), period=Period.of_weeks(monday, monday), today=today)

    def dashboard(figure, row, place="All sites"):
        return next(
            r["value"]
            for r in figures
            if (r["figure"], r["row"], r["place"]) == (figure, row, place)
        )

    key = {str(label): str(f) for label, f in sitrep.key_figures}
    assert key["People present"] == dashboard("occupancy", "People")
    assert key["Households present"] == dashboard("occupancy", "Households")
    assert key["Arrivals this week"] == dashboard("arrivals", "In the period")
    assert key["Departures this week"] == dashboard("departures", "In the period")
    assert key["People who arrived on a transfer"] == dashboard("transfers", "completed")
    assert key["Steps overdue"] == dashboard("overdue", "Total")
    assert key["People sought by family tracing"] == dashboard("tracing", "Total")
    if refreshed:
        assert StoredFigures.objects.count() == stored

    hxl_rows = [dict(zip(hxl_lines[1], r, strict=True)) for r in hxl_lines[2:]]
    situations = {s.name: s for s in sitrep.sites}
    assert len(hxl_rows) == Site.objects.count() == len(situations)
    for row in hxl_rows:
        site = Site.objects.get(code=row["#loc+code"])
        one_site = _rows(
            client.get(reverse("reporting:figures_csv"), {**params, "view": f"site:{site.pk}"})
        )
        situation = situations[site.local_name]
        for tag, (figure, line), in_sitrep in (
            ("#affected+refugees+ind", ("occupancy", "People"), situation.people),
            ("#affected+refugees+ind+arrived", ("arrivals", "In the period"), situation.arrivals),
            (
                "#affected+refugees+ind+departed",
                ("departures", "In the period"),
                situation.departures,
            ),
            ("#affected+ind+sought+open", ("tracing", "Open"), None),
            ("#affected+ind+sought+closed", ("tracing", "Closed"), None),
        ):
            on_page = next(
                r["value"] for r in one_site if (r["figure"], r["row"]) == (figure, line)
            )
            # HXL leaves a withheld figure empty; the page and the sitrep mark it.
            assert (row[tag] or "withheld") == _mark(on_page), tag
            if in_sitrep is not None:
                assert _mark(on_page) == _mark(str(in_sitrep)), tag
    # The demo's week has movement in it: a train arrived in Perm, families arrived and left.
    assert dashboard("arrivals", "In the period") not in ("0", "")
