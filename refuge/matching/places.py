"""Places of origin: the one table of Syrian places that the registry and the matcher share.

Each place has its OCHA p-code (COD-AB: SY06 a governorate, SY0602 one of its districts) and
its names in English, Arabic and Russian, plus the other spellings clerks write (Lattaquié,
Tartous, Джабла). The registry loads its `Place` rows from this table (migration 0003 through
`refuge.registry.places`), so a coded origin and a spelled one fold to the same p-code, and two
origins recorded at different levels (a district in one registration, its governorate in the
other) are compared through the hierarchy: the district lies inside the governorate.

A name that is both a governorate and its capital's district (Latakia, Hama) folds to the
governorate: without more it says no more than that. Free text that is not in the table falls
back to its phoneme key (comparable across scripts). Check the codes against the current HDX
release before exchanging data with partners that key on them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from refuge.matching.normalise import normalise_name


@dataclass(frozen=True, slots=True)
class Place:
    """A coded place: p-code, English, Arabic and Russian names, and other spellings."""

    pcode: str
    name_en: str
    name_ar: str
    name_ru: str
    spellings: tuple[str, ...] = ()

    @property
    def level(self) -> int:
        """1 for a governorate (SY06), 2 for a district (SY0602)."""
        return 1 if len(self.pcode) == 4 else 2

    @property
    def parent(self) -> str:
        """The governorate's p-code of a district; empty for a governorate."""
        return self.pcode[:4] if self.level == 2 else ""


def _p(pcode: str, en: str, ar: str, ru: str, *spellings: str) -> Place:
    return Place(pcode, en, ar, ru, spellings)


GOVERNORATES: tuple[Place, ...] = (
    _p("SY01", "Damascus", "دمشق", "Дамаск", "Dimashq", "Damas"),
    _p("SY02", "Aleppo", "حلب", "Алеппо", "Halab", "Alep", "Халеб"),
    _p("SY03", "Rural Damascus", "ريف دمشق", "Риф-Дамаск", "Rif Dimashq"),
    _p("SY04", "Homs", "حمص", "Хомс", "Hims"),
    _p("SY05", "Hama", "حماة", "Хама", "Hamah"),
    _p(
        "SY06",
        "Lattakia",
        "اللاذقية",
        "Латакия",
        "Latakia",
        "Lattaquié",
        "Lattaquie",
        "al-Ladhiqiyah",
        "Latakiya",
        "Латтакия",
    ),
    _p("SY07", "Idleb", "إدلب", "Идлиб", "Idlib"),
    _p("SY08", "Al-Hasakeh", "الحسكة", "Хасеке", "Hasakah", "Hassakeh"),
    _p("SY09", "Deir-ez-Zor", "دير الزور", "Дейр-эз-Зор", "Deir ez-Zor", "Deir Ezzor"),
    _p("SY10", "Tartous", "طرطوس", "Тартус", "Tartus", "Tartouss", "Tartos"),
    _p("SY11", "Ar-Raqqa", "الرقة", "Ракка", "Raqqa", "Rakka"),
    _p("SY12", "Dar'a", "درعا", "Дараа", "Daraa", "Deraa"),
    _p("SY13", "As-Sweida", "السويداء", "Эс-Сувейда", "Suwayda", "Sweida"),
    _p("SY14", "Quneitra", "القنيطرة", "Кунейтра", "Kuneitra"),
)

