"""Use cases of family tracing. Each checks the capability and the site itself, runs in one
transaction and writes its audit entry (people named by id only).

The rule of the ICRC's Restoring Family Links Code of Conduct runs through them: confirming a
match tells the inquirer nothing; only the sought person's answer, taken down by a tracing
officer of their site, decides what the inquirer learns; a refusal is closed exactly as
"not found" is, for the inquirer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from refuge.accounts.access import require
from refuge.accounts.roles import Capability
from refuge.audit import services as audit
from refuge.identity.services import reasons_json
from refuge.registry.models import Household, Person
from refuge.registry.vocabulary import Sex
from refuge.tracing import matching
from refuge.tracing.models import (
    NAME_MAX,
    Answer,
    Candidate,
    CandidateStatus,
    Outcome,
    Share,
    SoughtPerson,
    SoughtRelationship,
    TraceStatus,
    TracingKey,
    TracingNote,
    TracingRequest,
)

# A tracing request is reviewed at least every four weeks until it is closed.
REVIEW_DAYS = 28
ADULT_AGE = 18
MAX_SOUGHT = 10
NOTE_MAX_CHARS = 1000


@dataclass
class InquirerData:
    given_name: str
    sex: str
    contact: str
    father_name: str = ""
    family_name: str = ""
    consents_to_trace_back: bool = False
    consents_to_partners: bool = False
    person: Person | None = None


@dataclass
class SoughtData:
    given_name: str
    relationship: str
    father_name: str = ""
    family_name: str = ""
    mother_name: str = ""
    sex: str = ""
    birth_date: date | None = None
    birth_date_precision: str = "estimated"
    last_seen_place: str = ""
    last_seen_on: date | None = None
    circumstances: str = ""
    distinguishing: str = ""
    # Index of the sought person on the form, to name the field at fault.
    prefix: str = field(default="sought-0")


_INQUIRER_LIMITS = {
    "given_name": NAME_MAX,
    "father_name": NAME_MAX,
    "family_name": NAME_MAX,
    "contact": 200,
}
_SOUGHT_LIMITS = {
    "given_name": NAME_MAX,
    "father_name": NAME_MAX,
    "family_name": NAME_MAX,
    "mother_name": NAME_MAX,
    "last_seen_place": 120,
    "circumstances": 1000,
    "distinguishing": 300,
}


def _too_long(limit: int) -> str:
    return _("At most %(count)d characters.") % {"count": limit}


def request_errors(inquirer: InquirerData, sought: list[SoughtData], today: date) -> dict:
    """Every problem of a request as typed, by form field; empty when it may be saved."""
    errors: dict[str, list[str]] = {}
    for name, limit in _INQUIRER_LIMITS.items():
        if len(getattr(inquirer, name) or "") > limit:
            errors.setdefault(f"inquirer_{name}", []).append(_too_long(limit))
    if inquirer.person is None and not inquirer.given_name.strip():
        errors.setdefault("inquirer_given_name", []).append(_("Enter the inquirer's given name."))
    if inquirer.sex not in Sex.values:
        errors.setdefault("inquirer_sex", []).append(_("Choose the inquirer's sex."))
    if not inquirer.contact.strip():
        errors.setdefault("inquirer_contact", []).append(
            _("Say how the inquirer can be reached (through the centre if nothing else).")
        )
    if not sought:
        errors.setdefault("__all__", []).append(_("Describe at least one person sought."))
    if len(sought) > MAX_SOUGHT:
        errors.setdefault("__all__", []).append(
            _("At most %(count)d people in one request.") % {"count": MAX_SOUGHT}
        )
    for one in sought:
        for name, limit in _SOUGHT_LIMITS.items():
            if len(getattr(one, name) or "") > limit:
                errors.setdefault(f"{one.prefix}-{name}", []).append(_too_long(limit))
        if not one.given_name.strip():
            errors.setdefault(f"{one.prefix}-given_name", []).append(
                _("Enter the sought person's given name, in any script.")
            )
        if one.relationship not in SoughtRelationship.values:
            errors.setdefault(f"{one.prefix}-relationship", []).append(
                _("Choose how the sought person is related to the inquirer.")
            )
        if one.sex and one.sex not in Sex.values:
            errors.setdefault(f"{one.prefix}-sex", []).append(_("Choose a sex or leave it empty."))
        if one.birth_date and one.birth_date > today:
            errors.setdefault(f"{one.prefix}-birth_date", []).append(
                _("A birth date cannot be in the future.")
            )
        if one.last_seen_on and one.last_seen_on > today:
            errors.setdefault(f"{one.prefix}-last_seen_on", []).append(
                _("The day last seen cannot be in the future.")
            )
    return errors


def _add_sought(request: TracingRequest, data: SoughtData) -> SoughtPerson:
    return SoughtPerson.objects.create(
        request=request,
        given_name=data.given_name.strip(),
        father_name=data.father_name.strip(),
        family_name=data.family_name.strip(),
        mother_name=data.mother_name.strip(),
        sex=data.sex,
        birth_date=data.birth_date,
        birth_date_precision=data.birth_date_precision,
        relationship=data.relationship,
        last_seen_place=data.last_seen_place.strip(),
        last_seen_on=data.last_seen_on,
        circumstances=data.circumstances.strip(),
        distinguishing=data.distinguishing.strip(),
    )


@transaction.atomic
def open_request(
    *,
    site,
    inquirer: InquirerData,
    sought: list[SoughtData],
    by,
    opened_on: date | None = None,
) -> TracingRequest:
    """Open a tracing request at `site`, owned by `by`, and match each sought person against
    every registration at every site and against the other open requests.

    Raises ValidationError by form field, PermissionDenied when `by` is not a tracing officer
    of `site`."""
    require(by, Capability.TRACE, site.pk)
    today = opened_on or timezone.localdate()
    if inquirer.person is not None:
        require(by, Capability.VIEW_PEOPLE, inquirer.person.household.audit_site_id)
    errors = request_errors(inquirer, sought, today)
    if errors:
        raise ValidationError(errors)
    person = inquirer.person
    request = TracingRequest.objects.create(
        site=site,
        inquirer_person=person,
        inquirer_given_name=(
            inquirer.given_name.strip() or (person.given_name_ar or person.given_name_lat)
            if person
            else inquirer.given_name.strip()
        ),
        inquirer_father_name=inquirer.father_name.strip(),
        inquirer_family_name=inquirer.family_name.strip(),
        inquirer_sex=inquirer.sex,
        inquirer_contact=inquirer.contact.strip(),
        consents_to_trace_back=inquirer.consents_to_trace_back,
        consents_to_partners=inquirer.consents_to_partners,
        owner=by,
        opened_on=today,
        due_on=today + timedelta(days=REVIEW_DAYS),
    )
    for data in sought:
        _add_sought(request, data)
    audit.record(
        actor=by,
        action=audit.Action.CREATE,
        target=request,
        detail={
            "sought": list(request.traces.values_list("pk", flat=True)),
            "inquirer_person": person.pk if person else None,
        },
    )
    _match_request(request, by=by)
    return request


def open_for_need(*, person: Person, by) -> TracingRequest:
    """A person registered with the need FU-TR (tracing required): their open request, or a
    new one with them as the inquirer, for the site's tracing officers to take down whom they
    seek. Called by the registration that records the need; the clerk is told nothing more."""
    existing = TracingRequest.objects.open().filter(inquirer_person=person).first()
    if existing:
        return existing
    today = timezone.localdate()
    request = TracingRequest.objects.create(
        site_id=person.household.audit_site_id,
        inquirer_person=person,
        inquirer_given_name=person.given_name_ar or person.given_name_lat or person.given_name_cyr,
        inquirer_father_name=(
            person.father_name_ar or person.father_name_lat or person.father_name_cyr
        ),
        inquirer_family_name=(
            person.family_name_ar or person.family_name_lat or person.family_name_cyr
        ),
        inquirer_sex=person.sex,
        inquirer_contact=_("Through the centre"),
        opened_on=today,
        due_on=today + timedelta(days=7),
        from_need=True,
    )
    matching.refresh_keys(request)
    audit.record(
        actor=by,
        action=audit.Action.CREATE,
        target=request,
        detail={"inquirer_person": person.pk, "from_need": "FU-TR"},
    )
    return request


@transaction.atomic
def add_sought(*, request: TracingRequest, data: SoughtData, by) -> SoughtPerson:
    """One more person sought by the same inquirer (or the first, for a request opened from a
    need), matched at once."""
    require(by, Capability.TRACE, request.site_id)
    if request.is_closed:
        raise ValidationError(_("This request is closed."))
    inquirer = InquirerData(
        given_name=request.inquirer_given_name,
        sex=request.inquirer_sex,
        contact=request.inquirer_contact,
    )
    errors = request_errors(inquirer, [data], timezone.localdate())
    if errors:
        raise ValidationError(errors)
    sought = _add_sought(request, data)
    if request.owner_id is None:
        request.owner = by
        request.save(update_fields=["owner", "updated_at"])
    audit.record(
        actor=by, action=audit.Action.CREATE, target=sought, detail={"request": request.pk}
    )
    _match_request(request, by=by)
    return sought


def _candidate(sought: SoughtPerson, found: matching.Found) -> Candidate | None:
    if found.person is not None:
        site_id = found.person.household.audit_site_id
        lookup = {"sought": sought, "person": found.person}
    else:
        site_id = found.request.site_id
        lookup = {"sought": sought, "other_request": found.request}
    candidate, created = Candidate.objects.get_or_create(
        **lookup,
        defaults={
            "site_id": site_id,
            "probability": found.comparison.probability,
            "log_odds": found.comparison.log_odds,
            "reasons": reasons_json(found.comparison),
        },
    )
    return candidate if created else None


def _raise_status(sought: SoughtPerson) -> None:
    if sought.status == TraceStatus.OPEN:
        sought.status = TraceStatus.POSSIBLE_MATCH
        sought.save(update_fields=["status"])


def _match_request(request: TracingRequest, *, by) -> list[Candidate]:
    """Match every open trace of the request against the registry and the other requests,
    and the request's inquirer against what the other requests seek."""
    matching.refresh_keys(request)
    new: list[Candidate] = []
    for sought in request.traces.exclude(status=TraceStatus.CLOSED):
        found = matching.registry_candidates(sought) + matching.request_candidates(sought)
        made = [c for f in found if (c := _candidate(sought, f))]
        if made:
            _raise_status(sought)
        new += made
    # Someone already looking for this inquirer: the other request gets this one as candidate.
    for other_sought, comparison in matching.requests_seeking(request):
        made = _candidate(other_sought, matching.Found(comparison, request=request))
        if made:
            _raise_status(other_sought)
            new.append(made)
    _audit_candidates(new, by=by)
    return new


