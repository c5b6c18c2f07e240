"""Use cases of field data: import a submission once, report what could not land, and let the
site manager accept or reject an edit. Every registration goes through the reception door
(`register_households_as_new`, a chunk of households at a time), so the rules, the consent,
the instant duplicate check and the audit are those of the registration page.

A submission is keyed by its instance ID and a hash of its content. The household, the
submission's row and the run's counters land in one transaction (with the other households of
their chunk), so a run killed at any moment leaves whole households only, and reading the file
again skips what landed and lands the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from refuge.accounts.access import require
from refuge.accounts.roles import Capability
from refuge.audit import services as audit
from refuge.fielddata.models import (
    EditStatus,
    FieldSubmission,
    ImportProblem,
    ImportRun,
    RunStatus,
    SubmissionEdit,
)
from refuge.fielddata.readers import ReadProblem, SubmittedHousehold
from refuge.fielddata.xlsform import (
    HOUSEHOLD_FIELDS,
    LABELS,
    MEMBER_FIELDS,
    MEMBER_KEY,
    NAME_FIELDS,
)
from refuge.identity.records import engine_birth_date, records_from_names
from refuge.matching.keys import blocking_keys
from refuge.reception import services as reception
from refuge.reception.registration import register_households_as_new
from refuge.registry import services as registry
from refuge.registry.models import Person, Place
from refuge.registry.services import DocumentData, MemberData
from refuge.registry.vocabulary import (
    ConsentScope,
    DatePrecision,
    DocumentType,
    RegistrationLevel,
    Relationship,
    Sex,
    SpecificNeed,
)
from refuge.sites.models import Site

CHUNK = 500
# Households registered in one transaction: enough to spread each statement's cost, few
# enough that a chunk's transaction stays short.
LANDING_CHUNK = 100


def batched(items: Iterable, size: int):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class Outcome:
    LANDED = "landed"
    UNCHANGED = "unchanged"
    EDIT = "edit"
    FAILED = "failed"


_COUNTER = {
    Outcome.LANDED: "landed",
    Outcome.UNCHANGED: "unchanged",
    Outcome.EDIT: "edits",
    Outcome.FAILED: "failed",
}


@dataclass
class Problem:
    sheet: str
    row: int
    field: str
    message: str


def _not_a_choice() -> str:
    return _("Not one of the form's choices.")


def _parse_date(text: str) -> date:
    return date.fromisoformat(text[:10])


def _place(code: str, places: dict[str, Place] | None = None) -> Place | None:
    if not code:
        return None
    if places is not None:
        return places.get(code.strip().upper())
    return Place.objects.filter(pcode=code.strip().upper()).first()


def shipped_places() -> dict[str, Place]:
    """The p-code list by code, read once for a whole run instead of once a member."""
    return {place.pcode: place for place in Place.objects.all()}


def member_data(
    values: dict[str, str], *, places: dict[str, Place] | None = None
) -> tuple[MemberData, dict[str, str]]:
    """A member as the registry takes them, and the problems of the values by field name.
    `places`, the p-code list by code (shipped_places), spares a query a member."""
    errors: dict[str, str] = {}

    def choice(name: str, choices, default: str = "") -> str:
        value = values.get(name, "").strip() or default
        if value and value not in choices:
            errors[name] = _not_a_choice()
        return value

    relationship = choice("relationship", Relationship.values)
    sex = choice("sex", Sex.values)
    precision = choice("birth_date_precision", DatePrecision.values, DatePrecision.EXACT)
    birth = None
    if values.get("birth_date"):
        try:
            birth = _parse_date(values["birth_date"])
        except ValueError:
            errors["birth_date"] = _("Not a date: write it as YYYY-MM-DD.")
    origin = None
    for name in ("origin_district", "origin_governorate"):
        if values.get(name) and origin is None:
            origin = _place(values[name], places)
            if origin is None:
                errors[name] = _("Not a place in the p-code list.")
    documents = []
    doc_type = choice("document_type", DocumentType.values)
    if values.get("document_number"):
        documents.append(
            DocumentData(doc_type=doc_type or DocumentType.OTHER, number=values["document_number"])
        )
    needs = values.get("needs", "").split()
    if any(n not in SpecificNeed.values for n in needs):
        errors["needs"] = _not_a_choice()
    member = MemberData(
        relationship=relationship,
        sex=sex,
        names={n: values.get(n, "") for n in NAME_FIELDS if values.get(n)},
        birth_date=birth,
        birth_date_precision=precision,
        origin=origin,
        origin_village=values.get("origin_village", ""),
        documents=documents,
        needs=needs,
    )
    if not relationship:
        errors["relationship"] = _("This field is required.")
    if not sex:
        errors["sex"] = _("This field is required.")
    return member, errors


def _household_data(values: dict[str, str], default_consent: list[str]):
    errors: dict[str, str] = {}
    registered_on = None
    if values.get("registered_on"):
        try:
            registered_on = _parse_date(values["registered_on"])
        except ValueError:
            errors["registered_on"] = _("Not a date: write it as YYYY-MM-DD.")
    consent = values.get("consent", "").split() or list(default_consent)
    if any(c not in ConsentScope.values for c in consent):
        errors["consent"] = _not_a_choice()
    return registered_on, consent, errors


def _problems_of(submitted: SubmittedHousehold, error: ValidationError) -> list[Problem]:
    """The door's errors, keyed `members-3-birth_date` or `consent`, placed in the file."""
    problems = []
    for key, messages in error.message_dict.items():
        sheet, row, field = submitted.sheet, submitted.row, key
        if key.startswith("members-"):
            _prefix, index, field = key.split("-", 2)
            member = submitted.members[int(index)]
            sheet, row = member.sheet, member.row
        elif key == "__all__":
            field = ""
        for message in messages:
            problems.append(Problem(sheet, row, field, message))
    return problems


