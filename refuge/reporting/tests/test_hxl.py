"""The HXL export: valid against the schema shipped in the code (checked with libhxl), no
small count in any cell, and the same numbers as the dashboard."""

import csv
import io

import hxl
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from refuge.reporting.hxl import SCHEMA_ROWS
from refuge.reporting.periods import Period
from refuge.reporting.selectors import View, dashboard


def _download(client, user, extension="csv") -> list[list[str]]:
    client.force_login(user)
    response = client.get(reverse("reporting:hxl", args=[extension]))
    assert response.status_code == 200
    if extension == "xlsx":
        sheet = load_workbook(io.BytesIO(response.content)).active
        return [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
    return list(csv.reader(io.StringIO(response.content.decode())))


def _errors(rows) -> list[str]:
    found = []
    hxl.data(rows).validate(hxl.schema(hxl.data(SCHEMA_ROWS)), callback=lambda e: found.append(
        f"{e.rule.tag_pattern} {e.value!r}: {e.message}"
    ))  # fmt: skip
    return found


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_the_export_is_valid_hxl_with_no_small_count(reporting_world, client, extension):
    rows = _download(client, reporting_world.world.user("observer"), extension)

    assert rows[1][:4] == ["#adm1+name", "#adm1+code", "#loc+name", "#loc+code"]
    assert _errors(rows) == []
    numbers = [v for row in rows[2:] for v in row[6:]]
    assert "" in numbers  # something was withheld, as an empty cell
    assert not [v for v in numbers if v and 0 < int(v) < 5]
    assert {row[1] for row in rows[2:]} == {"SY06", "RU-PER"}


def test_the_schema_catches_what_it_is_there_to_catch():
    rows = [
        ["Region code", "Site", "Site code", "Region", "Date", "People"],
        ["#adm1+code", "#loc+name", "#loc+code", "#adm1+name", "#date", "#affected+refugees+ind"],
        ["", "Perm centre 1", "PRM1", "Perm Krai", "2026-13-40", "<5"],
    ]

    assert sorted(e.split(" ", 1)[0] for e in _errors(rows)) == [
        "#adm1+code",
        "#affected",
        "#date",
    ]


def test_the_export_has_the_dashboards_numbers(reporting_world, client):
    w = reporting_world
    rows = _download(client, w.world.user("coordinator"))
    tags = rows[1]
    by_site = {row[3]: dict(zip(tags, row, strict=True)) for row in rows[2:]}
    board = dashboard(
        w.world.user("coordinator"), view=View("programme"), period=Period.weeks_ending(w.today),
        today=w.today,
    )  # fmt: skip
    perm = ("site", w.world.perm.pk)

    assert by_site["PRM1"]["#affected+refugees+ind"] == "14"
    assert by_site["PRM1"]["#affected+refugees+ind"] == str(
        board.figure("occupancy").cell("people", perm)
    )
    assert by_site["PRM1"]["#affected+refugees+ind+arrived"] == "14"
    assert by_site["PRM1"]["#affected+refugees+ind+f+elderly"] == "1"
    assert by_site["PRM1"]["#inneed+ind+sm"] == "2"
    assert by_site["PRM1"]["#reached+ind+health_screening"] == "4"
    assert set(by_site) == {"PRM1", "PRM2"}  # the coordinator's own sites
