"""Weights learned from the population being matched: Fellegi-Sunter m and u probabilities per
comparison level, estimated without labels by expectation-maximisation.

Not yet used for decisions: `bench/learn_weights.py` prints what EM learns beside the hand-set
weights. Applied as they stand, the learned weights cost recall on the project's own benchmark
(0.74 against 0.97 at 100,000, seed 1): among candidate pairs the two latent classes EM finds
are "one person" and "two people of one name", and the name weights it learns there are small.

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
from dataclasses import dataclass, field

import numpy as np

from refuge.matching.compare import NameFrequencies, PreparedRecord, Reason, score_pair

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
    flat = coded.ravel()

    def level_probabilities(weights: np.ndarray) -> np.ndarray:
        # Weighted count of each level, normalised within its field, half a pair of smoothing.
        counts = np.bincount(flat, weights=np.repeat(weights, len(FIELDS)), minlength=len(keys))
        counts = counts + 0.5
        per_field = np.bincount(field_of, weights=counts, minlength=len(FIELDS))
        return counts / per_field[field_of]

    m_arr = u_arr = np.ones(len(keys))
    share, done = 0.5, 0
    for step in range(1, iterations + 1):
        done = step
        m_arr, u_arr = level_probabilities(p), level_probabilities(1.0 - p)
        share = float(np.clip(p.mean(), 1e-4, 1 - 1e-4))
        llr = (np.log(m_arr) - np.log(u_arr))[coded].sum(axis=1)
        new_p = 1.0 / (1.0 + np.exp(-np.clip(math.log(share / (1 - share)) + llr, -50, 50)))
        converged = np.abs(new_p - p).max() < 1e-4
        p = new_p
        if converged:
            break
    m = {k: float(m_arr[x]) for x, k in enumerate(keys)}
    u = {k: float(u_arr[x]) for x, k in enumerate(keys)}
    return MatchModel(m, u, u_random, share, done, len(levels))
