"""What Syrian naming lets a registration form fill in for the clerk.

A child's father's name is the father's given name and the child carries his family name; a
wife keeps her own father's and family names. So when the head is the father, a son's or
daughter's father's and family names come from the head; nothing comes to a spouse.
"""

from __future__ import annotations

from collections.abc import Mapping

from refuge.registry.models import SCRIPTS
from refuge.registry.transliteration import suggest_spellings
from refuge.registry.vocabulary import Relationship, Sex

CHILDREN = frozenset({Relationship.SON, Relationship.DAUGHTER})
SUGGESTED_PARTS = ("given_name", "father_name", "family_name", "mother_name")


def names_from_head(
    relationship: str, head_sex: str, head_names: Mapping[str, str]
) -> dict[str, str]:
    """The name fields a member inherits from the head, e.g. {"father_name_ar": "محمد"}."""
    if relationship not in CHILDREN or head_sex != Sex.MALE:
        return {}
    inherited = {}
    for script in SCRIPTS:
        for part, source in (("father_name", "given_name"), ("family_name", "family_name")):
            value = head_names.get(f"{source}_{script}", "").strip()
            if value:
                inherited[f"{part}_{script}"] = value
    return inherited


def suggested_names(
    names: Mapping[str, str], *, relationship: str = "", head_sex: str = "", head_names=None
) -> dict[str, str]:
    """Values to offer for a member's name boxes: what comes from the head, and Latin and
    Cyrillic spellings of each name written (or inherited) in Arabic script. The form puts a
    value only in a box that is empty or still holds an earlier suggestion: never over what
    the clerk typed."""
    suggestions = names_from_head(relationship, head_sex, head_names or {})
    for part in ("father_name", "family_name"):
        typed = (names.get(f"{part}_ar") or "").strip()
        if typed and typed != suggestions.get(f"{part}_ar", typed):
            # The clerk wrote another name: the head's spellings are not this one's.
            for script in SCRIPTS:
                suggestions.pop(f"{part}_{script}", None)
    for part in SUGGESTED_PARTS:
        arabic = (names.get(f"{part}_ar") or "").strip() or suggestions.get(f"{part}_ar", "")
        if not arabic:
            continue
        latin, cyrillic = suggest_spellings(arabic)
        for script, value in (("lat", latin), ("cyr", cyrillic)):
            if value:
                suggestions.setdefault(f"{part}_{script}", value)
    return suggestions