def start_run(
    *, site: Site, by, file_name: str, fmt: str, upload: bytes | None = None
) -> ImportRun:
    """Open an import run at a site; refused unless `by` imports and registers there."""
    require(by, Capability.IMPORT_FIELD_DATA, site.pk)
    require(by, Capability.REGISTER, site.pk)
    with transaction.atomic():
        run = ImportRun.objects.create(
            site=site,
            started_by=by,
            file_name=file_name[:200],
            format=fmt,
            language=by.preferred_language or translation.get_language() or "en",
            upload=upload,
        )
        audit.record(
            actor=by,
            action=audit.Action.CREATE,
            target=run,
            detail={"file": run.file_name, "format": fmt},
        )
    return run


def _count(run: ImportRun, outcome: str) -> None:
    ImportRun.objects.filter(pk=run.pk).update(
        processed=F("processed") + 1, **{_COUNTER[outcome]: F(_COUNTER[outcome]) + 1}
    )


def _report(run: ImportRun, problems: Iterable[Problem | ReadProblem]) -> None:
    ImportProblem.objects.bulk_create(
        ImportProblem(
            run=run, sheet=p.sheet[:64], row=p.row, field=p.field[:80], message=p.message[:500]
        )
        for p in problems
    )


# The member's values an edit shows and applies; the member's key only says who they are.
DIFF_FIELDS = tuple(f for f in MEMBER_FIELDS if f != MEMBER_KEY)


def _identity_keys(values: dict[str, str]) -> set[str]:
    """The matching engine's blocking keys of a submitted member (names in any script, birth
    date): two versions of one person share most of them even after a name is corrected."""
    birth = ""
    if values.get("birth_date"):
        try:
            birth = engine_birth_date(
                _parse_date(values["birth_date"]),
                values.get("birth_date_precision") or DatePrecision.EXACT,
            )
        except ValueError:
            birth = ""
    records = records_from_names(
        {f: values.get(f, "") for f in NAME_FIELDS},
        record_id="member",
        sex=values.get("sex", ""),
        birth_date=birth,
    )
    return set().union(*(blocking_keys(r) for r in records))


