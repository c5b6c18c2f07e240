"""Reads of family tracing that pages and the API share: the worklist, a request as this
officer may see it, a candidate's side-by-side, and what the inquirer may be told. Each
checks the capability and the site, and audits the read.

Two sides of one request: the inquirer's (the site it was opened at: the request, the
inquirer's contact, the answer to give) and the sought person's (the site of a candidate:
that registration, the review, the consent). An officer sees a side only at their own sites,
so tracing works across sites without widening anyone's scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from refuge.accounts.roles import Capability
from refuge.audit import services as audit
from refuge.registry.models import Person
from refuge.tracing.models import (
    Answer,
    Candidate,
    CandidateStatus,
    Outcome,
    Share,
    SoughtPerson,
    TraceStatus,
    TracingRequest,
)

WORKLIST_LIMIT = 200
# What the inquirer's side reads while a trace is not closed: neither a candidate nor a
# confirmation is the inquirer's to know, and a later refusal must read as "not found".
BEING_TRACED = gettext_lazy("Open: being traced")
NO_INFORMATION = gettext_lazy("Closed: no information can be given")
TOLD_IN_PERSON = gettext_lazy("Closed: to be told in person by staff")
WITHDRAWN = gettext_lazy("Closed: withdrawn by the inquirer")
FOUND_TOLD = gettext_lazy("Closed: the person sought agreed to the following being told")


def _require_tracing(user) -> None:
    if not user.can(Capability.TRACE):
        raise PermissionDenied(Capability.TRACE.value)


def visible_requests(user):
    """Requests opened at the user's sites, and those with a candidate at one of them."""
    _require_tracing(user)
    requests = TracingRequest.objects.all()
    if user.site_ids is None:
        return requests
    return requests.filter(
        Q(site__in=user.site_ids) | Q(traces__candidates__site__in=user.site_ids)
    ).distinct()


@dataclass(frozen=True)
class WorklistRow:
    request: TracingRequest
    inquirer_side: bool  # opened at one of the user's sites
    to_review: int  # open candidates at the user's sites
    to_ask: int  # confirmed candidates at the user's sites waiting for the person's answer


def worklist(user, *, today, mine: bool = False, overdue: bool = False) -> list[WorklistRow]:
    """Open requests the officer works on, soonest review first, with what waits at their
    sites; the read audited (ids only)."""
    requests = visible_requests(user).filter(closed_on__isnull=True)
    if mine:
        requests = requests.filter(owner=user)
    if overdue:
        requests = requests.filter(due_on__lt=today)
    requests = list(
        requests.select_related("site", "owner").order_by("due_on", "pk")[:WORKLIST_LIMIT]
    )
    candidates = Candidate.objects.filter(sought__request__in=requests)
    candidates = user.scope(candidates)
    waiting: dict[int, list[int]] = {}
    for request_id, status in candidates.values_list("sought__request_id", "status"):
        counts = waiting.setdefault(request_id, [0, 0])
        if status == CandidateStatus.OPEN:
            counts[0] += 1
        elif status == CandidateStatus.CONFIRMED:
            counts[1] += 1
    rows = [
        WorklistRow(
            request=r,
            inquirer_side=user.can_access_site(r.site_id),
            to_review=waiting.get(r.pk, [0, 0])[0],
            to_ask=waiting.get(r.pk, [0, 0])[1],
        )
        for r in requests
    ]
    audit.record(
        actor=user,
        action=audit.Action.VIEW,
        object_type="tracing.worklist",
        detail={"requests": [r.pk for r in requests]},
    )
    return rows


@dataclass(frozen=True)
class TraceView:
    sought: SoughtPerson
    status: str  # as this user may read it
    candidates: list[Candidate]  # those at the user's sites
    answer: Answer | None  # the sought person's answer, at the user's sites only
    sought_side: bool  # the user works where the deciding candidate is


@dataclass(frozen=True)
class RequestView:
    request: TracingRequest
    inquirer_side: bool
    traces: list[TraceView]
    notes: list


def _deciding(sought: SoughtPerson) -> Candidate | None:
    return next((c for c in sought.candidates.all() if c.status == CandidateStatus.CONFIRMED), None)


def told_status(sought: SoughtPerson) -> str:
    """A trace's status as the inquirer's side reads it: the same words for a refusal and for
    not found, nothing about candidates or confirmations."""
    if sought.status != TraceStatus.CLOSED:
        return str(BEING_TRACED)
    return str(
        {
            Outcome.FOUND: FOUND_TOLD,
            Outcome.FOUND_DECEASED: TOLD_IN_PERSON,
            Outcome.WITHDRAWN: WITHDRAWN,
        }.get(sought.outcome, NO_INFORMATION)
    )


