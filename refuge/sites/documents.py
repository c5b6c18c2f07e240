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
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from refuge.registry.vocabulary import Sex

FONTS = Path(__file__).resolve().parent / "fonts"
SITE_LANGUAGE = {"RU": "ru", "SY": "ar"}
# Ligatures such as ﷲ are missing from most fonts; the joined letters read the same.
_RESHAPER = ArabicReshaper(configuration={"support_ligatures": False})


def _fonts() -> None:
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
    # A registration number's code never changes: encode it once per process.
    return segno.make(value, error="m").matrix


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
        if self.y < 20 * mm:
            self.canvas.showPage()
            self.y = self.height - 20 * mm
        self.canvas.setFont("Refuge-Bold" if bold else "Refuge", size)
        if self.rtl:
            self.canvas.drawRightString(
                self.width - 20 * mm - indent, self.y, visual(text, rtl=True)
            )
        else:
            self.canvas.drawString(20 * mm + indent, self.y, visual(text))
        self.y -= gap


def _member_line(person) -> str:
    names = [n for n in (person.name_in("ar"), person.name_in("lat"), person.name_in("cyr")) if n]
    born = person.birth_date.year if person.birth_date else "—"
    return f"{' / '.join(names)} · {person.get_sex_display()} · {born}"


def manifest_pdf(movement, passengers=None) -> bytes:
    """The list of everyone on a transfer, household by household, with a QR code each.

    `passengers` are those the reader may see (sites.selectors.passengers_for)."""
    _fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"Manifest {movement.pk}")
    page = _Page(canvas)
    page.line(_("Transfer manifest"), size=16, bold=True, gap=8 * mm)
    page.line(f"{movement.from_site.name} → {movement.to_site.name}", size=11)
    page.line(
        _("Date: %(date)s · %(means)s · %(seats)d seats")
        % {
            "date": movement.planned_on,
            "means": movement.get_means_display(),
            "seats": movement.seats,
        },
        gap=9 * mm,
    )
    sexes = dict(Sex.choices)
    name_fields = [
        f"person__{part}_{script}"
        for script in ("ar", "lat", "cyr")
        for part in ("given_name", "father_name", "family_name")
    ]
    # Plain rows, not model instances: a 300-person manifest is printed while people wait.
    if passengers is None:
        passengers = movement.passengers.all()
    rows = passengers.order_by("household__registration_number", "person_id").values_list(
        "household__registration_number", "person__sex", "person__birth_date", *name_fields
    )
    current, count = None, 0
    for number, sex, birth_date, *names in rows:
        if number != current:
            current = number
            if page.y < 45 * mm:
                canvas.showPage()
                page.y = page.height - 20 * mm
            page.y -= 2 * mm
            _qr(canvas, number, page.width - 42 * mm, page.y - 14 * mm, 20 * mm)
            page.line(number, size=12, bold=True)
        count += 1
        written = [" ".join(n for n in names[i : i + 3] if n) for i in (0, 3, 6)]
        born = birth_date.year if birth_date else "—"
        line = f"{' / '.join(n for n in written if n)} · {sexes.get(sex, '')} · {born}"
        page.line(f"{count}. {line}", indent=4 * mm)
    page.y -= 4 * mm
    page.line(_("People: %(count)d") % {"count": count}, bold=True)
    canvas.save()
    return buffer.getvalue()


def _slip_section(canvas: Canvas, household, language: str, top: float) -> None:
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


def registration_slip_pdf(household) -> bytes:
    """The family's slip: its number, members and a QR code, in Arabic and the site's language."""
    _fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"Registration {household.registration_number}")
    width, height = A4
    _qr(canvas, household.registration_number, width / 2 - 17 * mm, height - 55 * mm, 34 * mm)
    site = household.current_site or household.registered_at
    site_language = SITE_LANGUAGE.get(site.country, "en")
    languages = ["ar"] + ([site_language] if site_language != "ar" else ["en"])
    _slip_section(canvas, household, languages[0], height - 70 * mm)
    _slip_section(canvas, household, languages[1], height / 2 - 10 * mm)
    canvas.save()
    return buffer.getvalue()
