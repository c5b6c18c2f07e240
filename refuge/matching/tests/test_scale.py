"""Evidence that keeps its meaning as the registry grows (issue 17: accuracy at a million)."""

import math

import numpy as np
import pytest

from refuge.matching.compare import (
    Decision,
    compare_people,
    household_weight,
    prior_log_odds,
)
from refuge.matching.dedupe import ScoredPairs, link_probabilities
from refuge.matching.records import PersonRecord


def person(record_id, given, father, family, **kw):
    return PersonRecord(record_id, given_name=given, father_name=father, family_name=family, **kw)


# A mother re-registered with her family: her given and family names agree, her father's name
# was left out and her year of birth is one off. Alone, that is a namesake's evidence.
MOTHER = person("a", "Fatima", "Ali", "Hassan", sex="f", birth_date="1975-03-02")
MOTHER_AGAIN = person("b", "فاطمة", "", "حسن", sex="f", birth_date="1976")


def test_a_pair_whose_households_match_is_judged_alike_in_any_size_of_registry():
    at = {
        n: compare_people(MOTHER, MOTHER_AGAIN, same_household_evidence=1, population=n)
        for n in (100_000, 1_000_000, 10_000_000)
    }
    assert at[100_000].decision is Decision.MATCH
    for n in (1_000_000, 10_000_000):
        assert at[n].decision is Decision.MATCH
        assert at[n].log_odds == pytest.approx(at[100_000].log_odds)


def test_without_household_evidence_a_larger_registry_still_holds_more_namesakes():
    small = compare_people(MOTHER, MOTHER_AGAIN, population=100_000)
    large = compare_people(MOTHER, MOTHER_AGAIN, population=1_000_000)
    assert large.log_odds == pytest.approx(small.log_odds - math.log(10), abs=1e-4)


def test_household_weight_is_unchanged_up_to_the_reference_population():
    for n in (2_000, 50_000, 100_000):
        prior = prior_log_odds(n)
        for pairs in range(4):
            assert household_weight(pairs, prior) == min(-prior, 5.0 * pairs)
    assert household_weight(0, prior_log_odds(1_000_000)) == 0.0


def test_the_batch_run_adds_the_same_household_weight_as_compare_people():
    prior = prior_log_odds(1_000_000)
    support = np.array([0, 1, 2, 3, 5], dtype=np.int32)
    totals = np.full(len(support), -10.0, dtype=np.float32)
    scored = ScoredPairs(
        np.arange(5), np.arange(5) + 5, totals, np.zeros(5, dtype=np.int8), support
    )
    boosted, _prob = link_probabilities(scored, prior)
    expected = [-10.0 + household_weight(int(s), prior) for s in support]
    assert boosted.tolist() == pytest.approx(expected)


def test_one_personal_document_outweighs_a_sex_written_differently():
    document = {"birth_date": "1990", "document_number": "N771234"}
    a = person("a", "Rima", "Khaled", "Saleh", sex="f", **document)
    b = person("b", "ريما", "خالد", "صالح", sex="m", **document)
    result = compare_people(a, b, population=1_000_000)
    assert {r.field: r.code for r in result.reasons}["sex"] == "disagree"
    assert result.decision is Decision.MATCH


def _frequencies(population, combination_records, share):
    """Name frequencies of a registry of `population` records where each of these names is as
    common as in any other size of registry, and the pair's combination of given, father's and
    family names is carried by `combination_records` records."""
    from refuge.matching.compare import NameFrequencies, PreparedRecord, name_combination
    from refuge.matching.normalise import normalise_name

    counts = {normalise_name(n).skeleton: int(s * population) for n, s in share.items()}
    forms = {normalise_name(n).key: int(s * population) for n, s in share.items()}
    combination = name_combination(PreparedRecord(person("x", *share)))
    return NameFrequencies(
        population, counts, forms, combinations={combination: combination_records}
    )


RARE = {"Omar": 0.01, "Khaled": 0.012, "Hamdan": 0.004}
COMMON = {"Mohammad": 0.05, "Ahmad": 0.04, "Hassan": 0.03}


def _compare(names, population, combination_records, **kw):
    a = person("a", *names, sex="m", birth_date="1984", **kw)
    b = person("b", *names, sex="m", **kw)
    freqs = _frequencies(population, combination_records, names)
    return compare_people(a, b, frequencies=freqs, population=population)


def _combination_weight(result):
    return next(r.params["weight"] for r in result.reasons if r.field == "names")


