"""Use cases that change the registry. Each is one transaction and writes its own audit entries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from refuge.accounts.access import require
from refuge.accounts.roles import Capability, may_write_field
from refuge.audit import services as audit
from refuge.registry.models import (
    NAME_FIELDS,
    SCRIPTS,
    Consent,
    Document,
    Household,
    Need,
    Person,
    PersonNameToken,
    age_on,
    document_number_index,
)
from refuge.registry.names import clean_name
from refuge.registry.search import person_search_tokens
from refuge.registry.vocabulary import (
    ConsentScope,
    DatePrecision,
    DocumentType,
    RegistrationLevel,
    Relationship,
    SpecificNeed,
)

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
# More than any family; the registration form offers as many rows (forms.MemberFormSet).
MAX_MEMBERS = 40


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


# Text a registration may hold, field by field (the model's column sizes): checked before
# anything else is done with the text, so an oversized value costs nothing but its refusal.
TEXT_LIMITS = {
    **dict.fromkeys(NAME_FIELDS, Person._meta.get_field("given_name_ar").max_length),
    "origin_village": Person._meta.get_field("origin_village").max_length,
    "profession": Person._meta.get_field("profession").max_length,
    "document_number": Document._meta.get_field("number").max_length,
    "issuer": Document._meta.get_field("issuer").max_length,
}


def _too_long(limit: int) -> str:
    return _("At most %(count)d characters.") % {"count": limit}


def clean_member(member: MemberData) -> MemberData:
    """The member's names cleaned of invisible characters (registry.names), as stored."""
    member.names = {f: clean_name(v) for f, v in member.names.items() if f in NAME_FIELDS}
    return member


def member_errors(
    member: MemberData, today: date, *, level: str = RegistrationLevel.FULL
) -> dict[str, str]:
    """The rules one person must meet, as {field: message}; empty when the person is fine."""
    errors: dict[str, str] = {}
    texts = {
        **member.names,
        "origin_village": member.origin_village,
        "profession": member.profession,
    }
    for name, value in texts.items():
        if name in TEXT_LIMITS and len(value or "") > TEXT_LIMITS[name]:
            errors[name] = _too_long(TEXT_LIMITS[name])
    for doc in member.documents:
        for name, value in (("document_number", doc.number), ("issuer", doc.issuer)):
            if len(value or "") > TEXT_LIMITS[name]:
                errors[name] = _too_long(TEXT_LIMITS[name])
    if errors:
        return errors  # nothing more is read from an oversized value
    if level == RegistrationLevel.EMERGENCY and member.birth_date is None:
        # The emergency minimum is name, sex, birth year and relationship: the year is what
        # tells a child from an adult when aid is handed out.
        errors["birth_date"] = _("Enter at least the birth year (an estimate will do).")
    for part, label in (("given_name", _("given name")), ("family_name", _("family name"))):
        if not any(member.names.get(f"{part}_{s}", "").strip() for s in SCRIPTS):
            errors[f"{part}_ar"] = _("Enter the %(part)s in at least one script.") % {"part": label}
    if member.birth_date and member.birth_date > today:
        errors["birth_date"] = _("The birth date cannot be in the future.")
    if member.birth_date and member.birth_date < EARLIEST_BIRTH:
        errors["birth_date"] = _("A birth date before %(date)s is not plausible.") % {
            "date": EARLIEST_BIRTH.isoformat()
        }
    return errors


EARLIEST_BIRTH = date(1900, 1, 1)


def registration_date_errors(registered_on: date, members: list[MemberData], today: date):
    """{key: message} for a registration date in the future, before the programme's earliest
    date (REFUGE_EARLIEST_REGISTRATION_DATE) or before a member was born."""
    from django.conf import settings

    errors: dict[str, str] = {}
    earliest = settings.REFUGE_EARLIEST_REGISTRATION_DATE
    if registered_on > today:
        errors["registered_on"] = _("The registration date cannot be in the future.")
    elif registered_on < earliest:
        errors["registered_on"] = _(
            "The registration date cannot be before %(date)s, when registration began."
        ) % {"date": earliest.isoformat()}
    for index, member in enumerate(members):
        if member.birth_date and member.birth_date > registered_on:
            errors[f"members-{index}-birth_date"] = _(
                "Born after the registration date: check both dates."
            )
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


