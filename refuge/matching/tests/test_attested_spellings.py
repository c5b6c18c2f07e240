"""Spellings the team did not invent: attested Latin spellings of Arabic given names from the
Levant and Iraq, with their counts, taken from the `arabic-name-romanizer` package's database
(MIT licence; written by `bench/attested_spellings.py --write-sample`)."""

import csv
import itertools
from collections import defaultdict
from pathlib import Path

from refuge.matching.compare import Level, compare_names

FIXTURE = Path(__file__).parent / "data" / "attested.csv"


def _spellings() -> dict[str, list[tuple[str, int]]]:
    by_arabic: dict[str, list[tuple[str, int]]] = defaultdict(list)
    with open(FIXTURE, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            by_arabic[row["arabic"]].append((row["latin"], int(row["count"])))
    return by_arabic


def test_attested_latin_spellings_agree_with_the_arabic_name():
    total = agreeing = 0
    for arabic, spellings in _spellings().items():
        for latin, count in spellings:
            total += count
            agreeing += count * (compare_names(arabic, latin).level is not Level.DISAGREE)
    # What disagrees is mostly Western names in Arabic script (جورج George, مايكل Michael).
    assert agreeing / total >= 0.988


def test_two_attested_latin_spellings_of_one_name_agree_with_each_other():
    pairs = [
        (x, y)
        for spellings in _spellings().values()
        for (x, _), (y, _) in itertools.combinations(spellings, 2)
    ]
    agreeing = sum(compare_names(x, y).level is not Level.DISAGREE for x, y in pairs)
    assert len(pairs) > 500
    assert agreeing / len(pairs) >= 0.98
