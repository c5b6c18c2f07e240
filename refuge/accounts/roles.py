"""Who may do what: roles, the capabilities they grant, and nothing else.

One table to read when asking "can a medical officer register a family?". Site scope is the
other half of every decision and lives on the user (see `User.can_access_site`).
"""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CLERK = "clerk", _("Registration clerk")
    CASEWORKER = "caseworker", _("Caseworker")
    MEDICAL = "medical", _("Medical officer")
    SITE_MANAGER = "site_manager", _("Site manager")
    COORDINATOR = "coordinator", _("Regional coordinator")
    DPO = "dpo", _("Data protection officer")
    OBSERVER = "observer", _("Observer")
    TRACING_OFFICER = "tracing_officer", _("Tracing officer")
    ADMIN = "admin", _("Administrator")


class Capability(StrEnum):
    VIEW_OVERVIEW = "view_overview"  # aggregate numbers per site
    VIEW_PEOPLE = "view_people"  # names, households, person pages, search
    REGISTER = "register"  # register a new household
    EDIT_PEOPLE = "edit_people"  # change a registration
    VIEW_AUDIT = "view_audit"  # read the audit trail
    REVIEW_DUPLICATES = "review_duplicates"  # decide on possible duplicates, merge, unmerge
    MANAGE_ROOMS = "manage_rooms"  # allocate beds, move people between rooms
    PLAN_MOVEMENTS = "plan_movements"  # plan transfers, choose who travels
    RECORD_HEADCOUNT = "record_headcount"  # count people at departure and arrival
    VIEW_CASES = "view_cases"  # pathways, worklists, referrals, bottlenecks
    EDIT_CASES = "edit_cases"  # update steps, bulk updates, referrals, notes, attachments
    ADMINISTER = "administer"  # users, sites, reference data
    WRITE_REPORTS = "write_reports"  # the situation report's highlights and overview
    IMPORT_FIELD_DATA = "import_field_data"  # bring in KoBo/ODK registrations, decide their edits
    EXPORT_PEOPLE = "export_people"  # lists of people for partners, CSV and XLSX exports
    # Family tracing: requests, their candidates, the sought person's consent, disclosure.
    TRACE = "trace"


_PEOPLE = {Capability.VIEW_OVERVIEW, Capability.VIEW_PEOPLE}
_CASES = _PEOPLE | {Capability.VIEW_CASES, Capability.EDIT_CASES}

GRANTS: dict[str, frozenset[Capability]] = {
    Role.CLERK: frozenset(
        _PEOPLE
        | {
            Capability.REGISTER,
            Capability.EDIT_PEOPLE,
            Capability.RECORD_HEADCOUNT,
            Capability.VIEW_CASES,
        }
    ),
    Role.CASEWORKER: frozenset(_CASES | {Capability.EDIT_PEOPLE}),
    Role.MEDICAL: frozenset(_CASES),
    Role.SITE_MANAGER: frozenset(
        _PEOPLE
        | {
            Capability.REGISTER,
            Capability.EDIT_PEOPLE,
            Capability.REVIEW_DUPLICATES,
            Capability.MANAGE_ROOMS,
            Capability.PLAN_MOVEMENTS,
            Capability.RECORD_HEADCOUNT,
            Capability.IMPORT_FIELD_DATA,
            Capability.EXPORT_PEOPLE,
        }
        | _CASES
    ),
    Role.COORDINATOR: frozenset(
        _PEOPLE
        | {
            Capability.REVIEW_DUPLICATES,
            Capability.PLAN_MOVEMENTS,
            Capability.RECORD_HEADCOUNT,
            Capability.VIEW_CASES,
            Capability.WRITE_REPORTS,
            Capability.EXPORT_PEOPLE,
        }
    ),
    Role.DPO: frozenset({Capability.VIEW_OVERVIEW, Capability.VIEW_AUDIT}),
    Role.OBSERVER: frozenset({Capability.VIEW_OVERVIEW}),
    # Tracing officers see the people of their sites and work tracing requests across sites
    # without seeing other sites' people: candidates elsewhere are that site's officer's.
    Role.TRACING_OFFICER: frozenset(_PEOPLE | {Capability.TRACE}),
    # An administrator runs the system but reads no one's tracing file (as with case notes):
    # who is looking for whom is for tracing officers only.
    Role.ADMIN: frozenset(Capability) - {Capability.TRACE},
}


