"""Blocking in a batch run: oversized blocks of common names are split by a second key, and
every kind of true pair the independent evaluation named still becomes a candidate."""

from dataclasses import replace

import numpy as np
import pytest

from refuge.matching.compare import PreparedRecord
from refuge.matching.dedupe import BLOCK_CAP, WINDOW, candidate_pairs
from refuge.matching.records import PersonRecord

MOTHERS = ("Fatima", "Zainab", "Maryam", "Huda", "Amina", "Rasha", "Salma", "Nour", "Hiba", "Lina")


def namesakes(like: PersonRecord, count: int) -> list[PersonRecord]:
    """`count` other people with the given, father's and family names of `like`: a block of a
    common name, born over seventy years, of ten different mothers."""
    return [
        replace(
            like,
            record_id=f"crowd-{k}",
            birth_date=str(1940 + k % 70),
            mother_name=MOTHERS[k % len(MOTHERS)],
            origin="",
            document_number="",
        )
        for k in range(count)
    ]


def pair_codes(records: list[PersonRecord], **kwargs) -> set[tuple[int, int]]:
    left, right = candidate_pairs([PreparedRecord(r) for r in records], **kwargs)
    return set(zip(left.tolist(), right.tolist(), strict=True))


A = PersonRecord(
    "a",
    given_name="Mohammed",
    father_name="Ali",
    family_name="Hassan",
    mother_name="Fatima",
    sex="m",
    birth_date="1980",
    origin="SY0602",
)

# One registration of a person and another of the same person, as clerks write them.
TRUE_PAIRS = {
    "typo in the family name": (A, replace(A, family_name="Hassam")),
    "sex recorded differently": (A, replace(A, sex="f")),
    "Muhammad abbreviated": (A, replace(A, given_name="Mhd")),
    "Muhammad abbreviated in Arabic": (A, replace(A, given_name="م.")),
    "Russian г for h": (
        replace(A, given_name="Ibrahim"),
        replace(A, given_name="Ебрагим"),
    ),
    "estimated year two off": (A, replace(A, birth_date="1982")),
    "estimated year two off across a band": (
        replace(A, birth_date="1985"),
        replace(A, birth_date="1987"),
    ),
    "origin at different levels": (A, replace(A, origin="SY06")),
    "birth date missing": (A, replace(A, birth_date="")),
    "mother's name missing": (A, replace(A, mother_name="")),
    "father's name missing": (A, replace(A, father_name="")),
}


@pytest.mark.parametrize("kind", TRUE_PAIRS)
def test_a_true_pair_of_each_kind_is_a_candidate_among_many_namesakes(kind):
    a, b = TRUE_PAIRS[kind]
    crowd = namesakes(a, 150)
    records = [*crowd, replace(a, record_id="a"), replace(b, record_id="b")]
    # The pair's blocks are oversized, so the split (not the whole block) must find it.
    assert len(crowd) > max(BLOCK_CAP, WINDOW)
    assert (len(crowd), len(crowd) + 1) in pair_codes(records)


def test_an_oversized_block_is_split_so_namesakes_decades_apart_are_not_compared():
    records = namesakes(A, 700)
    years = np.array([int(r.birth_date) for r in records])
    split = pair_codes(records)
    whole = pair_codes(records, block_cap=len(records))
    # Each undated key is split into bands of six years, each dated key has the year in it.
    assert max(abs(years[i] - years[j]) for i, j in split) <= 5
    assert max(abs(years[i] - years[j]) for i, j in whole) > 5


def test_a_block_within_the_cap_is_compared_in_full():
    records = namesakes(A, BLOCK_CAP)
    n = len(records)
    assert len(pair_codes(records)) == n * (n - 1) // 2