def _next_registration_numbers(site, count: int = 1) -> list[str]:
    # The site row lock serialises numbering, so two desks never print the same number; a
    # chunk of households takes its numbers in one lock and one write.
    # (The site's own class: the registry sits below the sites app and does not import it.)
    locked = type(site).objects.select_for_update().get(pk=site.pk)
    first = locked.last_registration_seq + 1
    locked.last_registration_seq += count
    locked.save(update_fields=["last_registration_seq"])
    return [f"{locked.code.upper()}-{seq:06d}" for seq in range(first, first + count)]


def _next_registration_number(site) -> str:
    return _next_registration_numbers(site)[0]


def _refresh_name_tokens(person: Person) -> None:
    PersonNameToken.objects.filter(person=person).delete()
    tokens = person_search_tokens({f: getattr(person, f) for f in NAME_FIELDS})
    PersonNameToken.objects.bulk_create(
        PersonNameToken(person=person, token=t[:80]) for t in sorted(tokens)
    )


def _create_member(household: Household, member: MemberData, by, today: date) -> Person:
    """Save one member who joins later, with their name tokens, documents and needs, and their
    audit entry."""
    ((person, detail),) = _create_members(household, [member], by, today)
    audit.record(
        actor=by,
        action=audit.Action.CREATE,
        target=person,
        site_id=household.audit_site_id,
        detail=detail,
    )
    return person


def _new_person(household: Household | None, member: MemberData) -> Person:
    """A member as a Person not yet saved, validated by full_clean (ValidationError if not)."""
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
    # An origin read from the p-code list needs no query to prove it exists.
    saved_origin = member.origin is not None and member.origin.pk is not None
    person.full_clean(exclude=["household", "origin"] if saved_origin else ["household"])
    return person


def _create_members(
    household: Household, members: list[MemberData], by, today: date
) -> list[tuple[Person, dict]]:
    """Save a household's members who join later (validated here)."""
    people = [_new_person(household, member) for member in members]
    return _save_people(people, members, by, today)


def _save_people(
    people: list[Person], members: list[MemberData], by, today: date
) -> list[tuple[Person, dict]]:
    """Save validated people (of one household or of a chunk of households), in the order
    given, with their name tokens, documents and needs: each table written in one insert
    instead of one a member (an import registers thousands of households). Returns each
    person with the detail of their audit entry, for the caller to append."""
    # Both backends return the new keys of a bulk insert (SQLite 3.35+, PostgreSQL).
    Person.objects.bulk_create(people)
    PersonNameToken.objects.bulk_create(
        PersonNameToken(person=person, token=t[:80])
        for person in people
        for t in sorted(person_search_tokens({f: getattr(person, f) for f in NAME_FIELDS}))
    )
    # bulk_create skips Document.save, which writes the number's blind index: written here.
    Document.objects.bulk_create(
        Document(
            person=person,
            doc_type=doc.doc_type,
            number=doc.number.strip(),
            number_index=document_number_index(doc.number.strip()),
            issuer=doc.issuer,
            expires_on=doc.expires_on,
        )
        for person, member in zip(people, members, strict=True)
        for doc in member.documents
    )
    Need.objects.bulk_create(
        Need(person=person, code=code, recorded_on=today, recorded_by=by)
        for person, member in zip(people, members, strict=True)
        for code in dict.fromkeys(member.needs)
    )
    return [
        (
            person,
            {
                "household": person.household.registration_number,
                "fields": {
                    f: getattr(person, f)
                    for f in EDITABLE_PERSON_FIELDS
                    if getattr(person, f) not in ("", None, [])
                },
            },
        )
        for person in people
    ]


def _is_minor(member: MemberData, today: date) -> bool:
    age = age_on(member.birth_date, today)
    return age is not None and age < ADULT_AGE


@dataclass
class NewHousehold:
    """A household as the registration form (or an import row) hands it to the registry."""

    members: list[MemberData]
    consent_scopes: list[str]
    registered_on: date | None = None
    phone: str = ""
    level: str = RegistrationLevel.FULL


class HouseholdsRefused(Exception):
    """Nothing of the chunk was saved: some of its households break the rules. `refused`
    holds each one's ValidationError (naming the member and field) by index in the chunk."""

    def __init__(self, refused: dict[int, ValidationError]):
        super().__init__(refused)
        self.refused = refused