def pair_members(old: list[dict], new: list[dict]) -> list[int | None]:
    """For each member of the new roster, the place of the same person in the old one (None:
    someone added). Matched by who they are, not where they stand in the list: first by the
    member's own key (the form's `member_key`), then by the identity keys their names and birth
    date make (most keys shared first), and by position only between members who carry nothing
    to tell them apart. A member erased since (empty values) is matched with no one."""
    pairs: list[int | None] = [None] * len(new)
    free_old = {i for i, values in enumerate(old) if values}
    free_new = {j for j, values in enumerate(new) if values}
    by_key = {old[i][MEMBER_KEY]: i for i in free_old if old[i].get(MEMBER_KEY)}
    for j in sorted(free_new):
        i = by_key.get(new[j].get(MEMBER_KEY, ""))
        if i is not None and i in free_old:
            pairs[j] = i
            free_old.discard(i)
            free_new.discard(j)
    old_keys = {i: _identity_keys(old[i]) for i in free_old}
    new_keys = {j: _identity_keys(new[j]) for j in free_new}
    candidates = sorted(
        (-len(old_keys[i] & new_keys[j]), abs(i - j), i, j)
        for i in free_old
        for j in free_new
        if old_keys[i] & new_keys[j]
    )
    for _shared, _distance, i, j in candidates:
        if i in free_old and j in free_new:
            pairs[j] = i
            free_old.discard(i)
            free_new.discard(j)
    # Pairing two people who both have names by position is what would edit the wrong person:
    # only members without any name or birth date fall back on their order.
    nameless_old = sorted(i for i in free_old if not old_keys[i])
    nameless_new = sorted(j for j in free_new if not new_keys[j])
    for i, j in zip(nameless_old, nameless_new, strict=False):
        pairs[j] = i
    return pairs


def member_name(values: dict[str, str]) -> str:
    """A submitted member's name as the site manager reads it, in the first script written."""
    for script in ("lat", "ar", "cyr"):
        parts = [values.get(f"{part}_{script}", "") for part in ("given_name", "family_name")]
        if any(parts):
            return " ".join(p for p in parts if p)
    return "—"


def changes_between(old: dict, new: dict) -> dict:
    """What an edit changes, members matched by who they are (pair_members): household fields,
    the fields of each member found in both, members added and members who leave, as
    {"household": {field: [old, new]}, "members": [{"index": old place, "new_index": new place,
    "name": ..., "fields": {field: [old, new]}}], "added": n, "removed": n, "added_members":
    [{"new_index", "name"}], "removed_members": [{"index", "name"}]}."""
    household = {
        f: [old["household"].get(f, ""), new["household"].get(f, "")]
        for f in HOUSEHOLD_FIELDS
        if old["household"].get(f, "") != new["household"].get(f, "")
    }
    old_members, new_members = old["members"], new["members"]
    pairs = pair_members(old_members, new_members)
    members, added = [], []
    for j, (values, i) in enumerate(zip(new_members, pairs, strict=True)):
        if not values:
            continue
        if i is None:
            added.append({"new_index": j, "name": member_name(values)})
            continue
        a = old_members[i]
        fields = {
            f: [a.get(f, ""), values.get(f, "")]
            for f in DIFF_FIELDS
            if a.get(f, "") != values.get(f, "")
        }
        if fields:
            members.append({"index": i, "new_index": j, "name": member_name(a), "fields": fields})
    paired = set(pairs)
    removed = [
        {"index": i, "name": member_name(values)}
        for i, values in enumerate(old_members)
        if values and i not in paired
    ]
    return {
        "household": household,
        "members": members,
        "added": len(added),
        "removed": len(removed),
        "added_members": added,
        "removed_members": removed,
    }


def edit_changes(edit: SubmissionEdit) -> dict:
    """The edit's changes against the submission as it stands now (an edit accepted before it,
    an erasure since): what the page shows is what accept_edit applies."""
    return changes_between(edit.submission.content, edit.content)


def _queue_edit(run, existing: FieldSubmission, submitted: SubmittedHousehold, digest: str) -> str:
    if existing.edits.filter(content_hash=digest).exists():
        return Outcome.UNCHANGED  # this very edit came before: waiting, accepted or rejected
    content = submitted.content()
    try:
        with transaction.atomic():
            edit = SubmissionEdit.objects.create(
                submission=existing,
                content_hash=digest,
                content=content,
                changes=changes_between(existing.content, content),
                run=run,
            )
            audit.record(
                actor=run.started_by,
                action=audit.Action.CREATE,
                target=edit,
                detail={"household": existing.household.registration_number},
            )
            _count(run, Outcome.EDIT)
    except IntegrityError:
        # Another run queued the same edit a moment ago: it is there, which is what counts.
        return Outcome.UNCHANGED
    return Outcome.EDIT