def _audit_candidates(candidates: list[Candidate], *, by) -> None:
    if candidates:
        audit.record_many(
            actor=by,
            action=audit.Action.CREATE,
            targets=candidates,
            details=[
                {
                    "sought": c.sought_id,
                    "person": c.person_id,
                    "other_request": c.other_request_id,
                    "probability": round(c.probability, 4),
                }
                for c in candidates
            ],
        )


def check_new_people(people: list[Person], *, by) -> list[Candidate]:
    """A registration, an import or an arrival lands: is anyone in it sought by an open
    request? Candidates go to the tracing officers of the person's site (an arrival's
    candidates move there with them); the clerk who registered them is told nothing."""
    new: list[Candidate] = []
    people = list(people)
    # Newly registered people have no candidates yet, and most people nobody seeks: one query
    # each tells, before any person's own (an import lands thousands of households).
    if Candidate.objects.filter(person__in=people).exists():
        for person in people:
            site_id = Household.objects.get(pk=person.household_id).audit_site_id
            Candidate.objects.filter(person=person).exclude(site_id=site_id).update(site_id=site_id)
    if not matching.sought_by_keys_of(people):
        people = []
    for person in people:
        for sought, comparison in matching.sought_by_open_requests(person):
            made = _candidate(sought, matching.Found(comparison, person=person))
            if made:
                _raise_status(sought)
                new.append(made)
    _audit_candidates(new, by=by)
    return new


