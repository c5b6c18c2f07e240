"""The registry's people as the matching engine sees them: one record per script written."""

from __future__ import annotations

from collections.abc import Mapping

from refuge.encryption import blind_index
from refuge.matching.keys import blocking_keys
from refuge.matching.records import PersonRecord
from refuge.registry.models import NAME_FIELDS, SCRIPTS, Person
from refuge.registry.names import clean_name
from refuge.registry.vocabulary import DocumentType


def records_from_names(
    names: Mapping[str, str],
    *,
    record_id: str,
    sex: str = "",
    birth_date: str = "",
    origin: str = "",
    document_number: str = "",
    household_ref: str = "",
) -> list[PersonRecord]:
    """One engine record for each script in which the given or family name is written.

    `names` holds the registry's name fields (`given_name_ar`, `family_name_lat`...)."""
    # Cleaned as the registry stores names, so that a typed zero-width joiner keys the same.
    names = {field: clean_name(value) for field, value in names.items()}
    records = []
    for script in SCRIPTS:
        given = names.get(f"given_name_{script}", "")
        family = names.get(f"family_name_{script}", "")
        if not (given or family):
            continue
        records.append(
            PersonRecord(
                record_id=f"{record_id}:{script}",
                household_ref=household_ref,
                given_name=given,
                father_name=names.get(f"father_name_{script}", "").strip(),
                family_name=family,
                mother_name=names.get(f"mother_name_{script}", "").strip(),
                sex=sex,
                birth_date=birth_date,
                origin=origin,
                document_number=document_number,
            )
        )
    return records


def engine_birth_date(person_or_date, precision: str = "exact") -> str:
    value = person_or_date
    if value is None:
        return ""
    if precision in ("year", "estimated"):
        return f"{value.year:04d}"
    if precision == "month":
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def personal_document_number(doc_type: str, number: str) -> str:
    """The number the engine may treat as one person's: a family booklet names a family, and
    the engine lets a shared personal document overrule a differing given name."""
    return "" if doc_type == DocumentType.FAMILY_BOOKLET else number


def person_records(person: Person) -> list[PersonRecord]:
    document = next(
        (d for d in person.documents.all() if personal_document_number(d.doc_type, d.number)),
        None,
    )
    return records_from_names(
        {f: getattr(person, f) for f in NAME_FIELDS},
        record_id=str(person.pk),
        sex=person.sex,
        birth_date=engine_birth_date(person.birth_date, person.birth_date_precision),
        origin=person.origin.pcode if person.origin_id else person.origin_village,
        document_number=document.number if document else "",
        household_ref=str(person.household_id),
    )


# The matching engine's document key (refuge.matching.keys) carries the number itself.
_DOCUMENT_KEY = "doc:"


def indexed_keys(records: list[PersonRecord]) -> set[str]:
    """The blocking keys of some records as PersonKey stores and looks them up: a document
    key by the blind index of its number, so that the key table holds no number in clear."""
    keys: set[str] = set()
    for record in records:
        keys |= blocking_keys(record)
    return {stored_key(key) for key in keys}


def stored_key(key: str) -> str:
    if key.startswith(_DOCUMENT_KEY):
        return _DOCUMENT_KEY + blind_index("identity-document-key", key[len(_DOCUMENT_KEY) :])
    return key