def _household_problems(new: NewHousehold, today: date) -> dict[str, list[str]]:
    members, level, phone = new.members, new.level, new.phone
    problems: dict[str, list[str]] = {}
    for message in household_errors(members, today):
        problems.setdefault("members", []).append(message)
    if level not in RegistrationLevel.values:
        problems.setdefault("level", []).append(_("Choose the registration level."))
    for index, member in enumerate(members):
        for name, message in member_errors(member, today, level=level).items():
            problems.setdefault(f"members-{index}-{name}", []).append(message)
    if ConsentScope.REGISTRATION not in new.consent_scopes:
        problems.setdefault("consent", []).append(
            _("Record the family's consent to registration before saving.")
        )
    if len(members) > MAX_MEMBERS:
        problems.setdefault("members", []).append(
            _("A household is registered with at most %(num)d members at a time.")
            % {"num": MAX_MEMBERS}
        )
    if len(phone or "") > Household._meta.get_field("phone").max_length:
        problems.setdefault("phone", []).append(
            _too_long(Household._meta.get_field("phone").max_length)
        )
    for key, message in registration_date_errors(
        new.registered_on or today, members, today
    ).items():
        problems.setdefault(key, []).append(message)
    return problems


@transaction.atomic
def create_household(
    *,
    site,
    members: list[MemberData],
    consent_scopes: list[str],
    by,
    registered_on: date | None = None,
    phone: str = "",
    level: str = RegistrationLevel.FULL,
) -> Household:
    """The registry's part of registering a household: the household, its members and their
    consent, all or nothing. refuge.reception.services.register_household composes it with the
    stay, the cases and the identity keys; call that one.

    Raises ValidationError naming the member and field at fault, PermissionDenied when `by`
    may not register at this site.
    """
    new = NewHousehold(members, consent_scopes, registered_on, phone, level)
    try:
        (household,) = create_households(site=site, households=[new], by=by)
    except HouseholdsRefused as refused:
        raise refused.refused[0] from None
    return household


@transaction.atomic
def create_households(*, site, households: list[NewHousehold], by) -> list[Household]:
    """create_household for a chunk of households at one site (an import), with the same
    rules, consent and audit entries, in a few statements for the chunk: every household is
    validated first, then each table is written in one insert, and the audit entries in one
    append. All or nothing: HouseholdsRefused, naming each household at fault, when any
    breaks a rule (the caller drops those and tries the rest); PermissionDenied when `by` may
    not register at this site."""
    require(by, Capability.REGISTER, site.pk)
    today = timezone.localdate()
    refused: dict[int, ValidationError] = {}
    order_of: list[list[int]] = []
    people_of: list[list[Person]] = []
    for number, new in enumerate(households):
        new.members = [clean_member(m) for m in new.members]
        new.registered_on = new.registered_on or today
        problems = _household_problems(new, today)
        if problems:
            refused[number] = ValidationError(problems)
            continue
        # The head first, so that a half-typed form never leaves a household without its head.
        order = sorted(
            range(len(new.members)),
            key=lambda i, members=new.members: members[i].relationship != Relationship.HEAD,
        )
        try:
            people = [_new_person(None, new.members[i]) for i in order]
        except ValidationError as error:
            refused[number] = error
            continue
        order_of.append(order)
        people_of.append(people)
    if refused:
        raise HouseholdsRefused(refused)

    numbers = _next_registration_numbers(site, len(households))
    made_households = Household.objects.bulk_create(
        Household(
            registration_number=number,
            registered_at=site,
            registered_on=new.registered_on,
            registration_level=new.level,
            phone=new.phone.strip(),
            created_by=by,
        )
        for number, new in zip(numbers, households, strict=True)
    )
    people, members = [], []
    for household, new, order, its_people in zip(
        made_households, households, order_of, people_of, strict=True
    ):
        for person in its_people:
            person.household = household
        people += its_people
        members += [new.members[i] for i in order]
    made = iter(_save_people(people, members, by, today))
    # Each household's entry followed by its members' (as when they were written one by
    # one), the whole chunk in one append, and the consent in one insert, in the order made.
    targets, details, consents = [], [], []
    for household, new, order in zip(made_households, households, order_of, strict=True):
        targets.append(household)
        details.append(
            {
                "members": len(new.members),
                "registered_on": new.registered_on,
                "level": new.level,
            }
        )
        created: dict[int, Person] = {}
        for index in order:
            person, detail = next(made)
            created[index] = person
            targets.append(person)
            details.append(detail)
            consents.append(
                Consent(
                    person=person,
                    scopes=list(dict.fromkeys(new.consent_scopes)),
                    given_on=new.registered_on,
                    given_by_guardian=_is_minor(new.members[index], today),
                    recorded_by=by,
                )
            )
        # The people in the order of `members`, for callers that act on particular members.
        household.registered_people = [created[i] for i in range(len(new.members))]
    audit.record_many(
        actor=by, action=audit.Action.CREATE, targets=targets, details=details, site_id=site.pk
    )
    Consent.objects.bulk_create(consents)
    return made_households


