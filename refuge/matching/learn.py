"""Weights learned from the population being matched: Fellegi-Sunter m and u probabilities per
comparison level, estimated without labels by expectation-maximisation.

`estimate_model` learns every field, names included; it is not used for decisions
(`bench/learn_weights.py` prints it beside the hand-set weights). Applied as they stand, its
weights cost recall on the project's own benchmark (0.74 against 0.97 at 100,000, seed 1):
among candidate pairs the two latent classes EM finds are "one person" and "two people of one
name", and the name weights it learns there are small.

`learn_field_weights` is what a run uses (`refuge dedupe --weights learned`, the CSV and the
registry run alike): names keep their hand-set structure and frequency adjustments, and EM
learns only the weights of sex, birth date, origin and document, on the candidate pairs whose
three names agree, where its two classes are "one person" and "namesakes", which is exactly
what those fields must tell apart. Each learned weight is clamped into a range around the
hand-set one (`weight_range`); a level EM sees too rarely in either class keeps its hand-set
weight, and so does every level when too few pairs agree on their names.

The shape of the model is the engine's: names compared in the phoneme alphabet with their
Arabic-specific levels (exact, strong, weak, typo, slip, distinct names, disagree), birth dates
by precision (an estimated year off by two is its own level), origins through the p-code
hierarchy, a personal document.

EM runs over a sample of the candidate pairs (the pairs blocking proposes), with two latent
classes, one person or two: E, the probability that each pair is one person under the current
m, u and share of matches; M, m and u re-counted with those probabilities. It starts from the
hand-set model's verdicts. Estimating u on random pairs instead (as Splink does) fails here:
blocked pairs that are two people still agree on two or three names, which random pairs almost
never do, so EM calls nearly every candidate pair a match (a share of 0.997 at 20,000 records).

The weight of a level is log(m / u) among candidate pairs, and the prior is the share of matches
among them. For agreeing names `MatchModel.weight` adjusts for the name's frequency (log of
the level's average chance on random pairs over the name's own frequency).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from refuge.matching.compare import (
    HAND_SET_WEIGHTS,
    FieldWeights,
    NameFrequencies,
    PreparedRecord,
    Reason,
    score_pair,
)
from refuge.matching.vectorised import (
    _BIRTH_CODES,
    EXACT,
    STRONG,
    RecordArrays,
    score_pair_arrays,
)

FIELDS = (
    "given_name",
    "father_name",
    "family_name",
    "mother_name",
    "sex",
    "birth_date",
    "origin",
    "document_number",
)


@dataclass
class MatchModel:
    """Learned m and u per (field, level) among candidate pairs, the share of matches among
    them, each level's chance on random pairs (for the name frequency adjustment), and the
    weight log(m / u) of each level."""

    m: dict[tuple[str, str], float]
    u: dict[tuple[str, str], float]
    u_random: dict[tuple[str, str], float]
    match_share: float
    iterations: int = 0
    sample_pairs: int = 0
    weights: dict[tuple[str, str], float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.weights:
            self.weights = {k: math.log(self.m[k] / self.u[k]) for k in self.m}

    @property
    def prior(self) -> float:
        """Log prior odds of a match for a candidate pair."""
        return math.log(self.match_share / (1.0 - self.match_share))

    def weight(self, field_name: str, code: str, default: float, name_u: float = 0.0) -> float:
        """The learned weight of a level (`default` for a level the sample never showed); for
        an agreeing name of frequency `name_u`, adjusted for how common that name is."""
        w = self.weights.get((field_name, code))
        if w is None:
            return default
        if name_u:
            w += math.log(self.u_random.get((field_name, code), name_u) / name_u)
        return w

    def table(self) -> list[tuple[str, str, float, float, float]]:
        """(field, level, m, u, weight) rows, field by field, for printing."""
        order = {f: i for i, f in enumerate(FIELDS)}
        rows = [(f, c, self.m[(f, c)], self.u[(f, c)], w) for (f, c), w in self.weights.items()]
        return sorted(rows, key=lambda r: (order.get(r[0], 99), -r[4]))


def _levels_and_weight(
    pa: PreparedRecord, pb: PreparedRecord, frequencies: NameFrequencies | None
) -> tuple[tuple[str, ...], float]:
    reasons: list[Reason] = []
    total, veto, _cap = score_pair(pa, pb, frequencies, 0.0, reasons)
    codes = {r.field: r.code for r in reasons}
    return tuple(codes.get(f, "missing") for f in FIELDS), -math.inf if veto else total


def pair_levels(
    pa: PreparedRecord, pb: PreparedRecord, frequencies: NameFrequencies | None
) -> tuple[str, ...]:
    """The level of each field of `FIELDS` for one pair, as the engine's reasons name them."""
    return _levels_and_weight(pa, pb, frequencies)[0]


