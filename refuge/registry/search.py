"""Folding names and numbers for search in any script.

Two kinds of searchable token are kept per person (registry.PersonNameToken):
- the words of their names as typed, folded (case, Arabic diacritics and tatweel, hamza-carrying
  alef forms, Latin accents), so that the same script typed differently finds itself by prefix;
- the consonant skeleton of each name in the matching package's common phoneme alphabet
  (محمد, Mohammed, Мухаммед -> mhmd), marked with SOUND_MARK, so that a name written in one
  script is found by its form in another. These are the instant check's name keys.

A slip's QR code carries an address ending in /registry/h/<registration number>/; a handheld
scanner types it into Find, so Find recognises it too, even typed under a Russian keyboard
layout.
"""

from __future__ import annotations

import re
import unicodedata

from refuge.matching.compare import token_distance
from refuge.matching.normalise import NameToken, normalise_name
from refuge.matching.scripts import Script, char_script

_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ALEF_FORMS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
_WORD = re.compile(r"\w+", re.UNICODE)
# Never the first character of a folded word, so a sound token cannot match a typed prefix.
SOUND_MARK = "~"
MAX_QUERY_LENGTH = 200

# A registration number is the site's code, a hyphen and six digits (registry.services).
_REGISTRATION = re.compile(r"^([A-Z][A-Z0-9]{0,19}?)[\s\-_./]*0*(\d{1,6})$")
_SLIP_ADDRESS = re.compile(r"/h/([A-Za-z0-9]+-\d+)/?\s*$")
# What a scanner "types" when the desk's keyboard layout is Russian (ЙЦУКЕН over QWERTY).
_QWERTY = "qwertyuiop[]asdfghjkl;'zxcvbnm,./QWERTYUIOP{}ASDFGHJKL:\"ZXCVBNM<>?`~"
_JCUKEN = "йцукенгшщзхъфывапролджэячсмитьбю.ЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ,ёЁ"
_FROM_RUSSIAN_LAYOUT = str.maketrans(_JCUKEN, _QWERTY)


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


def sound_tokens(*names: str) -> set[str]:
    """The script-independent skeletons of each name (one name field at a time), marked."""
    return {SOUND_MARK + t.skel for name in names for t in normalise_name(name).tokens if t.skel}


def searchable_tokens(*names: str) -> set[str]:
    """Every token Find looks a person up by: folded words and cross-script skeletons."""
    return name_tokens(*names) | sound_tokens(*names)


# Marks of the tokens that hold two or three of a person's names at once (see below).
GIVEN_FAMILY, GIVEN_FATHER, GIVEN_FATHER_FAMILY = "~gf~", "~gp~", "~gpf~"


def _skeletons(forms: tuple[str, ...]) -> set[str]:
    """The skeleton of one name (its first word) in each script it is written in."""
    out = set()
    for form in forms:
        tokens = normalise_name(form).tokens if form else ()
        if tokens and tokens[0].skel:
            out.add(tokens[0].skel)
    return out


def combination_tokens(
    given: tuple[str, ...], father: tuple[str, ...], family: tuple[str, ...]
) -> set[str]:
    """A person's given and family name, given and father's name, and all three, as one token
    each (each name as its skeleton, in every script it is written in). "Mohammed Hassan" is
    then one index entry to look up, however many Mohammeds and Hassans there are, instead of
    the meeting of two long lists. Given and family name are sorted, so a swap still finds."""
    g, f, fam = _skeletons(given), _skeletons(father), _skeletons(family)
    out = set()
    for a in g:
        for c in fam:
            out.add(GIVEN_FAMILY + "~".join(sorted((a, c))))
            for b in f:
                lo, hi = sorted((a, c))
                out.add(f"{GIVEN_FATHER_FAMILY}{lo}~{b}~{hi}")
        for b in f:
            out.add(f"{GIVEN_FATHER}{a}~{b}")
    return out


