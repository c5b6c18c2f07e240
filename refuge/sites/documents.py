"""Printable PDFs: the transfer manifest and the household's registration slip.

ReportLab draws them with DejaVu Sans (shipped in sites/fonts: Latin, Cyrillic and Arabic in
one font). ReportLab does not shape Arabic, so Arabic text is joined into its contextual forms
(arabic-reshaper) and put in visual order (python-bidi) before it is drawn.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import segno
from arabic_reshaper import ArabicReshaper
from bidi import get_display
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from refuge.registry.models import Document
from refuge.registry.vocabulary import Sex

FONTS = Path(__file__).resolve().parent / "fonts"
SITE_LANGUAGE = {"RU": "ru", "SY": "ar"}
# Ligatures such as ﷲ are missing from most fonts; the joined letters read the same.
_RESHAPER = ArabicReshaper(configuration={"support_ligatures": False})


def register_fonts() -> None:
    """The PDF font with Arabic and Cyrillic glyphs, registered once for every printed paper."""
    if "Refuge" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("Refuge", FONTS / "DejaVuSans.ttf"))
        pdfmetrics.registerFont(TTFont("Refuge-Bold", FONTS / "DejaVuSans-Bold.ttf"))


@lru_cache(maxsize=50_000)
def visual(text: str, *, rtl: bool = False) -> str:
    """Text ready for a PDF: Arabic shaped and in display order, anything else unchanged.

    `rtl` is the direction of the line as a whole: an English line keeps its order and only
    its Arabic names are turned around; an Arabic line reads from the right."""
    if any("\u0600" <= ch <= "\u06ff" for ch in text):
        return get_display(_RESHAPER.reshape(text), base_dir="R" if rtl else "L")
    return text


@lru_cache(maxsize=50_000)
def _qr_matrix(value: str) -> tuple:
    # A registration number's code never changes: encode it once per process. A standard QR
    # code, never a Micro QR: most phone cameras and zbar cannot read those.
    return segno.make(value, error="m", micro=False).matrix


def _qr(canvas: Canvas, value: str, x: float, y: float, size: float) -> None:
    """Draw a QR code of `value`, its modules as filled runs (segno encodes it)."""
    matrix = _qr_matrix(value)
    module = size / len(matrix)
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + 1) * module
        column = 0
        while column < len(row):
            if row[column]:
                start = column
                while column < len(row) and row[column]:
                    column += 1
                path.rect(x + start * module, top, (column - start) * module, module)
            column += 1
    canvas.drawPath(path, stroke=0, fill=1)


class _Page:
    """A cursor down an A4 page that starts a new page when it runs out."""

    def __init__(self, canvas: Canvas, rtl: bool = False):
        self.canvas, self.rtl = canvas, rtl
        self.width, self.height = A4
        self.y = self.height - 20 * mm

    def line(
        self,
        text: str,
        *,
        size: int = 10,
        bold: bool = False,
        indent: float = 0,
        gap: float = 5.5 * mm,
    ) -> None:
        font = "Refuge-Bold" if bold else "Refuge"
        # A long line wraps inside the margins, its continuation indented under it.
        wrapped = simpleSplit(text, font, size, self.width - 40 * mm - indent - 4 * mm) or [""]
        for index, part in enumerate(wrapped):
            if self.y < 20 * mm:
                self.canvas.showPage()
                self.y = self.height - 20 * mm
            self.canvas.setFont(font, size)
            offset = indent + (4 * mm if index else 0)
            if self.rtl:
                self.canvas.drawRightString(
                    self.width - 20 * mm - offset, self.y, visual(part, rtl=True)
                )
            else:
                self.canvas.drawString(20 * mm + offset, self.y, visual(part))
            self.y -= gap if index == len(wrapped) - 1 else size * 0.45 * mm


def _member_line(person) -> str:
    names = [n for n in (person.name_in("ar"), person.name_in("lat"), person.name_in("cyr")) if n]
    born = person.birth_date.year if person.birth_date else "—"
    return f"{' / '.join(names)} · {person.get_sex_display()} · {born}"


# The manifest is a table signed on the tarmac. Columns in reading order, widths in mm; an
# Arabic manifest lays the same columns out from the right.
_MARGIN = 15 * mm
_COLUMNS = (
    ("number", 8),
    ("name", 70),
    ("sex", 20),
    ("born", 12),
    ("document", 36),
    ("boarded", 17),
    ("arrived", 17),
)
_QR_SIZE = 20 * mm
# A reader needs four modules of white around a code: 4 mm is that for up to 25 modules a side.
_QUIET = 4 * mm
_BOX = 4.5 * mm
_LEADING = 4.2 * mm
_INK, _RED, _RULE = (0, 0, 0), (0.7, 0.15, 0.12), (0.6, 0.6, 0.6)


class _Manifest:
    """Draws the manifest's rows down the page, mirrored for a right-to-left language.

    Every position is worked out as if the page ran left to right (`x` from the start margin)
    and turned into a page coordinate by `_x`, so the Arabic manifest is the same table read
    from the right."""

    def __init__(self, canvas: Canvas, *, rtl: bool, title: str):
        self.canvas, self.rtl, self.title = canvas, rtl, title
        self.width, self.height = A4
        self.page_number = 0
        self.column: dict[str, tuple[float, float]] = {}
        x = 0.0
        for name, width in _COLUMNS:
            self.column[name] = (x, width * mm)
            x += width * mm

    def _x(self, start: float, width: float = 0) -> float:
        """The page's x of the start edge of a box `start` from the start margin."""
        if self.rtl:
            return self.width - _MARGIN - start - width
        return _MARGIN + start

    def text(
        self,
        value: str,
        start: float,
        y: float,
        *,
        size: float = 9,
        bold: bool = False,
        colour=_INK,
        width: float = 0,
        centre: bool = False,
        rtl: bool | None = None,
    ) -> None:
        canvas = self.canvas
        canvas.setFont("Refuge-Bold" if bold else "Refuge", size)
        canvas.setFillColorRGB(*colour)
        shown = visual(value, rtl=self.rtl if rtl is None else rtl)
        if centre:
            canvas.drawCentredString(self._x(start, width) + width / 2, y, shown)
        elif self.rtl:
            canvas.drawRightString(self._x(start), y, shown)
        else:
            canvas.drawString(self._x(start), y, shown)
        canvas.setFillColorRGB(*_INK)

    def wrap(self, value: str, width: float, *, size: float = 9) -> list[str]:
        return simpleSplit(value, "Refuge", size, width) or [""]

    def start_page(self) -> None:
        if self.page_number:
            self.canvas.showPage()
        self.page_number += 1
        self.y = self.height - _MARGIN
        if self.page_number == 1:
            return
        self.text(self.title, 0, self.y - 3 * mm, size=9, bold=True)
        self.y -= 7 * mm
        self.header_row()

    def footer(self) -> None:
        self.text(
            _("Page %(number)d") % {"number": self.page_number},
            0,
            _MARGIN / 2,
            size=8,
            colour=_RULE,
        )

    def room(self, needed: float) -> None:
        """Start a new page unless `needed` points still fit above the bottom margin."""
        if self.y - needed < _MARGIN + 6 * mm:
            self.footer()
            self.start_page()

    def rule(self, y: float, *, colour=_RULE) -> None:
        self.canvas.setStrokeColorRGB(*colour)
        self.canvas.setLineWidth(0.5)
        self.canvas.line(_MARGIN, y, self.width - _MARGIN, y)
        self.canvas.setStrokeColorRGB(*_INK)

    def header_row(self) -> None:
        labels = {
            "number": _("No."),
            "name": _("Name"),
            "sex": _("Sex"),
            "born": _("Born"),
            "document": _("Document"),
            "boarded": _("Boarded"),
            "arrived": _("Arrived"),
        }
        baseline = self.y - 4 * mm
        for name, (start, width) in self.column.items():
            centre = name in ("boarded", "arrived")
            self.text(
                labels[name],
                start + 1 * mm,
                baseline,
                size=8,
                bold=True,
                width=width - 2 * mm,
                centre=centre,
            )
        self.y -= 6 * mm
        self.rule(self.y, colour=_INK)

    def household(self, number: str, people: int, problems: list[str]) -> None:
        """A band with the household's number (and what holds it back) and its QR code.

        The code sits in its own corner of the band with a quiet zone of white around it, so
        no line of text can run into it, however long."""
        text_width = self.column["document"][0] + self.column["document"][1] - 2 * mm
        lines = [line for problem in problems for line in self.wrap(problem, text_width)]
        band = max(_QR_SIZE + 2 * _QUIET, 12 * mm + len(lines) * _LEADING)
        self.room(band + 12 * mm)  # the band and at least one passenger on the same page
        top = self.y
        qr_start = self.width - 2 * _MARGIN - _QR_SIZE
        _qr(self.canvas, number, self._x(qr_start, _QR_SIZE), top - _QUIET - _QR_SIZE, _QR_SIZE)
        self.text(number, 1 * mm, top - 6 * mm, size=12, bold=True, rtl=False)
        self.text(
            ngettext("%(count)d person", "%(count)d people", people) % {"count": people},
            1 * mm,
            top - 10.5 * mm,
            size=9,
        )
        for index, line in enumerate(lines):
            self.text(line, 1 * mm, top - 15 * mm - index * _LEADING, size=9, colour=_RED)
        self.y = top - band
        self.rule(self.y)

    def passenger(self, count: int, row: dict) -> None:
        start, width = self.column["name"]
        names = [line for name in row["names"] if name for line in self.wrap(name, width - 2 * mm)]
        height = max(len(names), 1) * _LEADING + 2.5 * mm
        self.room(height)
        first = self.y - 4 * mm
        self.text(f"{count}.", self.column["number"][0] + 1 * mm, first)
        for index, line in enumerate(names):
            self.text(line, start + 1 * mm, first - index * _LEADING)
        for name in ("sex", "born", "document"):
            column_start, column_width = self.column[name]
            for index, line in enumerate(self.wrap(row[name], column_width - 2 * mm)[:2]):
                self.text(line, column_start + 1 * mm, first - index * _LEADING)
        for name in ("boarded", "arrived"):
            column_start, column_width = self.column[name]
            x = self._x(column_start, column_width) + (column_width - _BOX) / 2
            self.canvas.setLineWidth(0.8)
            self.canvas.rect(x, first - 1.2 * mm, _BOX, _BOX, stroke=1, fill=0)
            if row[name]:  # already recorded: the tick is printed, not left to the pen
                self.canvas.setLineWidth(1.2)
                self.canvas.line(x + 0.9 * mm, first + 0.9 * mm, x + 1.9 * mm, first - 0.3 * mm)
                self.canvas.line(x + 1.9 * mm, first - 0.3 * mm, x + 3.8 * mm, first + 2.6 * mm)
        self.y -= height
        self.rule(self.y, colour=(0.85, 0.85, 0.85))

    def signatures(self, count: int) -> None:
        self.room(40 * mm)
        self.y -= 7 * mm
        self.text(
            ngettext(
                "%(count)d person on this manifest", "%(count)d people on this manifest", count
            )
            % {"count": count},
            0,
            self.y,
            size=10,
            bold=True,
        )
        self.y -= 6 * mm
        self.text(
            _("Boarded: ______ of %(count)d          Arrived: ______ of %(count)d")
            % {"count": count},
            0,
            self.y,
            size=10,
        )
        for label in (_("Escort (name)"), _("Escort's signature"), _("Date and time")):
            self.y -= 11 * mm
            self.text(label, 0, self.y, size=10)
            line_start = 45 * mm
            self.canvas.setLineWidth(0.6)
            self.canvas.line(
                self._x(line_start, 95 * mm),
                self.y - 1 * mm,
                self._x(line_start, 95 * mm) + 95 * mm,
                self.y - 1 * mm,
            )
        self.footer()


