"""Use cases of casework: open cases, move people along their steps, notes, attachments and
referrals. Each checks role and site itself, runs in one transaction and leaves an audit entry."""

from __future__ import annotations

import hashlib
import json
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from refuge.accounts.access import require, require_any
from refuge.accounts.roles import Capability, may_write_step
from refuge.audit import services as audit
from refuge.casework import encryption
from refuge.casework.models import (
    Attachment,
    AttachmentKind,
    Case,
    Domain,
    Note,
    Partner,
    Pathway,
    Referral,
    ReferralStatus,
    StepDefinition,
    StepProgress,
    StepStatus,
)
from refuge.casework.pathways import applies, current_pathway, prerequisites_of
from refuge.casework.rules import (
    StepUpdate,
    apply_update,
    clean_evidence,
    conflict_message,
    refresh_readiness,
    update_errors,
)
from refuge.registry.models import Household, Person
from refuge.registry.vocabulary import ConsentScope

NOTE_MAX_CHARS = 20_000
# What a scanned document may be, recognised by its first bytes rather than by its name.
ACCEPTED_FILES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}


class StepConflict(Exception):
    """Someone else saved the step after this edit began."""

    def __init__(self, progress: StepProgress):
        self.progress = progress
        super().__init__(conflict_message(progress))


def _require_domain(by, domain: str, site_id: int | None) -> None:
    if domain not in by.note_domains or not by.can_access_site(site_id):
        raise PermissionDenied("domain")


def _require_step_writer(by, step: StepDefinition) -> None:
    """A step is written by the role that owns it and that role's deputies (accounts.roles):
    only medical staff record the health screening that lets a family board a transfer."""
    if not may_write_step(by.role, step.owner_role):
        raise PermissionDenied("step owner")


def _step_of(person: Person, step: StepProgress | None, *, field: str = "step") -> None:
    if step is not None and step.case.person_id != person.pk:
        raise ValidationError({field: _("That step is not on this person's case.")})


# Opening cases


RECEPTION_STEP = "reception_registration"


@transaction.atomic
def open_case(
    *,
    person: Person,
    by,
    pathway: Pathway | None = None,
    on: date | None = None,
    registered_as: str = "",
) -> Case:
    """Put a person on the current pathway, with the steps that apply to them. Opened at
    registration (`registered_as` the registration number), the reception step is done."""
    require_any(
        by,
        (Capability.REGISTER, Capability.EDIT_PEOPLE, Capability.EDIT_CASES),
        person.household.audit_site_id,
    )
    on = on or timezone.localdate()
    pathway = pathway or current_pathway()
    case, created = Case.objects.get_or_create(
        person=person, pathway=pathway, defaults={"opened_on": on, "opened_by": by}
    )
    if not created:
        return case
    # The site as the database has it now: the caller's copy of the household may predate
    # an arrival recorded in this same transaction.
    site_id = Household.objects.filter(pk=person.household_id).values_list(
        "current_site", flat=True
    )[0]
    steps = [
        StepProgress(case=case, step=step, status_since=on, site_id=site_id)
        for step in pathway.steps.all()
        if applies(step, person, on)
    ]
    for progress in steps:
        if progress.step.code == RECEPTION_STEP and registered_as:
            progress.status, progress.outcome, progress.done_on = StepStatus.DONE, "registered", on
            progress.evidence = {"registration_number": registered_as}
            progress.owner = progress.updated_by = by
    refresh_readiness(steps, prerequisites_of([pathway.pk]), on)
    StepProgress.objects.bulk_create(steps)
    audit.record(
        actor=by,
        action=audit.Action.CREATE,
        target=case,
        site_id=person.household.audit_site_id,
        detail={"pathway": f"{pathway.code} v{pathway.version}", "steps": len(steps)},
    )
    return case