def _counts(levels: list[tuple[str, ...]], weights: np.ndarray) -> dict[tuple[str, str], float]:
    """Weighted count of each (field, level) over pairs."""
    out: Counter[tuple[str, str]] = Counter()
    for row, w in zip(levels, weights.tolist(), strict=True):
        for f, code in zip(FIELDS, row, strict=True):
            out[(f, code)] += w
    return dict(out)


def _normalise(counts: Mapping[tuple[str, str], float], keys, smoothing: float) -> dict:
    totals: Counter[str] = Counter()
    per_field: Counter[str] = Counter()
    for f, c in keys:
        totals[f] += counts.get((f, c), 0.0)
        per_field[f] += 1
    return {
        (f, c): (counts.get((f, c), 0.0) + smoothing) / (totals[f] + smoothing * per_field[f])
        for f, c in keys
    }


def estimate_model(
    prepared: list[PreparedRecord],
    left: np.ndarray,
    right: np.ndarray,
    frequencies: NameFrequencies | None,
    prior: float,
    *,
    sample: int = 20_000,
    iterations: int = 50,
    seed: int = 0,
) -> MatchModel:
    """Estimate m and u per level from the records and their candidate pairs (see the module
    docstring). EM starts from the hand-set model's verdicts on the sampled pairs under the
    prior `prior`. Deterministic for a seed."""
    rng = np.random.default_rng(seed)
    n = len(prepared)
    i, j = rng.integers(0, n, sample), rng.integers(0, n, sample)
    keep = i != j
    random_levels = [
        pair_levels(prepared[a], prepared[b], frequencies)
        for a, b in zip(i[keep].tolist(), j[keep].tolist(), strict=True)
    ]
    pick = np.sort(rng.choice(len(left), size=min(sample, len(left)), replace=False))
    scored = [
        _levels_and_weight(prepared[a], prepared[b], frequencies)
        for a, b in zip(left[pick].tolist(), right[pick].tolist(), strict=True)
    ]
    levels = [row for row, _ in scored]
    keys = sorted(set(_counts(levels, np.ones(len(levels)))))
    u_random = _normalise(_counts(random_levels, np.ones(len(random_levels))), keys, 0.5)
    index = {k: x for x, k in enumerate(keys)}
    # One column per field: the index of the pair's level there, for a vectorised E-step.
    coded = np.array([[index[(f, c)] for f, c in zip(FIELDS, row, strict=True)] for row in levels])
    p = ((np.array([total for _, total in scored]) + prior) >= 0).astype(np.float64)
    field_of = np.array([FIELDS.index(f) for f, _ in keys])
    em = _two_class_em(coded, field_of, p, iterations=iterations, tolerance=1e-4)
    m_arr, u_arr, share, done = em.m, em.u, em.share, em.iterations
    m = {k: float(m_arr[x]) for x, k in enumerate(keys)}
    u = {k: float(u_arr[x]) for x, k in enumerate(keys)}
    return MatchModel(m, u, u_random, share, done, len(levels))


