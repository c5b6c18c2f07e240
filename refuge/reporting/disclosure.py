"""Small-count suppression: the one rule every aggregate shown to someone who may not see
people passes through.

A count from 1 to REFUGE_SMALL_COUNT_THRESHOLD - 1 could single out a family, so it is shown
as "<5" (primary suppression). That is not enough on its own: a percentage of a public
capacity, the free places beside it, or a column total minus the other cells would give the
count back. So every figure derived from a suppressed count is suppressed with it, and a
column with one suppressed cell has a second cell suppressed too (the smallest other non-zero
one; the total when there is none), so that no suppressed cell can be recomputed from what is
shown (secondary suppression).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

SUPPRESSED = "suppressed"


@dataclass(frozen=True)
class Figure:
    """One number as it may be shown: its value, or None when it is withheld."""

    value: int | None
    text: str

    @property
    def suppressed(self) -> bool:
        return self.value is None

    def __str__(self) -> str:
        return self.text


def _shown(value: int) -> Figure:
    return Figure(value, str(value))


def _withheld(*, derived: bool = False) -> Figure:
    # A small count reads "<5"; a figure withheld because it would give one away reads "*".
    return Figure(None, "*" if derived else f"<{settings.REFUGE_SMALL_COUNT_THRESHOLD}")


def withheld(*, derived: bool = False) -> Figure:
    return _withheld(derived=derived)


def is_small(count: int) -> bool:
    return 0 < count < settings.REFUGE_SMALL_COUNT_THRESHOLD


@dataclass
class DisclosedTable:
    rows: list[dict[str, Figure]]
    total: dict[str, Figure]
    exact: bool  # nothing was withheld: the reader may see people anyway


def disclose(
    rows: list[dict[str, int]],
    *,
    counts: tuple[str, ...],
    derived: dict[str, tuple[tuple[str, ...], Callable[[dict[str, int]], int]]] | None = None,
    exact: bool = False,
) -> DisclosedTable:
    """Turn rows of raw counts into figures safe to show.

    `counts` are the columns of people counted; `derived` maps a column to the counts it is
    computed from and how (a percentage, free places): it is withheld whenever one of them
    is. The total row sums each count and computes the derived columns from the sums. With
    `exact` (a reader who may see the people counted), every figure is shown as it is.
    """
    derived = derived or {}
    # Every column is summed (capacities too), so derived columns compute from the sums.
    columns = set(counts).union(*(r.keys() for r in rows))
    totals = {c: sum(r[c] for r in rows) for c in columns}
    withheld = [{c: (not exact and is_small(r[c])) for c in counts} for r in rows]
    total_withheld = {c: not exact and is_small(totals[c]) for c in counts}
    for column in counts:
        primary = [i for i, w in enumerate(withheld) if w[column]]
        if len(primary) != 1 or total_withheld[column]:
            continue
        # One hidden cell and a shown total: hide the smallest other non-zero cell as well,
        # or the total when every other cell is zero.
        others = [i for i, r in enumerate(rows) if not withheld[i][column] and r[column] > 0]
        if others:
            withheld[min(others, key=lambda i: rows[i][column])][column] = True
        else:
            total_withheld[column] = True

    def figures(raw: dict[str, int], hidden: dict[str, bool]) -> dict[str, Figure]:
        # A cell hidden only to protect another (secondary) is not small itself: "*".
        out = {
            c: (_withheld(derived=not is_small(raw[c])) if hidden[c] else _shown(raw[c]))
            for c in counts
        }
        for column, (sources, compute) in derived.items():
            hide = any(hidden[s] for s in sources)
            out[column] = _withheld(derived=True) if hide else _shown(compute(raw))
        return out

    return DisclosedTable(
        rows=[figures(r, w) for r, w in zip(rows, withheld, strict=True)],
        total=figures(totals, total_withheld),
        exact=exact,
    )


# A cross table of counts by row (a step, a week, an age band) and place, the places forming
# a hierarchy: sites add up to their region, regions to the programme. Every level is one
# column of the same table, so that whichever level a page shows, the withheld cells were
# chosen once, on everything the reader could put side by side.
PROGRAMME = ("programme", "")
TOTAL_ROW = "__total__"


@dataclass(frozen=True)
class Places:
    """The columns of a cross table: sites (by id) grouped into regions (by name)."""

    regions: dict[str, tuple[int, ...]]

    @property
    def columns(self) -> list[tuple[str, object]]:
        return [
            *(("site", site) for sites in self.regions.values() for site in sites),
            *(("region", region) for region in self.regions),
            PROGRAMME,
        ]


def published_sums(rows: list, places: Places, additive_rows: bool) -> list[dict]:
    """Each published sum as {entry: coefficient} = 0: sites to region, regions to programme,
    and, when the rows split the people, rows to the total row."""
    equations = []
    all_rows = [*rows, TOTAL_ROW] if additive_rows else rows
    for row in all_rows:
        for region, sites in places.regions.items():
            equation = {(row, ("site", s)): 1 for s in sites}
            equation[(row, ("region", region))] = -1
            equations.append(equation)
        equation = {(row, ("region", r)): 1 for r in places.regions}
        equation[(row, PROGRAMME)] = -1
        equations.append(equation)
    if additive_rows:
        for column in places.columns:
            equation = {(row, column): 1 for row in rows}
            equation[(TOTAL_ROW, column)] = -1
            equations.append(equation)
    return equations


def recoverable(hidden: set, equations: list[dict]) -> set:
    """The hidden entries that the shown ones pin down exactly, through any combination of the
    published sums: an entry is pinned when every solution of the sums agrees on it, that is
    when the null space of the sums over the hidden entries is zero at it."""
    import numpy

    unknowns = sorted(hidden, key=repr)
    index = {entry: i for i, entry in enumerate(unknowns)}
    touching = [e for e in equations if any(k in index for k in e)]
    if not unknowns or not touching:
        return set()
    matrix = numpy.zeros((len(touching), len(unknowns)))
    for r, equation in enumerate(touching):
        for entry, coefficient in equation.items():
            if entry in index:
                matrix[r, index[entry]] = coefficient
    # With more sums than unknowns the full U (sums x sums) is never needed: the reduced SVD
    # still gives every right singular vector, and skips most of the work on long systems.
    _u, singular, vt = numpy.linalg.svd(matrix, full_matrices=matrix.shape[0] < matrix.shape[1])
    rank = int((singular > 1e-9).sum())
    null = vt[rank:]
    if null.shape[0] == 0:
        return set(unknowns)
    pinned = numpy.all(numpy.abs(null) < 1e-9, axis=0)
    return {unknowns[i] for i in numpy.flatnonzero(pinned)}


def _independent_parts(rows: list, places: Places, additive_rows: bool):
    """Rows that share no sum can be protected one at a time (a week's cells never add up
    with another week's), which keeps each system small."""
    if additive_rows:
        return [rows]
    return [[row] for row in rows]


def disclose_cross(
    counts: dict[tuple, int],
    *,
    rows: list,
    places: Places,
    additive_rows: bool,
    exact: bool = False,
    also_withheld: frozenset | set = frozenset(),
) -> dict[tuple, Figure]:
    """Turn counts by (row, site) into figures for every (row, column) of the hierarchy (and
    the total row when the rows split the people).

    Primary suppression withholds every small entry, at any level, and every entry in
    `also_withheld` (one a sum with another table would give back); secondary suppression
    then withholds, one at a time, the smallest shown entry in a sum that pins a withheld
    one down, until no withheld entry can be solved for from what is shown.
    """
    values: dict[tuple, int] = {}
    for row in rows:
        for region, sites in places.regions.items():
            for site in sites:
                values[(row, ("site", site))] = counts.get((row, site), 0)
            values[(row, ("region", region))] = sum(values[(row, ("site", s))] for s in sites)
        values[(row, PROGRAMME)] = sum(values[(row, ("region", r))] for r in places.regions)
    if additive_rows:
        for column in places.columns:
            values[(TOTAL_ROW, column)] = sum(values[(row, column)] for row in rows)
    if exact:
        return {entry: _shown(value) for entry, value in values.items()}

    hidden = {entry for entry, value in values.items() if is_small(value)} | set(also_withheld)
    for part in _independent_parts(rows, places, additive_rows):
        equations = published_sums(part, places, additive_rows)
        entries = {entry for equation in equations for entry in equation}
        while pinned := recoverable(hidden & entries, equations):
            entry = min(pinned, key=repr)
            shown = [
                other
                for equation in equations
                if entry in equation
                for other in equation
                if other not in hidden
            ] or sorted(entries - hidden, key=repr)
            # The smallest non-zero entry costs the reader least; a zero only when nothing else.
            hidden.add(min(shown, key=lambda e: (values[e] == 0, values[e], repr(e))))
    return {
        entry: (_withheld(derived=not is_small(value)) if entry in hidden else _shown(value))
        for entry, value in values.items()
    }


def protect_jointly(
    hidden: set,
    equations: list[dict],
    *,
    candidates: list,
    values: dict[tuple, int],
    prefer: Callable[[tuple], int] = lambda candidate: 0,
    near: Callable[[tuple, tuple], bool] = lambda pinned, candidate: True,
) -> set:
    """Secondary suppression over a system of sums that link several tables (people present
    at two days and the arrivals and departures between): withhold, one at a time, a shown
    `candidate` (the most preferred, lowest `prefer`, first; among those one `near` the
    pinned entry, then the smallest non-zero) until no withheld entry can be solved for.
    Only candidates are withheld: the other tables' cells were chosen by their own rule.
    Returns the candidates withheld."""
    hidden = set(hidden)
    added: set = set()
    while pinned := recoverable(hidden, equations):
        entry = min(pinned, key=repr)
        shown = [c for c in candidates if c not in hidden]
        if not shown:
            break  # nothing left to withhold here: the tables' own suppression must hold
        pick = min(
            shown,
            key=lambda c: (prefer(c), not near(entry, c), values[c] == 0, values[c], repr(c)),
        )
        hidden.add(pick)
        added.add(pick)
    return added
