"""Exports of people, through the one door: only roles that export, only people at the
user's sites whose consent covers the recipient, only the fields the role may read, and every
export audited with who, what and how many. Rows are streamed: a CSV as it is written, an XLSX
through refuge.fielddata.xlsx (rows go to disk, not to memory).

Layouts: one row per person with their household's columns (KoBo users' most-asked export);
households and their roster on two sheets (XLSX); the person exchange CSV; and a site's list
for a partner (fewer columns, only people who agreed to sharing)."""

from __future__ import annotations

import csv
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from refuge.accounts.access import require
from refuge.accounts.roles import Capability
from refuge.audit import services as audit
from refuge.fielddata.selectors import Echo
from refuge.fielddata.xlsx import write_xlsx
from refuge.registry.models import NAME_FIELDS, Consent, Household, Person
from refuge.registry.selectors import households_reading_field
from refuge.registry.vocabulary import ConsentScope, DatePrecision
from refuge.sites.models import Site

EXPORT = "fielddata.export"
CHUNK = 2000


class Layout:
    PEOPLE = "people"
    HOUSEHOLDS = "households"
    EXCHANGE = "exchange"
    PARTNER = "partner"


LAYOUTS = {
    Layout.PEOPLE: _("One row per person, with the household's columns"),
    Layout.HOUSEHOLDS: _("Households and their members on two sheets (XLSX)"),
    Layout.EXCHANGE: _("Person exchange CSV"),
    Layout.PARTNER: _("A site's list for a partner (people who agreed to sharing)"),
}
FORMATS = ("csv", "xlsx")


class ExportRefused(ValueError):
    """A layout and format that do not go together."""


@dataclass(frozen=True)
class Export:
    """What the door hands over: the rows (header first), how many people, and the audit."""

    layout: str
    format: str
    people: int
    households: int
    rows: Iterator[list]
    sheets: dict[str, Iterator[list]] | None = None


def _site_households(user, site: Site) -> QuerySet[Household]:
    return Household.objects.visible_to(user).filter(current_site=site)


def _site_people(user, site: Site) -> QuerySet[Person]:
    return Person.objects.filter(household__in=_site_households(user, site))


def _consenting_ids(people: QuerySet[Person], scope: str) -> set[int]:
    # Consent is a JSON list, which SQLite cannot search: the live consents are read as
    # (person, scopes) pairs in one pass, and the scope looked for in Python.
    live = Consent.objects.filter(person__in=people, withdrawn_on__isnull=True)
    return {
        pk for pk, scopes in live.values_list("person_id", "scopes").iterator() if scope in scopes
    }


def _rows_of(people: QuerySet[Person], chosen: set[int]) -> Iterator[Person]:
    full = (
        people.select_related("household", "origin")
        .prefetch_related("documents", "needs")
        .order_by("household__registration_number", "pk")
    )
    for person in full.iterator(chunk_size=CHUNK):
        if person.pk in chosen:
            yield person


def _birth(person: Person) -> str:
    if person.birth_date is None:
        return ""
    if person.birth_date_precision in (DatePrecision.YEAR, DatePrecision.ESTIMATED):
        return str(person.birth_date.year)
    if person.birth_date_precision == DatePrecision.MONTH:
        return person.birth_date.strftime("%Y-%m")
    return person.birth_date.isoformat()


PERSON_COLUMNS = (
    "relationship",
    *NAME_FIELDS,
    "sex",
    "birth_date",
    "birth_date_precision",
    "origin",
    "origin_village",
    "documents",
    "needs",
)


def _person_cells(person: Person) -> list:
    return [
        person.relationship,
        *(getattr(person, f) for f in NAME_FIELDS),
        person.sex,
        person.birth_date.isoformat() if person.birth_date else "",
        person.birth_date_precision,
        person.origin.pcode if person.origin else "",
        person.origin_village,
        "; ".join(f"{d.doc_type}:{d.number}" for d in person.documents.all()),
        " ".join(n.code for n in person.needs.all()),
    ]


def _phone_readable(person: Person, contact: set[int]) -> str:
    """The household's phone where the field rule lets this role read it (`contact`, the
    households the registry's households_reading_field allows: the role, and every member's
    consent to contact)."""
    household = person.household
    return household.phone if household.pk in contact else ""


def _household_cells(person: Person, site: Site, contact: set[int]) -> list:
    household = person.household
    return [
        household.registration_number,
        household.registered_on.isoformat(),
        site.code,
        _phone_readable(person, contact),
    ]


HOUSEHOLD_COLUMNS = ("registration_number", "registered_on", "site", "phone")


def _exchange_name(person: Person, part: str) -> str:
    return next(
        (
            getattr(person, f"{part}_{s}")
            for s in ("ar", "lat", "cyr")
            if getattr(person, f"{part}_{s}")
        ),
        "",
    )


