"""Latin and Cyrillic spellings to suggest for a name typed in Arabic script.

Arabic script leaves short vowels out, so no letter table can know that محمد is "Mohammed":
names the lexicon knows (the Syrian names in `refuge.registry.lexicon`, with the spellings used at
the shelter and in Russia) are suggested as attested; other words fall back to a letter table
that gives a consonant outline for the clerk to correct. A suggestion is only ever a value in
an editable box: the clerk confirms or corrects it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from refuge.matching.normalise import fold_arabic
from refuge.registry.lexicon import FAMILY, FEMALE_GIVEN, MALE_GIVEN

# Letter by letter, for words the lexicon does not know (after fold_arabic: أ إ آ -> ا,
# ة -> ه, ى -> ي).
_LATIN = {
    "ا": "a", "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d",
    "ذ": "dh", "ر": "r", "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t",
    "ظ": "z", "ع": "a", "غ": "gh", "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m",
    "ن": "n", "ه": "h", "و": "ou", "ي": "i", "ء": "", "ئ": "", "ؤ": "",
}  # fmt: skip
_CYRILLIC = {
    "ا": "а", "ب": "б", "ت": "т", "ث": "с", "ج": "дж", "ح": "х", "خ": "х", "د": "д",
    "ذ": "з", "ر": "р", "ز": "з", "س": "с", "ش": "ш", "ص": "с", "ض": "д", "ط": "т",
    "ظ": "з", "ع": "а", "غ": "г", "ف": "ф", "ق": "к", "ك": "к", "ل": "л", "م": "м",
    "ن": "н", "ه": "х", "و": "у", "ي": "и", "ء": "", "ئ": "", "ؤ": "",
}  # fmt: skip
_WORD_START = {"و": ("w", "в"), "ي": ("y", "й")}


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, tuple[str, str]]:
    known: dict[str, tuple[str, str]] = {}
    for name in (*MALE_GIVEN, *FEMALE_GIVEN, *FAMILY):
        known.setdefault(_key(name.arabic), (name.latin, name.cyrillic))
    return known


def _key(text: str) -> str:
    return " ".join(re.split(r"\s+", fold_arabic(text).strip()))


def _spell_word(word: str) -> tuple[str, str]:
    article = word.startswith("ال") and len(word) > 3
    body = word[2:] if article else word
    latin, cyrillic = [], []
    for position, letter in enumerate(body):
        if position == 0 and letter in _WORD_START:
            lat, cyr = _WORD_START[letter]
        else:
            lat, cyr = _LATIN.get(letter, ""), _CYRILLIC.get(letter, "")
        latin.append(lat)
        cyrillic.append(cyr)
    lat, cyr = "".join(latin).capitalize(), "".join(cyrillic).capitalize()
    if article and lat:
        return f"al-{lat}", f"аль-{cyr}"
    return lat, cyr


def suggest_spellings(arabic: str) -> tuple[str, str]:
    """(Latin, Cyrillic) suggestions for a name written in Arabic script; ("", "") if none."""
    key = _key(arabic)
    if not key:
        return "", ""
    known = _lexicon()
    if key in known:
        return known[key]
    latin, cyrillic = [], []
    for word in key.split(" "):
        lat, cyr = known.get(word) or _spell_word(word)
        latin.append(lat)
        cyrillic.append(cyr)
    return " ".join(w for w in latin if w), " ".join(w for w in cyrillic if w)
