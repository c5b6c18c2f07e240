"""Places of origin written in several scripts, folded to one code.

Free-text origins vary as much as names do (Latakia / Lattakia / اللاذقية / Латакия) and the
Arabic ذ is read "t" in the usual Latin and Russian exonym, so phoneme rules alone would not
join them. A short gazetteer of the places people come from covers the common cases; anything
else falls back to phoneme comparison. The codes are readable slugs, not OCHA p-codes: once the
registry stores p-codes this table should carry them.
"""

from __future__ import annotations

from functools import lru_cache

from refuge.matching.normalise import normalise_name

# code | spellings separated by commas (Arabic, Latin variants, Russian)
_GAZETTEER = """
latakia | اللاذقية, Latakia, Lattakia, Lattaquié, al-Ladhiqiyah, Латакия, Латтакия
tartus | طرطوس, Tartus, Tartous, Tartouss, Тартус
jableh | جبلة, Jableh, Jableh, Jablah, Jeble, Джебла, Джабла
baniyas | بانياس, Baniyas, Banias, Banyas, Банияс
hama | حماة, Hama, Hamah, Хама
homs | حمص, Homs, Hims, Хомс
qardaha | القرداحة, Qardaha, Kardaha, Al-Qardahah, Кардаха
masyaf | مصياف, Masyaf, Misyaf, Масьяф, Мисьяф
safita | صافيتا, Safita, Safitha, Сафита
damascus | دمشق, Damascus, Dimashq, Damas, Дамаск
aleppo | حلب, Aleppo, Halab, Alep, Алеппо, Халеб
idlib | إدلب, Idlib, Idleb, Идлиб
dreikish | الدريكيش, Dreikish, Duraykish, Дрейкиш
"""


def _build() -> dict[str, str]:
    index: dict[str, str] = {}
    for line in _GAZETTEER.strip().splitlines():
        code, spellings = (part.strip() for part in line.split("|"))
        for spelling in spellings.split(","):
            index[normalise_name(spelling.strip()).key] = code
            index[spelling.strip().lower()] = code
    return index


_INDEX = _build()


@lru_cache(maxsize=100_000)
def place_code(text: str) -> str:
    """A code for a place of origin: the gazetteer's code when the spelling is known, else
    "~" followed by the phoneme key of the text (comparable across scripts)."""
    text = (text or "").strip()
    if not text:
        return ""
    hit = _INDEX.get(text.lower())
    if hit:
        return hit
    key = normalise_name(text).key
    return _INDEX.get(key) or ("~" + key if key else "")