def person_search_tokens(names: dict[str, str]) -> set[str]:
    """Every token of a person (their name fields by name: given_name_ar, family_name_lat...)."""

    def forms(part: str) -> tuple[str, ...]:
        return tuple(names.get(f"{part}_{script}", "") for script in ("ar", "lat", "cyr"))

    return searchable_tokens(*names.values()) | combination_tokens(
        forms("given_name"), forms("father_name"), forms("family_name")
    )


def query_combination_tokens(query: str) -> list[str]:
    """The combination tokens a typed query of two or three names can be: given and family
    or given and father's name; given, father's and family name."""
    skels = [t.skel for t in query_name_tokens(query) if t.skel]
    if len(skels) == 2:
        return [GIVEN_FAMILY + "~".join(sorted(skels)), f"{GIVEN_FATHER}{skels[0]}~{skels[1]}"]
    if len(skels) == 3:
        lo, hi = sorted((skels[0], skels[2]))
        return [f"{GIVEN_FATHER_FAMILY}{lo}~{skels[1]}~{hi}"]
    return []


def query_name_tokens(query: str) -> list[NameToken]:
    """The name tokens of a typed query. Runs of words in one script are normalised together,
    so "Abd al-Rahman" or "عبد الرحمن" give the one name they are, and "Омар الشامي" both
    parts."""
    runs: list[tuple[Script, list[str]]] = []
    for word in query.split():
        letters = [char_script(c) for c in word if c.isalpha()]
        script = max(set(letters), key=letters.count) if letters else Script.UNKNOWN
        if runs and runs[-1][0] is script:
            runs[-1][1].append(word)
        else:
            runs.append((script, [word]))
    return [t for _script, words in runs for t in normalise_name(" ".join(words)).tokens]


def query_sound_tokens(query: str) -> list[str]:
    """The skeletons of a typed query, marked, each once."""
    tokens: list[str] = []
    for t in query_name_tokens(query):
        if t.skel and SOUND_MARK + t.skel not in tokens:
            tokens.append(SOUND_MARK + t.skel)
    return tokens


def query_birth_year(query: str, this_year: int) -> int | None:
    """A year of birth typed with the names ("Omar Hassan 2015"), which ranks namesakes."""
    for word in query.split():
        if len(word) == 4 and word.isdigit() and 1900 <= int(word) <= this_year:
            return int(word)
    return None


def closeness(query: list[NameToken], names: list[str]) -> float:
    """How far a person's names are from what was typed: for each typed name, the distance in
    sounds to the nearest of the person's names in any script (0 when written the same), as
    the matching engine measures it. Ranks people found by the same skeletons: Mohammed is
    nearer "Мухаммед" than Mahmoud is."""
    theirs = [t for name in names if name for t in normalise_name(name).tokens]
    if not theirs:
        return float(len(query)) * 3
    return sum(min(token_distance(q, t) for t in theirs) for q in query)


def normalise_document_number(number: str) -> str:
    return re.sub(r"[\s\-./]", "", unicodedata.normalize("NFKC", number or "")).upper()


def registration_number_candidates(text: str) -> list[str]:
    """How a typed registration number may be written: 'hmm000305', 'HMM 305', 'hmm-000305'
    all mean HMM-000305. Returns the canonical forms worth looking up (at most two)."""
    text = unicodedata.normalize("NFKC", text or "").strip().upper()
    if not text or len(text) > 30:
        return []
    candidates = []
    if m := _REGISTRATION.match(text):
        candidates.append(f"{m.group(1)}-{int(m.group(2)):06d}")
    compact = re.sub(r"[\s\-_./]", "", text)
    # A code ending in a digit (PRM1) typed without its hyphen: the last six digits are the number.
    if len(compact) > 6 and compact[-6:].isdigit() and compact[:-6].isalnum():
        candidates.append(f"{compact[:-6]}-{compact[-6:]}")
    return list(dict.fromkeys(candidates))


def registration_number_from_slip(text: str) -> str | None:
    """The registration number in a slip's QR address as a scanner typed it, or None."""
    text = (text or "").strip()
    for form in (text, text.translate(_FROM_RUSSIAN_LAYOUT)):
        if "/" in form and (m := _SLIP_ADDRESS.search(form)):
            return m.group(1).upper()
    return None