def _require_candidate_site(by, candidate: Candidate) -> None:
    # The candidate's own site decides: the inquirer's tracing officer cannot confirm, ask or
    # tell anything about a person at a site they do not work at.
    require(by, Capability.TRACE, candidate.site_id)


@transaction.atomic
def review_candidate(*, candidate: Candidate, confirm: bool, by) -> Candidate:
    """A tracing officer of the candidate's site says whether this is the person sought.
    Confirming tells the inquirer nothing: the sought person is asked first."""
    _require_candidate_site(by, candidate)
    candidate = (
        Candidate.objects.select_for_update(of=("self",))
        .select_related("sought")
        .get(pk=candidate.pk)
    )
    sought = candidate.sought
    if sought.status == TraceStatus.CLOSED or candidate.status != CandidateStatus.OPEN:
        raise ValidationError(_("This candidate has been reviewed already."))
    candidate.status = CandidateStatus.CONFIRMED if confirm else CandidateStatus.DISMISSED
    candidate.reviewed_by = by
    candidate.reviewed_at = timezone.now()
    candidate.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    if confirm:
        sought.status = TraceStatus.CONFIRMED
    elif (
        sought.status == TraceStatus.POSSIBLE_MATCH
        and not sought.candidates.filter(status=CandidateStatus.OPEN).exists()
    ):
        sought.status = TraceStatus.OPEN
    sought.save(update_fields=["status"])
    audit.record(
        actor=by,
        action=audit.Action.CHANGE,
        target=candidate,
        detail={"sought": sought.pk, "person": candidate.person_id, "status": candidate.status},
    )
    return candidate