@dataclass
class _EM:
    """What `_two_class_em` ends with: each pair's chance of being one person (`p`), the last
    M-step's level probabilities in either class and share of matches, and how to count."""

    p: np.ndarray
    m: np.ndarray
    u: np.ndarray
    share: float
    iterations: int
    coded: np.ndarray
    field_of: np.ndarray

    def counts(self, weights: np.ndarray) -> np.ndarray:
        """Weighted count of each level over the pairs."""
        fields = self.coded.shape[1]
        return np.bincount(
            self.coded.ravel(), weights=np.repeat(weights, fields), minlength=len(self.field_of)
        )

    def probabilities(self, counts: np.ndarray) -> np.ndarray:
        """Counts normalised within their field, with half a pair of smoothing per level."""
        counts = counts + 0.5
        per_field = np.bincount(self.field_of, weights=counts, minlength=self.coded.shape[1])
        return counts / per_field[self.field_of]


def _two_class_em(
    coded: np.ndarray, field_of: np.ndarray, start: np.ndarray, *, iterations: int, tolerance: float
) -> _EM:
    """Two-class EM over pairs given as one level index per field (`coded`; `field_of` is each
    level's field), from `start` (each pair's initial chance of being one person): M, the
    levels' probabilities in each class and the share of matches; E, each pair's chance from
    them; until no pair's chance moves by `tolerance`."""
    em = _EM(start, np.ones(len(field_of)), np.ones(len(field_of)), 0.5, 0, coded, field_of)
    p = start
    for step in range(1, iterations + 1):
        em.iterations = step
        em.m, em.u = em.probabilities(em.counts(p)), em.probabilities(em.counts(1.0 - p))
        em.share = float(np.clip(p.mean(), 1e-4, 1 - 1e-4))
        llr = (np.log(em.m) - np.log(em.u))[coded].sum(axis=1)
        prior = math.log(em.share / (1 - em.share))
        new_p = 1.0 / (1.0 + np.exp(-np.clip(prior + llr, -50, 50)))
        converged = np.abs(new_p - p).max() < tolerance
        p = new_p
        if converged:
            break
    em.p = p
    return em


# --- the weights the engine decides on ------------------------------------------------------

# The fields whose weights are learned from the population; names keep their hand-set,
# frequency-adjusted structure (see the module docstring for why EM gets names wrong).
NON_NAME_FIELDS = ("sex", "birth_date", "origin", "document_number")
# A pair enters the sample when its given, father's and family names all agree: within that set
# EM's two classes are "one person" and "namesakes", exactly what the other fields must tell
# apart.
# Below this many sampled pairs with agreeing names, or this many in either of EM's classes,
# the hand-set weights are kept.
MIN_SAMPLE_PAIRS = 500
# A level's weight is learned only when EM puts at least this many sampled pairs of it in each
# class; otherwise (a personal document shared by namesakes, a birth year off in one person's
# records) its m or u rests on the smoothing alone and the hand-set weight stays.
MIN_LEVEL_PAIRS = 10.0
LEARN_SAMPLE = 200_000
LEARN_SEED = 0


def weight_range(hand_set: float) -> tuple[float, float]:
    """The range a learned weight is clamped into: the hand-set weight give or take half its
    size (at least 2), never across zero (evidence for a match stays evidence for)."""
    spread = max(2.0, abs(hand_set) / 2.0)
    low, high = hand_set - spread, hand_set + spread
    if hand_set > 0:
        low = max(low, 0.0)
    elif hand_set < 0:
        high = min(high, 0.0)
    return low, high


@dataclass(frozen=True)
class LearnedLevel:
    """What EM found for one level of a field, and the weight the engine uses for it."""

    field: str
    level: str
    m: float
    u: float
    match_pairs: float
    non_match_pairs: float
    hand_set: float
    used: float
    source: str  # "learned", "clamped" or "hand_set"