def _insert_steps(steps: list[StepProgress]) -> None:
    """StepProgress.objects.bulk_create for the steps of newly opened cases, written with one
    executemany of the rows' values instead: an import writes some fifty steps a person, and
    the ORM's insert spends more time preparing each field of each row than the database
    spends storing it. Each field's value is what its get_db_prep_save gives (the dates and
    the time adapted once per distinct value, the evidence sealed by its own field); the
    steps get no primary keys back, which no caller reads."""
    if not steps:
        return
    fields = [
        f
        for f in StepProgress._meta.concrete_fields
        if not f.primary_key and not f.generated and f.attname != "updated_at"
    ]
    now = StepProgress._meta.get_field("updated_at").get_db_prep_save(timezone.now(), connection)
    adapted: dict = {}

    def prepared(field, value):
        if value is None or isinstance(
            field, models.CharField | models.IntegerField | models.ForeignKey
        ):
            return value  # what their get_db_prep_save gives back for these values
        if isinstance(field, models.DateField):
            if value not in adapted:
                adapted[value] = field.get_db_prep_save(value, connection)
            return adapted[value]
        return field.get_db_prep_save(value, connection)

    table = connection.ops.quote_name(StepProgress._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = (
        f"INSERT INTO {table} ({columns}, {connection.ops.quote_name('updated_at')}) "
        f"VALUES ({', '.join(['%s'] * (len(fields) + 1))})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [[*(prepared(f, getattr(step, f.attname)) for f in fields), now] for step in steps],
        )


def enrol_household(
    household: Household, *, by, on: date | None = None, members: list[Person] | None = None
) -> list[Case]:
    """At registration: everyone's case opens, with the reception registration done. The same
    cases and steps as open_case for each member, made for the household at once (see
    enrol_households). `members`, the household's members as the caller has just loaded them
    with their needs prefetched (reception.register_household), spares reading them again."""
    if members is None:
        members = list(household.members.prefetch_related("needs"))
    (cases,) = enrol_households([(household, members, on or timezone.localdate())], by=by)
    return cases


def enrol_households(
    households: list[tuple[Household, list[Person], date]], *, by
) -> list[list[Case]]:
    """enrol_household for several households at once (an import's chunk), each given with its
    members as just loaded with their needs prefetched and the day its cases open (the day it
    was registered): the pathway's steps, their
    prerequisites and the sites are read once, the cases and their steps inserted in one
    statement each, and the cases' audit entries written in one append. Returns each
    household's members' cases, in the order of its members."""
    pathway = current_pathway()
    if pathway is None:
        return [[] for _household in households]
    for household_id in {h.audit_site_id for h, members, _on in households if members}:
        require_any(
            by, (Capability.REGISTER, Capability.EDIT_PEOPLE, Capability.EDIT_CASES), household_id
        )
    everyone = [p for _household, members, _on in households for p in members]
    if not everyone:
        return [[] for _household in households]
    existing = {c.person_id: c for c in Case.objects.filter(person__in=everyone, pathway=pathway)}
    joining = [(h, p, on) for h, members, on in households for p in members if p.pk not in existing]
    opened = Case.objects.bulk_create(
        Case(person=p, pathway=pathway, opened_on=on, opened_by=by) for _h, p, on in joining
    )
    # The sites as the database has them now: the caller's copy of a household may predate
    # an arrival recorded in this same transaction.
    sites = {
        pk: (current, registered)
        for pk, current, registered in Household.objects.filter(
            pk__in=[h.pk for h, _members, _on in households]
        ).values_list("pk", "current_site", "registered_at")
    }
    steps_of_pathway = list(pathway.steps.all())
    prerequisites = prerequisites_of([pathway.pk])
    all_steps, details, audit_sites = [], [], []
    for case, (household, person, on) in zip(opened, joining, strict=True):
        site_id, audit_site_id = sites[household.pk]
        steps = [
            StepProgress(case=case, step=step, status_since=on, site_id=site_id)
            for step in steps_of_pathway
            if applies(step, person, on)
        ]
        for progress in steps:
            if progress.step.code == RECEPTION_STEP:
                progress.status, progress.outcome = StepStatus.DONE, "registered"
                progress.done_on = on
                progress.evidence = {"registration_number": household.registration_number}
                progress.owner = progress.updated_by = by
        refresh_readiness(steps, prerequisites, on)
        all_steps += steps
        details.append({"pathway": f"{pathway.code} v{pathway.version}", "steps": len(steps)})
        audit_sites.append(site_id or audit_site_id)
    _insert_steps(all_steps)
    # One append when the cases share a site (an import's chunk always does).
    start = 0
    while start < len(opened):
        end = start
        while end < len(opened) and audit_sites[end] == audit_sites[start]:
            end += 1
        audit.record_many(
            actor=by,
            action=audit.Action.CREATE,
            targets=opened[start:end],
            details=details[start:end],
            site_id=audit_sites[start],
        )
        start = end
    existing.update((c.person_id, c) for c in opened)
    return [[existing[p.pk] for p in members] for _household, members, _on in households]


def follow_household(household: Household) -> int:
    """The household's current site changed: its members' steps move to the worklists of the
    new site (or, when it left every site, to none). Called by reception.services inside the
    transaction that records the move, which is itself audited; returns the steps moved."""
    # The household's few cases first, then their steps by the (case, step) index: an UPDATE
    # joining through person in a subquery was planned as nested table scans by PostgreSQL on
    # freshly loaded tables (minutes for a demo's 20,000 steps).
    cases = list(Case.objects.filter(person__household=household).values_list("pk", flat=True))
    return StepProgress.objects.filter(case_id__in=cases).update(site_id=household.current_site_id)


# Moving along the pathway


def _save_update(progress: StepProgress, update: StepUpdate, *, by, on: date) -> dict:
    case_steps = list(StepProgress.objects.filter(case_id=progress.case_id).select_related("step"))
    case_steps = [progress if p.pk == progress.pk else p for p in case_steps]
    prerequisites = prerequisites_of([progress.step.pathway_id])
    evidence, errors = clean_evidence(progress, update.evidence)
    errors |= update_errors(progress, update, evidence, case_steps, prerequisites)
    if errors:
        raise ValidationError(errors)
    version = progress.version
    changes = apply_update(progress, update, evidence, by, on)
    if not changes:
        return {}
    saved = StepProgress.objects.filter(pk=progress.pk, version=version).update(
        status=progress.status,
        outcome=progress.outcome,
        evidence=progress.evidence,
        blocked_reason=progress.blocked_reason,
        due_on=progress.due_on,
        owner_id=progress.owner_id,
        status_since=progress.status_since,
        done_on=progress.done_on,
        updated_by=by,
        updated_at=timezone.now(),
        version=F("version") + 1,
    )
    if not saved:
        raise StepConflict(StepProgress.objects.select_related("updated_by").get(pk=progress.pk))
    progress.version = version + 1
    others = refresh_readiness(case_steps, prerequisites, on)
    StepProgress.objects.bulk_update(
        [p for p in others if p.pk != progress.pk], ["ready_since", "due_on"]
    )
    audit.record(
        actor=by,
        action=audit.Action.CHANGE,
        target=progress,
        site_id=progress.case.person.household.audit_site_id,
        detail={"person": progress.case.person_id, "step": progress.step.code, "changes": changes},
    )
    return changes


def editable_step(user, pk: int) -> StepProgress:
    """A step this user may write, for its edit form: on a case they may see, and owned by
    their role (or one they stand in for). PermissionDenied otherwise."""
    from refuge.casework.selectors import step_for

    progress = step_for(user, pk, purpose="step edit")
    require(user, Capability.EDIT_CASES, progress.case.person.household.audit_site_id)
    _require_step_writer(user, progress.step)
    return progress


@transaction.atomic
def update_step(
    *, progress_id: int, version: int, update: StepUpdate, by, on: date | None = None
) -> dict:
    """Save one step. `version` is the one the editor started from: if someone saved the step
    since, nothing is written and StepConflict says who."""
    progress = StepProgress.objects.select_related(
        "step", "case__person__household", "updated_by"
    ).get(pk=progress_id)
    require(by, Capability.EDIT_CASES, progress.case.person.household.audit_site_id)
    _require_step_writer(by, progress.step)
    if progress.version != version:
        raise StepConflict(progress)
    return _save_update(progress, update, by=by, on=on or timezone.localdate())


class BulkUpdateRefused(ValidationError):
    """Some of the people chosen cannot take the update; nothing was saved."""


# What a bulk update may write on a step row, its own or (readiness) its case's other steps.
_BULK_FIELDS = (
    "status",
    "outcome",
    "evidence",
    "blocked_reason",
    "due_on",
    "owner_id",
    "status_since",
    "done_on",
    "ready_since",
)


def _values(progress: StepProgress) -> dict:
    return {name: getattr(progress, name) for name in _BULK_FIELDS}


def _write_changes(rows: list[tuple[StepProgress, dict]], **also) -> None:
    """Write each row's changed fields with one UPDATE per distinct set of changes, not one
    per row: a bulk update mostly makes the same few changes to hundreds of steps."""
    groups: dict[str, tuple[dict, list[int]]] = {}
    for progress, before in rows:
        changed = {k: v for k, v in _values(progress).items() if v != before[k]}
        key = json.dumps(audit.jsonable(changed), sort_keys=True)
        groups.setdefault(key, (changed, []))[1].append(progress.pk)
    for changed, ids in groups.values():
        if not changed:
            continue
        for start in range(0, len(ids), 500):
            StepProgress.objects.filter(pk__in=ids[start : start + 500]).update(**changed, **also)


@transaction.atomic
def bulk_update_step(
    *, rows: list[tuple[int, int]], update: StepUpdate, by, on: date | None = None
) -> int:
    """Apply one update to many people's step at once ("these 40 went to the medical
    examination today"): all or nothing, each person's change audited. `rows` holds
    (step progress id, version seen)."""
    on = on or timezone.localdate()
    versions = dict(rows)
    # Locked, so that nobody saves one of these steps between our version check and our write.
    chosen = {
        p.pk: p
        for p in StepProgress.objects.filter(pk__in=versions)
        .select_related("step", "case__person__household", "updated_by")
        .select_for_update(of=("self",))
        .order_by("pk")
    }
    if len(chosen) != len(versions):
        raise BulkUpdateRefused(_("Some of the people chosen are no longer on this list."))
    if len({p.step.code for p in chosen.values()}) > 1:
        raise BulkUpdateRefused(_("A bulk update is for one step at a time."))
    for progress in chosen.values():
        require(by, Capability.EDIT_CASES, progress.case.person.household.audit_site_id)
        _require_step_writer(by, progress.step)
    steps = {
        s.pk: s
        for s in StepDefinition.objects.filter(
            pathway__in={p.step.pathway_id for p in chosen.values()}
        )
    }
    siblings: dict[int, list[StepProgress]] = {}
    for progress in StepProgress.objects.filter(case_id__in={p.case_id for p in chosen.values()}):
        # Every case here is on one of a few pathway versions: share their step definitions.
        progress.step = steps[progress.step_id]
        siblings.setdefault(progress.case_id, []).append(chosen.get(progress.pk, progress))
    before = {p.pk: _values(p) for case_steps in siblings.values() for p in case_steps}
    prerequisites = prerequisites_of({p.step.pathway_id for p in chosen.values()})

    problems, updated, readiness, audit_details = [], [], {}, []
    for progress in chosen.values():
        name = progress.case.person.display_name
        if progress.version != versions[progress.pk]:
            problems.append(
                _("%(name)s: %(problem)s") % {"name": name, "problem": conflict_message(progress)}
            )
            continue
        evidence, errors = clean_evidence(progress, update.evidence)
        errors |= update_errors(
            progress, update, evidence, siblings[progress.case_id], prerequisites
        )
        if errors:
            problems.extend(
                _("%(name)s: %(problem)s") % {"name": name, "problem": message}
                for message in errors.values()
            )
            continue
        changes = apply_update(progress, update, evidence, by, on)
        if not changes:
            continue
        progress.version += 1
        updated.append(progress)
        for other in refresh_readiness(siblings[progress.case_id], prerequisites, on):
            if other.pk != progress.pk:
                readiness[other.pk] = other
        audit_details.append(
            {
                "person": progress.case.person_id,
                "step": progress.step.code,
                "changes": changes,
                "bulk": True,
            }
        )
    if problems:
        raise BulkUpdateRefused(problems)
    _write_changes(
        [(p, before[p.pk]) for p in updated],
        updated_by=by,
        updated_at=timezone.now(),
        version=F("version") + 1,
    )
    _write_changes([(p, before[p.pk]) for p in readiness.values()])
    audit.record_many(actor=by, action=audit.Action.CHANGE, targets=updated, details=audit_details)
    return len(updated)


# Notes and attachments


@transaction.atomic
def add_note(
    *, person: Person, domain: str, text: str, by, step: StepProgress | None = None
) -> Note:
    site_id = person.household.audit_site_id
    require(by, Capability.EDIT_CASES, site_id)
    _require_domain(by, domain, site_id)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the note before saving it.")})
    if len(text) > NOTE_MAX_CHARS:
        raise ValidationError(
            {"text": _("A note holds at most %(count)d characters.") % {"count": NOTE_MAX_CHARS}}
        )
    if domain not in Domain.values:
        raise ValidationError({"domain": _("Choose a domain from the list.")})
    _step_of(person, step)
    note = Note.objects.create(
        person=person,
        step=step,
        domain=domain,
        ciphertext=encryption.encrypt(text.encode()),
        written_by=by,
    )
    audit.record(actor=by, action=audit.Action.CREATE, target=note, detail={"domain": domain})
    return note


def read_notes(*, person: Person, by) -> list[tuple[Note, str]]:
    """The notes this user's role may read, decrypted; the read itself is audited."""
    domains = by.note_domains
    if not domains or not by.can_access_site(person.household.audit_site_id):
        return []
    notes = list(
        Note.objects.filter(person=person, domain__in=domains).select_related(
            "written_by", "step__step"
        )
    )
    if notes:
        audit.record(
            actor=by,
            action=audit.Action.VIEW,
            object_type="casework.note",
            site_id=person.household.audit_site_id,
            detail={"person": person.pk, "notes": [n.pk for n in notes]},
        )
    return [(note, encryption.decrypt(note.ciphertext).decode()) for note in notes]


def _sniff(content: bytes) -> str | None:
    return next((kind for magic, kind in ACCEPTED_FILES.items() if content.startswith(magic)), None)


@transaction.atomic
def add_attachment(
    *,
    person: Person,
    domain: str,
    kind: str,
    filename: str,
    content: bytes,
    by,
    step: StepProgress | None = None,
) -> Attachment:
    site_id = person.household.audit_site_id
    require(by, Capability.EDIT_CASES, site_id)
    _require_domain(by, domain, site_id)
    _step_of(person, step)
    errors = {}
    if kind not in AttachmentKind.values:
        errors["kind"] = _("Choose a document type from the list.")
    if not content:
        errors["file"] = _("The file is empty.")
    elif len(content) > settings.ATTACHMENT_MAX_BYTES:
        errors["file"] = _("The file is larger than %(limit)d MB.") % {
            "limit": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
        }
    elif _sniff(content) is None:
        errors["file"] = _("Only PDF, JPEG and PNG files can be attached.")
    if errors:
        raise ValidationError(errors)
    attachment = Attachment.objects.create(
        person=person,
        step=step,
        domain=domain,
        kind=kind,
        filename=(filename or "document").replace("/", "_").replace("\\", "_")[:200],
        content_type=_sniff(content),
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        ciphertext=encryption.encrypt(content),
        uploaded_by=by,
    )
    audit.record(
        actor=by,
        action=audit.Action.CREATE,
        target=attachment,
        detail={"domain": domain, "kind": kind, "size": len(content)},
    )
    return attachment


def visible_attachments(*, person: Person, by):
    return Attachment.objects.filter(person=person, domain__in=by.note_domains).defer("ciphertext")


def open_attachment(*, attachment_id: int, by) -> tuple[Attachment, bytes]:
    attachment = Attachment.objects.select_related("person__household").get(pk=attachment_id)
    try:
        _require_domain(by, attachment.domain, attachment.audit_site_id)
    except PermissionDenied:
        audit.record(actor=by, action=audit.Action.DENIED, target=attachment)
        raise
    content = encryption.decrypt(attachment.ciphertext)
    audit.record(actor=by, action=audit.Action.VIEW, target=attachment)
    return attachment, content


# Referrals


@transaction.atomic
def refer(
    *,
    person: Person,
    partner: Partner,
    by,
    step: StepProgress | None = None,
    on: date | None = None,
) -> Referral:
    require(by, Capability.EDIT_CASES, person.household.audit_site_id)
    _step_of(person, step)
    if not partner.active:
        raise ValidationError({"partner": _("This partner no longer takes referrals.")})
    # A referral shares the person's data with another organisation: only with their consent.
    if not person.consents_to(ConsentScope.SHARING):
        raise ValidationError(
            {
                "partner": _(
                    "%(name)s has not consented to sharing their data with partner "
                    "organisations (or has withdrawn it): record their consent first."
                )
                % {"name": person.display_name}
            }
        )
    on = on or timezone.localdate()
    referral = Referral.objects.create(
        person=person, partner=partner, step=step, referred_on=on, status_since=on, referred_by=by
    )
    audit.record(
        actor=by,
        action=audit.Action.CREATE,
        target=referral,
        detail={"person": person.pk, "partner": partner.name},
    )
    return referral


@transaction.atomic
def set_referral_status(*, referral: Referral, status: str, by, on: date | None = None) -> None:
    require(by, Capability.EDIT_CASES, referral.audit_site_id)
    if status not in ReferralStatus.values:
        raise ValidationError({"status": _("Choose a status from the list.")})
    if status == referral.status:
        return
    old = referral.status
    referral.status, referral.status_since = status, on or timezone.localdate()
    referral.save(update_fields=["status", "status_since"])
    audit.record(
        actor=by,
        action=audit.Action.CHANGE,
        target=referral,
        detail={"person": referral.person_id, "changes": {"status": [old, status]}},
    )
