"""Folding names and numbers for exact and prefix search in any script.

Cross-script matching (محمد ~ Mohammed ~ Мухаммед) is the matching package's job; this only
makes the same script typed differently find itself: case, Arabic diacritics and tatweel,
hamza-carrying alef forms, Latin accents.
"""

import re
import unicodedata

_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ALEF_FORMS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
_WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    text = _ARABIC_MARKS.sub("", text).translate(_ALEF_FORMS).casefold()
    text = text.replace("ё", "е")
    # Strip Latin accents (é -> e) but keep Arabic and Cyrillic letters whole.
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def name_tokens(*names: str) -> set[str]:
    tokens: set[str] = set()
    for name in names:
        tokens.update(t for t in _WORD.findall(fold(name)) if not t.isdigit())
    return tokens


def normalise_document_number(number: str) -> str:
    return re.sub(r"[\s\-./]", "", unicodedata.normalize("NFKC", number or "")).upper()