@transaction.atomic
def create_member(*, household: Household, member: MemberData, by) -> Person:
    """The registry's part of a member who joins later (reception.add_member composes it)."""
    require(by, Capability.EDIT_PEOPLE, household.audit_site_id)
    today = timezone.localdate()
    member = clean_member(member)
    errors = member_errors(member, today)
    if member.relationship == Relationship.HEAD:
        errors["relationship"] = _("This household already has a head.")
    if errors:
        raise ValidationError(errors)
    Household.objects.select_for_update().filter(pk=household.pk).exists()
    return _create_member(household, member, by, today)


def person_field_rule(field: str) -> str:
    """The name of a person's field in accounts.roles.FIELD_WRITERS (every name is one)."""
    return "person.name" if field in NAME_FIELDS else f"person.{field}"


def writable_person_fields(user) -> set[str]:
    """The fields of a person this user's role may change (the edit form disables the rest)."""
    return {f for f in EDITABLE_PERSON_FIELDS if may_write_field(user.role, person_field_rule(f))}


# The fields the identity keys are made of: a change to one of them must refresh the keys.
KEYED_FIELDS = frozenset({*NAME_FIELDS, "sex", "birth_date", "birth_date_precision", "origin"})


@transaction.atomic
def change_person(*, person: Person, changes: dict, by) -> dict[str, list]:
    """The registry's part of editing a person (reception.update_person composes it): apply
    changed fields, audit old and new values. Returns what changed."""
    require(by, Capability.EDIT_PEOPLE, person.audit_site_id)
    person = Person.objects.select_for_update().get(pk=person.pk)
    unknown = set(changes) - set(EDITABLE_PERSON_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    diff = {}
    refused = {}
    for name, value in changes.items():
        old = getattr(person, name)
        if name in NAME_FIELDS:
            value = clean_name(value or "")
        elif isinstance(value, str):
            value = value.strip()
        if isinstance(value, str) and name in TEXT_LIMITS and len(value) > TEXT_LIMITS[name]:
            raise ValidationError({name: _too_long(TEXT_LIMITS[name])})
        if old != value:
            if not may_write_field(by.role, person_field_rule(name)):
                refused[name] = _("Your role may not change this: ask a registration clerk.")
                continue
            diff[name] = [old, value]
            setattr(person, name, value)
    if refused:
        raise ValidationError(refused)
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
    audit.record(actor=by, action=audit.Action.CHANGE, target=person, detail={"changes": diff})
    return diff


@transaction.atomic
def withdraw_consent(*, person: Person, scope: str, by, on: date | None = None) -> None:
    """The person withdraws one use of their data (sharing with partners, tracing, contact).
    The consent as given is kept, marked withdrawn, and what remains is recorded beside it;
    every use that needs the scope refuses from now on (Person.consents_to)."""
    require(by, Capability.EDIT_PEOPLE, person.audit_site_id)
    if scope == ConsentScope.REGISTRATION:
        raise ValidationError(
            {
                "scope": _(
                    "Consent to registration is withdrawn by erasing the record: ask the data "
                    "protection officer."
                )
            }
        )
    if scope not in ConsentScope.values:
        raise ValidationError({"scope": _("Choose a use from the list.")})
    on = on or timezone.localdate()
    given = [
        c
        for c in Consent.objects.select_for_update().filter(person=person)
        if c.withdrawn_on is None and scope in c.scopes
    ]
    if not given:
        raise ValidationError({"scope": _("This person has not consented to this use.")})
    for consent in given:
        consent.withdrawn_on = on
        consent.save(update_fields=["withdrawn_on"])
        Consent.objects.create(
            person=person,
            scopes=[s for s in consent.scopes if s != scope],
            given_on=consent.given_on,
            given_by_guardian=consent.given_by_guardian,
            recorded_by=by,
        )
    audit.record(
        actor=by,
        action=audit.Action.CHANGE,
        target=person,
        detail={"consent_withdrawn": scope, "on": on},
    )


@transaction.atomic
def complete_registration(*, household: Household, by) -> Household:
    """Mark an emergency registration complete, once every member's record is."""
    require(by, Capability.EDIT_PEOPLE, household.audit_site_id)
    household = Household.objects.select_for_update().get(pk=household.pk)
    if household.registration_level != RegistrationLevel.EMERGENCY:
        raise ValidationError(_("This registration is complete already."))
    incomplete = [p for p in household.members.select_related("origin") if p.missing_details()]
    if incomplete:
        raise ValidationError(
            ngettext(
                "%(count)d member's record still lacks details.",
                "%(count)d members' records still lack details.",
                len(incomplete),
            )
            % {"count": len(incomplete)}
        )
    household.registration_level = RegistrationLevel.FULL
    household.save(update_fields=["registration_level"])
    audit.record(
        actor=by,
        action=audit.Action.CHANGE,
        target=household,
        detail={
            "changes": {
                "registration_level": [RegistrationLevel.EMERGENCY, household.registration_level]
            }
        },
    )
    return household


# The household's own fields a later correction may change (a field team's edit, say).
EDITABLE_HOUSEHOLD_FIELDS = ("registered_on", "phone")


@transaction.atomic
def change_household(*, household: Household, changes: dict, by) -> dict[str, list]:
    """Correct the household's registration date or contact phone, audited with old and new
    values. Returns what changed."""
    require(by, Capability.EDIT_PEOPLE, household.audit_site_id)
    household = Household.objects.select_for_update().get(pk=household.pk)
    unknown = set(changes) - set(EDITABLE_HOUSEHOLD_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    diff = {}
    for name, value in changes.items():
        if isinstance(value, str):
            value = value.strip()
        if getattr(household, name) != value:
            diff[name] = [getattr(household, name), value]
            setattr(household, name, value)
    if not diff:
        return {}
    limit = Household._meta.get_field("phone").max_length
    if "phone" in diff and len(household.phone) > limit:
        raise ValidationError({"phone": _too_long(limit)})
    if "registered_on" in diff:
        if household.registered_on is None:
            raise ValidationError({"registered_on": _("This field is required.")})
        members = [
            MemberData(relationship=p.relationship, sex=p.sex, birth_date=p.birth_date)
            for p in household.members.all()
        ]
        errors = registration_date_errors(household.registered_on, members, timezone.localdate())
        if errors:
            # A member born after the new date is the date's problem, not the member's.
            raise ValidationError({"registered_on": list(dict.fromkeys(errors.values()))})
    household.save(update_fields=[*diff, "updated_at"])
    # The phone is encrypted at rest: the trail says it changed, not what it says.
    detail: dict = {"changes": {n: v for n, v in diff.items() if n != "phone"}}
    if "phone" in diff:
        detail["phone_changed"] = True
    audit.record(actor=by, action=audit.Action.CHANGE, target=household, detail=detail)
    return diff


@transaction.atomic
def give_consent(*, person: Person, scopes: list[str], by, on: date | None = None) -> None:
    """The person (or their guardian) consents to further uses of their data, recorded beside
    the consent they gave before."""
    require(by, Capability.EDIT_PEOPLE, person.audit_site_id)
    if any(scope not in ConsentScope.values for scope in scopes):
        raise ValidationError({"consent": _("Choose a use from the list.")})
    person = Person.objects.select_for_update().get(pk=person.pk)
    new = [s for s in dict.fromkeys(scopes) if not person.consents_to(s)]
    if not new:
        return
    on = on or timezone.localdate()
    Consent.objects.create(
        person=person,
        scopes=new,
        given_on=on,
        given_by_guardian=(person.age_on(on) or ADULT_AGE) < ADULT_AGE,
        recorded_by=by,
    )
    audit.record(actor=by, action=audit.Action.CHANGE, target=person, detail={"consent_given": new})


@transaction.atomic
def leave_household(*, person: Person, by) -> Household:
    """The registry's part of a member leaving their household (reception.separate_member
    composes it): the person keeps their record, their consent and their history, and heads a
    household of their own, registered where the old one was. The head cannot leave this way:
    the household would be left without one."""
    require(by, Capability.EDIT_PEOPLE, person.audit_site_id)
    person = Person.objects.select_for_update().select_related("household").get(pk=person.pk)
    old = person.household
    if person.relationship == Relationship.HEAD:
        raise ValidationError(
            {"relationship": _("The head of household cannot leave it: register the change.")}
        )
    site = old.registered_at
    household = Household.objects.create(
        registration_number=_next_registration_number(site),
        registered_at=site,
        registered_on=old.registered_on,
        registration_level=old.registration_level,
        created_by=by,
    )
    person.household, person.relationship = household, Relationship.HEAD
    person.save(update_fields=["household", "relationship", "updated_at"])
    audit.record(
        actor=by,
        action=audit.Action.CREATE,
        target=household,
        site_id=household.audit_site_id,
        detail={"members": 1, "separated_from": old.registration_number},
    )
    audit.record(
        actor=by,
        action=audit.Action.CHANGE,
        target=person,
        detail={"household": [old.registration_number, household.registration_number]},
    )
    return household


def _document_text(document: DocumentData | None) -> str:
    return f"{document.doc_type} {document.number.strip()}" if document else ""


@transaction.atomic
def change_document(
    *, person: Person, old: DocumentData | None, new: DocumentData | None, by
) -> bool:
    """The registry's part of correcting a person's document (reception.change_document
    composes it): the document recorded as `old` becomes `new`; no `old` records a new one, no
    `new` removes it. A personal document's number already recorded for someone else is refused:
    two records holding one passport are a question for review, not an edit. Returns whether
    anything changed."""
    require(by, Capability.EDIT_PEOPLE, person.audit_site_id)
    person = Person.objects.select_for_update().get(pk=person.pk)
    if new is not None:
        new = DocumentData(doc_type=new.doc_type, number=new.number.strip())
        if new.doc_type not in DocumentType.values:
            raise ValidationError({"document_type": _("Choose the type of this document.")})
        if not new.number:
            raise ValidationError({"document_number": _("Enter the number of this document.")})
        if len(new.number) > TEXT_LIMITS["document_number"]:
            raise ValidationError({"document_number": _too_long(TEXT_LIMITS["document_number"])})
        held = (
            Document.objects.filter(number_index=document_number_index(new.number))
            .exclude(person=person)
            .exclude(doc_type=DocumentType.FAMILY_BOOKLET)
        )
        if new.doc_type != DocumentType.FAMILY_BOOKLET and held.exists():
            raise ValidationError(
                {
                    "document_number": _(
                        "This document number is recorded for someone else: compare the two "
                        "records at review first."
                    )
                }
            )
    recorded = None
    if old is not None and old.number.strip():
        index = document_number_index(old.number)
        recorded = next((d for d in person.documents.all() if d.number_index == index), None)
    if new is None:
        if recorded is None:
            return False
        recorded.delete()
    elif recorded is not None:
        if (recorded.doc_type, recorded.number) == (new.doc_type, new.number):
            return False
        recorded.doc_type, recorded.number = new.doc_type, new.number
        recorded.save()
    else:
        Document.objects.create(person=person, doc_type=new.doc_type, number=new.number)
    audit.record(
        actor=by,
        action=audit.Action.CHANGE,
        target=person,
        detail={"changes": {"document": [_document_text(old), _document_text(new)]}},
    )
    return True


@transaction.atomic
def change_needs(*, person: Person, add: list[str], remove: list[str], by) -> dict[str, list]:
    """Specific needs flagged or withdrawn for a person after registration; a need flagged again
    keeps its review status. Returns {"added": [...], "removed": [...]}, what changed."""
    require(by, Capability.EDIT_PEOPLE, person.audit_site_id)
    if any(code not in SpecificNeed.values for code in (*add, *remove)):
        raise ValidationError({"needs": _("Choose specific needs from the list.")})
    person = Person.objects.select_for_update().get(pk=person.pk)
    have = set(person.needs.values_list("code", flat=True))
    added = [code for code in dict.fromkeys(add) if code not in have]
    removed = [code for code in dict.fromkeys(remove) if code in have]
    if not (added or removed):
        return {"added": [], "removed": []}
    today = timezone.localdate()
    Need.objects.bulk_create(
        Need(person=person, code=code, recorded_on=today, recorded_by=by) for code in added
    )
    person.needs.filter(code__in=removed).delete()
    after = sorted((have | set(added)) - set(removed))
    audit.record(
        actor=by,
        action=audit.Action.CHANGE,
        target=person,
        detail={"changes": {"needs": [sorted(have), after]}},
    )
    return {"added": added, "removed": removed}