def _exchange_rows(people: Iterator[Person], site: Site) -> Iterator[list]:
    from refuge.matching.records import PersonRecord

    yield list(PersonRecord.__dataclass_fields__)[:11]
    for person in people:
        document = next(iter(person.documents.all()), None)
        yield [
            f"P{person.pk}",
            person.household.registration_number,
            _exchange_name(person, "given_name"),
            _exchange_name(person, "father_name"),
            _exchange_name(person, "family_name"),
            _exchange_name(person, "mother_name"),
            person.sex,
            _birth(person),
            person.origin.pcode if person.origin else person.origin_village,
            document.number if document else "",
            site.code,
        ]


PARTNER_COLUMNS = (
    "registration_number",
    "given_name_lat",
    "family_name_lat",
    "given_name_ar",
    "family_name_ar",
    "sex",
    "birth_year",
)


def _partner_rows(people: Iterator[Person]) -> Iterator[list]:
    yield list(PARTNER_COLUMNS)
    for person in people:
        yield [
            person.household.registration_number,
            person.given_name_lat,
            person.family_name_lat,
            person.given_name_ar,
            person.family_name_ar,
            person.sex,
            str(person.birth_date.year) if person.birth_date else "",
        ]


def export_people(*, user, site: Site, layout: str, fmt: str) -> Export:
    """The export of a site's people, refused (PermissionDenied) unless `user` exports there.
    Audited before the first row leaves, with the count of people it holds."""
    require(user, Capability.EXPORT_PEOPLE, site.pk)
    require(user, Capability.VIEW_PEOPLE, site.pk)
    if (
        layout not in LAYOUTS
        or fmt not in FORMATS
        or (layout == Layout.HOUSEHOLDS and fmt != "xlsx")
    ):
        raise ExportRefused(layout)
    if layout == Layout.EXCHANGE and fmt != "csv":
        raise ExportRefused(layout)
    # A list leaving for a partner needs the person's consent to sharing; an export for the
    # programme's own use, the consent to registration that every registered person gave.
    scope = ConsentScope.SHARING if layout == Layout.PARTNER else ConsentScope.REGISTRATION
    people = _site_people(user, site)
    chosen = _consenting_ids(people, scope)
    # One pass: the households the export holds, and every household's size for its sheet.
    sizes: Counter[int] = Counter()
    holding: set[int] = set()
    for pk, household_id in people.values_list("pk", "household_id").iterator():
        sizes[household_id] += 1
        if pk in chosen:
            holding.add(household_id)
    households = len(holding)
    audit.record(
        actor=user,
        action=audit.Action.EXPORT,
        object_type=EXPORT,
        object_id=layout,
        site_id=site.pk,
        # Keys the trail keeps in clear (what, how, under which consent, how many): an
        # export names no one in its entry.
        detail={
            "kind": layout,
            "via": fmt,
            "scope": scope,
            "people": len(chosen),
            "households": households,
        },
    )

    def rows_of():
        return _rows_of(people, chosen)

    if layout == Layout.EXCHANGE:
        return Export(layout, fmt, len(chosen), households, _exchange_rows(rows_of(), site))
    if layout == Layout.PARTNER:
        return Export(layout, fmt, len(chosen), households, _partner_rows(rows_of()))
    # Read once for the whole export, not once a household: a site holds thousands.
    contact = households_reading_field(user, "household.phone", _site_households(user, site))
    if layout == Layout.PEOPLE:

        def rows():
            yield [*HOUSEHOLD_COLUMNS, *PERSON_COLUMNS]
            for person in rows_of():
                yield [*_household_cells(person, site, contact), *_person_cells(person)]

        return Export(layout, fmt, len(chosen), households, rows())

    def household_rows():
        yield [*HOUSEHOLD_COLUMNS, "members"]
        seen = set()
        for person in rows_of():
            if person.household_id in seen:
                continue
            seen.add(person.household_id)
            yield [*_household_cells(person, site, contact), sizes[person.household_id]]

    def member_rows():
        yield ["registration_number", *PERSON_COLUMNS]
        for person in rows_of():
            yield [person.household.registration_number, *_person_cells(person)]

    return Export(
        layout,
        fmt,
        len(chosen),
        households,
        iter(()),
        sheets={"households": household_rows(), "members": member_rows()},
    )


def csv_chunks(export: Export) -> Iterator[str]:
    writer = csv.writer(Echo())
    yield "\ufeff"  # spreadsheet programs read UTF-8 Arabic and Cyrillic only with the mark
    for row in export.rows:
        yield writer.writerow(row)


def xlsx_file(export: Export):
    """The export as an XLSX workbook in a temporary file (rows streamed to disk), rewound."""
    out = tempfile.TemporaryFile()
    write_xlsx(out, export.sheets or {"people": export.rows})
    out.seek(0)
    return out