def import_submission(
    run: ImportRun,
    submitted: SubmittedHousehold,
    *,
    default_consent=(),
    places: dict[str, Place] | None = None,
) -> str:
    """Land one submitted household through the door, or report why not. Returns the outcome.
    `places` (shipped_places) is the p-code list a run reads once."""
    digest = submitted.content_hash
    existing = (
        FieldSubmission.objects.select_related("household")
        .filter(instance_id=submitted.key)
        .first()
    )
    if existing is not None:
        if existing.content_hash == digest:
            _count(run, Outcome.UNCHANGED)
            return Outcome.UNCHANGED
        outcome = _queue_edit(run, existing, submitted, digest)
        if outcome == Outcome.UNCHANGED:
            _count(run, outcome)
        return outcome

    (outcome,) = _land(run, [submitted], default_consent=default_consent, places=places)
    return outcome


def _prepared(
    run: ImportRun, submitted: SubmittedHousehold, default_consent, places
) -> tuple[registry.NewHousehold | None, list[Problem]]:
    """The submission as the registry's NewHousehold, or the problems that stop it."""
    problems: list[Problem] = []
    registered_on, consent, errors = _household_data(submitted.values, list(default_consent))
    problems += [Problem(submitted.sheet, submitted.row, f, m) for f, m in errors.items()]
    members = []
    for member in submitted.members:
        data, errors = member_data(member.values, places=places)
        members.append(data)
        problems += [Problem(member.sheet, member.row, f, m) for f, m in errors.items()]
    if not submitted.members:
        problems.append(
            Problem(
                submitted.sheet,
                submitted.row,
                "members",
                _("A household needs at least one member."),
            )
        )
    if submitted.site_code and submitted.site_code.upper() != run.site.code.upper():
        problems.append(
            Problem(
                submitted.sheet,
                submitted.row,
                "site",
                _("This row is for another site: import it there."),
            )
        )
    if problems:
        return None, problems
    new = registry.NewHousehold(
        members=members,
        consent_scopes=consent,
        registered_on=registered_on,
        phone=submitted.values.get("phone", ""),
        level=RegistrationLevel.FULL,
    )
    return new, []


def _fail(run: ImportRun, problems: list[Problem], count: int = 1) -> None:
    with transaction.atomic():
        _report(run, problems)
        ImportRun.objects.filter(pk=run.pk).update(
            processed=F("processed") + count, failed=F("failed") + count
        )


def _land(
    run: ImportRun, submissions: list[SubmittedHousehold], *, default_consent=(), places=None
) -> list[str]:
    """Land new submissions (none of whose keys has landed) through the door, a chunk of
    households in one transaction with their FieldSubmission rows and the run's counters;
    returns each one's outcome. A household with problems is reported and the others land:
    the door refuses the chunk naming the households at fault, and the rest is tried again
    without them. Should the chunk meet a row written meanwhile (another run landing the
    same submission), each household is tried alone."""
    by, site = run.started_by, run.site
    outcomes: dict[int, str] = {}
    ready = []
    for position, submitted in enumerate(submissions):
        new, problems = _prepared(run, submitted, default_consent, places)
        if problems:
            _fail(run, problems)
            outcomes[position] = Outcome.FAILED
        else:
            ready.append((position, submitted, new))
    # Every likely match is answered "new, for review": an import never merges anyone, and
    # the pairs go to the review queue with the reason, as a clerk's would.
    reason = _("Imported from a field registration; check at review.")
    while ready:
        try:
            with transaction.atomic():
                made = register_households_as_new(
                    site=site, households=[new for _p, _s, new in ready], reason=reason, by=by
                )
                FieldSubmission.objects.bulk_create(
                    FieldSubmission(
                        instance_id=submitted.key,
                        content_hash=submitted.content_hash,
                        content=submitted.content(),
                        household=outcome.household,
                        people=[p.pk for p in outcome.household.registered_people],
                        site=site,
                        source=run.format,
                        run=run,
                    )
                    for (_p, submitted, _new), outcome in zip(ready, made, strict=True)
                )
                ImportRun.objects.filter(pk=run.pk).update(
                    processed=F("processed") + len(ready), landed=F("landed") + len(ready)
                )
            outcomes.update((position, Outcome.LANDED) for position, _s, _n in ready)
            ready = []
        except registry.HouseholdsRefused as refused:
            for number, error in refused.refused.items():
                position, submitted, _new = ready[number]
                _fail(run, _problems_of(submitted, error))
                outcomes[position] = Outcome.FAILED
            ready = [item for number, item in enumerate(ready) if number not in refused.refused]
        except PermissionDenied:
            message = _("You may not register households at this site.")
            for position, submitted, _new in ready:
                _fail(run, [Problem(submitted.sheet, submitted.row, "", message)])
                outcomes[position] = Outcome.FAILED
            ready = []
        except IntegrityError:
            if len(ready) == 1:
                # The same submission landed from another run at the same moment.
                _count(run, Outcome.UNCHANGED)
                outcomes[ready[0][0]] = Outcome.UNCHANGED
            else:
                for position, submitted, _new in ready:
                    (outcomes[position],) = _land(
                        run, [submitted], default_consent=default_consent, places=places
                    )
            ready = []
    return [outcomes[position] for position in range(len(submissions))]