DISTRICTS: tuple[Place, ...] = (
    _p("SY0600", "Lattakia", "اللاذقية", "Латакия"),
    _p("SY0601", "Al-Haffa", "الحفة", "Эль-Хаффа", "Haffeh", "Al-Haffeh"),
    _p("SY0602", "Jablah", "جبلة", "Джебла", "Jableh", "Jeble", "Jebleh", "Джабла"),
    _p("SY0603", "Al-Qardaha", "القرداحة", "Кардаха", "Qardaha", "Kardaha", "Al-Qardahah"),
    _p("SY1000", "Tartous", "طرطوس", "Тартус"),
    _p("SY1001", "Banyas", "بانياس", "Банияс", "Baniyas", "Banias"),
    _p("SY1002", "Safita", "صافيتا", "Сафита", "Safitha"),
    _p("SY1003", "Dreikish", "الدريكيش", "Дрейкиш", "Duraykish"),
    _p("SY1004", "Sheikh Badr", "الشيخ بدر", "Шейх-Бадр", "Cheikh Badr"),
    _p("SY0500", "Hama", "حماة", "Хама"),
    _p("SY0501", "As-Suqaylabiyah", "السقيلبية", "Скелбия", "Suqaylabiyah", "Skelbieh"),
    _p("SY0502", "Masyaf", "مصياف", "Масьяф", "Misyaf", "Мисьяф", "Massiaf"),
    _p("SY0503", "Mhardeh", "محردة", "Мхарде", "Muhradah"),
    _p("SY0504", "As-Salamiyeh", "السلمية", "Саламия", "Salamiyah", "Salamieh"),
    _p("SY0400", "Homs", "حمص", "Хомс"),
    _p("SY0401", "Al Makhrim", "المخرم", "Эль-Мухрим", "Makhrim"),
    _p("SY0402", "Al-Qusayr", "القصير", "Эль-Кусейр", "Qusayr", "Qusair"),
    _p("SY0403", "Ar-Rastan", "الرستن", "Эр-Растан", "Rastan"),
    _p("SY0404", "Tadmor", "تدمر", "Тадмор", "Palmyra", "Пальмира"),
    _p("SY0405", "Tall Kalakh", "تلكلخ", "Телль-Калах", "Tal Kalakh", "Tell Kalakh"),
)

PLACES: tuple[Place, ...] = GOVERNORATES + DISTRICTS
_PCODE = re.compile(r"^SY\d{2}(\d{2})?$")


def _build() -> dict[str, str]:
    index: dict[str, str] = {}
    # Districts first, governorates after: a name both carry (Latakia) ends on the governorate.
    for place in DISTRICTS + GOVERNORATES:
        for spelling in (place.name_en, place.name_ar, place.name_ru, *place.spellings):
            index[normalise_name(spelling).key] = place.pcode
            index[spelling.lower()] = place.pcode
    return index


_INDEX = _build()


@lru_cache(maxsize=100_000)
def place_code(text: str) -> str:
    """A code for a place of origin: its p-code when the text is a p-code or a known spelling,
    else "~" followed by the phoneme key of the text (comparable across scripts)."""
    text = (text or "").strip()
    if not text:
        return ""
    if _PCODE.match(text.upper()):
        return text.upper()
    hit = _INDEX.get(text.lower())
    if hit:
        return hit
    key = normalise_name(text).key
    return _INDEX.get(key) or ("~" + key if key else "")


class OriginAgreement(StrEnum):
    """How two coded origins relate."""

    SAME = "agree"
    WITHIN = "agree_within"  # one is a district of the other, a governorate
    DIFFERENT = "disagree"
    MISSING = "missing"


def compare_origins(a: str, b: str) -> OriginAgreement:
    """Compare two codes from `place_code`: the same place, a district and its governorate, or
    two different places."""
    if not a or not b:
        return OriginAgreement.MISSING
    if a == b:
        return OriginAgreement.SAME
    if a.startswith("~") or b.startswith("~"):
        if a.startswith("~") and b.startswith("~"):
            # Imported here: compare.py imports this module for place_code.
            from refuge.matching.compare import Level, compare_names

            level = compare_names(a[1:], b[1:]).level
            if level in (Level.EXACT, Level.STRONG):
                return OriginAgreement.SAME
        return OriginAgreement.DIFFERENT
    short, long_ = sorted((a, b), key=len)
    if len(short) == 4 and long_.startswith(short):
        return OriginAgreement.WITHIN
    return OriginAgreement.DIFFERENT
