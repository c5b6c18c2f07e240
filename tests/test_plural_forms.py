"""Counts use the language's plural forms: Russian has three, Arabic six."""

import pytest
from django.utils import translation
from django.utils.translation import ngettext

COUNTS = {"ru": [1, 3, 5], "ar": [0, 1, 2, 3, 11, 100]}
MESSAGES = [
    (
        "Household %(number)s registered with %(count)d member.",
        "Household %(number)s registered with %(count)d members.",
    ),
    (
        "The chain is intact: %(count)s entry verified.",
        "The chain is intact: %(count)s entries verified.",
    ),
]


@pytest.mark.parametrize("language", ["ru", "ar"])
@pytest.mark.parametrize(("singular", "plural"), MESSAGES)
def test_every_plural_form_of_a_count_is_its_own(language, singular, plural):
    with translation.override(language):
        forms = {ngettext(singular, plural, n) for n in COUNTS[language]}

    assert len(forms) == len(COUNTS[language])