def run_import(
    run: ImportRun,
    submissions: Iterable[SubmittedHousehold | ReadProblem],
    *,
    default_consent=(),
    progress: Callable[[str], None] | None = None,
) -> ImportRun:
    """Read every submission into the registry, one household per transaction."""
    ImportRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    places = shipped_places()
    with translation.override(run.language):
        for chunk in batched(submissions, CHUNK):
            # What landed before is looked up a chunk at a time, and a submission that comes
            # back unchanged costs no write: a rerun of a whole file reads and counts.
            keys = [item.key for item in chunk if isinstance(item, SubmittedHousehold)]
            landed = dict(
                FieldSubmission.objects.filter(instance_id__in=keys).values_list(
                    "instance_id", "content_hash"
                )
            )
            unchanged = 0
            # New submissions land a chunk at a time; an edit, or a key met twice in the
            # file, is taken alone after them, when what it edits has landed.
            fresh: list[SubmittedHousehold] = []
            later: list[SubmittedHousehold] = []
            for item in chunk:
                if isinstance(item, ReadProblem):
                    _fail(run, [item])
                    if progress:
                        progress(Outcome.FAILED)
                elif landed.get(item.key) == item.content_hash:
                    unchanged += 1
                    if progress:
                        progress(Outcome.UNCHANGED)
                elif item.key in landed:
                    later.append(item)
                else:
                    landed[item.key] = ""
                    fresh.append(item)
            for households in batched(fresh, LANDING_CHUNK):
                for outcome in _land(
                    run, households, default_consent=default_consent, places=places
                ):
                    if progress:
                        progress(outcome)
            for item in later:
                outcome = import_submission(
                    run, item, default_consent=default_consent, places=places
                )
                if progress:
                    progress(outcome)
            if unchanged:
                ImportRun.objects.filter(pk=run.pk).update(
                    processed=F("processed") + unchanged, unchanged=F("unchanged") + unchanged
                )
    ImportRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE, finished_at=timezone.now())
    run.refresh_from_db()
    return run


def set_total(run: ImportRun, total: int) -> None:
    ImportRun.objects.filter(pk=run.pk).update(total=total)


def forget_upload(run: ImportRun) -> None:
    """The uploaded file holds names: it is kept only until the run has read it."""
    ImportRun.objects.filter(pk=run.pk).update(upload=None)


def queue_upload(
    *, site: Site, by, file_name: str, data: bytes, fmt: str, default_consent=()
) -> ImportRun:
    """An uploaded file, imported by a background worker once this transaction commits."""
    from refuge.fielddata.tasks import import_upload

    run = start_run(site=site, by=by, file_name=file_name, fmt=fmt, upload=data)
    transaction.on_commit(lambda: import_upload.enqueue(run.pk, list(default_consent)))
    return run


def fail_run(run: ImportRun, message: str) -> ImportRun:
    """The file as a whole could not be read: the run says why, and nothing landed."""
    with transaction.atomic():
        _report(run, [Problem("", 0, "", message)])
        ImportRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, finished_at=timezone.now()
        )
    run.refresh_from_db()
    return run


# Edits, for the site manager.


def _person_changes(person: Person, values: dict[str, str]) -> dict:
    data, errors = member_data(values)
    if errors:
        raise ValidationError(errors)
    wanted = {
        **{f: data.names.get(f, "") for f in NAME_FIELDS},
        "relationship": data.relationship,
        "sex": data.sex,
        "birth_date": data.birth_date,
        "birth_date_precision": data.birth_date_precision,
        "origin": data.origin,
        "origin_village": data.origin_village,
    }
    return {f: v for f, v in wanted.items() if getattr(person, f) != v}


