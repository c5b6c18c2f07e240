"""Use cases that change the registry. Each is one transaction and writes its own audit entries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from refuge.accounts.access import require
from refuge.accounts.roles import Capability
from refuge.audit import services as audit
from refuge.casework import services as casework
from refuge.identity.services import refresh_person_keys
from refuge.registry.models import (
    NAME_FIELDS,
    SCRIPTS,
    Consent,
    Document,
    Household,
    Need,
    Person,
    PersonNameToken,
)
from refuge.registry.search import normalise_document_number, searchable_tokens
from refuge.registry.vocabulary import ConsentScope, DatePrecision, Relationship
from refuge.sites import services as site_services
from refuge.sites.models import Site

EDITABLE_PERSON_FIELDS = (
    *NAME_FIELDS,
    "relationship",
    "sex",
    "birth_date",
    "birth_date_precision",
    "origin",
    "origin_village",
    "languages",
    "profession",
    "education",
)
ADULT_AGE = 18


@dataclass
class DocumentData:
    doc_type: str
    number: str
    issuer: str = ""
    expires_on: date | None = None


@dataclass
class MemberData:
    """One person as the registration form (or an import row) hands them to the registry."""

    relationship: str
    sex: str
    names: dict[str, str] = field(default_factory=dict)  # e.g. {"given_name_ar": "محمد"}
    birth_date: date | None = None
    birth_date_precision: str = DatePrecision.EXACT
    origin: object | None = None  # a Place
    origin_village: str = ""
    languages: list[str] = field(default_factory=list)
    profession: str = ""
    education: str = ""
    documents: list[DocumentData] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)


def member_errors(member: MemberData, today: date) -> dict[str, str]:
    """The rules one person must meet, as {field: message}; empty when the person is fine."""
    errors: dict[str, str] = {}
    for part, label in (("given_name", _("given name")), ("family_name", _("family name"))):
        if not any(member.names.get(f"{part}_{s}", "").strip() for s in SCRIPTS):
            errors[f"{part}_ar"] = _("Enter the %(part)s in at least one script.") % {"part": label}
    if member.birth_date and member.birth_date > today:
        errors["birth_date"] = _("The birth date cannot be in the future.")
    return errors


def household_errors(members: list[MemberData], today: date) -> list[str]:
    """Rules about the household as a whole (not tied to one member's field)."""
    errors = []
    if not members:
        errors.append(_("A household needs at least one member."))
    heads = [m for m in members if m.relationship == Relationship.HEAD]
    if len(heads) != 1:
        errors.append(
            _("A household has exactly one head; this one has %(count)d.") % {"count": len(heads)}
        )
    return errors


def _next_registration_number(site: Site) -> str:
    # The site row lock serialises numbering, so two desks never print the same number.
    locked = Site.objects.select_for_update().get(pk=site.pk)
    locked.last_registration_seq += 1
    locked.save(update_fields=["last_registration_seq"])
    return f"{locked.code.upper()}-{locked.last_registration_seq:06d}"


def _refresh_name_tokens(person: Person) -> None:
    PersonNameToken.objects.filter(person=person).delete()
    names = [getattr(person, f) for f in NAME_FIELDS]
    tokens = searchable_tokens(*names)
    PersonNameToken.objects.bulk_create(
        PersonNameToken(person=person, token=t[:80]) for t in sorted(tokens)
    )


def _create_member(household: Household, member: MemberData, by, today: date) -> Person:
    person = Person(
        household=household,
        relationship=member.relationship,
        sex=member.sex,
        birth_date=member.birth_date,
        birth_date_precision=member.birth_date_precision,
        origin=member.origin,
        origin_village=member.origin_village.strip(),
        languages=list(member.languages),
        profession=member.profession.strip(),
        education=member.education,
        **{f: member.names.get(f, "").strip() for f in NAME_FIELDS},
    )
    person.full_clean(exclude=["household"])
    person.save()
    _refresh_name_tokens(person)
    for doc in member.documents:
        Document.objects.create(
            person=person,
            doc_type=doc.doc_type,
            number=doc.number.strip(),
            number_normalised=normalise_document_number(doc.number),
            issuer=doc.issuer,
            expires_on=doc.expires_on,
        )
    Need.objects.bulk_create(
        Need(person=person, code=code, recorded_on=today, recorded_by=by)
        for code in dict.fromkeys(member.needs)
    )
    refresh_person_keys(person)
    audit.record(
        actor=by,
        action=audit.Action.CREATE,
        target=person,
        site_id=household.audit_site_id,
        detail={
            "household": household.registration_number,
            "fields": {
                f: getattr(person, f)
                for f in EDITABLE_PERSON_FIELDS
                if getattr(person, f) not in ("", None, [])
            },
        },
    )
    return person


def _is_minor(member: MemberData, today: date) -> bool:
    if member.birth_date is None:
        return False
    return (today - member.birth_date).days < ADULT_AGE * 365.25


@transaction.atomic
def register_household(
    *,
    site: Site,
    members: list[MemberData],
    consent_scopes: list[str],
    by,
    registered_on: date | None = None,
    phone: str = "",
) -> Household:
    """Register a household and all its members at `site`: everything lands, or nothing does.

    Raises ValidationError naming the member and field at fault, PermissionDenied when `by`
    may not register at this site.
    """
    require(by, Capability.REGISTER, site.pk)
    today = timezone.localdate()
    registered_on = registered_on or today
    problems: dict[str, list[str]] = {}
    for message in household_errors(members, today):
        problems.setdefault("members", []).append(message)
    for index, member in enumerate(members):
        for name, message in member_errors(member, today).items():
            problems.setdefault(f"members-{index}-{name}", []).append(message)
    if ConsentScope.REGISTRATION not in consent_scopes:
        problems.setdefault("consent", []).append(
            _("Record the family's consent to registration before saving.")
        )
    if registered_on > today:
        problems.setdefault("registered_on", []).append(
            _("The registration date cannot be in the future.")
        )
    if problems:
        raise ValidationError(problems)

    household = Household.objects.create(
        registration_number=_next_registration_number(site),
        registered_at=site,
        registered_on=registered_on,
        phone=phone.strip(),
        created_by=by,
    )
    audit.record(
        actor=by,
        action=audit.Action.CREATE,
        target=household,
        site_id=site.pk,
        detail={"members": len(members), "registered_on": registered_on},
    )
    # The head first, so that a half-typed form never leaves a household without its head.
    ordered = sorted(members, key=lambda m: m.relationship != Relationship.HEAD)
    for member in ordered:
        person = _create_member(household, member, by, today)
        Consent.objects.create(
            person=person,
            scopes=list(dict.fromkeys(consent_scopes)),
            given_on=registered_on,
            given_by_guardian=_is_minor(member, today),
            recorded_by=by,
        )
    site_services.record_arrival(household=household, site=site, on=registered_on, by=by)
    casework.enrol_household(household, by=by, on=registered_on)
    return household


@transaction.atomic
def add_member(*, household: Household, member: MemberData, by) -> Person:
    """A member who joins later (a newborn, a relative found at another site)."""
    require(by, Capability.EDIT_PEOPLE, household.audit_site_id)
    today = timezone.localdate()
    errors = member_errors(member, today)
    if member.relationship == Relationship.HEAD:
        errors["relationship"] = _("This household already has a head.")
    if errors:
        raise ValidationError(errors)
    Household.objects.select_for_update().filter(pk=household.pk).exists()
    person = _create_member(household, member, by, today)
    if casework.current_pathway() is not None:
        casework.open_case(person=person, by=by, on=today)
    return person


@transaction.atomic
def update_person(*, person: Person, changes: dict, by) -> dict[str, list]:
    """Apply changed fields to a person; audit old and new values. Returns what changed."""
    require(by, Capability.EDIT_PEOPLE, person.audit_site_id)
    person = Person.objects.select_for_update().get(pk=person.pk)
    unknown = set(changes) - set(EDITABLE_PERSON_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    diff = {}
    for name, value in changes.items():
        old = getattr(person, name)
        if isinstance(value, str):
            value = value.strip()
        if old != value:
            diff[name] = [old, value]
            setattr(person, name, value)
    if not diff:
        return {}
    if "relationship" in diff and Relationship.HEAD in diff["relationship"]:
        raise ValidationError(
            {"relationship": _("The head of household cannot be changed from this form.")}
        )
    names = {f: getattr(person, f) for f in NAME_FIELDS}
    member = MemberData(
        relationship=person.relationship, sex=person.sex, names=names, birth_date=person.birth_date
    )
    errors = member_errors(member, timezone.localdate())
    if errors:
        raise ValidationError(errors)
    person.full_clean(exclude=["household"])
    person.save(update_fields=[*diff, "updated_at"])
    if set(diff) & set(NAME_FIELDS):
        _refresh_name_tokens(person)
    if set(diff) & {*NAME_FIELDS, "sex", "birth_date", "birth_date_precision", "origin"}:
        refresh_person_keys(person)
    audit.record(actor=by, action=audit.Action.CHANGE, target=person, detail={"changes": diff})
    return diff


def record_view(*, obj, by) -> None:
    """Every read of a person's or household's page leaves a trace."""
    audit.record(actor=by, action=audit.Action.VIEW, target=obj)
