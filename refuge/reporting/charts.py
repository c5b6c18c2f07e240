"""Server-rendered SVG charts of dashboard figures: the geometry is computed here, in the
reader's direction (right to left in Arabic), with every coordinate written as a machine
number ("12.5", never the reader's "12,5"); templates only place it.

A withheld figure draws no bar: its row keeps the label and says "<5" or "*", as the table
beside it does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from refuge.reporting.disclosure import Figure

WIDTH = 600
LABEL = 190  # room for a row's label
ROW = 22
PAD = 8


def _n(value: float) -> str:
    return f"{value:.1f}"


@dataclass
class Bar:
    label: str
    text: str  # the figure as shown: "14", "<5", "*"
    x: str
    y: str
    width: str
    height: str
    label_x: str
    value_x: str
    text_y: str
    css: str = "bar"


@dataclass
class Chart:
    """What a template needs to draw one chart."""

    kind: str
    title: str
    width: int
    height: int
    bars: list[Bar]
    rtl: bool
    anchor_label: str  # text-anchor of the row labels
    anchor_value: str
    lines: list[dict] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)

    @property
    def height_text(self) -> str:
        return str(self.height)


def _scale(values: list[int | None], room: float) -> float:
    top = max([v for v in values if v is not None] or [0])
    return room / top if top else 0


def horizontal_bars(
    title: str, rows: list[tuple[str, Figure]], *, rtl: bool, css: str = "bar"
) -> Chart:
    """One bar per row, labels at the reading start, values at the bar's end."""
    room = WIDTH - LABEL - 2 * PAD - 40
    scale = _scale([f.value for _label, f in rows], room)
    bars = []
    for i, (label, figure) in enumerate(rows):
        length = (figure.value or 0) * scale
        y = PAD + i * ROW
        if rtl:
            start = WIDTH - LABEL - PAD
            x, value_x, label_x = start - length, start - length - 4, WIDTH - PAD
        else:
            x, value_x, label_x = LABEL + PAD, LABEL + PAD + length + 4, PAD
        bars.append(
            Bar(
                label=label,
                text=str(figure),
                x=_n(x),
                y=_n(y + 3),
                width=_n(length),
                height=_n(ROW - 6),
                label_x=_n(label_x),
                value_x=_n(value_x),
                text_y=_n(y + ROW / 2 + 4),
                css=css if not figure.suppressed else f"{css} withheld",
            )
        )
    return Chart(
        kind="bars",
        title=title,
        width=WIDTH,
        height=2 * PAD + ROW * max(len(rows), 1),
        bars=bars,
        rtl=rtl,
        anchor_label="end" if rtl else "start",
        anchor_value="end" if rtl else "start",
    )


def paired_bars(
    title: str,
    rows: list[tuple[str, Figure, Figure]],
    *,
    names: tuple[str, str],
    rtl: bool,
) -> Chart:
    """Two bars a row (arrivals and departures a week; women and men an age band)."""
    room = WIDTH - LABEL - 2 * PAD - 40
    scale = _scale([f.value for _l, a, b in rows for f in (a, b)], room)
    bars = []
    for i, (label, first, second) in enumerate(rows):
        for j, (figure, css) in enumerate(((first, "first"), (second, "second"))):
            length = (figure.value or 0) * scale
            y = PAD + i * 2 * ROW + j * (ROW - 4)
            if rtl:
                start = WIDTH - LABEL - PAD
                x, value_x, label_x = start - length, start - length - 4, WIDTH - PAD
            else:
                x, value_x, label_x = LABEL + PAD, LABEL + PAD + length + 4, PAD
            bars.append(
                Bar(
                    label=label if j == 0 else "",
                    text=str(figure),
                    x=_n(x),
                    y=_n(y + 2),
                    width=_n(length),
                    height=_n(ROW - 8),
                    label_x=_n(label_x),
                    value_x=_n(value_x),
                    text_y=_n(y + ROW / 2 + 2),
                    css=css if not figure.suppressed else f"{css} withheld",
                )
            )
    return Chart(
        kind="bars",
        title=title,
        width=WIDTH,
        height=2 * PAD + 2 * ROW * max(len(rows), 1),
        bars=bars,
        rtl=rtl,
        anchor_label="end" if rtl else "start",
        anchor_value="end" if rtl else "start",
        legend=[("first", names[0]), ("second", names[1])],
    )