def _household_changes(household, values: dict[str, str]) -> dict:
    registered_on, _consent, errors = _household_data(values, [])
    if errors:
        raise ValidationError(errors)
    wanted = {"registered_on": registered_on or household.registered_on}
    wanted["phone"] = values.get("phone", "")
    return {f: v for f, v in wanted.items() if getattr(household, f) != v}


def _apply_consent(people: list[Person], old: dict, new: dict, *, by) -> None:
    """The family's consent as the edit gives it: scopes it adds are given, scopes it drops
    are withdrawn, for every member (registration itself is withdrawn only by erasure)."""
    before = set(old.get("consent", "").split())
    after = set(new.get("consent", "").split())
    if before == after:
        return
    if ConsentScope.REGISTRATION not in after or any(c not in ConsentScope.values for c in after):
        raise ValidationError(
            {"consent": _("Record the family's consent to registration before saving.")}
        )
    for person in people:
        if after - before:
            registry.give_consent(person=person, scopes=sorted(after - before), by=by)
        for scope in sorted(before - after):
            if person.consents_to(scope):
                registry.withdraw_consent(person=person, scope=scope, by=by)


def _member_refused(index: int, name: str, error: ValidationError) -> ValidationError:
    """The door's refusal for one member, each message naming the member and the field, so the
    site manager knows whom the edit could not change and why (the keys stay `members-N-field`,
    N the member's place in the edit)."""
    problems = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    refused = {}
    for field, messages in problems.items():
        field = "" if field == "__all__" else field
        refused[f"members-{index}-{field}".rstrip("-")] = [
            _("%(member)s, %(field)s: %(problem)s")
            % {"member": name, "field": LABELS.get(field, field), "problem": message}
            if field
            else _("%(member)s: %(problem)s") % {"member": name, "problem": message}
            for message in messages
        ]
    return ValidationError(refused)


def _document(values: dict[str, str]) -> DocumentData | None:
    number = values.get("document_number", "").strip()
    if not number:
        return None
    return DocumentData(doc_type=values.get("document_type") or DocumentType.OTHER, number=number)


def _apply_member(person: Person, old: dict[str, str], new: dict[str, str], *, by) -> None:
    """One matched member's edit through the door: fields (reception.update_person), the
    document (reception.change_document) and specific needs (reception.change_needs), each
    only as far as the edit changes them against what the submission said before."""
    changes = _person_changes(person, new)
    if changes:
        reception.update_person(person=person, changes=changes, by=by)
    before, after = _document(old), _document(new)
    if (before and (before.doc_type, before.number)) != (after and (after.doc_type, after.number)):
        reception.change_document(person=person, old=before, new=after, by=by)
    needs_before, needs_after = set(old.get("needs", "").split()), set(new.get("needs", "").split())
    if needs_before != needs_after:
        reception.change_needs(
            person=person,
            add=sorted(needs_after - needs_before),
            remove=sorted(needs_before - needs_after),
            by=by,
        )


