"""Comparison of names and of people, with the reasons for every verdict.

Names are compared in the phoneme alphabet of `normalise.py` by a weighted edit distance whose
costs encode what is known about Arabic names: a short vowel written in Latin may face nothing
in Arabic script (Mohammed / محمد costs 0), a long vowel may not (Mahmoud / محمد costs 0.8),
vowel quality matters (Hassan / Hussein), letters that transliterations confuse cost half
(ذ read z or t, s / sh). Library metrics (Jaro-Winkler, Levenshtein in rapidfuzz) cannot weigh
vowels by script and length this way, so this one distance is written here; rapidfuzz serves the
fuzzy vocabulary search in `keys.py` and document numbers below.

People are compared Fellegi-Sunter style: each field adds a log-likelihood ratio (log m/u,
with u from name frequencies when known) to the prior log-odds of a match, and the sum becomes
a probability. A few pieces of evidence are vetoes rather than weights, because the model's
independence assumption fails exactly on the hard negatives: twins agree on everything but the
given name, a father and a son named after the grandfather agree on two names, so a given name
that disagrees, a different sex or birth years two or more apart rule a match out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from rapidfuzz.distance import OSA, Levenshtein

from refuge.matching.normalise import (
    LONG_VOWELS,
    VOWELS,
    NameToken,
    NormalisedName,
    normalise_name,
)
from refuge.matching.places import compare_origins, place_code
from refuge.matching.records import PersonRecord
from refuge.matching.scripts import Script


class Level(StrEnum):
    """How well two names agree."""

    EXACT = "exact"
    STRONG = "agree_strong"
    WEAK = "agree_weak"
    DISAGREE = "disagree"
    MISSING = "missing"


class Decision(StrEnum):
    """The decision band of a person comparison."""

    MATCH = "match"
    POSSIBLE = "possible"
    NON_MATCH = "non_match"


MATCH_THRESHOLD = 0.85
POSSIBLE_THRESHOLD = 0.2

# --- tokens ---------------------------------------------------------------------------------

_QUALITY = {"a": "a", "A": "a", "i": "i", "I": "i", "u": "u", "U": "u", "e": "e", "E": "E"}
_CONSONANT_NEAR = {
    # Russian г writes Arabic h (Гала, Ибрагим) and gh (Гассан) alike.
    frozenset("gh"): 0.15,
    frozenset("gk"): 0.15,
    frozenset("sc"): 0.5,
    frozenset("sz"): 0.5,
    frozenset("dt"): 0.5,
    frozenset("tz"): 0.5,
    frozenset("dz"): 0.5,
    frozenset("zj"): 0.5,
    frozenset("st"): 0.6,
    frozenset("kh"): 0.6,
    frozenset("mn"): 0.6,
    frozenset("bf"): 0.7,
    frozenset("kj"): 0.7,
}
_GLIDE = {("w", "u"), ("w", "U"), ("y", "i"), ("y", "I"), ("y", "E")}


def _vowel_sub(x: str, y: str) -> float:
    if x == "*" or y == "*":
        return 0.0
    qx, qy = _QUALITY[x], _QUALITY[y]
    if qx == qy:
        return 0.0
    pair = {qx, qy}
    if x not in LONG_VOWELS and y not in LONG_VOWELS:
        # Latin against Latin: short vowels drift between spellings (Youssef / Yusuf).
        if "e" in pair:
            return 0.35 if "u" in pair else 0.2
        return 0.6
    if "E" in pair:
        return 0.8 if "u" in pair else 0.1
    if "e" in pair:
        return 0.7 if "u" in pair else 0.2
    return 0.8


def _sub(x: str, y: str) -> float:
    if x == y:
        return 0.0
    xv, yv = x in VOWELS, y in VOWELS
    if xv and yv:
        return _vowel_sub(x, y)
    if xv or yv:
        return 0.2 if (x, y) in _GLIDE or (y, x) in _GLIDE else 1.3
    return _CONSONANT_NEAR.get(frozenset((x, y)), 1.0)


def _indel(ch: str, pos: int, self_arabic: bool, other_arabic: bool) -> float:
    if ch == "*":
        return 0.0
    if ch in VOWELS:
        if ch not in LONG_VOWELS:
            return 0.0 if other_arabic else 0.3
        if self_arabic:
            return 0.8
        # French "ou" in the first syllable is often a short u (Mouhammad).
        return 0.3 if pos <= 2 else 0.8
    if ch == "h":
        return 0.5
    if ch in "wy":
        return 0.3
    return 1.0


@lru_cache(maxsize=300_000)
def phoneme_distance(a: str, a_arabic: bool, b: str, b_arabic: bool) -> float:
    """Weighted edit distance between two phoneme tokens (see the module docstring)."""
    if a == b:
        return 0.0
    n, m = len(a), len(b)
    del_a = [_indel(a[i], i, a_arabic, b_arabic) for i in range(n)]
    ins_b = [_indel(b[j], j, b_arabic, a_arabic) for j in range(m)]
    prev2: list[float] = []
    prev = [0.0] * (m + 1)
    for j in range(1, m + 1):
        prev[j] = prev[j - 1] + ins_b[j - 1]
    for i in range(1, n + 1):
        cur = [prev[0] + del_a[i - 1]] + [0.0] * m
        ai = a[i - 1]
        for j in range(1, m + 1):
            bj = b[j - 1]
            best = prev[j - 1] + _sub(ai, bj)
            d = prev[j] + del_a[i - 1]
            if d < best:
                best = d
            d = cur[j - 1] + ins_b[j - 1]
            if d < best:
                best = d
            if i > 1 and j > 1 and ai == b[j - 2] and a[i - 2] == bj and ai != bj:
                d = prev2[j - 2] + 0.6
                if d < best:
                    best = d
            cur[j] = best
        prev2, prev = prev, cur
    return prev[m]


def _level_for(cost: float, length: int) -> Level:
    allowance = 1.0 + 0.08 * max(0, length - 6)
    if cost <= 0.45 * allowance:
        return Level.STRONG
    if cost <= 1.05 * allowance:
        return Level.WEAK
    return Level.DISAGREE


def token_distance(a: NameToken, b: NameToken) -> float:
    """Distance between two name tokens."""
    return phoneme_distance(a.phon, a.arabic, b.phon, b.arabic)


# A keyboard or OCR slip: letters typed in the wrong order, doubled, dropped or struck for a
# neighbour (Dylan / Dyan, Ethan / Etahn, Grace / Graec). In a name of this many letters one
# such edit, and in a long name two, is a slip rather than a second name.
_KEYBOARD_SLIP_LENGTHS = ((8, 2), (4, 1))


def slip_letters(name: NormalisedName) -> str:
    """The letters of a name as the clerk typed them (lower case, no spaces or marks), the text
    a keyboard slip is counted on; "" for a name in Arabic script, whose unwritten vowels make
    one letter too large a part of a name to tell a slip from another name."""
    if name.script is Script.ARABIC or not name.tokens:
        return ""
    return "".join(ch for ch in name.raw.lower() if ch.isalpha())


def slip_edits_allowed(length: int) -> int:
    """How many keyboard edits a name of `length` letters may carry and stay one name."""
    for least, edits in _KEYBOARD_SLIP_LENGTHS:
        if length >= least:
            return edits
    return 0


@lru_cache(maxsize=300_000)
def is_keyboard_slip(a: NormalisedName, b: NormalisedName) -> bool:
    """True when two spellings of a name written in one alphabet are one keyboard or OCR slip
    apart (optimal string alignment: a transposition is one edit), see `_KEYBOARD_SLIP_LENGTHS`.
    """
    la, lb = slip_letters(a), slip_letters(b)
    if not la or not lb or a.script is not b.script or la == lb:
        return False
    allowed = slip_edits_allowed(max(len(la), len(lb)))
    return allowed > 0 and OSA.distance(la, lb, score_cutoff=allowed) <= allowed


@dataclass(frozen=True, slots=True)
class NamePart:
    """How one token of a name compared with its counterpart."""

    a: str
    b: str
    level: Level
    cost: float


@dataclass(frozen=True, slots=True)
class NameComparison:
    """The result of comparing two names: a level, a similarity in [0, 1], the parts."""

    level: Level
    similarity: float
    cost: float
    parts: tuple[NamePart, ...] = ()


_MISSING = NameComparison(Level.MISSING, 0.0, 0.0)


def _as_name(value: str | NormalisedName) -> NormalisedName:
    return value if isinstance(value, NormalisedName) else normalise_name(value or "")


@lru_cache(maxsize=300_000)
def _compare_normalised(a: NormalisedName, b: NormalisedName) -> NameComparison:
    if not a.tokens or not b.tokens:
        return _MISSING
    ta, tb = a.tokens, b.tokens
    length = max(sum(len(t.phon) for t in ta), sum(len(t.phon) for t in tb))
    if len(ta) == 1 and len(tb) == 1:
        cost = token_distance(ta[0], tb[0])
        level = Level.EXACT if ta[0].phon == tb[0].phon else _level_for(cost, length)
        part = NamePart(ta[0].text, tb[0].text, level, cost)
        return NameComparison(level, max(0.0, 1.0 - cost / 2.0), cost, (part,))
    # Token by token: each token of the shorter name against its best counterpart; a token
    # with no counterpart (a second family name, a dropped middle part) costs 0.4.
    short, long_ = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    parts = []
    used: set[int] = set()
    cost = 0.0
    for t in short:
        best_j, best = -1, math.inf
        for j, u in enumerate(long_):
            if j in used:
                continue
            d = token_distance(t, u)
            if d < best:
                best_j, best = j, d
        used.add(best_j)
        cost += best
        u = long_[best_j]
        level = Level.EXACT if t.phon == u.phon else _level_for(best, len(u.phon))
        parts.append(NamePart(t.text, u.text, level, best))
    cost += 0.4 * (len(long_) - len(short))
    # Joined: spacing and hyphens differ in a quarter of real spelling pairs (Khayr Bek/Kheirbek).
    joined = phoneme_distance(
        "".join(t.phon for t in ta),
        any(t.arabic for t in ta),
        "".join(t.phon for t in tb),
        any(t.arabic for t in tb),
    )
    if joined < cost:
        cost = joined
    if all(p.level is Level.EXACT for p in parts) and len(ta) == len(tb):
        level = Level.EXACT
    else:
        level = _level_for(cost, length)
    return NameComparison(level, max(0.0, 1.0 - cost / 2.0), cost, tuple(parts))


def compare_names(a: str | NormalisedName, b: str | NormalisedName) -> NameComparison:
    """Compare two names in any scripts; the result says which parts agreed and how strongly.

    >>> compare_names("محمد", "Mohamed").level
    <Level.STRONG: 'agree_strong'>
    """
    return _compare_normalised(_as_name(a), _as_name(b))


# --- birth dates ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BirthDate:
    """A birth date with its precision; 1 January is read as "year only" (the convention for an
    unknown date)."""

    year: int
    month: int = 0
    day: int = 0

    @property
    def precision(self) -> str:
        if self.day:
            return "day"
        return "month" if self.month else "year"

    @classmethod
    def parse(cls, text: str) -> BirthDate | None:
        """Parse YYYY, YYYY-MM or YYYY-MM-DD; None when empty or malformed."""
        parts = (text or "").strip().split("-")
        try:
            nums = [int(p) for p in parts if p]
        except ValueError:
            return None
        if not nums or not 1800 < nums[0] < 2200:
            return None
        year, month, day = (nums + [0, 0])[:3]
        if (month, day) in ((1, 1), (1, 0)):
            return cls(year)
        return cls(year, month, day)


# Years further apart than this rule a match out even when a year is only estimated (a father
# and the son named after the grandfather are a generation apart).
ESTIMATED_YEAR_TOLERANCE = 5


def compare_birth_dates(a: BirthDate | None, b: BirthDate | None) -> str:
    """A code for how two birth dates relate (see `BIRTH_WEIGHTS`).

    A year written alone (or as 1 January) is often an estimate from the person's age, so a
    year two to five off is evidence against, not a veto, when either date is only a year."""
    if a is None or b is None:
        return "missing"
    gap = abs(a.year - b.year)
    estimated = not a.day or not b.day
    if estimated and 2 <= gap <= ESTIMATED_YEAR_TOLERANCE:
        return "estimated_year_off_by_two" if gap == 2 else "estimated_year_far"
    if gap == 2 and a.day and b.day and (a.month, a.day) == (b.month, b.day):
        # Two clerks each off by one year in opposite directions; the day and month still agree.
        return "year_off_by_two"
    if gap >= 2:
        return "year_differs"
    if gap == 1:
        if a.day and b.day and (a.month, a.day) == (b.month, b.day):
            return "year_off_by_one_same_day"
        return "year_off_by_one"
    if a.day and b.day:
        if (a.month, a.day) == (b.month, b.day):
            return "exact"
        if (a.month, a.day) == (b.day, b.month):
            return "month_day_swapped"
        if a.month == b.month:
            return "same_month_day_differs"
        return "same_year_date_differs"
    if a.month and b.month and a.month != b.month:
        return "same_year_date_differs"
    return "year_agrees"


BIRTH_WEIGHTS = {
    "exact": 8.0,
    "month_day_swapped": 5.0,
    "same_month_day_differs": 1.5,
    "year_agrees": 3.5,
    "same_year_date_differs": -0.5,
    "year_off_by_one": -0.3,
    # Day and month agree: one clerk wrote the wrong year, a coincidence one day in 365.
    "year_off_by_one_same_day": 4.5,
    "year_off_by_two": -2.5,
    "estimated_year_off_by_two": -2.0,
    "estimated_year_far": -4.5,
    "year_differs": -9.0,
    "missing": 0.0,
}

# --- people ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reason:
    """One piece of evidence: a field, a machine-readable code and its parameters (never prose;
    the interface translates codes)."""

    field: str
    code: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PersonComparison:
    """The verdict on two records: posterior probability, log-odds, band and reasons."""

    probability: float
    log_odds: float
    decision: Decision
    reasons: tuple[Reason, ...]

    @property
    def is_match(self) -> bool:
        return self.decision is Decision.MATCH


class PreparedRecord:
    """A record with its names normalised once, for fast repeated comparison."""

    __slots__ = (
        "record_id",
        "household",
        "given",
        "father",
        "family",
        "mother",
        "sex",
        "birth",
        "origin",
        "document",
    )

    def __init__(self, record: PersonRecord) -> None:
        self.record_id = record.record_id
        self.household = (record.site, record.household_ref) if record.household_ref else None
        self.given = normalise_name(record.given_name)
        self.father = normalise_name(record.father_name)
        self.family = normalise_name(record.family_name)
        # Only the mother's given name: her family name is written at some registrations only.
        self.mother = normalise_name(record.mother_name.split(" ")[0] if record.mother_name else "")
        self.sex = record.sex if record.sex in ("m", "f") else ""
        self.birth = _birth_date(record.birth_date)
        self.origin = _place_code(record.origin)
        document = record.document_number.upper()
        self.document = (
            document if document.isalnum() else "".join(ch for ch in document if ch.isalnum())
        )


# A million registrations carry a few tens of thousands of distinct birth dates and places:
# each is parsed once (BirthDate is frozen, place codes come from a fixed table).
_birth_date = lru_cache(maxsize=100_000)(BirthDate.parse)
_place_code = lru_cache(maxsize=100_000)(place_code)


def name_combination(record: PreparedRecord) -> str:
    """The combination of a record's given, father's and family names (consonant skeletons, so
    one in any script), or "" when one of them is missing."""
    if not (record.given.tokens and record.father.tokens and record.family.tokens):
        return ""
    return f"{record.given.skeleton}|{record.father.skeleton}|{record.family.skeleton}"


def given_family_combination(record: PreparedRecord) -> str:
    """The combination of a record's given and family names (consonant skeletons), or "" when
    one of them is missing. One separator where `name_combination` has two, so both kinds are
    counted in one mapping (`NameFrequencies.combinations`) without meeting."""
    if not (record.given.tokens and record.family.tokens):
        return ""
    return f"{record.given.skeleton}|{record.family.skeleton}"


def prepare(record: PersonRecord | PreparedRecord) -> PreparedRecord:
    """Normalise a record's fields once (a no-op on a prepared record)."""
    return record if isinstance(record, PreparedRecord) else PreparedRecord(record)