@dataclass(frozen=True)
class LearnedFieldWeights:
    """The learned model of one run: the weights the engine decides on, EM's figures behind
    each, the sample it ran on."""

    weights: FieldWeights
    levels: tuple[LearnedLevel, ...]
    sample_pairs: int
    match_share: float
    iterations: int

    def table(self) -> str:
        """The model as a Markdown table, for `--print-model` and the benchmark notes."""
        lines = [
            f"EM on {self.sample_pairs} candidate pairs whose names agree, "
            f"{self.iterations} iterations, share of one person {self.match_share:.3f}",
            "| field | level | m | u | pairs m / u | hand-set | used | source |",
            "|---|---|---:|---:|---:|---:|---:|---|",
        ]
        for x in self.levels:
            lines.append(
                f"| {x.field} | {x.level} | {x.m:.4f} | {x.u:.4f} | "
                f"{x.match_pairs:.0f} / {x.non_match_pairs:.0f} | {x.hand_set:+.2f} | "
                f"{x.used:+.2f} | {x.source} |"
            )
        return "\n".join(lines)


def em_field_weights(
    levels: list[tuple[str, ...]],
    start: np.ndarray,
    *,
    fields: tuple[str, ...] = NON_NAME_FIELDS,
    hand_set: FieldWeights = HAND_SET_WEIGHTS,
    iterations: int = 100,
) -> LearnedFieldWeights:
    """Two-class EM over pairs given as one level code per field of `fields` (`levels`),
    starting from `start` (each pair's initial chance of being one person, the hand-set
    verdicts). A level's weight is log(m / u), clamped into `weight_range` of its hand-set
    weight; a level too rare in either class (`MIN_LEVEL_PAIRS`) and "missing" keep the
    hand-set weight, and every level does when either class is smaller than
    `MIN_SAMPLE_PAIRS`."""
    keys = [(f, c) for f in fields for c in hand_set.of(f)]
    index = {k: x for x, k in enumerate(keys)}
    field_of = np.array([fields.index(f) for f, _ in keys])
    coded = np.array(
        [[index[(f, c)] for f, c in zip(fields, row, strict=True)] for row in levels],
        dtype=np.int64,
    ).reshape(len(levels), len(fields))
    em = _two_class_em(
        coded, field_of, np.asarray(start, dtype=np.float64), iterations=iterations, tolerance=1e-5
    )
    p, done = em.p, em.iterations
    m_count, u_count = em.counts(p), em.counts(1.0 - p)
    m_arr, u_arr = em.probabilities(m_count), em.probabilities(u_count)
    used: dict[str, dict[str, float]] = {f: dict(hand_set.of(f)) for f in fields}
    learned: set[tuple[str, str]] = set()
    # Where nearly every pair with agreeing names is one person (FEBRL: no namesakes), EM's
    # second class is not namesakes but the copies with more errors, and what it learns there
    # (a shared document "as common" among them as among one person) is wrong: both classes
    # must hold enough pairs, else every weight stays hand-set.
    both_classes = min(float(p.sum()), float((1.0 - p).sum())) >= MIN_SAMPLE_PAIRS
    rows = []
    for x, (f, c) in enumerate(keys):
        hand = hand_set.of(f)[c]
        weight, source = hand, "hand_set"
        enough = both_classes and min(m_count[x], u_count[x]) >= MIN_LEVEL_PAIRS
        if c != "missing" and enough:
            raw = math.log(m_arr[x] / u_arr[x])
            low, high = weight_range(hand)
            weight = min(high, max(low, raw))
            source = "learned" if weight == raw else "clamped"
            learned.add((f, c))
        used[f][c] = weight
        rows.append(
            LearnedLevel(
                f,
                c,
                float(m_arr[x]),
                float(u_arr[x]),
                float(m_count[x]),
                float(u_count[x]),
                hand,
                weight,
                source,
            )
        )
    weights = FieldWeights(**used, learned=frozenset(learned))
    share = float(p.mean()) if len(p) else 0.0
    return LearnedFieldWeights(weights, tuple(rows), len(levels), share, done)


