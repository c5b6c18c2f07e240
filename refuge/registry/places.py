"""Syrian places of origin with OCHA p-codes, as the registry loads them (migration 0002/0003).

The table itself lives in `refuge.matching.places`, the one place list that the registry and the
matcher share: a p-code stored here and a spelling in a CSV fold to the same code there. These
tuples keep the shape the migration reads: (p-code, English, Arabic, Russian)."""

from refuge.matching.places import DISTRICTS as _DISTRICTS
from refuge.matching.places import GOVERNORATES as _GOVERNORATES

GOVERNORATES = [(p.pcode, p.name_en, p.name_ar, p.name_ru) for p in _GOVERNORATES]
DISTRICTS = [(p.pcode, p.name_en, p.name_ar, p.name_ru) for p in _DISTRICTS]