def manifest_pdf(movement, passengers=None, *, problems: dict | None = None) -> bytes:
    """Everyone on a transfer, household by household, as a table to sign on the tarmac.

    Each household has its QR code; each passenger their document number and boxes to tick
    on boarding and on arrival; the escort signs at the end. `problems` (household id -> what
    holds it back, from `departure_problems`) is printed under the household's number. The
    language is the active one; an Arabic manifest runs right to left. `passengers` are those
    the reader may see (sites.selectors.passengers_for)."""
    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"Manifest {movement.pk}")
    title = _("Transfer manifest")
    sheet = _Manifest(canvas, rtl=translation.get_language_bidi(), title=title)
    sheet.start_page()
    sheet.text(title, 0, sheet.y - 5 * mm, size=16, bold=True)
    sheet.text(
        f"{movement.from_site.name} → {movement.to_site.name}", 0, sheet.y - 12 * mm, size=11
    )
    sheet.text(
        _("Date: %(date)s · %(means)s · %(seats)d seats")
        % {
            "date": movement.planned_on,
            "means": movement.get_means_display(),
            "seats": movement.seats,
        },
        0,
        sheet.y - 18 * mm,
        size=10,
    )
    sheet.y -= 23 * mm
    sheet.header_row()
    sexes = dict(Sex.choices)
    name_fields = [
        f"person__{part}_{script}"
        for script in ("ar", "lat", "cyr")
        for part in ("given_name", "father_name", "family_name")
    ]
    # Plain rows, not model instances: a 300-person manifest is printed while people wait.
    if passengers is None:
        passengers = movement.passengers.all()
    rows = list(
        passengers.order_by("household__registration_number", "person_id").values_list(
            "household_id",
            "household__registration_number",
            "person_id",
            "person__sex",
            "person__birth_date",
            "boarded",
            "arrived",
            *name_fields,
        )
    )
    documents: dict[int, str] = {}
    for person_id, number in (
        Document.objects.filter(person__in=[row[2] for row in rows])
        .order_by("person_id", "pk")
        .values_list("person_id", "number")
    ):
        documents.setdefault(person_id, number)
    sizes: dict[int, int] = {}
    for row in rows:
        sizes[row[0]] = sizes.get(row[0], 0) + 1
    problems = problems or {}
    current, count = None, 0
    for household_id, number, person_id, sex, birth_date, boarded, arrived, *names in rows:
        if household_id != current:
            current = household_id
            sheet.household(number, sizes[household_id], problems.get(household_id, []))
        count += 1
        sheet.passenger(
            count,
            {
                "names": [" ".join(n for n in names[i : i + 3] if n) for i in (0, 3, 6)],
                "sex": str(sexes.get(sex, "")),
                "born": str(birth_date.year) if birth_date else "—",
                "document": documents.get(person_id, "—"),
                "boarded": boarded,
                "arrived": arrived,
            },
        )
    sheet.signatures(count)
    canvas.save()
    return buffer.getvalue()