def _level_numbers(field_name: str) -> FieldWeights:
    """Weights that are each level's number in `HAND_SET_WEIGHTS`'s order for one field, so
    that the engine's own array code (`RecordArrays.origin_weights`, `document_weights`) says
    which level each pair is at."""
    numbers = {c: float(k) for k, c in enumerate(HAND_SET_WEIGHTS.of(field_name))}
    return FieldWeights(**{field_name: numbers})


def sample_levels(
    arrays: RecordArrays, left: np.ndarray, right: np.ndarray, prior: float
) -> tuple[list[tuple[str, ...]], np.ndarray]:
    """For the pairs (`left[k]`, `right[k]`) whose given, father's and family names all agree
    (exact or strong, as `score_pair` grades them): the level of each of `NON_NAME_FIELDS`,
    and whether the hand-set model calls the pair one person under `prior` (EM's start)."""
    names = arrays.names
    keep = np.ones(len(left), dtype=bool)
    for attr in ("given", "father", "family"):
        level, _cost = names.compare(getattr(arrays, attr)[left], getattr(arrays, attr)[right])
        # Not a missing father's name: with two names agreeing the sample gains namesakes the
        # third name would have told apart, and the learned birth-year weight fell with them
        # (F1 0.9869 against 0.9876 at 100,000, seed 2).
        keep &= (level == EXACT) | (level == STRONG)
    # An agreeing given name is never read as swapped with the family name (score_pair).
    i, j = left[keep], right[keep]
    totals, flags = score_pair_arrays(arrays, i, j, prior)
    start = ((totals >= 0) & ((flags & 1) == 0)).astype(np.float64)
    sex_codes = ("agree", "disagree", "missing")
    sa, sb = arrays.sex[i], arrays.sex[j]
    sex = np.where((sa != 0) & (sb != 0), np.where(sa == sb, 0, 1), 2)
    birth_codes = _BIRTH_CODES
    origin_codes = tuple(HAND_SET_WEIGHTS.origin)
    document_codes = tuple(HAND_SET_WEIGHTS.document_number)
    birth = arrays.birth_codes(i, j)
    origin = arrays.origin_weights(i, j, _level_numbers("origin")).astype(np.int64)
    document = arrays.document_weights(i, j, _level_numbers("document_number"))[0]
    levels = [
        (sex_codes[s], birth_codes[b], origin_codes[o], document_codes[d])
        for s, b, o, d in zip(
            sex.tolist(),
            birth.tolist(),
            origin.tolist(),
            document.astype(np.int64).tolist(),
            strict=True,
        )
    ]
    return levels, start


def learn_field_weights(
    prepared: list[PreparedRecord],
    left: np.ndarray,
    right: np.ndarray,
    frequencies: NameFrequencies | None,
    prior: float,
    *,
    sample: int = LEARN_SAMPLE,
    seed: int = LEARN_SEED,
    arrays: RecordArrays | None = None,
) -> LearnedFieldWeights:
    """The weights of sex, birth date, origin and document learned from a run's candidate
    pairs (`left[k]`, `right[k]`): a fixed-seed sample of them, kept where the three names
    agree (`sample_levels`), and EM (`em_field_weights`) from the hand-set verdicts under
    `prior`. With fewer than `MIN_SAMPLE_PAIRS` such pairs the hand-set weights are returned
    unchanged. `arrays` (built from `prepared` when not given) keeps its name comparisons for
    the scoring that follows."""
    if arrays is None:
        arrays = RecordArrays(prepared, frequencies)
    rng = np.random.default_rng(seed)
    pick = np.sort(rng.choice(len(left), size=min(sample, len(left)), replace=False))
    levels, start = sample_levels(arrays, left[pick], right[pick], prior)
    if len(levels) < MIN_SAMPLE_PAIRS:
        hand_set = em_field_weights([], np.empty(0), iterations=0)
        return replace(hand_set, sample_pairs=len(levels))
    return em_field_weights(levels, start)