def _trace_view(user, sought: SoughtPerson) -> TraceView:
    deciding = _deciding(sought)
    sought_side = deciding is not None and user.can_access_site(deciding.site_id)
    if sought_side:
        status = (
            sought.get_outcome_display()
            if sought.status == TraceStatus.CLOSED
            else sought.get_status_display()
        )
    elif sought.status in (TraceStatus.OPEN, TraceStatus.POSSIBLE_MATCH) and any(
        user.can_access_site(c.site_id) for c in sought.candidates.all()
    ):
        status = sought.get_status_display()
    else:
        status = told_status(sought)
    visible = [c for c in sought.candidates.all() if user.can_access_site(c.site_id)]
    answer = None
    if deciding is not None and sought_side:
        answer = Answer.objects.filter(candidate=deciding).first()
    return TraceView(
        sought=sought, status=status, candidates=visible, answer=answer, sought_side=sought_side
    )


def request_detail(user, pk: int) -> RequestView:
    """One request as this officer may see it (DoesNotExist if none of it is theirs)."""
    request = (
        visible_requests(user)
        .select_related("site", "owner", "inquirer_person__household")
        .get(pk=pk)
    )
    traces = list(
        request.traces.prefetch_related(
            "candidates__person__household__current_site", "candidates__site",
            "candidates__other_request",
        )
    )  # fmt: skip
    view = RequestView(
        request=request,
        inquirer_side=user.can_access_site(request.site_id),
        traces=[_trace_view(user, t) for t in traces],
        notes=list(request.notes.select_related("written_by"))
        if user.can_access_site(request.site_id)
        else [],
    )
    audit.record(
        actor=user,
        action=audit.Action.VIEW,
        target=request,
        detail={
            "candidates": [c.pk for t in view.traces for c in t.candidates],
            "inquirer_side": view.inquirer_side,
        },
    )
    return view


def request_for(user, pk: int, *, inquirer_side: bool = True) -> TracingRequest:
    """A request for a change on the inquirer's side (no read audited: the change is)."""
    requests = visible_requests(user)
    if inquirer_side and user.site_ids is not None:
        requests = requests.filter(site__in=user.site_ids)
    return requests.get(pk=pk)


def sought_for(user, pk: int) -> SoughtPerson:
    """A sought person of a request opened at one of the user's sites."""
    return SoughtPerson.objects.select_related("request").get(
        pk=pk, request__in=user.scope(visible_requests(user), "site")
    )


def candidate_for(user, pk: int, *, purpose: str | None = "review") -> Candidate:
    """A candidate at one of the user's sites, with the sought person's description; reading
    it for the side-by-side is a read of the registration."""
    _require_tracing(user)
    candidate = (
        user.scope(Candidate.objects.all())
        .select_related(
            "sought__request",
            "person__household__current_site",
            "person__origin",
            "other_request",
            "site",
        )  # fmt: skip
        .get(pk=pk)
    )
    if purpose:
        audit.record(
            actor=user,
            action=audit.Action.VIEW,
            target=candidate.person or candidate,
            site_id=candidate.site_id,
            detail={"tracing_candidate": candidate.pk, "page": purpose},
        )
    return candidate


@dataclass(frozen=True)
class InquirerAnswer:
    """What the inquirer may be told about one person they seek. A refusal and "not found"
    give the same answer, field for field."""

    sought: str
    status: str
    shares: list[str]
    told_in_person_by: str = ""
    psychosocial_referral: str = ""


def inquirer_answer(user, pk: int) -> tuple[TracingRequest, list[InquirerAnswer]]:
    """For the inquirer's tracing officer: what to tell the inquirer, trace by trace."""
    request = request_for(user, pk)
    answers = []
    for sought in request.traces.prefetch_related("candidates__answer", "candidates__site"):
        shares: list[str] = []
        if sought.outcome == Outcome.FOUND:
            deciding = _deciding(sought)
            agreed = deciding.answer.shares if deciding else []
            labels = dict(Share.choices)
            for share in agreed:
                if share == Share.REGION:
                    shares.append(_("Region: %(region)s") % {"region": deciding.site.region or "—"})
                elif share == Share.CONTACT:
                    shares.append(
                        _("A contact can be arranged through %(site)s.")
                        % {"site": deciding.site.local_name}
                    )
                else:
                    shares.append(str(labels[share]))
        answers.append(
            InquirerAnswer(
                sought=sought.name,
                status=told_status(sought),
                shares=shares,
                told_in_person_by=sought.told_in_person_by
                if sought.outcome == Outcome.FOUND_DECEASED
                else "",
                psychosocial_referral=sought.psychosocial_referral
                if sought.outcome == Outcome.FOUND_DECEASED
                else "",
            )
        )
    audit.record(
        actor=user,
        action=audit.Action.VIEW,
        target=request,
        detail={"page": "inquirer_answer"},
    )
    return request, answers


