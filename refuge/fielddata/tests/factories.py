"""Field exports as the tests hand them over: households made of the shared world's families."""

from __future__ import annotations

from datetime import date

from refuge.fielddata.kobo import ExportedHousehold, household_values, member_values
from refuge.registry.vocabulary import ConsentScope
from refuge.testing import family_of_four

FAMILIES = [
    ("حسن", "Hassan"),
    ("ديب", "Deeb"),
    ("سليمان", "Suleiman"),
    ("عيسى", "Issa"),
    ("يونس", "Younes"),
    ("خضور", "Khaddour"),
]


def exported(
    family: tuple[str, str] = FAMILIES[0],
    *,
    consent=(ConsentScope.REGISTRATION, ConsentScope.SHARING),
    registered_on: date = date(2026, 3, 2),
) -> ExportedHousehold:
    members = [member_values(m) for m in family_of_four(*family)]
    return ExportedHousehold(values=household_values(registered_on, list(consent)), members=members)
