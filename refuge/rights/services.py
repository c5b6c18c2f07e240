"""The right to erasure: asked for with a reason, approved by the data protection officer,
carried out across every app that holds the person, and kept out of old backups.

Erasing blanks the person's row (names, birth date, origin, profession...) and deletes what
hangs from it (documents, needs, consents, notes, attachments, identity keys, possible-duplicate
pairs, match notices, step evidence); the row itself stays, with its id, so that counts and the
audit trail, which names people by id only, still hold together and the chain still verifies.

A backup taken before the erasure still holds the person. So every erasure is also appended to
an erasure log outside the database (REFUGE_ERASURE_LOG: ids and times only, each line
authenticated with the audit key), and `refuge restore` replays it: a restored old backup
loses again everyone erased since. Keep the log with the audit checkpoints, off the server.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from refuge.accounts.access import require
from refuge.accounts.roles import Capability
from refuge.audit import services as audit
from refuge.audit.keys import chain_key
from refuge.fielddata import services as fielddata
from refuge.rights.models import Correction, Erasure
from refuge.tracing import services as tracing

# The roles that may ask (they know the person and the request); only the DPO decides.
REQUESTING_ROLES = frozenset({"site_manager", "admin", "dpo"})
DECIDING_ROLES = frozenset({"dpo"})

PERSON_FIELDS_BLANKED = {
    "given_name_ar": "",
    "given_name_lat": "",
    "given_name_cyr": "",
    "father_name_ar": "",
    "father_name_lat": "",
    "father_name_cyr": "",
    "family_name_ar": "",
    "family_name_lat": "",
    "family_name_cyr": "",
    "mother_name_ar": "",
    "mother_name_lat": "",
    "mother_name_cyr": "",
    "birth_date": None,
    "origin": None,
    "origin_village": "",
    "languages": [],
    "profession": "",
    "missing_since": None,
}


REQUEST_MAX_CHARS = 300


def may_request_erasure(user, person) -> bool:
    """Site managers and administrators at the person's site, and the DPO, may ask."""
    return (
        user.is_active
        and getattr(user, "role", None) in REQUESTING_ROLES
        and user.can_access_site(person.household.audit_site_id)
    )


def request_erasure(*, person, reason: str, by) -> Erasure:
    if not may_request_erasure(by, person):
        audit.record(actor=by, action=audit.Action.DENIED, target=person)
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason or len(reason) > REQUEST_MAX_CHARS:
        raise ValidationError({"reason": _("Say why, in at most 300 characters.")})
    asked = Erasure.objects.filter(person=person).exclude(status=Erasure.Status.REFUSED)
    if asked.filter(status=Erasure.Status.PENDING).exists():
        raise ValidationError(
            {"reason": _("An erasure of this person is already waiting for the DPO.")}
        )
    if asked.filter(status=Erasure.Status.ERASED).exists():
        raise ValidationError({"reason": _("This person has already been erased.")})
    with transaction.atomic():
        erasure = Erasure.objects.create(person=person, reason=reason, requested_by=by)
        audit.record(
            actor=by,
            action=audit.Action.CREATE,
            target=erasure,
            detail={"person": person.pk, "reason": reason},
        )
    return erasure


def may_decide(user, erasure: Erasure) -> bool:
    """The DPO decides, and never on a request of their own: two people for every erasure."""
    return (
        user.is_active
        and getattr(user, "role", None) in DECIDING_ROLES
        and user.pk != erasure.requested_by_id
    )


def decide_erasure(*, erasure: Erasure, approve: bool, by) -> Erasure:
    """The DPO's decision; on approval the person is erased in the same transaction."""
    if not may_decide(by, erasure):
        audit.record(actor=by, action=audit.Action.DENIED, target=erasure)
        raise PermissionDenied
    with transaction.atomic():
        erasure = Erasure.objects.select_for_update().get(pk=erasure.pk)
        if erasure.status != Erasure.Status.PENDING:
            raise ValidationError(_("This request has already been decided."))
        erasure.status = Erasure.Status.ERASED if approve else Erasure.Status.REFUSED
        erasure.decided_by, erasure.decided_at = by, timezone.now()
        erasure.save(update_fields=["status", "decided_by", "decided_at"])
        if approve:
            erase_person(person_id=erasure.person_id)
        audit.record(
            actor=by,
            action=audit.Action.DELETE if approve else audit.Action.CHANGE,
            target=erasure,
            detail={"person": erasure.person_id, "status": erasure.status},
        )
        if approve:
            transaction.on_commit(lambda: _append_to_log(erasure.person_id))
    if approve:
        transaction.on_commit(_wipe_freed_pages)
    return erasure


def erasure_subject(user, pk: int):
    """The person an erasure is asked for, for the request page: only to those who may ask
    (the page shows the registration number and the person's number, no name)."""
    from refuge.registry.models import Person

    person = Person.objects.select_related("household").get(pk=pk)
    if not may_request_erasure(user, person):
        audit.record(actor=user, action=audit.Action.DENIED, target=person)
        raise PermissionDenied
    audit.record(
        actor=user, action=audit.Action.VIEW, target=person, detail={"page": "erasure request"}
    )
    return person


ERASURES_LISTED = 200


