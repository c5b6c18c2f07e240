"""Normalisation of names written in Arabic script, Latin transliterations and Russian Cyrillic.

Every name is turned into tokens of one common *phoneme alphabet*, so that محمد, Mohamed and
Мухаммед become comparable strings:

    consonants  b t s c(sh) j h d z r k f w y l m n     (emphatic and plain letters merged:
                ص/س -> s, ط/ت -> t, ض/د -> d, ظ/ذ/ز -> z, ح/ه/خ -> h, ق/ك/غ -> k)
                g        Russian г, which writes Arabic h (هالة Гала, إبراهيم Ибрагим) as
                         often as gh (غسان Гассан): near both h and k
    short vowel a e i u      (written only in Latin and Cyrillic; e is "a or i", o is u)
    long vowel  A I U E      (Arabic ا و ي; Latin aa ee ii oo ou uu and macrons; E is a final
                ى/ي that may be read a or i)
    *           a seat for ayn or hamza: any vowel or none

Arabic script does not write short vowels, so the comparison in `compare.py` lets a short vowel
on the Latin side stand against nothing on the Arabic side, while a long vowel must be matched:
that is what separates محمد from محمود (Mohammed from Mahmoud) although both have the consonant
skeleton m-h-m-d.

The tables below are written by hand: no library transliterates Arabic personal names into a
form that is comparable with French-, English- and Russian-style spellings (PyICU's Any-Latin
writes Arabic as bare consonants and needs system ICU; see REFERENCE.md).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from refuge.matching.scripts import Script, detect_script

VOWELS = frozenset("aeiuAIUE*")
LONG_VOWELS = frozenset("AIUE")

# --- Arabic ---------------------------------------------------------------------------------

_AR_DIACRITICS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")  # harakat, tatweel
_AR_LETTER_FOLD = str.maketrans(
    {
        "آ": "ا",
        "أ": "ا",
        "إ": "ا",
        "ٱ": "ا",
        "ة": "ه",
        "ى": "ي",
        "ؤ": "و",
        "ئ": "ي",
        "ء": "",
        "ک": "ك",
        "ی": "ي",
        "گ": "ك",
        "پ": "ب",
        "چ": "ج",
        "ژ": "ز",
        "ڤ": "ف",
    }
)
_ARABIC_INDIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# Names that begin with the letters ال without it being the article.
_AR_NOT_ARTICLE = frozenset({"الياس", "الهام", "الفت"})
_AR_PATRONYMIC = frozenset({"بن", "ابن", "بنت"})
# Clerks shorten Muhammad to its first letter or two (م. محمد علي -> م. علي).
_AR_ABBREVIATIONS = {"م": "محمد", "مح": "محمد", "محمـ": "محمد"}
_AR_CONSONANTS = {
    "ب": "b",
    "ت": "t",
    "ث": "s",
    "ج": "j",
    "ح": "h",
    "خ": "h",
    "د": "d",
    "ذ": "z",
    "ر": "r",
    "ز": "z",
    "س": "s",
    "ش": "c",
    "ص": "s",
    "ض": "d",
    "ط": "t",
    "ظ": "z",
    "غ": "k",
    "ف": "f",
    "ق": "k",
    "ك": "k",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ه": "h",
}


def fold_arabic(text: str) -> str:
    """Arabic orthographic folding: diacritics and tatweel removed, alef/hamza forms, taa
    marbuta and alif maqsura unified, Persian letters mapped to Arabic ones."""
    text = unicodedata.normalize("NFKC", text)  # presentation forms -> letters
    text = _AR_DIACRITICS.sub("", text)
    return text.translate(_AR_LETTER_FOLD).translate(_ARABIC_INDIC_DIGITS)


def _strip_ar_article(token: str) -> str:
    if token.startswith("ال") and len(token) > 3 and token not in _AR_NOT_ARTICLE:
        return token[2:]
    return token


def arabic_tokens(text: str) -> list[str]:
    """Arabic name tokens after folding, with the article removed and عبد compounds joined
    (عبد الرحمن, عبدالرحمن -> one token عبدالرحمن)."""
    raw = [t for t in re.split(r"[^\w]+", fold_arabic(text)) if t]
    out: list[str] = []
    i = 0
    while i < len(raw):
        tok = raw[i]
        if tok in _AR_PATRONYMIC and i + 1 < len(raw):
            i += 1
            continue
        if tok == "عبد" and i + 1 < len(raw):
            out.append("عبدال" + _strip_ar_article(raw[i + 1]))
            i += 2
            continue
        tok = _AR_ABBREVIATIONS.get(tok, tok)
        if tok.startswith("عبد") and len(tok) > 4:
            out.append("عبدال" + _strip_ar_article(tok[3:]))
        else:
            out.append(_strip_ar_article(tok))
        i += 1
    return out


def normalise_arabic(text: str) -> str:
    """The comparable Arabic-script form of a name: folded, article removed, compounds joined.

    >>> normalise_arabic("الأسعد") == normalise_arabic("اسعد")
    True
    """
    return " ".join(arabic_tokens(text))


def _arabic_phonemes(token: str) -> str:
    if token.startswith("عبدال") and len(token) > 5:
        return "*bd" + _arabic_phonemes(token[5:])
    out = []
    n = len(token)
    for i, ch in enumerate(token):
        nxt = token[i + 1] if i + 1 < n else ""
        if ch == "ا":
            out.append("*" if i == 0 else "A")
        elif ch == "ع":
            out.append("*")
        elif ch == "و":
            out.append("w" if i == 0 or nxt == "ا" else "U")
        elif ch == "ي":
            if i == 0 or nxt == "ا":
                out.append("y")
            else:
                out.append("E" if i == n - 1 or (i == n - 2 and nxt == "ه") else "I")
        elif ch in _AR_CONSONANTS:
            out.append(_AR_CONSONANTS[ch])
    return "".join(out)


# --- Cyrillic -------------------------------------------------------------------------------

_CY_TABLE = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "sh",
    "ъ": "",
    "ы": "i",
    "э": "e",
    "ё": "o",
}
_CY_IOTATED = {"я": "a", "ю": "u", "е": "e", "ё": "o"}
_CY_VOWELS = frozenset("аеёиоуыэюя")
_CY_ARTICLES = frozenset({"аль", "эль", "ал", "ас", "аш", "ад", "ар", "ат", "аз", "ан"})


def cyrillic_to_latin(text: str) -> str:
    """Russian Cyrillic to a plain Latin spelling that the Latin rules below understand."""
    out = []
    text = text.lower()
    for i, ch in enumerate(text):
        prev = text[i - 1] if i else " "
        if ch in _CY_IOTATED:
            iotated = ch != "е" and (not prev.isalpha() or prev in _CY_VOWELS or prev in "ьъ")
            out.append(("y" if iotated or prev == "ь" else "") + _CY_IOTATED[ch])
        elif ch == "ь":
            out.append("")
        elif ch in _CY_TABLE:
            out.append(_CY_TABLE[ch])
        else:
            out.append(ch)
    return "".join(out)


# --- Latin ----------------------------------------------------------------------------------

# Scholarly letters whose base letter alone would lose the sound (š -> s would lose sh).
_LATIN_PREMAP = str.maketrans(
    {
        "š": "sh",
        "ç": "s",
        "ş": "sh",
        "ǧ": "j",
        "ğ": "gh",
        "ḫ": "kh",
        "ẖ": "kh",
        "ġ": "gh",
        "ṯ": "th",
        "ḏ": "dh",
        "ž": "zh",
        "č": "ch",
        "ā": "aa",
        "ī": "ii",
        "ū": "uu",
        "â": "aa",
        "î": "ii",
        "û": "uu",
        "ʿ": "",
        "ʾ": "",
        "'": "",
        "’": "",
        "‘": "",
        "`": "",
        "´": "",
    }
)
_LATIN_ARTICLES = frozenset(
    {"al", "el", "ul", "il", "as", "ash", "ad", "ar", "at", "az", "an", "adh", "ath", "ed", "es"}
)
_LATIN_PATRONYMIC = frozenset({"bin", "ibn", "ben", "bint", "bn"})
# Clerks' abbreviations of Muhammad in Latin and (through cyrillic_to_latin) in Cyrillic:
# Mhd, Mohd, Med, Мхд, Мух., Мухд.
_ABBREVIATIONS = dict.fromkeys(
    ("mhd", "mohd", "muhd", "mhmd", "med", "mohd", "moh", "muh", "mkhd", "mukhd", "mukh", "mokh"),
    "muhammad",
)
_ABD_PREFIX = re.compile(r"^(abd|abed)(?:oul|ul|el|al|ol|il|ou|u|e|a|o)?")
_ABD_WORDS = frozenset({"abd", "abdul", "abdel", "abdal", "abdol", "abdu", "abed", "abdoul"})
_CONSONANT_DIGRAPHS = (
    ("sch", "c"),
    ("tch", "c"),
    ("dzh", "j"),
    ("sh", "c"),
    ("ch", "c"),
    ("kh", "h"),
    ("gh", "k"),
    ("th", "s"),
    ("dh", "z"),
    ("dj", "j"),
    ("zh", "j"),
    ("ph", "f"),
    ("ck", "k"),
)
_VOWEL_DIGRAPHS = {
    "aa": "A",
    "ee": "I",
    "ii": "I",
    "ie": "I",
    "ei": "I",
    "oo": "U",
    "ou": "U",
    "uu": "U",
}
_LATIN_SINGLE = {
    "a": "a",
    "e": "e",
    "i": "i",
    "o": "u",
    "u": "u",
    "q": "k",
    "g": "k",
    "c": "k",
    "x": "h",
    "v": "w",
    "p": "b",
}
_LATIN_V = frozenset("aeiouy")


def fold_latin(text: str) -> str:
    """Lower-case ASCII letters: scholarly marks resolved (ḥ -> h, š -> sh, ā -> aa), other
    accents dropped, ayn and hamza marks removed."""
    text = unicodedata.normalize("NFC", text.lower()).translate(_LATIN_PREMAP)
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _split_abd(token: str) -> tuple[str, str] | None:
    m = _ABD_PREFIX.match(token)
    if not m:
        return None
    rest = token[m.end() :]
    if len(rest) < 2:
        return None
    return "abd", rest


def latin_tokens(text: str) -> list[str]:
    """Latin name tokens: articles (al-, el-, as-...) and bin/ibn removed, Abdul/Abd al-/Abdel
    compounds joined into one token starting with "abd", clerk abbreviations (Mhd) expanded."""
    raw = [t for t in re.split(r"[^a-z]+", fold_latin(text)) if t]
    out: list[str] = []
    i = 0
    while i < len(raw):
        tok = raw[i]
        has_next = i + 1 < len(raw)
        if has_next and (tok in _LATIN_ARTICLES or tok in _LATIN_PATRONYMIC):
            i += 1
            continue
        if has_next and tok in _ABD_WORDS:
            j = i + 1
            if raw[j] in _LATIN_ARTICLES and j + 1 < len(raw):
                j += 1
            out.append("abd" + _strip_latin_article(raw[j]))
            i = j + 1
            continue
        tok = _ABBREVIATIONS.get(tok, tok)
        split = _split_abd(tok)
        if split:
            out.append("abd" + split[1])
        else:
            out.append(_strip_latin_article(tok))
        i += 1
    return out


def _strip_latin_article(tok: str) -> str:
    for art in ("al", "el"):
        rest = tok[len(art) :]
        if tok.startswith(art) and len(rest) >= 4 and rest[0] not in "iy":
            return rest
    return tok


def _latin_phonemes(token: str, cyrillic: bool = False) -> str:
    if token.startswith("abd") and len(token) > 4:
        return "abd" + _latin_phonemes(token[3:], cyrillic)
    out: list[str] = []
    i, n = 0, len(token)
    while i < n:
        for src, dst in _CONSONANT_DIGRAPHS:
            if token.startswith(src, i):
                out.append(dst)
                i += len(src)
                break
        else:
            pair = token[i : i + 2]
            ch = token[i]
            if i == 0 and pair == "ou" and token[2:3] in _LATIN_V:
                # French writes an initial و before a vowel as "ou": Ouael, Ouassim, Ouafaa.
                out.append("w")
                i += 2
                continue
            if pair in ("aw", "ow") and i + 2 < n and token[i + 2] not in _LATIN_V:
                # The diphthong English writes aw and French ou (Tawfiq / Toufic, Shawkat /
                # Choukat) stands where Arabic writes a long و.
                out.append("U")
                i += 2
                continue
            if pair in _VOWEL_DIGRAPHS:
                out.append(_VOWEL_DIGRAPHS[pair])
                i += 2
                continue
            nxt = token[i + 1] if i + 1 < n else ""
            if ch == "c" and nxt and nxt in "eiy":
                # French writes s as c before e and i: Youcef, Houcine, Yacine, Nacera.
                out.append("s")
            elif ch == "g" and cyrillic:
                out.append("g")
            elif ch in "yw":
                glide = "y" if ch == "y" else "w"
                if i == 0 or nxt in _LATIN_V:
                    out.append(glide)
                else:
                    out.append("i" if ch == "y" else "u")
            else:
                out.append(_LATIN_SINGLE.get(ch, ch))
            i += 1
    return "".join(out)


# --- common form ----------------------------------------------------------------------------


def _tidy(phon: str) -> str:
    """Collapse doubled consonants and drop a final h (taa marbuta, silent -ah; a Russian
    final г is that h: Салег, Saleh, صالح)."""
    out: list[str] = []
    for ch in phon:
        if out and ch == out[-1] and ch not in VOWELS:
            continue
        out.append(ch)
    if len(out) > 2 and out[-1] in "hg":
        out.pop()
    return "".join(out)


def skeleton(phon: str, g_reads: str = "h") -> str:
    """The consonant skeleton of a phoneme token: vowels, seats and inner glides dropped. The
    Russian г reads as h (the Russian habit for ه and ح) unless `g_reads` says k (for غ)."""
    out = []
    for i, ch in enumerate(phon):
        if ch in VOWELS or (i > 0 and ch in "wy"):
            continue
        if ch == "g":
            ch = g_reads
        if out and out[-1] == ch:
            continue
        out.append(ch)
    return "".join(out)


@dataclass(frozen=True, slots=True)
class NameToken:
    """One part of a name in the common phoneme alphabet.

    `arabic` is true when it came from Arabic script, whose short vowels are unwritten.
    """

    phon: str
    skel: str
    arabic: bool
    text: str


@dataclass(frozen=True, slots=True, eq=False)
class NormalisedName:
    """A name as comparable tokens, with the script it was written in.

    `key` is the phoneme tokens joined by spaces (one comparable string), `skeleton` the
    consonant skeletons of all tokens joined without spaces; `alt_skeleton` is the skeleton with
    a Russian г read as غ (k) instead of h, empty when the name has no г. Instances compare by
    identity: `normalise_name` returns the same object for the same text, which keeps caches
    cheap.
    """

    raw: str
    script: Script
    tokens: tuple[NameToken, ...]
    key: str = ""
    skeleton: str = ""
    alt_skeleton: str = ""

    @property
    def skeletons(self) -> tuple[str, ...]:
        """Every reading of the skeleton, for blocking keys."""
        return (self.skeleton, self.alt_skeleton) if self.alt_skeleton else (self.skeleton,)

    def __bool__(self) -> bool:
        return bool(self.tokens)


def _token(phon: str, arabic: bool, text: str) -> NameToken:
    phon = _tidy(phon)
    return NameToken(phon, skeleton(phon), arabic, text)


@lru_cache(maxsize=500_000)
def normalise_name(text: str) -> NormalisedName:
    """Normalise a name written in any of the three scripts into comparable tokens.

    >>> normalise_name("محمد").tokens[0].skel == normalise_name("Mohammed").tokens[0].skel
    True
    """
    text = (text or "").strip()
    script = detect_script(text)
    if script is Script.ARABIC:
        toks = tuple(_token(_arabic_phonemes(t), True, t) for t in arabic_tokens(text))
    elif script in (Script.LATIN, Script.CYRILLIC):
        latin = text
        if script is Script.CYRILLIC:
            words = re.split(r"[^\w]+", text.lower())
            words = [w for w in words if w]
            if len(words) > 1:
                words = [w for w in words[:-1] if w not in _CY_ARTICLES] + words[-1:]
            latin = cyrillic_to_latin(" ".join(words))
        cyrillic = script is Script.CYRILLIC
        toks = tuple(_token(_latin_phonemes(t, cyrillic), False, t) for t in latin_tokens(latin))
    else:
        toks = ()
    toks = tuple(t for t in toks if t.phon)
    key = " ".join(t.phon for t in toks)
    alt = "".join(skeleton(t.phon, "k") for t in toks) if "g" in key else ""
    return NormalisedName(text, script, toks, key, "".join(t.skel for t in toks), alt)


def name_phonemes(text: str) -> str:
    """The phoneme key of a name (tokens joined by spaces), for display and tests."""
    return normalise_name(text).key


def name_skeleton(text: str) -> str:
    """The consonant skeleton of a whole name, script-independent (محمد, Mohamed -> "mhmd")."""
    return normalise_name(text).skeleton
