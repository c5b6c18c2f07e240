import math

import numpy as np

from refuge.matching.compare import (
    HAND_SET_WEIGHTS,
    Decision,
    PreparedRecord,
    compare_people,
    prior_log_odds,
)
from refuge.matching.dedupe import DedupeStats, candidate_pairs, dedupe_records, name_frequencies
from refuge.matching.learn import em_field_weights, estimate_model, weight_range
from refuge.matching.records import PersonRecord

GIVEN = ["Ahmad", "Ali", "Samer", "Rami", "Fadi", "Nabil", "Wael", "Bassam", "Khaled", "Omar"]
FAMILY = ["Hassan", "Khoury", "Deeb", "Saleh", "Ibrahim", "Haddad", "Issa", "Makhlouf"]


def _population() -> list[PreparedRecord]:
    return [PreparedRecord(r) for r in _records()]


def _records() -> list[PersonRecord]:
    records = []
    for k in range(400):
        given, family = GIVEN[k % len(GIVEN)], FAMILY[(k // len(GIVEN)) % len(FAMILY)]
        father = GIVEN[(k * 7) % len(GIVEN)]
        year = 1950 + (k * 13) % 60
        for copy in range(2):  # each person registered twice, the second time in Arabic script
            records.append(
                PersonRecord(
                    f"{k}-{copy}",
                    given_name=given if copy == 0 else {"Ahmad": "أحمد"}.get(given, given),
                    father_name=father,
                    family_name=family,
                    sex="m",
                    birth_date=f"{year}-{1 + k % 12:02d}-{1 + k % 27:02d}",
                    document_number=f"N{k:07d}" if copy == 0 or k % 3 else "",
                )
            )
    return records


def test_em_learns_that_the_same_birth_date_or_document_is_evidence_and_others_are_not():
    prepared = _population()
    left, right = candidate_pairs(prepared)
    model = estimate_model(
        prepared,
        left,
        right,
        name_frequencies(prepared),
        prior_log_odds(len(prepared)),
        sample=5000,
    )
    assert 0.0 < model.match_share < 1.0
    assert model.weights[("birth_date", "exact")] > 2.0
    assert model.weights[("document_number", "exact")] > 2.0
    assert model.weights[("birth_date", "year_differs")] < 0.0
    assert model.weights[("document_number", "disagree")] < -2.0
    rows = model.table()
    assert {r[0] for r in rows} >= {"given_name", "birth_date", "document_number"}


# --- the weights the engine decides on (sex, birth date, origin, document) ------------------


def _hand_built_pairs(seed: int = 5):
    """Pairs whose names agree, as level codes of NON_NAME_FIELDS: 3,000 of one person whose
    sex is written differently in 2 % of them, 3,000 namesakes of whom 10 % differ in sex
    (a weight of log(0.02 / 0.10) = -1.61 generates the data), and a start from a rough
    verdict (the birth date alone) that gets a sixth of the pairs wrong."""
    rng = np.random.default_rng(seed)
    rows, start = [], []
    for one_person in (True, False):
        for _ in range(3000):
            sex = "disagree" if rng.random() < (0.02 if one_person else 0.10) else "agree"
            if one_person:
                birth = rng.choice(["exact", "year_agrees", "missing"], p=[0.6, 0.25, 0.15])
                origin = rng.choice(["agree", "missing"], p=[0.8, 0.2])
            else:
                birth = rng.choice(
                    ["year_differs", "year_agrees", "year_off_by_one", "missing"],
                    p=[0.7, 0.05, 0.1, 0.15],
                )
                origin = rng.choice(["agree", "disagree", "missing"], p=[0.2, 0.6, 0.2])
            rows.append((sex, str(birth), str(origin), "missing"))
            start.append(1.0 if birth in ("exact", "year_agrees", "missing") else 0.0)
    return rows, np.array(start)


def test_em_recovers_the_sex_disagreement_weight_that_generated_the_pairs():
    rows, start = _hand_built_pairs()
    model = em_field_weights(rows, start)
    by_level = {(x.field, x.level): x for x in model.levels}
    sex = by_level[("sex", "disagree")]
    assert sex.source == "learned"
    assert abs(sex.used - math.log(0.02 / 0.10)) < 0.3
    assert model.weights.sex["disagree"] == sex.used
    assert abs(model.match_share - 0.5) < 0.03
    # Never seen for one person: too few pairs to learn from, the hand-set weight stays.
    assert by_level[("origin", "disagree")].source == "hand_set"
    assert model.weights.origin["disagree"] == HAND_SET_WEIGHTS.origin["disagree"]
    assert ("sex", "disagree") in model.weights.learned
    assert ("origin", "disagree") not in model.weights.learned
    # The missing level never weighs, whatever EM finds.
    assert model.weights.sex["missing"] == 0.0


def test_learned_weights_are_clamped_into_a_sane_range():
    # Every pair of one person agrees on sex, one namesake in fifty does: log(m / u) is 3.9.
    rows = (
        [("agree", "exact", "agree", "missing")] * 600
        + [("disagree", "year_differs", "disagree", "missing")] * 588
        + [("agree", "year_differs", "disagree", "missing")] * 12
    )
    model = em_field_weights(rows, np.array([1.0] * 600 + [0.0] * 600))
    agree = next(x for x in model.levels if (x.field, x.level) == ("sex", "agree"))
    assert agree.source == "clamped"
    assert agree.used == weight_range(HAND_SET_WEIGHTS.sex["agree"])[1]


def test_the_learned_sex_weight_changes_a_verdict_and_the_reasons_name_it():
    """Four names agree, no birth date, the sex differs: with the hand-set weight (-3.5) a
    possible match; with the weight learned where sex slips are as common as in
    `_hand_built_pairs` (-1.5), a match, and the reason carries the learned weight."""
    model = em_field_weights(*_hand_built_pairs())
    names = {"given_name": "Samer", "father_name": "Nabil", "family_name": "Haddad"}
    a = PersonRecord("a", **names, mother_name="Huda", sex="m")
    b = PersonRecord("b", **names, mother_name="Huda", sex="f")
    hand_set = compare_people(a, b)
    learned = compare_people(a, b, weights=model.weights)
    assert hand_set.decision is Decision.POSSIBLE
    assert learned.decision is Decision.MATCH
    sex = next(r for r in learned.reasons if r.field == "sex")
    assert sex.params == {"weight": model.weights.sex["disagree"], "learned": True}
    hand_sex = next(r for r in hand_set.reasons if r.field == "sex")
    assert hand_sex.params == {"weight": HAND_SET_WEIGHTS.sex["disagree"]}


def test_a_run_learns_its_model_only_when_asked_and_keeps_it_in_its_stats():
    records = _records()
    learned, hand_set = DedupeStats(), DedupeStats()
    dedupe_records(records, stats=learned, learn=True)
    dedupe_records(records, stats=hand_set, learn=False)
    assert hand_set.model is None
    assert learned.model is not None
    assert "| sex | disagree |" in learned.model.table()


def test_without_namesakes_among_the_pairs_every_weight_stays_hand_set():
    """FEBRL's shape: nearly every pair whose names agree is one person, so EM's second class
    would be the copies with more errors, not namesakes; nothing is learned from it."""
    rows, start = _hand_built_pairs()
    # All 3,000 pairs of one person, 200 of the 3,000 namesakes.
    model = em_field_weights(
        rows[:3000] + rows[-200:], np.concatenate((start[:3000], start[-200:]))
    )
    assert model.weights.learned == frozenset()
    assert {x.source for x in model.levels} == {"hand_set"}
    assert model.weights.sex == HAND_SET_WEIGHTS.sex
