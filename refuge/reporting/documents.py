"""The sitrep as a printable PDF (ReportLab, the fonts and Arabic shaping of the site
documents), laid out from the right in Arabic, with its two charts drawn as bars."""

from __future__ import annotations

import io
import re

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from refuge.reporting.disclosure import Figure
from refuge.reporting.sitrep import SitrepContent
from refuge.sites.documents import register_fonts, visual

MARGIN = 18 * mm
# An ISO week (2026-W48) inside an Arabic line would be split at its hyphen and read
# "W48-2026": it is embedded left to right for the bidi algorithm, the marks removed after.
_WEEK = re.compile(r"[0-9]{4}-W[0-9]{2}")
_EMBED, _POP = "\u202a", "\u202c"


def _shown(value: str, *, rtl: bool) -> str:
    if not rtl:
        return visual(value)
    embedded = _WEEK.sub(lambda m: f"{_EMBED}{m[0]}{_POP}", value)
    return visual(embedded, rtl=True).replace(_EMBED, "").replace(_POP, "")


ACCENT, MUTED, INK = (0.12, 0.33, 0.55), (0.45, 0.45, 0.45), (0, 0, 0)


class _Writer:
    """A cursor down A4 pages; every x is measured from the start margin and mirrored for a
    right-to-left language."""

    def __init__(self, canvas: Canvas, *, rtl: bool):
        self.canvas, self.rtl = canvas, rtl
        self.width, self.height = A4
        self.y = self.height - MARGIN

    @property
    def room(self) -> float:
        return self.width - 2 * MARGIN

    def x(self, start: float) -> float:
        return self.width - MARGIN - start if self.rtl else MARGIN + start

    def need(self, height: float) -> None:
        if self.y - height < MARGIN:
            self.canvas.showPage()
            self.y = self.height - MARGIN

    def text(self, value: str, start: float, y: float, *, size=10, bold=False, end=False):
        canvas = self.canvas
        canvas.setFont("Refuge-Bold" if bold else "Refuge", size)
        shown = _shown(value, rtl=self.rtl)
        # `end` aligns the text's far edge at `start` (numbers in a column).
        if self.rtl != end:
            canvas.drawRightString(self.x(start), y, shown)
        else:
            canvas.drawString(self.x(start), y, shown)

    def paragraph(self, value: str, *, size=10, bold=False, indent=0.0, gap=1.5 * mm):
        for part in value.splitlines() or [""]:
            for line in simpleSplit(part, "Refuge", size, self.room - indent) or [""]:
                self.need(size * 0.5 * mm)
                self.y -= size * 0.45 * mm
                self.text(line, indent, self.y, size=size, bold=bold)
        self.y -= gap

    def heading(self, value: str, size=13):
        self.need(14 * mm)
        self.y -= 4 * mm
        self.canvas.setFillColorRGB(*ACCENT)
        self.paragraph(value, size=size, bold=True, gap=1 * mm)
        self.canvas.setFillColorRGB(*INK)

    def figure_rows(self, rows: list[tuple[str, ...]], widths: list[float]):
        """A small table: the first column text, the others figures aligned at their end."""
        for row in rows:
            self.need(6 * mm)
            self.y -= 5 * mm
            start = 0.0
            for index, (value, width) in enumerate(zip(row, widths, strict=True)):
                if index == 0:
                    label = simpleSplit(value, "Refuge", 9, width - 2 * mm)[:1] or [""]
                    self.text(label[0], start, self.y, size=9)
                else:
                    self.text(str(value), start + width, self.y, size=9, end=True)
                start += width

    def bars(self, title: str, rows: list[tuple[str, Figure]], *, capacity=None):
        """A bar a row; a withheld figure draws no bar and shows its mark instead."""
        height = 6 * mm * len(rows) + 8 * mm
        self.need(height)
        self.canvas.setFillColorRGB(*MUTED)
        self.paragraph(title, size=9, gap=0)
        self.canvas.setFillColorRGB(*INK)
        label_room, room = 55 * mm, self.room - 55 * mm - 15 * mm
        top = max([f.value or 0 for _l, f in rows] + list((capacity or {}).values()) + [1])
        for label, figure in rows:
            self.y -= 6 * mm
            self.text(simpleSplit(label, "Refuge", 8, label_room)[0], 0, self.y + 1, size=8)
            length = room * (figure.value or 0) / top
            self.canvas.setFillColorRGB(*ACCENT)
            start = label_room if not self.rtl else label_room + length
            if length:
                self.canvas.rect(self.x(start), self.y, length, 4 * mm, stroke=0, fill=1)
            self.canvas.setFillColorRGB(*INK)
            self.text(str(figure), label_room + length + 2 * mm, self.y + 1, size=8)
            if capacity and label in capacity:
                mark = self.x(label_room + room * capacity[label] / top)
                self.canvas.setStrokeColorRGB(0.7, 0.15, 0.12)
                self.canvas.line(mark, self.y - 1, mark, self.y + 5 * mm)
                self.canvas.setStrokeColorRGB(*INK)
        self.y -= 3 * mm


