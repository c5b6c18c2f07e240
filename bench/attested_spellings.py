"""How the engine judges spellings it was not written against: the attested Latin spellings of
Arabic given names shipped in the `arabic-name-romanizer` package (MIT; Wikidata and other
public sources, with counts per country).

    python bench/attested_spellings.py                 # rates over the whole database
    python bench/attested_spellings.py --write-sample refuge/matching/tests/data/attested.csv

prints, for Arabic-script against Latin and Latin against Latin spellings of one Arabic name,
the share the engine finds agreeing (exact, strong, weak) or disagreeing, and the most frequent
disagreements. `--write-sample` writes the test fixture: the most frequent attested spellings
from the Levant and Iraq (the test then checks them without the package installed).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import sqlite3
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from refuge.matching.compare import Level, compare_names  # noqa: E402

ARAB_COUNTRIES = ("SY", "LB", "JO", "PS", "IQ", "EG", "SA", "DZ", "MA", "TN")
LEVANT = ("SY", "LB", "JO", "PS", "IQ")


def attested(countries: tuple[str, ...], min_count: int) -> dict[str, list[tuple[str, int]]]:
    """Arabic given name -> [(Latin spelling, count)] from the package's database."""
    import arabic_name_romanizer

    db = Path(arabic_name_romanizer.__file__).parent / "resources" / "names.sqlite3"
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    marks = ",".join("?" * len(countries))
    rows = con.execute(
        f"select arabic_key, latin, sum(count) from units where country in ({marks}) "
        "and role in ('given', 'unknown') group by arabic_key, latin having sum(count) >= ?",
        (*countries, min_count),
    )
    spellings: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for arabic, latin, count in rows:
        spellings[arabic].append((latin, count))
    return spellings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-count", type=int, default=2)
    parser.add_argument("--write-sample", help="write the Levant sample fixture here")
    args = parser.parse_args(argv)
    if args.write_sample:
        spellings = attested(LEVANT, 3)
        with open(args.write_sample, "w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh)
            out.writerow(("arabic", "latin", "count"))
            for arabic in sorted(spellings):
                for latin, count in sorted(spellings[arabic], key=lambda x: -x[1]):
                    out.writerow((arabic, latin, count))
        return
    spellings = attested(ARAB_COUNTRIES, args.min_count)
    for label, pairs in (
        ("arabic-latin", [(a, lat, n) for a, ls in spellings.items() for lat, n in ls]),
        (
            "latin-latin",
            [
                (x, y, n * m)
                for ls in spellings.values()
                for (x, n), (y, m) in itertools.combinations(ls, 2)
            ],
        ),
    ):
        levels: Counter[Level] = Counter()
        misses = []
        for a, b, weight in pairs:
            level = compare_names(a, b).level
            levels[level] += 1
            if level is Level.DISAGREE:
                misses.append((weight, a, b))
        total = sum(levels.values())
        shares = ", ".join(f"{lv.value} {levels[lv] / total:.1%}" for lv in Level if levels[lv])
        print(f"{label}: {total} pairs; {shares}")
        print("  most frequent disagreements:", sorted(misses, reverse=True)[:15])


if __name__ == "__main__":
    main()
