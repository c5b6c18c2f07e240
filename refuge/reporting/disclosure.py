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