def _close_trace(sought: SoughtPerson, outcome: str, today: date) -> None:
    sought.status = TraceStatus.CLOSED
    sought.outcome = outcome
    sought.closed_on = today
    sought.save(update_fields=["status", "outcome", "closed_on", "told_in_person_by",
                               "psychosocial_referral"])  # fmt: skip
    request = sought.request
    if not request.traces.exclude(status=TraceStatus.CLOSED).exists():
        request.closed_on = today
        request.save(update_fields=["closed_on", "updated_at"])


def _is_child(candidate: Candidate, on: date) -> bool:
    if candidate.person is None:
        return False
    age = candidate.person.age_on(on)
    return age is not None and age < ADULT_AGE


@transaction.atomic
def record_answer(
    *,
    candidate: Candidate,
    agreed: bool,
    shares: list[str],
    spoke_on: date,
    by,
    with_whom: str = "",
) -> Answer:
    """The sought person's answer, after a tracing officer of their site spoke to them: who,
    when, and what may be told. Only now does the inquirer learn anything, and only what was
    agreed; a refusal closes the trace as "no information can be given", as not found does."""
    _require_candidate_site(by, candidate)
    candidate = (
        Candidate.objects.select_for_update(of=("self",))
        .select_related("sought__request", "person")
        .get(pk=candidate.pk)
    )
    errors: dict[str, list[str]] = {}
    if candidate.status != CandidateStatus.CONFIRMED or candidate.sought.status != (
        TraceStatus.CONFIRMED
    ):
        raise ValidationError(_("Confirm the match before asking the sought person."))
    if spoke_on > timezone.localdate():
        errors["spoke_on"] = [_("The day you spoke to them cannot be in the future.")]
    if len(with_whom) > 120:
        errors["with_whom"] = [_too_long(120)]
    elif _is_child(candidate, spoke_on) and not with_whom.strip():
        errors["with_whom"] = [
            _("The sought person is a child: name the guardian or caseworker who was present.")
        ]
    unknown = [s for s in shares if s not in Share.values]
    if unknown:
        errors["shares"] = [_("Choose only among what may be told.")]
    if agreed and not shares:
        errors["shares"] = [_("Say what the sought person agrees to let the inquirer know.")]
    if errors:
        raise ValidationError(errors)
    answer = Answer.objects.create(
        candidate=candidate,
        agreed=agreed,
        shares=sorted(set(shares)) if agreed else [],
        spoke_on=spoke_on,
        with_whom=with_whom.strip(),
        recorded_by=by,
    )
    _close_trace(candidate.sought, Outcome.FOUND if agreed else Outcome.REFUSED, spoke_on)
    audit.record(
        actor=by,
        action=audit.Action.CREATE,
        target=answer,
        detail={
            "sought": candidate.sought_id,
            "person": candidate.person_id,
            "agreed": agreed,
            "shares": answer.shares,
        },
    )
    return answer