def sitrep_document(reader, *, period, today, language: str) -> bytes:
    """The week's sitrep as a PDF in `language` (ru, en or ar): its words and figures read,
    and its labels written, in that language."""
    from refuge.reporting.sitrep import sitrep_for

    with translation.override(language):
        return sitrep_pdf(sitrep_for(reader, period=period, today=today), language=language)


def sitrep_pdf(content: SitrepContent, *, language: str) -> bytes:
    """Draw a sitrep's content (built in `language`, see sitrep_document)."""
    register_fonts()
    out = io.BytesIO()
    with translation.override(language):
        rtl = translation.get_language_bidi()
        canvas = Canvas(out, pagesize=A4)
        canvas.setTitle(_("Situation report %(week)s") % {"week": content.week})
        page = _Writer(canvas, rtl=rtl)
        _draw(page, content)
        canvas.save()
    return out.getvalue()


def _draw(page: _Writer, content: SitrepContent) -> None:
    period = content.period
    page.heading(_("Situation report %(week)s") % {"week": content.week}, size=16)
    page.paragraph(
        _("Period covered: %(start)s to %(end)s. Next report: %(next)s.")
        % {
            "start": date_format(period.start, "SHORT_DATE_FORMAT"),
            "end": date_format(period.end, "SHORT_DATE_FORMAT"),
            "next": date_format(content.next_report_on, "SHORT_DATE_FORMAT"),
        },
        size=9,
    )
    page.paragraph(
        _(
            "Counts below %(threshold)s are shown as <%(threshold)s, and a figure from which "
            "one could be worked out as *."
        )
        % {"threshold": content.threshold},
        size=8,
    )
    page.heading(_("Highlights"))
    page.paragraph(content.highlights or _("No highlights were written for this week."))
    page.heading(_("Key figures"))
    page.figure_rows([(label, str(f)) for label, f in content.key_figures], [120 * mm, 30 * mm])
    page.heading(_("Situation overview"))
    if content.overview:
        page.paragraph(content.overview)
    page.bars(
        _("People present against capacity"),
        [(s.name, s.people) for s in content.sites],
        capacity={s.name: s.capacity for s in content.sites},
    )
    for site in content.sites:
        page.paragraph(site.name, bold=True, gap=0)
        page.paragraph(
            _(
                "%(people)s present of %(capacity)s places (%(percent)s); "
                "%(arrivals)s arrived and %(departures)s left this week."
            )
            % {
                "people": site.people,
                "capacity": site.capacity,
                "percent": site.percent,
                "arrivals": site.arrivals,
                "departures": site.departures,
            },
            size=9,
        )
        if site.note:
            page.paragraph(site.note, size=9)
    for sector in content.sectors:
        page.heading(sector.title)
        if sector.rows:
            page.figure_rows(
                [(_("Step"), _("Done"), _("Overdue"))]
                + [(label, str(done), str(late)) for label, done, late in sector.rows],
                [110 * mm, 25 * mm, 25 * mm],
            )
        if sector.needs:
            page.bars(_("People with open specific needs"), sector.needs)
    page.heading(_("Needs and gaps"))
    page.figure_rows([(label, str(f)) for label, f in content.gaps], [120 * mm, 30 * mm])
