"""A KoBoToolbox XLSX export of the registration form, written as KoBoToolbox writes it: the
main sheet with group paths and KoBo's own columns, the roster on its own sheet joined by
`_index` -> `_parent_index`. The demo's sample file and the benchmarks are made with it, so
that the importer reads what a field team hands over."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from refuge.fielddata.xlsform import (
    FORM_VERSION,
    HOUSEHOLD_FIELDS,
    HOUSEHOLD_GROUP,
    MEMBER_FIELDS,
    MEMBERS_REPEAT,
)
from refuge.registry.services import MemberData
from refuge.registry.vocabulary import ConsentScope


@dataclass
class ExportedHousehold:
    values: dict[str, str]
    members: list[dict[str, str]]
    root_uuid: str = field(default_factory=lambda: str(uuid.uuid4()))


def member_values(member: MemberData) -> dict[str, str]:
    """A member as the form records them (a Place's p-code, dates as YYYY-MM-DD)."""
    origin = getattr(member, "origin", None)
    pcode = getattr(origin, "pcode", "") or ""
    document = member.documents[0] if member.documents else None
    values = {
        "relationship": member.relationship,
        **{
            n: member.names.get(n, "") for n in MEMBER_FIELDS if n.endswith(("_ar", "_lat", "_cyr"))
        },
        "sex": member.sex,
        "birth_date": member.birth_date.isoformat() if member.birth_date else "",
        "birth_date_precision": member.birth_date_precision,
        "origin_governorate": pcode[:4],
        "origin_district": pcode if len(pcode) == 6 else "",
        "origin_village": member.origin_village,
        "document_type": document.doc_type if document else "",
        "document_number": document.number if document else "",
        "needs": " ".join(member.needs),
    }
    return {n: values.get(n, "") for n in MEMBER_FIELDS}


def household_values(registered_on, consent: list[str], phone: str = "") -> dict[str, str]:
    return {
        "registered_on": registered_on.isoformat(),
        "phone": phone,
        "consent": " ".join(consent),
    }


def write_kobo_xlsx(path: Path, households: Iterable[ExportedHousehold]) -> Path:
    """Write households as KoBoToolbox's XLSX export (XML values and headers, "/" separator)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    main = workbook.create_sheet("Refuge household registration")
    roster = workbook.create_sheet(MEMBERS_REPEAT)
    consent_choices = [f"{HOUSEHOLD_GROUP}/consent/{c}" for c in ConsentScope.values]
    main.append(
        [
            *(f"{HOUSEHOLD_GROUP}/{n}" for n in HOUSEHOLD_FIELDS),
            *consent_choices,
            "meta/instanceID",
            "meta/rootUuid",
            "_id",
            "_uuid",
            "_submission_time",
            "_validation_status",
            "__version__",
            "_index",
        ]
    )
    roster.append(
        [
            *(f"{MEMBERS_REPEAT}/{n}" for n in MEMBER_FIELDS),
            "_index",
            "_parent_table_name",
            "_parent_index",
            "_submission__uuid",
        ]
    )
    member_index = 0
    submitted = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    for index, household in enumerate(households, start=1):
        chosen = set(household.values.get("consent", "").split())
        main.append(
            [
                *(household.values.get(n, "") for n in HOUSEHOLD_FIELDS),
                *(1 if c in chosen else 0 for c in ConsentScope.values),
                f"uuid:{household.root_uuid}",
                f"uuid:{household.root_uuid}",
                index,
                household.root_uuid,
                submitted,
                "",
                FORM_VERSION,
                index,
            ]
        )
        for member in household.members:
            member_index += 1
            roster.append(
                [
                    *(member.get(n, "") for n in MEMBER_FIELDS),
                    member_index,
                    "Refuge household registration",
                    index,
                    household.root_uuid,
                ]
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path