def erasure_requests(user) -> list[Erasure]:
    """Every erasure request, waiting ones first, for the data protection officer alone; the
    reading is audited (a reason may say much about a person)."""
    if not user.is_active or getattr(user, "role", None) not in DECIDING_ROLES:
        audit.record(actor=user, action=audit.Action.DENIED, object_type="rights.erasure")
        raise PermissionDenied
    audit.record(actor=user, action=audit.Action.VIEW, object_type="rights.erasure")
    waiting_first = Erasure.objects.order_by(
        models.Case(models.When(status=Erasure.Status.PENDING, then=0), default=1),
        "-requested_at",
        "-pk",
    ).select_related("person__household", "requested_by", "decided_by")
    listed = list(waiting_first[:ERASURES_LISTED])
    for erasure in listed:
        erasure.decidable = erasure.status == Erasure.Status.PENDING and may_decide(user, erasure)
    return listed


def erasures_of(person) -> list[Erasure]:
    return list(Erasure.objects.filter(person=person).select_related("requested_by"))


def correct_at_request(*, person, changes: dict, request: str, by) -> Correction:
    """The right to rectification: correct a person's record because they asked, with what
    they asked for in a line. The change goes through the door every edit of a person goes
    through (reception.update_person: role, site, field rules, identity keys, old and new
    values audited and sealed); this records that the person asked, and which fields changed."""
    from refuge.reception.services import update_person

    require(by, Capability.EDIT_PEOPLE, person.household.audit_site_id)
    request = (request or "").strip()
    if not request or len(request) > REQUEST_MAX_CHARS:
        raise ValidationError(
            {"request": _("Write what the person asked for, in at most 300 characters.")}
        )
    with transaction.atomic():
        diff = update_person(person=person, changes=changes, by=by)
        if not diff:
            raise ValidationError(_("Nothing was corrected: change at least one field."))
        correction = Correction.objects.create(
            person=person, fields=sorted(diff), request=request, made_by=by
        )
        audit.record(
            actor=by,
            action=audit.Action.CREATE,
            target=correction,
            detail={"person": person.pk, "fields": sorted(diff), "request": request},
        )
    return correction


def corrections_of(person) -> list[Correction]:
    return list(Correction.objects.filter(person=person).select_related("made_by"))


def erase_person(*, person_id: int) -> None:
    """Remove one person's personal data everywhere; the row and its id stay."""
    from refuge.casework.models import Attachment, Note, StepProgress
    from refuge.identity.models import CandidatePair, MatchNotice, PersonKey
    from refuge.registry.models import Household, Person

    Person.objects.filter(pk=person_id).update(**PERSON_FIELDS_BLANKED)
    person = Person.objects.get(pk=person_id)
    for related in ("documents", "needs", "consents", "name_tokens"):
        getattr(person, related).all().delete()
    PersonKey.objects.filter(person_id=person_id).delete()
    MatchNotice.objects.filter(person_id=person_id).delete()
    CandidatePair.objects.filter(person_a_id=person_id).delete()
    CandidatePair.objects.filter(person_b_id=person_id).delete()
    Attachment.objects.filter(person_id=person_id).delete()
    Note.objects.filter(person_id=person_id).delete()
    StepProgress.objects.filter(case__person_id=person_id).update(evidence={}, blocked_reason="")
    household = Household.objects.get(pk=person.household_id)
    emptied = not _living_members(household, erasing=person_id)
    if emptied:
        Household.objects.filter(pk=household.pk).update(phone="")
    # The copies the higher apps keep: each forgets the person through its own service.
    fielddata.forget_person(
        person_id=person_id, household_id=household.pk, household_emptied=emptied
    )
    tracing.forget_person(person_id=person_id)


def _living_members(household, *, erasing: int) -> bool:
    """Whether anyone else in the household is left. A row already blanked counts as erased
    even without its Erasure (a restored older backup, whose erasures the log replays)."""
    erased = Erasure.objects.filter(status=Erasure.Status.ERASED).values("person_id")
    blanked = models.Q(given_name_ar="", given_name_lat="", given_name_cyr="")
    return household.members.exclude(pk__in=erased).exclude(pk=erasing).exclude(blanked).exists()


def _wipe_freed_pages() -> None:
    """SQLite keeps deleted rows in free pages and old page images in the WAL: with
    secure_delete on (settings) the pages are zeroed; the checkpoint empties the WAL."""
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    # PostgreSQL: dead tuples stay until VACUUM; docs/deploy.md schedules a nightly one.


def _log_path() -> Path:
    return Path(settings.REFUGE_ERASURE_LOG)


def _mac(person_id: int, at: str) -> str:
    return hmac.new(chain_key(), f"erasure:{person_id}:{at}".encode(), hashlib.sha256).hexdigest()


def _append_to_log(person_id: int) -> None:
    at = timezone.now().isoformat()
    line = json.dumps({"person": person_id, "at": at, "mac": _mac(person_id, at)}) + "\n"
    path = _log_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a") as log:
        log.write(line)
        log.flush()
        os.fsync(log.fileno())


def replay_erasure_log() -> int:
    """Erase again everyone in the log who is back (after a restore). Returns how many."""
    from refuge.registry.models import Person

    path = _log_path()
    if not path.exists():
        return 0
    replayed = 0
    for line in path.read_text().splitlines():
        entry = json.loads(line)
        if not hmac.compare_digest(entry.get("mac", ""), _mac(entry["person"], entry["at"])):
            raise ValidationError(f"The erasure log has an altered line: {line[:80]}")
        person = Person.objects.filter(pk=entry["person"]).first()
        if person is None or not any(getattr(person, f) for f in PERSON_FIELDS_BLANKED):
            continue
        with transaction.atomic():
            erase_person(person_id=person.pk)
            audit.record(
                actor=None,
                action=audit.Action.DELETE,
                target=person,
                detail={"person": person.pk, "kind": "erasure replayed after restore"},
            )
        replayed += 1
    if replayed:
        transaction.on_commit(_wipe_freed_pages)
    return replayed