def person_flag(user, person: Person) -> bool:
    """Whether a person page shows "tracing: speak to the tracing officer": the person is
    the inquirer of an open request or an open or confirmed candidate of one. Nothing more is
    said to anyone who sees the person."""
    return (
        TracingRequest.objects.open().filter(inquirer_person=person).exists()
        or Candidate.objects.filter(
            person=person,
            status__in=(CandidateStatus.OPEN, CandidateStatus.CONFIRMED),
            sought__request__closed_on__isnull=True,
        ).exists()
    )


def tracing_counts(user) -> dict[str, int]:
    """Counts of requests for those who see numbers only; refusals are counted with not
    found, as the inquirer is told. The caller passes them through the suppression rule."""
    if not user.can(Capability.VIEW_OVERVIEW):
        raise PermissionDenied(Capability.VIEW_OVERVIEW.value)
    traces = SoughtPerson.objects.all()
    counts = {
        "open": traces.exclude(status=TraceStatus.CLOSED).count(),
        "found": traces.filter(outcome=Outcome.FOUND).count(),
        "found_deceased": traces.filter(outcome=Outcome.FOUND_DECEASED).count(),
        "no_information": traces.filter(outcome__in=(Outcome.NOT_FOUND, Outcome.REFUSED)).count(),
        "withdrawn": traces.filter(outcome=Outcome.WITHDRAWN).count(),
    }
    audit.record(actor=user, action=audit.Action.VIEW, object_type="tracing.counts")
    return counts


SOUGHT_DESCRIPTION = (
    "given_name",
    "father_name",
    "family_name",
    "mother_name",
    "sex",
    "birth_date",
    "relationship",
    "last_seen_place",
    "last_seen_on",
    "circumstances",
    "distinguishing",
)


def held_on_person(*, person_id: int) -> dict[str, list[dict]]:
    """What tracing keeps on one person, for their subject-access export (refuge.rights, which
    checks that the data protection officer asks and audits the export as one read).

    As the inquirer: their requests, what they told us of themselves and of the relatives they
    seek, and each trace's status in the words the inquirer's side may read (never a candidate,
    a confirmation or where a relative is). As the one sought: each request's description that
    was matched to them (who is looking for them by relationship, not the inquirer's name or
    contact), the match's status, and the answer they gave."""
    requests = (
        TracingRequest.objects.filter(inquirer_person_id=person_id)
        .prefetch_related("traces")
        .order_by("opened_on", "pk")
    )
    as_inquirer = [
        {
            "reference": request.reference,
            "opened_on": request.opened_on,
            "closed_on": request.closed_on,
            "inquirer_given_name": request.inquirer_given_name,
            "inquirer_father_name": request.inquirer_father_name,
            "inquirer_family_name": request.inquirer_family_name,
            "inquirer_contact": request.inquirer_contact,
            "consents_to_trace_back": request.consents_to_trace_back,
            "consents_to_partners": request.consents_to_partners,
            "sought": [
                {
                    **{f: getattr(sought, f) for f in SOUGHT_DESCRIPTION},
                    "status": told_status(sought),
                }
                for sought in request.traces.all()
            ],
        }
        for request in requests
    ]
    # Sought as registered here, or as the inquirer of a request that another one's trace met.
    matches = (
        Candidate.objects.filter(
            Q(person_id=person_id) | Q(other_request__inquirer_person_id=person_id)
        )
        .select_related("sought__request")
        .order_by("found_at", "pk")
    )
    as_sought = []
    seen: set[int] = set()
    for candidate in matches:
        sought = candidate.sought
        if sought.pk in seen:  # met both as registered and as an inquirer: one match
            continue
        seen.add(sought.pk)
        answer = Answer.objects.filter(candidate=candidate).first()
        as_sought.append(
            {
                "reference": sought.request.reference,
                "described_as": {f: getattr(sought, f) for f in SOUGHT_DESCRIPTION},
                "match": candidate.get_status_display(),
                "found_at": candidate.found_at,
                "answer": {
                    "agreed": answer.agreed,
                    "shares": answer.shares,
                    "spoke_on": answer.spoke_on,
                }
                if answer
                else {},
            }
        )
    return {"as_inquirer": as_inquirer, "as_sought": as_sought}