def capabilities_of(role: str) -> frozenset[Capability]:
    return GRANTS.get(role, frozenset())


# Case notes and attachments are read by domain, not by capability: an administrator runs the
# system but reads no one's medical notes. Reading a domain implies writing in it.
NOTE_DOMAINS: dict[str, frozenset[str]] = {
    Role.CASEWORKER: frozenset({"social", "legal", "psychosocial"}),
    Role.MEDICAL: frozenset({"medical", "psychosocial"}),
    Role.SITE_MANAGER: frozenset({"social"}),
}


def note_domains_of(role: str) -> frozenset[str]:
    return NOTE_DOMAINS.get(role, frozenset())


# Field-level rules, as data: who writes and reads which pathway steps and fields.
#
# A pathway step is written by the role that owns it (its `owner_role` in the pathway
# definition, which administrators edit) and by the deputies listed here for that owner.
# Nobody stands in for the medical officer: a caseworker may not mark someone fit to travel.
STEP_DEPUTIES: dict[str, frozenset[str]] = {
    Role.CLERK: frozenset({Role.CASEWORKER, Role.SITE_MANAGER, Role.ADMIN}),
    Role.CASEWORKER: frozenset({Role.SITE_MANAGER, Role.ADMIN}),
    Role.SITE_MANAGER: frozenset({Role.ADMIN}),
    Role.MEDICAL: frozenset(),
}
# Steps owned by these roles are confidential: their outcome and evidence are read only by
# the roles given. Everyone who sees the case still sees that the step exists and its status
# (the transfer desk must know whether the screening is done, not what it found).
CONFIDENTIAL_STEP_READERS: dict[str, frozenset[str]] = {
    Role.MEDICAL: frozenset({Role.MEDICAL}),
}
# Fields of a household or person read only by some of the roles that see people, and only
# while the consent scope named holds: a phone number is for calling people who agreed to it.
FIELD_READERS: dict[str, tuple[frozenset[str], str | None]] = {
    "household.phone": (
        frozenset({Role.CLERK, Role.CASEWORKER, Role.MEDICAL, Role.SITE_MANAGER, Role.ADMIN}),
        "contact",
    ),
}

# Fields of a person that only some of the roles that edit people may change. Sex, birth and
# origin and a person's place in the family are facts established from documents at
# registration, on which the duplicate check and tracing rely: registration staff correct
# them. Every role that edits people adds a name's form in another script, languages, a
# profession. A field not listed here is written by every role that may edit people.
_REGISTRATION_STAFF = frozenset({Role.CLERK, Role.SITE_MANAGER, Role.ADMIN})
FIELD_WRITERS: dict[str, frozenset[str]] = {
    "person.sex": _REGISTRATION_STAFF,
    "person.birth_date": _REGISTRATION_STAFF,
    "person.birth_date_precision": _REGISTRATION_STAFF,
    "person.origin": _REGISTRATION_STAFF,
    "person.relationship": _REGISTRATION_STAFF,
}


def may_write_field(role: str, field: str) -> bool:
    writers = FIELD_WRITERS.get(field)
    return writers is None or role in writers


def may_write_step(role: str, owner_role: str) -> bool:
    return role == owner_role or role in STEP_DEPUTIES.get(owner_role, frozenset())


def may_read_step_findings(role: str, owner_role: str) -> bool:
    readers = CONFIDENTIAL_STEP_READERS.get(owner_role)
    return readers is None or role in readers


def field_rule(field: str) -> tuple[frozenset[str], str | None]:
    return FIELD_READERS[field]