@transaction.atomic
def record_deceased(
    *, candidate: Candidate, told_in_person_by: str, psychosocial_referral: str, by
) -> SoughtPerson:
    """The confirmed person has died. The inquirer is told in person, by a member of staff,
    with psychosocial support referred: both are recorded before the trace closes."""
    _require_candidate_site(by, candidate)
    candidate = Candidate.objects.select_related("sought__request").get(pk=candidate.pk)
    if candidate.status != CandidateStatus.CONFIRMED:
        raise ValidationError(_("Confirm the match first."))
    errors: dict[str, list[str]] = {}
    for name, value, limit, missing in (
        ("told_in_person_by", told_in_person_by, 120,
         _("Name the member of staff who will tell the inquirer in person.")),
        ("psychosocial_referral", psychosocial_referral, 200,
         _("Say where psychosocial support is referred.")),
    ):  # fmt: skip
        if len(value) > limit:
            errors[name] = [_too_long(limit)]
        elif not value.strip():
            errors[name] = [missing]
    if errors:
        raise ValidationError(errors)
    sought = candidate.sought
    sought.told_in_person_by = told_in_person_by.strip()
    sought.psychosocial_referral = psychosocial_referral.strip()
    _close_trace(sought, Outcome.FOUND_DECEASED, timezone.localdate())
    audit.record(
        actor=by,
        action=audit.Action.CHANGE,
        target=sought,
        detail={"outcome": Outcome.FOUND_DECEASED, "candidate": candidate.pk},
    )
    return sought


@transaction.atomic
def close_trace(*, sought: SoughtPerson, outcome: str, by) -> SoughtPerson:
    """The inquirer's tracing officer closes a trace as not found, or withdrawn at the
    inquirer's wish."""
    require(by, Capability.TRACE, sought.request.site_id)
    if outcome not in (Outcome.NOT_FOUND, Outcome.WITHDRAWN):
        raise ValidationError({"outcome": [_("Close as not found or withdrawn.")]})
    if sought.status == TraceStatus.CLOSED:
        raise ValidationError(_("This person's trace is closed already."))
    _close_trace(sought, outcome, timezone.localdate())
    audit.record(actor=by, action=audit.Action.CHANGE, target=sought, detail={"outcome": outcome})
    return sought


@transaction.atomic
def add_note(*, request: TracingRequest, text: str, by) -> TracingNote:
    require(by, Capability.TRACE, request.site_id)
    if not text.strip():
        raise ValidationError({"text": [_("Write the note.")]})
    if len(text) > NOTE_MAX_CHARS:
        raise ValidationError({"text": [_too_long(NOTE_MAX_CHARS)]})
    note = TracingNote.objects.create(request=request, text=text.strip(), written_by=by)
    # The note may name people: it stays on the request, the trail has its id.
    audit.record(actor=by, action=audit.Action.CREATE, target=note, site_id=request.site_id)
    return note