@transaction.atomic
def accept_edit(*, edit: SubmissionEdit, by) -> SubmissionEdit:
    """Apply an edit through the door, all of it or nothing. Members are matched by who they
    are (pair_members), never by their place in the list: the household's fields
    (registry.change_household) and consent, each matched member's fields, document and needs,
    members added (reception.add_member), and members the edit no longer has leave the
    household for one of their own (reception.separate_member): their record is kept. A change
    the door refuses refuses the whole edit, naming the member and the field."""
    edit = (
        SubmissionEdit.objects.select_for_update()
        .select_related("submission__household")
        .get(pk=edit.pk)
    )
    submission = edit.submission
    household = submission.household
    require(by, Capability.IMPORT_FIELD_DATA, submission.audit_site_id)
    if edit.status != EditStatus.PENDING:
        raise ValidationError(_("This edit has been decided already."))
    old_members, new_members = submission.content["members"], edit.content["members"]
    pairs = pair_members(old_members, new_members)
    registered_ids = list(submission.people) + [None] * (len(old_members) - len(submission.people))
    people = {p.pk: p for p in Person.objects.filter(pk__in=[pk for pk in registered_ids if pk])}
    # Members leave first, so that a head the edit leaves out stops everything before any change.
    kept = set(pairs)
    for index, values in enumerate(old_members):
        person = people.get(registered_ids[index])
        if values and index not in kept and person and person.household_id == household.pk:
            try:
                reception.separate_member(person=person, by=by)
            except ValidationError as error:
                raise _member_refused(index, member_name(values), error) from error
    changes = _household_changes(household, edit.content["household"])
    if changes:
        registry.change_household(household=household, changes=changes, by=by)
    now_registered: list[int | None] = []
    for index, (values, old_index) in enumerate(zip(new_members, pairs, strict=True)):
        if not values:
            now_registered.append(None)  # a member erased since (refuge.rights): nothing of theirs
            continue
        try:
            if old_index is None:
                data, errors = member_data(values)
                if errors:
                    raise ValidationError(errors)
                person = reception.add_member(household=household, member=data, by=by)
            else:
                person = people.get(registered_ids[old_index])
                if person is not None:
                    _apply_member(person, old_members[old_index], values, by=by)
        except ValidationError as error:
            raise _member_refused(index, member_name(values), error) from error
        now_registered.append(person.pk if person is not None else registered_ids[old_index])
    members = [people.get(pk) or Person.objects.filter(pk=pk).first() for pk in now_registered]
    _apply_consent(
        [p for p in members if p is not None],
        submission.content["household"],
        edit.content["household"],
        by=by,
    )
    submission.content, submission.content_hash = edit.content, edit.content_hash
    submission.people = now_registered
    submission.save(update_fields=["content", "content_hash", "people"])
    return _decide(edit, EditStatus.ACCEPTED, by)


@transaction.atomic
def reject_edit(*, edit: SubmissionEdit, by) -> SubmissionEdit:
    """Keep the submission as it landed; the same edit imported again stays rejected."""
    edit = (
        SubmissionEdit.objects.select_for_update()
        .select_related("submission__household")
        .get(pk=edit.pk)
    )
    require(by, Capability.IMPORT_FIELD_DATA, edit.submission.audit_site_id)
    if edit.status != EditStatus.PENDING:
        raise ValidationError(_("This edit has been decided already."))
    return _decide(edit, EditStatus.REJECTED, by)


def _decide(edit: SubmissionEdit, status: str, by) -> SubmissionEdit:
    edit.status, edit.decided_by, edit.decided_at = status, by, timezone.now()
    edit.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(actor=by, action=audit.Action.CHANGE, target=edit, detail={"status": status})
    return edit


def forget_person(*, person_id: int, household_id: int, household_emptied: bool) -> None:
    """Erasure (refuge.rights) of one person from the copies field data keeps: their member's
    values in each submission and in each edit of their household become empty (in an edit, the
    member matched with them, wherever the edit lists them), their lines leave the edits'
    diffs, and a file still waiting to be read is dropped. The household's own values (the
    phone) go when nobody in it is left. The content hash stays, so the same old export read
    again is "already imported" and cannot register the erased person anew."""
    submissions = FieldSubmission.objects.filter(household_id=household_id)
    for submission in submissions:
        if person_id not in submission.people:
            continue
        index = submission.people.index(person_id)
        runs = {submission.run_id}
        for edit in submission.edits.all():
            pairs = pair_members(submission.content.get("members", []), edit.content["members"])
            edit.content = _without_member(
                edit.content, pairs.index(index) if index in pairs else None, household_emptied
            )
            changes = dict(edit.changes)
            for name in ("members", "removed_members"):
                changes[name] = [m for m in changes.get(name, []) if m["index"] != index]
            if household_emptied:
                changes["household"] = {}
            edit.changes = changes
            edit.save(update_fields=["content", "changes"])
            runs.add(edit.run_id)
        submission.content = _without_member(submission.content, index, household_emptied)
        submission.save(update_fields=["content"])
        ImportRun.objects.filter(pk__in=runs - {None}, upload__isnull=False).update(upload=None)


def _without_member(content: dict, index: int | None, household_emptied: bool) -> dict:
    members = list(content.get("members", []))
    if index is not None and index < len(members):
        members[index] = {}
    return {
        "household": {} if household_emptied else content.get("household", {}),
        "members": members,
    }
