"""The recompute attack: what a reader can solve for from the figures shown and the sums they
know hold between them. Exact Gaussian elimination over fractions, written apart from the
disclosure code (which uses a singular value decomposition), so that one does not merely
confirm the other."""

from fractions import Fraction


def solve(known: dict, unknown: set, equations: list[dict]) -> dict:
    """{entry: value} for every unknown entry the equations (each {entry: coefficient} = 0)
    pin down, given the known values."""
    order = sorted(unknown, key=repr)
    column = {entry: i for i, entry in enumerate(order)}
    rows = []
    for equation in equations:
        if not all(e in known or e in column for e in equation):
            continue  # a sum over something not shown at all says nothing here
        row = [Fraction(0)] * (len(order) + 1)
        for entry, coefficient in equation.items():
            if entry in column:
                row[column[entry]] += coefficient
            else:
                row[-1] -= coefficient * known[entry]
        if any(row[:-1]):
            rows.append(row)
    pivot_row = 0
    pivots = []
    for c in range(len(order)):
        found = next((r for r in range(pivot_row, len(rows)) if rows[r][c] != 0), None)
        if found is None:
            continue
        rows[pivot_row], rows[found] = rows[found], rows[pivot_row]
        lead = rows[pivot_row][c]
        rows[pivot_row] = [v / lead for v in rows[pivot_row]]
        for r in range(len(rows)):
            if r != pivot_row and rows[r][c] != 0:
                factor = rows[r][c]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[pivot_row], strict=True)]
        pivots.append((pivot_row, c))
        pivot_row += 1
    solved = {}
    for r, c in pivots:
        if all(v == 0 for i, v in enumerate(rows[r][:-1]) if i != c):
            solved[order[c]] = rows[r][-1]
    return solved
