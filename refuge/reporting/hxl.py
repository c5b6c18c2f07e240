"""Aggregates for humanitarian data exchange: one row per site, a header row for people and
the HXL hashtag row under it, in CSV or XLSX.

Every number is read from the dashboard's figures (the same selectors and the same
suppression), so an HXL file agrees with the page; a withheld figure leaves an empty cell,
never "<5" (a partner's tools read the column as numbers). The schema the export is checked
against ships here too: partners can validate a file with libhxl the same way.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from refuge.matching.places import place_code
from refuge.reporting.disclosure import Figure
from refuge.reporting.selectors import Dashboard

# ISO 3166-2 codes of the Russian regions that receive families; Syrian governorates take
# their OCHA p-code from the place list. REFUGE_REGION_CODES (JSON) adds or overrides.
RUSSIAN_REGIONS = {
    "Perm Krai": "RU-PER",
    "Moscow": "RU-MOW",
    "Moscow Oblast": "RU-MOS",
    "Saint Petersburg": "RU-SPE",
    "Leningrad Oblast": "RU-LEN",
    "Krasnodar Krai": "RU-KDA",
    "Rostov Oblast": "RU-ROS",
    "Sverdlovsk Oblast": "RU-SVE",
    "Tatarstan": "RU-TA",
    "Bashkortostan": "RU-BA",
    "Nizhny Novgorod Oblast": "RU-NIZ",
    "Samara Oblast": "RU-SAM",
}
AGE_GROUPS = {"children": "0-17", "adults": "18-59", "elderly": "60+"}

# The schema, itself an HXL table (libhxl's rules): what a valid export holds.
NUMBER_TAGS = ("#affected", "#reached", "#inneed")
SCHEMA_ROWS = [
    ["#valid_tag", "#valid_required", "#valid_datatype", "#valid_value+min"],
    ["#adm1+code", "true", "", ""],
    ["#adm1+name", "true", "", ""],
    ["#loc+name", "true", "", ""],
    ["#loc+code", "true", "", ""],
    ["#date", "true", "date", ""],
    *([tag, "", "number", "0"] for tag in NUMBER_TAGS),
]


def region_code(region: str, country: str) -> str:
    extra = json.loads(getattr(settings, "REFUGE_REGION_CODES", "") or "{}")
    if region in extra:
        return extra[region]
    if country == "SY":
        code = place_code(region)
        return code if code and not code.startswith("~") else ""
    return RUSSIAN_REGIONS.get(region, "")


@dataclass(frozen=True)
class Column:
    header: str
    tag: str


def _sum(figures: list[Figure]) -> Figure:
    """A sum of shown figures, withheld when one of them is (it would give that one back)."""
    if any(f.suppressed for f in figures):
        return Figure(None, "")
    total = sum(f.value for f in figures)
    return Figure(total, str(total))


def hxl_table(board: Dashboard, sites) -> tuple[list[Column], list[list[object]]]:
    """The columns and one row per site of the board's figures (None for a withheld one)."""
    from refuge.registry.vocabulary import SpecificNeed

    ages, occupancy = board.figure("age_sex"), board.figure("occupancy")
    funnel, needs = board.figure("funnel"), board.figure("needs")
    coarse = any(band == "0-17" for (band, _sex), _l in ages.rows)
    columns = [
        Column(_("Region"), "#adm1+name"),
        Column(_("Region code"), "#adm1+code"),
        Column(_("Site"), "#loc+name"),
        Column(_("Site code"), "#loc+code"),
        Column(_("Period start"), "#date+start"),
        Column(_("Date"), "#date"),
        Column(_("Refugees present"), "#affected+refugees+ind"),
        Column(_("Households present"), "#affected+refugees+hh"),
        Column(_("Women and girls"), "#affected+refugees+ind+f"),
        Column(_("Men and boys"), "#affected+refugees+ind+m"),
    ]
    group_labels = {
        ("children", "f"): _("Girls (under 18)"),
        ("children", "m"): _("Boys (under 18)"),
        ("adults", "f"): _("Women (18 to 59)"),
        ("adults", "m"): _("Men (18 to 59)"),
        ("elderly", "f"): _("Women (60 and over)"),
        ("elderly", "m"): _("Men (60 and over)"),
    }
    for group in AGE_GROUPS:
        for sex in ("f", "m"):
            columns.append(
                Column(group_labels[(group, sex)], f"#affected+refugees+ind+{sex}+{group}")
            )
    columns += [
        Column(_("Arrivals in the period"), "#affected+refugees+ind+arrived"),
        Column(_("Departures in the period"), "#affected+refugees+ind+departed"),
    ]
    categories = [(c, label) for c, label in SpecificNeed.choices if "-" not in c]
    columns += [Column(str(label), f"#inneed+ind+{code.lower()}") for code, label in categories]
    columns += [Column(str(label), f"#reached+ind+{code}") for code, label in funnel.rows]
    # People sought by family tracing at the site the request was opened at, by status.
    tracing = board.figure("tracing")
    columns += [
        Column(
            _("Sought by tracing: %(status)s") % {"status": label}, f"#affected+ind+sought+{status}"
        )
        for status, label in tracing.rows
    ]

    def band_cells(column, bands: tuple[str, ...], sex: str) -> Figure:
        if not coarse:  # the fine bands: a group is the sum of its bands
            return _sum(
                [ages.cell(r, column) for r, _l in ages.rows if r[0] in bands and r[1] == sex]
            )
        return ages.cell((bands[0], sex), column)

    fine_groups = {
        "children": ("0-4", "5-11", "12-17"),
        "adults": ("18-59",),
        "elderly": ("60+",),
    }
    rows = []
    for site in sites:
        column = ("site", site.pk)
        by_sex = {
            sex: _sum([ages.cell(r, column) for r, _l in ages.rows if r[1] == sex])
            for sex in ("f", "m")
        }
        groups = []
        for group, band in AGE_GROUPS.items():
            for sex in ("f", "m"):
                groups.append(band_cells(column, (band,) if coarse else fine_groups[group], sex))
        figures = [
            occupancy.cell("people", column),
            occupancy.cell("households", column),
            by_sex["f"],
            by_sex["m"],
            *groups,
            board.figure("arrivals").window_total(column),
            board.figure("departures").window_total(column),
            *(needs.cell(code, column) for code, _l in categories),
            *(funnel.cell(code, column) for code, _l in funnel.rows),
            *(tracing.cell(status, column) for status, _l in tracing.rows),
        ]
        rows.append(
            [
                site.region,
                region_code(site.region, site.country),
                site.local_name,
                site.code,
                board.period.start.isoformat(),
                board.as_of.isoformat(),
                *(f.value for f in figures),
            ]
        )
    return columns, rows


def _protect_sex_totals(columns, rows) -> None:
    """Women and men present add up to the people present: when one sex's total is withheld
    the other's must be too, or the people present minus it gives it back."""
    tags = [c.tag for c in columns]
    f, m = tags.index("#affected+refugees+ind+f"), tags.index("#affected+refugees+ind+m")
    for row in rows:
        if (row[f] is None) != (row[m] is None):
            row[f] = row[m] = None


def as_csv(columns: list[Column], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.header for c in columns])
    writer.writerow([c.tag for c in columns])
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()


def as_xlsx(columns: list[Column], rows: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("HXL")
    sheet.append([c.header for c in columns])
    sheet.append([c.tag for c in columns])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export(user, *, period, today) -> tuple[list[Column], list[list]]:
    """The HXL table of every site the user sees, for the period: read through the dashboard
    selector (audited as an export), so its numbers are the page's."""
    from refuge.reporting.selectors import View, dashboard
    from refuge.sites.selectors import visible_sites

    board = dashboard(user, view=View("programme"), period=period, today=today, export=True)
    columns, rows = hxl_table(board, list(visible_sites(user)))
    _protect_sex_totals(columns, rows)
    return columns, rows