def test_common_names_seldom_seen_together_count_the_namesakes_really_seen():
    # Independent names would put 100,000 * 0.05 * 0.04 * 0.03 = 6 records on this
    # combination; the registry holds 5, the pair and 3 namesakes: twice fewer.
    assert _combination_weight(_compare(COMMON, 100_000, 5)) == pytest.approx(math.log(2), abs=0.01)
    # With 12 namesakes, twice more than independent names give: half the odds.
    assert _combination_weight(_compare(COMMON, 100_000, 14)) == pytest.approx(
        -math.log(2), abs=0.01
    )
    # Fewer still raise the weight no more than twice the odds.
    assert _combination_weight(_compare(COMMON, 100_000, 3)) == pytest.approx(math.log(2), abs=0.01)


def test_a_pair_alone_with_rare_names_weighs_as_independent_names_would():
    # 100,000 * 0.01 * 0.012 * 0.004 = 0.048 namesakes expected, none seen.
    assert _combination_weight(_compare(RARE, 100_000, 2)) == pytest.approx(0.0, abs=0.01)


def test_the_namesakes_of_a_combination_weigh_against_the_pair():
    alone = _compare(RARE, 100_000, 2)
    common = _compare(RARE, 100_000, 42)
    # Forty other records carry the three names: forty namesakes instead of 0.048.
    assert common.log_odds == pytest.approx(alone.log_odds - math.log(40 / 0.048), abs=1e-3)
    assert alone.decision is Decision.MATCH
    assert common.decision is not Decision.MATCH
    reason = next(r for r in common.reasons if r.field == "names")
    assert reason.code == "combination"
    assert reason.params["records"] == 42


def test_ten_times_the_records_with_ten_times_the_namesakes_weigh_the_same():
    small = _compare(COMMON, 100_000, 12)
    large = _compare(COMMON, 1_000_000, 102)
    # 10 namesakes among 100,000 records, 100 among 1,000,000: the same share, and a
    # million's prior is ln 10 lower, so the pair is ln 10 less likely at a million.
    assert large.log_odds == pytest.approx(small.log_odds - math.log(10), abs=1e-3)


def test_twins_stay_apart_however_strongly_their_households_match():
    shared = {"mother_name": "Salwa", "birth_date": "2012-05-04", "origin": "Homs"}
    boy = person("a", "Omar", "Nabil", "Haddad", sex="m", **shared)
    girl = person("b", "هدى", "نبيل", "حداد", sex="f", **shared)
    for population in (100_000, 1_000_000):
        result = compare_people(boy, girl, same_household_evidence=4, population=population)
        assert result.decision is Decision.NON_MATCH
        assert ("decision", "vetoed") in {(r.field, r.code) for r in result.reasons}


def _without_father(seen, **kw):
    """A woman registered twice, once without her father's name, in a registry of a million
    where her given and family names are each fairly common (0.6 % and 0.3 % of names: 18
    records would carry both if names were independent) and `seen` records carry both."""
    from refuge.matching.compare import NameFrequencies, PreparedRecord, given_family_combination
    from refuge.matching.normalise import normalise_name

    population = 1_000_000
    share = {"Rima": 0.006, "Saleh": 0.003}
    a = person("a", "Rima", "Khaled", "Saleh", sex="f", birth_date="1990", **kw)
    b = person("b", "ريما", "", "صالح", sex="f", birth_date="1990", **kw)
    counts = {normalise_name(n).skeleton: int(s * population) for n, s in share.items()}
    forms = {normalise_name(n).key: int(s * population) for n, s in share.items()}
    combinations = {given_family_combination(PreparedRecord(a)): seen}
    freqs = NameFrequencies(population, counts, forms, combinations=combinations)
    return compare_people(a, b, frequencies=freqs, population=population)


def test_without_a_fathers_name_a_given_and_family_combination_seen_alone_links():
    # Only the pair carries the combination, where independent names would give 18 records:
    # the raise, capped at twice the odds, takes the pair over the threshold.
    result = _without_father(2)
    assert result.decision is Decision.MATCH
    reason = next(r for r in result.reasons if r.field == "names")
    assert reason.code == "given_family_combination"
    assert reason.params == {"records": 2, "weight": pytest.approx(math.log(2), abs=0.01)}


def test_without_a_fathers_name_a_common_given_and_family_combination_does_not_link():
    # A hundred records carry the two names (98 namesakes where independence gives 18): the
    # same origin would be enough for a pair alone with its names, not for this one.
    assert _without_father(2, origin="Homs").decision is Decision.MATCH
    result = _without_father(100, origin="Homs")
    assert result.decision is not Decision.MATCH
    reason = next(r for r in result.reasons if r.field == "names")
    assert reason.params["weight"] == pytest.approx(-math.log(98 / 18), abs=0.01)