@transaction.atomic
def take_over(*, request: TracingRequest, due_on: date | None, by) -> TracingRequest:
    """A tracing officer of the request's site becomes its owner, and sets the next review."""
    require(by, Capability.TRACE, request.site_id)
    if due_on is not None and due_on < request.opened_on:
        raise ValidationError({"due_on": [_("The review cannot be due before the request.")]})
    old = {"owner": request.owner_id, "due_on": request.due_on}
    request.owner = by
    request.due_on = due_on or request.due_on
    request.save(update_fields=["owner", "due_on", "updated_at"])
    audit.record(
        actor=by,
        action=audit.Action.CHANGE,
        target=request,
        detail={"old": audit.jsonable(old), "new": {"owner": by.pk, "due_on": str(request.due_on)}},
    )
    return request


SOUGHT_FIELDS_BLANKED = {
    "given_name": "",
    "father_name": "",
    "family_name": "",
    "mother_name": "",
    "birth_date": None,
    "last_seen_place": "",
    "last_seen_on": None,
    "circumstances": "",
    "distinguishing": "",
    "told_in_person_by": "",
    "psychosocial_referral": "",
}
INQUIRER_FIELDS_BLANKED = {
    "inquirer_given_name": "",
    "inquirer_father_name": "",
    "inquirer_family_name": "",
    "inquirer_contact": "",
}


def forget_person(*, person_id: int, today: date | None = None) -> None:
    """Erasure (refuge.rights) of one person from the tracing records.

    As the one sought: every candidate link to them goes, with their answer; a sought person
    confirmed to be them loses the inquirer's description (names, birth date, circumstances)
    and its blocking keys, and keeps its status and outcome for the counts. As the inquirer:
    their requests lose the inquirer's names and contact, are closed (open traces withdrawn),
    and lose their notes, keys and the descriptions of the relatives they sought (which carry
    their family's names and story). Notes of a request go too when every trace in it was them.
    """
    today = today or timezone.localdate()
    theirs = Candidate.objects.filter(person_id=person_id)
    confirmed = set(
        theirs.filter(status=CandidateStatus.CONFIRMED).values_list("sought_id", flat=True)
    )
    touched = set(theirs.values_list("sought_id", flat=True))
    requests = TracingRequest.objects.filter(inquirer_person_id=person_id)
    # Where they are the inquirer, they are also the one sought by the other request's trace.
    theirs_as_inquirer = Candidate.objects.filter(other_request__in=requests)
    touched |= set(theirs_as_inquirer.values_list("sought_id", flat=True))
    Answer.objects.filter(candidate__in=theirs).delete()
    Answer.objects.filter(candidate__in=theirs_as_inquirer).delete()
    theirs.delete()
    theirs_as_inquirer.delete()

    SoughtPerson.objects.filter(pk__in=confirmed).update(**SOUGHT_FIELDS_BLANKED)
    TracingKey.objects.filter(sought_id__in=confirmed).delete()
    for sought in SoughtPerson.objects.filter(pk__in=touched - confirmed):
        if (
            sought.status == TraceStatus.POSSIBLE_MATCH
            and not sought.candidates.filter(status=CandidateStatus.OPEN).exists()
        ):
            sought.status = TraceStatus.OPEN
            sought.save(update_fields=["status"])

    request_ids = set(requests.values_list("pk", flat=True))
    SoughtPerson.objects.filter(request_id__in=request_ids).exclude(
        status=TraceStatus.CLOSED
    ).update(status=TraceStatus.CLOSED, outcome=Outcome.WITHDRAWN, closed_on=today)
    SoughtPerson.objects.filter(request_id__in=request_ids).update(**SOUGHT_FIELDS_BLANKED)
    requests.filter(closed_on__isnull=True).update(closed_on=today)
    requests.update(**INQUIRER_FIELDS_BLANKED)
    Candidate.objects.filter(sought__request_id__in=request_ids, answer__isnull=True).delete()
    TracingKey.objects.filter(request_id__in=request_ids).delete()
    all_theirs = {
        pk
        for pk in SoughtPerson.objects.filter(pk__in=confirmed).values_list("request_id", flat=True)
        if not SoughtPerson.objects.filter(request_id=pk).exclude(pk__in=confirmed).exists()
    }
    TracingNote.objects.filter(request_id__in=request_ids | all_theirs).delete()
