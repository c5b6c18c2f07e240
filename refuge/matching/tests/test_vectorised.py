"""The comparison over arrays gives every pair the same figures as `score_pair` one by one."""

import gc
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from refuge.matching import dedupe
from refuge.matching.compare import PreparedRecord, phoneme_distance, prior_log_odds
from refuge.matching.dedupe import (
    _household_ids,
    candidate_pairs,
    forget_family_documents,
    household_pairs,
    name_frequencies,
    score_pairs,
)
from refuge.matching.normalise import normalise_name
from refuge.matching.records import iter_exchange_csv
from refuge.matching.vectorised import RecordArrays, batch_phoneme_distance

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def population(tmp_path_factory):
    """Registrations written by the benchmark's clerks (typos, г for h, swapped names, Muhammad
    abbreviated, estimated years, sexes written wrongly), on a seed the benchmark does not use."""
    out = tmp_path_factory.mktemp("synthetic") / "people"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "synthetic.py"), "4000", "--seed", "7", "--out", out],
        check=True,
    )
    prepared = [PreparedRecord(r) for r in iter_exchange_csv(f"{out}.csv", [])]
    forget_family_documents(prepared)
    return prepared


def _pairs(prepared):
    """The candidate pairs, the household pairs the engine adds, and random pairs (mostly of
    two different people, where vetoes and the slip and typo passes decide)."""
    freqs = name_frequencies(prepared)
    left, right = candidate_pairs(prepared)
    totals, flags = score_pairs(prepared, left, right, freqs, prior_log_odds(len(prepared)))
    extra_left, extra_right = household_pairs(left, right, totals, flags, _household_ids(prepared))
    rng = np.random.default_rng(3)
    rand_left = rng.integers(0, len(prepared), 6000).astype(np.int32)
    rand_right = rng.integers(0, len(prepared), 6000).astype(np.int32)
    return (
        np.concatenate((left, extra_left, rand_left)),
        np.concatenate((right, extra_right, rand_right)),
    )


@pytest.mark.parametrize("with_frequencies", [True, False])
def test_scores_over_arrays_equal_scores_one_by_one(population, with_frequencies):
    freqs = name_frequencies(population) if with_frequencies else None
    prior = prior_log_odds(len(population))
    left, right = _pairs(population)
    assert len(left) > 10_000

    one_by_one = score_pairs(population, left, right, freqs, prior, one_by_one=True)
    arrays = RecordArrays(population, freqs)
    vectorised = score_pairs(population, left, right, freqs, prior, arrays=arrays)

    np.testing.assert_array_equal(vectorised[0], one_by_one[0])
    np.testing.assert_array_equal(vectorised[1], one_by_one[1])
    # The sample holds every kind of verdict, so the equality covers each branch's rule.
    assert {0, 1, 2} <= set(np.unique(one_by_one[1]).tolist())
    # Among them pairs weighed by their given and family names alone (a father's name missing).
    without_father = sum(
        1
        for a, b in zip(left.tolist(), right.tolist(), strict=True)
        if not (population[a].father and population[b].father)
        and population[a].given.skeleton == population[b].given.skeleton
        and population[a].family.skeleton == population[b].family.skeleton
    )
    assert without_father > 100
    assert (one_by_one[0] > 0).sum() > 1000
    # A second call reuses the name comparisons already made and must agree as well.
    again = score_pairs(population, right, left, freqs, prior, arrays=arrays)
    reference = score_pairs(population, right, left, freqs, prior, one_by_one=True)
    np.testing.assert_array_equal(again[0], reference[0])
    np.testing.assert_array_equal(again[1], reference[1])


def test_batch_edit_distance_equals_the_scalar_one():
    names = [
        "محمد",
        "Mohammed",
        "Mouhammad",
        "Мухаммед",
        "محمود",
        "Mahmoud",
        "Ебрагим",
        "إبراهيم",
        "Ibrahim",
        "Hsasan",
        "Hassan",
        "Hussein",
        "Youssef",
        "يوسف",
        "Гала",
        "هالة",
        "Abdulrahman",
        "عبد الرحمن",
    ]
    tokens = sorted({(t.phon, t.arabic) for text in names for t in normalise_name(text).tokens})
    ta, tb = np.meshgrid(np.arange(len(tokens)), np.arange(len(tokens)), indexing="ij")
    ta, tb = ta.ravel(), tb.ravel()
    batch = batch_phoneme_distance(tokens, ta, tb)
    scalar = [phoneme_distance(*tokens[x], *tokens[y]) for x, y in zip(ta, tb, strict=True)]
    assert batch.tolist() == scalar
    assert max(scalar) > 2.0