def _slip_section(canvas: Canvas, household, language: str, top: float) -> float:
    """One language's half of the slip, from `top` down; returns where it ended."""
    with translation.override(language):
        page = _Page(canvas, rtl=translation.get_language_bidi())
        page.y = top
        page.line(_("Registration slip"), size=15, bold=True, gap=8 * mm)
        page.line(
            _("Registration number: %(number)s") % {"number": household.registration_number},
            size=12,
            bold=True,
        )
        page.line(
            _("Registered at %(site)s on %(date)s")
            % {"site": household.registered_at.name, "date": household.registered_on}
        )
        page.line(_("Members"), bold=True)
        for person in household.members.all():
            page.line(f"{person.get_relationship_display()}: {_member_line(person)}", indent=4 * mm)
        return page.y


def slip_qr_payload(household, *, base_url: str = "") -> str:
    """What the slip's QR code holds: the address of the household's short link
    (/registry/h/HMM-000305/). A tablet's camera opens it; a handheld scanner types it into
    Find, which opens the household too. Only the registration number, never a name.

    `base_url` (https://refuge.example.org) makes the address absolute, as a camera needs;
    settings.REFUGE_PUBLIC_URL overrides what the request said."""
    path = reverse("registry:household_by_number", args=[household.registration_number])
    base = (settings.REFUGE_PUBLIC_URL or base_url).rstrip("/")
    return f"{base}{path}"


def registration_slip_pdf(household, *, base_url: str = "") -> bytes:
    """The family's slip: its number, members and a QR code, in Arabic and the site's language."""
    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"Registration {household.registration_number}")
    width, height = A4
    payload = slip_qr_payload(household, base_url=base_url)
    _qr(canvas, payload, width / 2 - 17 * mm, height - 55 * mm, 34 * mm)
    site = household.current_site or household.registered_at
    site_language = SITE_LANGUAGE.get(site.country, "en")
    languages = ["ar"] + ([site_language] if site_language != "ar" else ["en"])
    end = _slip_section(canvas, household, languages[0], height - 70 * mm)
    _slip_section(canvas, household, languages[1], min(height / 2 - 10 * mm, end - 10 * mm))
    canvas.save()
    return buffer.getvalue()
