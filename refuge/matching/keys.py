"""Blocking keys: a few short strings per person that a database can index.

Two registrations of one person share at least one key unless several fields are wrong at once.
Each key combines consonant skeletons (script-independent: محمد, Mohamed, Мухаммед -> mhmd) of
two or three fields, so one misspelt or missing field still leaves another key intact:

    gff  given + father + family          (no date: survives a wrong or missing birth date)
    gfy  given + family + birth year      (survives a missing father's name)
    gpy  given + father + birth year      (survives a changed family name, e.g. a wife's)
    pfy  father + family + birth year     (survives a misspelt given name)
    gmy  given + mother + birth year      (when the father's name is missing)
    gfm  given + family + mother          (survives a misspelt father's name and a bad date)
    gpm  given + father + mother          (survives a changed family name and a bad date)
    gd   given + full birth date          (survives a changed family name, no father's name)
    fd   family + full birth date         (survives a misspelt given name, no father's name)
    doc  document number

A full birth date (day and month known, not 1 January) is rare enough to block on with one name.

Given and family name are put in sorted order, so a swap of the two keeps the keys.
"""

from __future__ import annotations

from itertools import product

from refuge.matching.compare import BirthDate, PreparedRecord, prepare
from refuge.matching.normalise import normalise_name
from refuge.matching.records import PersonRecord

# The keys that carry no birth date (they survive a wrong or missing one): a batch run splits
# their oversized blocks by birth year, the others' by the mother's name (dedupe.candidate_pairs).
UNDATED_KEYS = ("gff:", "gfm:", "gpm:")


def record_key_pairs(p: PreparedRecord) -> list[tuple[str, str]]:
    """The blocking keys of a prepared record, each with a tie-break: inside a very large block
    (a common name) the batch engine compares each record with its neighbours in the order of
    the tie-break, the field the key leaves out, so likely matches come first.

    A name with a Russian г has two skeletons (г read as h or as gh): the keys are made for
    every reading, so Рагаф meets رهف and Гассан meets غسان."""
    given, father, family = p.given, p.father, p.family
    if not (given.alt_skeleton or father.alt_skeleton or family.alt_skeleton):
        # One reading (nearly every record): its keys are distinct (each kind has its prefix).
        return _key_pairs(p, given.skeleton, father.skeleton, family.skeleton)
    readings = product(given.skeletons, father.skeletons, family.skeletons)
    keys: dict[str, str] = {}
    for g, f, fam in readings:
        for key, tie in _key_pairs(p, g, f, fam):
            keys.setdefault(key, tie)
    return list(keys.items())


def _key_pairs(p: PreparedRecord, g: str, f: str, fam: str) -> list[tuple[str, str]]:
    mother = p.mother.tokens[0].skel if p.mother.tokens else ""
    year = str(p.birth.year) if isinstance(p.birth, BirthDate) else ""
    lo, hi = sorted((g, fam))
    keys = []
    if g and f and fam:
        keys.append((f"gff:{lo}|{f}|{hi}", mother))
    if g and fam and year:
        keys.append((f"gfy:{lo}|{hi}|{year}", f))
    if g and f and year:
        keys.append((f"gpy:{g}|{f}|{year}", fam))
    if f and fam and year:
        keys.append((f"pfy:{f}|{fam}|{year}", g))
    if g and mother and year and not f:
        keys.append((f"gmy:{g}|{mother}|{year}", fam))
    if g and fam and mother:
        keys.append((f"gfm:{lo}|{hi}|{mother}", f))
    if g and f and mother:
        keys.append((f"gpm:{g}|{f}|{mother}", fam))
    if isinstance(p.birth, BirthDate) and p.birth.day:
        day = f"{p.birth.year}-{p.birth.month}-{p.birth.day}"
        if g:
            keys.append((f"gd:{g}|{day}", fam))
        if fam:
            keys.append((f"fd:{fam}|{day}", g))
    if len(p.document) >= 5:
        keys.append((f"doc:{p.document}", ""))
    return keys


def record_keys(p: PreparedRecord) -> set[str]:
    """The blocking keys of a prepared record."""
    return {key for key, _ in record_key_pairs(p)}


def blocking_keys(record: PersonRecord | PreparedRecord) -> set[str]:
    """Deterministic blocking keys for a person (at most eight short strings) for an indexed
    "already registered?" lookup and for batch deduplication."""
    return record_keys(prepare(record))


def name_keys(text: str) -> set[str]:
    """Keys for a single query string: the skeleton of each name part and of the whole name, so
    a search for "Mohamed Ali Hassan" finds محمد علي حسن and Мухаммед Али Хасан."""
    name = normalise_name(text)
    keys = {f"n:{t.skel}" for t in name.tokens if t.skel}
    if len(name.tokens) > 1:
        keys.add(f"n:{name.skeleton}")
    return keys