# Namesakes at most assumed when a pair is alone with its combination of names.
_COMBINATION_FLOOR = 0.5


class NameFrequencies:
    """How common each name is among records, by field kind; gives u-probabilities.

    `counts` maps a consonant skeleton to the number of records carrying it, `forms` a phoneme
    form to its count (used to tell a typo, a rare form, from two distinct common names).
    """

    def __init__(
        self,
        total: int,
        counts: Mapping[str, int] | None = None,
        forms: Mapping[str, int] | None = None,
        *,
        combinations: Mapping[str, int] | None = None,
    ) -> None:
        self.total = max(total, 1)
        self.counts = counts or {}
        self.forms = forms or {}
        # Records per combination of given, father's and family names (`name_combination`)
        # and per combination of given and family names (`given_family_combination`).
        self.combinations = combinations or {}

    def combination_weight(
        self,
        a: str,
        b: str,
        independent_namesakes: float = _COMBINATION_FLOOR,
        *,
        m_log: float | None = None,
    ) -> float | None:
        """The weight of two records agreeing on their given, father's and family names, from
        how many records carry that combination (`name_combination` of each), or None when
        the combinations are not counted.

        The single names' weights assume that the parts are chosen independently; they are not
        (a family favours some given names, a son is named after the grandfather), and the
        number of namesakes of a person is what decides. The records of the combination other
        than the pair itself are its namesakes (or the person's other registrations): with k of
        them among `total` records, u is k / total, so the pair's odds after the prior depend
        on k and not on the size of the registry. With none, the namesakes that independent
        names would give (`independent_namesakes`, total times the product of the three
        names' frequencies), at most half a one, are assumed.

        The same holds for given and family names alone (`given_family_combination`, where one
        record has no father's name), with `m_log` the log-chance that a person's two names
        agree (`_GIVEN_FAMILY_M_LOG`)."""
        if not self.combinations or not a or not b:
            return None
        count = self.combinations.get(a, 0)
        if b != a:
            count += self.combinations.get(b, 0)
        others = max(count - 2, 0)
        expected = max(others, min(_COMBINATION_FLOOR, independent_namesakes))
        m = _COMBINATION_M_LOG if m_log is None else m_log
        return m - math.log(expected / self.total)

    def independent_namesakes(self, record: PreparedRecord, *, father: bool = True) -> float:
        """Records expected to carry this record's three names (without `father`, its given
        and family names) if names were independent."""
        if not father:
            return self.total * (self.u(record.given, 0.02) * self.u(record.family, 0.02))
        u = self.u(record.given, 0.02) * self.u(record.father, 0.02)
        return self.total * (u * self.u(record.family, 0.02))

    def u(self, name: NormalisedName, default: float) -> float:
        """The chance that a random record agrees with this name."""
        if not self.counts:
            return default
        c = self.counts.get(name.skeleton, 0)
        return max(c / self.total, 1.0 / self.total, 1e-5)

    def is_common_form(self, name: NormalisedName) -> bool:
        """True when this exact phoneme form is frequent enough to be a real name of its own."""
        if not self.forms:
            return False
        return self.forms.get(name.key, 0) >= max(5, self.total // 20_000)

    def is_common_skeleton(self, name: NormalisedName) -> bool:
        """True when this consonant skeleton is frequent enough to be a real name of its own."""
        return self.counts.get(name.skeleton, 0) >= max(5, self.total // 20_000)

    def is_typo_of(self, name: NormalisedName, other: NormalisedName) -> bool:
        """True when `name` looks like a misspelling of the common name `other`: its consonant
        skeleton is rare, absolutely or next to the other's (in a million records a slip on a
        common name recurs). Judged on skeletons, not spellings: Houssein is a rare spelling
        but keeps the skeleton of Hassan, and two names that differ only in their vowels are
        two names (twins Hassan and Hussein)."""
        if not self.is_common_form(other) or name.skeleton == other.skeleton:
            return False
        count = self.counts.get(name.skeleton, 0)
        return count <= 2 or count * 50 <= self.counts.get(other.skeleton, 0)

    def is_slip_form_of(self, name: NormalisedName, other: NormalisedName) -> bool:
        """True when the spelling `name` is rare beside the common spelling `other`: seen at
        most twice, or fifty times less often (in a million records a slip on a common name
        recurs). Judged on spellings, not skeletons: a slip that drops a consonant (Dylan /
        Dyan) may land on the skeleton of other common names (Dean, Dana)."""
        if not self.is_common_form(other):
            return False
        count = self.forms.get(name.key, 0)
        return count <= 2 or count * 50 <= self.forms.get(other.key, 0)

    def is_rare_form(self, name: NormalisedName) -> bool:
        """True when this phoneme form is so rare it is likely a typo."""
        # Only a large enough sample tells a typo from a name seen rarely.
        return self.total >= 1000 and self.forms.get(name.key, 0) <= 2


_NAME_FIELDS = (
    # field, attribute, m (agreement rate for one person), default u, disagreement weight
    ("given_name", "given", 0.92, 0.02, -12.0),
    ("father_name", "father", 0.9, 0.02, -4.0),
    ("family_name", "family", 0.88, 0.02, -2.0),
    ("mother_name", "mother", 0.8, 0.03, -2.0),
)
# m of the three names of a person agreeing at once (the product of their m above).
_COMBINATION_M_LOG = math.log(0.92) + math.log(0.9) + math.log(0.88)
# m of a person's given and family names agreeing at once, where a father's name is missing.
_GIVEN_FAMILY_M_LOG = math.log(0.92) + math.log(0.88)
_COMBINATION_LEVELS = ("exact", "agree_strong")
_COMBINED_FIELDS = ("given_name", "father_name", "family_name")
_GIVEN_FAMILY_FIELDS = ("given_name", "family_name")
# Fewer namesakes seen than independent names would give raise the weight by at most this
# (twice the odds): at a million the unraised pairs alone with their names are namesakes too.
_COMBINATION_MAX_RAISE = math.log(2)
_WEAK_WEIGHT = 0.7
_TYPO_WEIGHT = 1.5
_FAR_TYPO_WEIGHT = 0.0
# With one personal document a different given name is likely an error in a field (the father's
# name written as the given name), no longer the sign of a twin or a brother.
_GIVEN_DISAGREE_SAME_DOCUMENT = -4.0
# With one personal document a birth year far off is likely a date written wrong or replaced in
# one record (an age guessed at the border, another document's date copied), no longer the sign
# of a father and his son: still evidence against, not the veto's weight.
_YEAR_DIFFERS_SAME_DOCUMENT = -4.0
_TYPO_MAX_COST = 1.6  # about one wrong letter
# Two frequent forms a little apart (Jamil / Jamal) are likely two names, but common variant
# spellings look the same, so this is evidence against, not a veto.
_DISTINCT_WEIGHT = -2.0
# A given name one slip of the pen away (Ahmad / Ahmd, Rahaf / Rahaj) that is not known to be a
# second real name: strong evidence against, which the other fields agreeing can outweigh.
# Twins one letter apart live in one household registration, which the clustering keeps apart.
_SLIP_MAX_COST = 1.3
_SLIP_WEIGHT = -3.0
# Sex written differently: a clerk's slip in about one registration in a hundred, against even
# odds for two random people (log 0.015 / 0.5); not a veto, so one personal document or every
# other field agreeing outweighs it.
SEX_DISAGREE_WEIGHT = -3.5
ORIGIN_WEIGHTS = {"agree": 1.0, "agree_within": 0.5, "disagree": -1.0, "missing": 0.0}
SEX_WEIGHTS = {"agree": 0.67, "disagree": SEX_DISAGREE_WEIGHT, "missing": 0.0}
DOCUMENT_WEIGHTS = {"exact": 9.0, "near": 4.0, "disagree": -3.0, "missing": 0.0}


@dataclass(frozen=True)
class FieldWeights:
    """The weight of each level of the fields other than names (sex, birth date, origin,
    personal document): the hand-set ones by default, or those learned from the population
    being matched (`learn.learn_field_weights`). `learned` names the (field, level) pairs
    whose weight was learned, so that a verdict's reasons can say which weights came from
    the data."""

    sex: Mapping[str, float] = field(default_factory=lambda: dict(SEX_WEIGHTS))
    birth_date: Mapping[str, float] = field(default_factory=lambda: dict(BIRTH_WEIGHTS))
    origin: Mapping[str, float] = field(default_factory=lambda: dict(ORIGIN_WEIGHTS))
    document_number: Mapping[str, float] = field(default_factory=lambda: dict(DOCUMENT_WEIGHTS))
    learned: frozenset[tuple[str, str]] = frozenset()

    def of(self, field_name: str) -> Mapping[str, float]:
        """The weights of one field's levels, by level code."""
        return getattr(self, field_name)


HAND_SET_WEIGHTS = FieldWeights()


def _name_weight(
    field_name: str,
    cmp: NameComparison,
    a: NormalisedName,
    b: NormalisedName,
    m: float,
    default_u: float,
    disagree: float,
    freqs: NameFrequencies | None,
) -> tuple[float, str, bool]:
    """(weight, code, caps_at_possible) for one name field."""
    if cmp.level is Level.MISSING:
        return 0.0, "missing", False
    if cmp.level in (Level.EXACT, Level.STRONG):
        u = freqs.u(a, default_u) if freqs else default_u
        weight = min(7.0, max(0.3, math.log(m / u)))
        return weight, cmp.level.value, False
    if cmp.level is Level.WEAK:
        if freqs and freqs.forms:
            # Only given names: common variant spellings of a family name (Qassim / Qasam,
            # Deeb / Daeb) look like two frequent forms too.
            if field_name == "given_name" and freqs.is_common_form(a) and freqs.is_common_form(b):
                return _DISTINCT_WEIGHT, "distinct_names", False
            if (
                freqs.is_rare_form(a)
                or freqs.is_rare_form(b)
                or freqs.is_typo_of(a, b)
                or freqs.is_typo_of(b, a)
                or (field_name == "given_name" and _is_given_slip(a, b, freqs))
            ):
                return _TYPO_WEIGHT, "typo", False
        return _WEAK_WEIGHT, cmp.level.value, field_name == "given_name"
    if (
        field_name == "given_name"
        and freqs
        and cmp.cost <= _TYPO_MAX_COST
        and (freqs.is_typo_of(a, b) or freqs.is_typo_of(b, a))
    ):
        # One slip of the pen in a given name (Мухаммгд) is not another person; two real names
        # one letter apart (twins Rasha and Rana) are, so only a rare form gets this pass.
        return _FAR_TYPO_WEIGHT, "typo", False
    if field_name == "given_name" and freqs and _is_given_slip(a, b, freqs):
        # A keyboard or OCR slip (Dylan / Dyan) whose spelling is rare beside the common one:
        # strong evidence against, not a veto, so a shared document, birth date and family
        # name outweigh it. A twin one letter apart lives in the same household registration,
        # which the clustering never joins.
        return _SLIP_WEIGHT, "slip", False
    if (
        field_name == "given_name"
        and cmp.cost <= _SLIP_MAX_COST
        # Names that differ only in their vowels are two names (Hassan / Hussein), and two
        # frequent skeletons are two real names (Rasha / Rana): no pass for either.
        and a.skeleton != b.skeleton
        and not (freqs and freqs.is_common_skeleton(a) and freqs.is_common_skeleton(b))
    ):
        return _SLIP_WEIGHT, "slip", False
    if (
        field_name != "given_name"
        and freqs
        and freqs.forms
        and cmp.cost <= _TYPO_MAX_COST
        and (
            freqs.is_rare_form(a)
            or freqs.is_rare_form(b)
            or freqs.is_typo_of(a, b)
            or freqs.is_typo_of(b, a)
        )
    ):
        # A father's or family name one slip away whose one spelling is seen nowhere else
        # (Mlhammed, Maknlouf) is a clerk's typo: no evidence either way.
        return _FAR_TYPO_WEIGHT, "typo", False
    return disagree, "disagree", False


def _is_given_slip(a: NormalisedName, b: NormalisedName, freqs: NameFrequencies) -> bool:
    """A given name one keyboard slip from the other whose spelling is rare beside it (two
    common spellings one letter apart, Rana / Rasha, are two names)."""
    return bool(freqs.forms) and (
        (freqs.is_slip_form_of(a, b) or freqs.is_slip_form_of(b, a)) and is_keyboard_slip(a, b)
    )


def _doc_code(a: str, b: str) -> str:
    if not a or not b:
        return "missing"
    if a == b:
        return "exact"
    if len(a) >= 5 and Levenshtein.distance(a, b) <= 1:
        return "near"
    return "disagree"


def _doc_evidence(a: str, b: str) -> tuple[float, str]:
    code = _doc_code(a, b)
    return DOCUMENT_WEIGHTS[code], code


def _field_reason(field_name: str, code: str, weight: float, weights: FieldWeights) -> Reason:
    """The reason for one non-name field; says when its weight was learned from the data."""
    if (field_name, code) in weights.learned:
        return Reason(field_name, code, {"weight": weight, "learned": True})
    return Reason(field_name, code, {"weight": weight})


def prior_log_odds(population: int, records_per_person: float = 2.5) -> float:
    """Log prior odds that two random records are the same person in a population of records."""
    p = max(records_per_person - 1.0, 0.1) / max(population, 2)
    return math.log(p / (1.0 - p))


def compare_people(
    a: PersonRecord | PreparedRecord,
    b: PersonRecord | PreparedRecord,
    *,
    same_household_evidence: int = 0,
    frequencies: NameFrequencies | None = None,
    population: int = 100_000,
    weights: FieldWeights | None = None,
) -> PersonComparison:
    """Compare two registrations and say whether they are one person, with the reasons.

    `same_household_evidence` is the number of other members of the two records' households
    that match each other: people registered together are evidence for each other.
    `frequencies` adjusts name weights to how common each name is; `population` is the number of
    records searched, which sets the prior.
    """
    reasons: list[Reason] = []
    prior = prior_log_odds(population)
    total, veto, cap = score_pair(
        prepare(a), prepare(b), frequencies, prior, reasons, weights=weights
    )
    if same_household_evidence > 0:
        w = household_weight(same_household_evidence, prior)
        total += w
        reasons.append(
            Reason("household", "members_match", {"pairs": same_household_evidence, "weight": w})
        )
    return _verdict(total, reasons, veto=veto, cap=cap)


HOUSEHOLD_PAIR_WEIGHT = 5.0
# The population the household weight was set for. Once another member pair of the two
# households agrees, the question is "which member of that family", and the odds of that do not
# depend on how many other families the registry holds: in a larger population the household
# evidence first lifts the pair back to this population's prior (see `household_weight`).
HOUSEHOLD_REFERENCE_POPULATION = 100_000


def household_weight(pairs: int, prior: float) -> float:
    """Log-odds added when `pairs` other members of the two records' households match each
    other. Once two registrations are seen to be one family, the question is no longer "which of
    all the people is this" but "which member of that family", so with enough support the prior
    (`prior`, very negative in a large registry) rises towards that of a household member.

    The population's own prior falls by ln 10 for ten times the records (ten times the
    namesakes), but a family's members are as many at a million as at a hundred thousand: with
    one supporting pair or more the pair is judged as it would be in a registry of
    `HOUSEHOLD_REFERENCE_POPULATION` (never less than the plain weight), so household evidence
    does not weaken as the registry grows."""
    if pairs <= 0:
        return 0.0
    catch_up = max(0.0, prior_log_odds(HOUSEHOLD_REFERENCE_POPULATION) - prior)
    return max(0.0, min(-prior, HOUSEHOLD_PAIR_WEIGHT * pairs + catch_up))


def score_pair(
    pa: PreparedRecord,
    pb: PreparedRecord,
    frequencies: NameFrequencies | None,
    prior: float,
    reasons: list[Reason] | None = None,
    *,
    weights: FieldWeights | None = None,
) -> tuple[float, bool, bool]:
    """The core of `compare_people`: (log-odds, vetoed, capped at possible). Appends reasons
    when a list is given; the batch engine calls it without, for speed. `weights` are the
    weights of the fields other than names (the hand-set ones when None)."""
    fw = weights if weights is not None else HAND_SET_WEIGHTS
    total = prior
    cap = False
    veto = False
    birth_code = compare_birth_dates(pa.birth, pb.birth)
    sex_differs = bool(pa.sex and pb.sex and pa.sex != pb.sex)
    same_document = bool(pa.document) and pa.document == pb.document
    if reasons is None and birth_code == "year_differs" and not same_document:
        # A veto decides the pair whatever the names say; the batch engine needs no more.
        return total + fw.birth_date[birth_code], True, False
    given_cmp = _compare_normalised(pa.given, pb.given)
    g_b, f_b = pb.given, pb.family
    family_cmp = None
    if (
        given_cmp.level in (Level.DISAGREE, Level.WEAK)
        and pa.family
        and pb.family
        and pa.given.skeleton != pa.family.skeleton
        and pb.given.skeleton != pb.family.skeleton
    ):
        g2 = _compare_normalised(pa.given, pb.family)
        f2 = _compare_normalised(pa.family, pb.given)
        agreeing = (Level.EXACT, Level.STRONG)
        # Swapped, and one of the two perhaps misspelt as well.
        if (g2.level in agreeing and f2.level is not Level.DISAGREE) or (
            f2.level in agreeing and g2.level is Level.WEAK
        ):
            given_cmp, family_cmp, g_b, f_b = g2, f2, pb.family, pb.given
            if reasons is not None:
                reasons.append(Reason("names", "given_family_swapped", {}))
    name_weights: dict[str, float] = {}
    name_codes: dict[str, str] = {}
    for field_name, attr, m, u, disagree in _NAME_FIELDS:
        na = getattr(pa, attr)
        if field_name == "given_name":
            nb, cmp = g_b, given_cmp
        elif field_name == "family_name":
            nb = f_b
            cmp = family_cmp or _compare_normalised(na, nb)
        else:
            nb = getattr(pb, attr)
            cmp = _compare_normalised(na, nb)
        weight, code, caps = _name_weight(field_name, cmp, na, nb, m, u, disagree, frequencies)
        if field_name == "given_name" and code == "disagree":
            veto = True
            if same_document:
                weight = _GIVEN_DISAGREE_SAME_DOCUMENT
        cap = cap or caps
        total += weight
        name_weights[field_name], name_codes[field_name] = weight, code
        if reasons is not None:
            reasons.append(
                Reason(field_name, code, {"a": na.raw, "b": nb.raw, "weight": round(weight, 2)})
            )
    if frequencies is not None and family_cmp is None:
        total += _combination_weight(pa, pb, frequencies, name_weights, name_codes, reasons)

    code = ("agree" if not sex_differs else "disagree") if pa.sex and pb.sex else "missing"
    w = fw.sex[code]
    total += w
    if reasons is not None:
        reasons.append(_field_reason("sex", code, w, fw))

    code = birth_code
    veto = veto or code == "year_differs"
    if code == "year_differs" and same_document:
        w = _YEAR_DIFFERS_SAME_DOCUMENT
        total += w
        if reasons is not None:
            reasons.append(Reason("birth_date", code, {"weight": w}))
    else:
        w = fw.birth_date[code]
        total += w
        if reasons is not None:
            reasons.append(_field_reason("birth_date", code, w, fw))

    code = compare_origins(pa.origin, pb.origin).value
    w = fw.origin[code]
    total += w
    if reasons is not None:
        reasons.append(_field_reason("origin", code, w, fw))

    code = _doc_code(pa.document, pb.document)
    w = fw.document_number[code]
    total += w
    if reasons is not None:
        reasons.append(_field_reason("document_number", code, w, fw))
    if (veto or cap) and same_document:
        # One personal document is one person: a given name or a birth year that differs, or a
        # given name that agrees only weakly (Lily / Liyl, Adam / Ada), is an error in one of
        # the records (twins hold two documents). The disagreement still weighs; the caller
        # must not pass a family document shared by a household.
        veto = cap = False
        if reasons is not None:
            reasons.append(Reason("decision", "same_document", {}))
    return total, veto, cap


def _combination_weight(
    pa: PreparedRecord,
    pb: PreparedRecord,
    frequencies: NameFrequencies,
    name_weights: dict[str, float],
    name_codes: dict[str, str],
    reasons: list[Reason] | None,
) -> float:
    """What weighing the names by the namesakes really seen (`NameFrequencies.combination_weight`)
    adds to their parts' weights, 0 where it does not apply: the given, father's and family
    names agreeing or, where one record has no father's name, the given and family names
    agreeing (else such a pair is judged by independent names alone, which at a million
    overstates the namesakes of most combinations). Either raise is capped alike."""
    if all(name_codes[f] in _COMBINATION_LEVELS for f in _COMBINED_FIELDS):
        fields, code = _COMBINED_FIELDS, "combination"
        key_a, key_b = name_combination(pa), name_combination(pb)
        combined = frequencies.combination_weight(
            key_a, key_b, frequencies.independent_namesakes(pa)
        )
    elif name_codes["father_name"] == "missing" and all(
        name_codes[f] in _COMBINATION_LEVELS for f in _GIVEN_FAMILY_FIELDS
    ):
        fields, code = _GIVEN_FAMILY_FIELDS, "given_family_combination"
        key_a, key_b = given_family_combination(pa), given_family_combination(pb)
        combined = frequencies.combination_weight(
            key_a,
            key_b,
            frequencies.independent_namesakes(pa, father=False),
            m_log=_GIVEN_FAMILY_M_LOG,
        )
    else:
        return 0.0
    if combined is None:
        return 0.0
    parts = 0.0
    for f in fields:
        parts += name_weights[f]
    weight = min(combined - parts, _COMBINATION_MAX_RAISE)
    if reasons is not None:
        count = frequencies.combinations.get(key_a, 0)
        reasons.append(Reason("names", code, {"records": count, "weight": round(weight, 2)}))
    return weight


def probability(log_odds: float) -> float:
    """The probability for a log-odds value."""
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, log_odds))))


def _verdict(total: float, reasons: list[Reason], *, veto: bool, cap: bool) -> PersonComparison:
    prob = probability(total)
    if veto:
        prob = min(prob, POSSIBLE_THRESHOLD / 2)
        reasons.append(Reason("decision", "vetoed", {}))
    elif cap and prob >= MATCH_THRESHOLD:
        prob = (MATCH_THRESHOLD + POSSIBLE_THRESHOLD) / 2
        reasons.append(Reason("decision", "capped_weak_given_name", {}))
    if prob >= MATCH_THRESHOLD:
        decision = Decision.MATCH
    elif prob >= POSSIBLE_THRESHOLD:
        decision = Decision.POSSIBLE
    else:
        decision = Decision.NON_MATCH
    return PersonComparison(prob, total, decision, tuple(reasons))
