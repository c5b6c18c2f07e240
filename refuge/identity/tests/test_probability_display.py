from django.utils import translation

from refuge.identity.templatetags.identity_tags import odds, probability


def test_a_near_certain_pair_is_not_rounded_up_to_certainty():
    assert probability(0.9999987) == "99.9 %"
    assert probability(0.47) == "47.0 %"


def test_odds_tell_strong_pairs_apart():
    assert odds(9.0) != odds(12.0)
    assert odds(40.0).startswith(">")
    with translation.override("en"):
        assert odds(0.0) == "1 : 1"