def test_household_steps_give_the_same_pairs_and_support_slice_by_slice(population, monkeypatch):
    """At a million records the household steps walk the pairs a slice at a time (memory):
    the extra pairs and the support must be those of one pass over all pairs."""
    from refuge.matching import dedupe

    freqs = name_frequencies(population)
    left, right = candidate_pairs(population)
    totals, flags = score_pairs(population, left, right, freqs, prior_log_odds(len(population)))
    hh = _household_ids(population)
    whole = household_pairs(left, right, totals, flags, hh)
    whole_support = dedupe.household_support(left, right, totals, flags, hh)
    assert len(left) > 3 * 997 and len(whole[0]) and whole_support.any()
    monkeypatch.setattr(dedupe, "_PAIR_SLICE", 997)
    sliced = household_pairs(left, right, totals, flags, hh)
    np.testing.assert_array_equal(sliced[0], whole[0])
    np.testing.assert_array_equal(sliced[1], whole[1])
    np.testing.assert_array_equal(
        dedupe.household_support(left, right, totals, flags, hh), whole_support
    )


def test_scores_in_two_processes_equal_scores_in_one(population, tmp_path, monkeypatch):
    """The comparison split over a forked process gives every pair the figures of one process,
    in the pairs' order, and the second half really is scored in another process."""
    freqs = name_frequencies(population)
    prior = prior_log_odds(len(population))
    left, right = _pairs(population)
    serial = score_pairs(
        population, left, right, freqs, prior, arrays=RecordArrays(population, freqs)
    )

    # Which process scored how many pairs: the forked child inherits this wrapper.
    log = tmp_path / "scorers"
    scored_by = dedupe.score_pair_arrays

    def logged(arrays, i, j, prior, **options):
        with log.open("a") as f:
            f.write(f"{os.getpid()} {len(i)}\n")
        return scored_by(arrays, i, j, prior, **options)

    monkeypatch.setattr(dedupe, "score_pair_arrays", logged)
    parallel = score_pairs(
        population,
        left,
        right,
        freqs,
        prior,
        workers=2,
        arrays=RecordArrays(population, freqs),
        min_parallel_pairs=0,
    )

    np.testing.assert_array_equal(parallel[0], serial[0])
    np.testing.assert_array_equal(parallel[1], serial[1])
    calls = [line.split() for line in log.read_text().splitlines()]
    assert len(calls) == 2 and len({pid for pid, _ in calls}) == 2
    assert str(os.getpid()) in {pid for pid, _ in calls}
    assert sorted(int(n) for _, n in calls) == [len(left) // 2, len(left) - len(left) // 2]
    # The parent's objects are back under the garbage collector.
    assert gc.get_freeze_count() == 0


def test_learned_weights_give_the_same_scores_over_arrays_as_one_by_one(population):
    """The weights learned for the run enter both paths alike (sex, birth date, origin and
    document), every level set apart from the hand-set weight so none is left out."""
    from refuge.matching.compare import HAND_SET_WEIGHTS, FieldWeights

    freqs = name_frequencies(population)
    prior = prior_log_odds(len(population))
    left, right = _pairs(population)
    weights = FieldWeights(
        **{
            f: {
                code: w - 0.37 * (k + 1)
                for k, (code, w) in enumerate(HAND_SET_WEIGHTS.of(f).items())
            }
            for f in ("sex", "birth_date", "origin", "document_number")
        }
    )
    one_by_one = score_pairs(
        population, left, right, freqs, prior, one_by_one=True, weights=weights
    )
    vectorised = score_pairs(population, left, right, freqs, prior, weights=weights)
    hand_set = score_pairs(population, left, right, freqs, prior)
    np.testing.assert_array_equal(vectorised[0], one_by_one[0])
    np.testing.assert_array_equal(vectorised[1], one_by_one[1])
    assert (vectorised[0] != hand_set[0]).mean() > 0.99