def against_capacity(
    title: str, rows: list[tuple[str, Figure, int]], *, rtl: bool, capacity_label: str
) -> Chart:
    """People present against each place's capacity: the capacity as a dashed mark."""
    chart = horizontal_bars(title, [(label, figure) for label, figure, _cap in rows], rtl=rtl)
    room = WIDTH - LABEL - 2 * PAD - 40
    scale = _scale([max(f.value or 0, cap) for _l, f, cap in rows], room)
    for bar, (_label, figure, capacity) in zip(chart.bars, rows, strict=True):
        length = (figure.value or 0) * scale
        mark = capacity * scale
        if rtl:
            start = WIDTH - LABEL - PAD
            bar.x, bar.value_x, mark_x = _n(start - length), _n(start - length - 4), start - mark
        else:
            bar.value_x, mark_x = _n(LABEL + PAD + length + 4), LABEL + PAD + mark
        bar.width = _n(length)
        top = float(bar.y) - 2
        chart.lines.append(
            {"x": _n(mark_x), "y1": _n(top), "y2": _n(top + ROW - 2), "label": capacity_label}
        )
    chart.legend = [("capacity", capacity_label)]
    return chart


@dataclass
class Section:
    """One figure as a page shows it: a chart of the view's own column, and the table of every
    column of the view (what the CSV holds too)."""

    key: str
    title: str
    chart: Chart
    header: list[str]
    rows: list[tuple[str, list[Figure]]]
    footer: list[tuple[str, list[Figure]]]
    note: str | None = None  # what the figure could count only as it is now


def sections(board, *, rtl: bool) -> list[Section]:
    from django.utils.translation import gettext as _

    columns = [column for column, _label in board.columns]
    main = board.view.column
    header = [str(label) for _column, label in board.columns]
    out = []
    for figure in board.figures:
        rows = [(str(label), [figure.cell(row, c) for c in columns]) for row, label in figure.rows]
        footer = []
        if figure.additive:
            footer.append((_("Total"), [figure.total(c) for c in columns]))
        if figure.key in ("arrivals", "departures"):
            footer.append((_("In the period"), [figure.window_total(c) for c in columns]))
        if figure.key == "occupancy":
            footer.append((_("Capacity"), [_public(figure.capacity[c]) for c in columns]))
            footer.append(
                (_("Percent of capacity"), [figure.percent_of_capacity(c) for c in columns])
            )
        if figure.median_days is not None:
            rows = [
                (label, [*cells, figure.median_days[(row, main)]])
                for (label, cells), (row, _l) in zip(rows, figure.rows, strict=True)
            ]
        out.append(
            Section(
                key=figure.key,
                title=str(figure.title),
                chart=_chart_of(board, figure, main, rtl=rtl),
                header=header + ([_("Median days (this view)")] if figure.median_days else []),
                rows=rows,
                footer=footer,
                note=str(figure.note) if getattr(figure, "note", None) else None,
            )
        )
    return out


def _public(value: int) -> Figure:
    return Figure(value, str(value))


def _chart_of(board, figure, main, *, rtl: bool) -> Chart:
    from django.utils.translation import gettext as _

    from refuge.reporting.selectors import band_label

    title = str(figure.title)
    if figure.key == "arrivals":
        departures = board.figure("departures")
        return paired_bars(
            _("Arrivals and departures by week"),
            [
                (str(label), figure.cell(row, main), departures.cell(row, main))
                for row, label in figure.rows
            ],
            names=(_("arrivals"), _("departures")),
            rtl=rtl,
        )
    if figure.key == "departures":
        return horizontal_bars(
            title, [(str(label), figure.cell(row, main)) for row, label in figure.rows], rtl=rtl
        )
    if figure.key == "occupancy":
        return against_capacity(
            title,
            [
                (str(label), figure.cell("people", column), figure.capacity[column])
                for column, label in board.columns
            ],
            rtl=rtl,
            capacity_label=_("capacity"),
        )
    if figure.key == "age_sex":
        bands: dict = {}
        for (band, sex), _label in figure.rows:
            bands.setdefault(band, {})[sex] = figure.cell((band, sex), main)
            bands[band].setdefault("label", band_label(band))
        return paired_bars(
            title,
            [(b["label"], b["f"], b["m"]) for b in reversed(list(bands.values()))],
            names=(_("women and girls"), _("men and boys")),
            rtl=rtl,
        )
    return horizontal_bars(
        title, [(str(label), figure.cell(row, main)) for row, label in figure.rows], rtl=rtl
    )
