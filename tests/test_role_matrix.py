"""Every page and every action against every role, on records at the role's own site and at
another: who gets in, and who is refused. A new page or action joins REQUESTS, or it is not
done.

The world is built once for the whole matrix (setUpTestData); each request runs in its own
transaction, rolled back after it, so an action that succeeds changes nothing for the next.
A page is allowed when it answers 200 and refused when it answers 403 or 404; an action is
allowed when its effect on the database happened, refused when it did not. Any 5xx fails,
and so does an unexpected success or an unexpected refusal.

What a role may do is stated here independently of the code under test: the capabilities of
accounts.roles.GRANTS, the sites a user works at, the note domains and the step owners.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from refuge.accounts.roles import GRANTS, Capability, Role, may_write_step, note_domains_of
from refuge.audit.models import AuditEntry
from refuge.casework.models import Attachment, Note, Partner, Referral, StepProgress
from refuge.casework.pathways import current_pathway, pathway_definition
from refuge.casework.services import add_attachment, refer
from refuge.fielddata.models import ImportRun, SubmissionEdit
from refuge.identity.batch import queue_registry_duplicates
from refuge.identity.models import CandidatePair, SamePersonLink
from refuge.identity.services import link_same_person
from refuge.reception.services import arrive
from refuge.registry.models import Consent, Household, Person
from refuge.reporting.models import Sitrep
from refuge.rights.models import Correction, Erasure
from refuge.rights.services import request_erasure
from refuge.sites.housing import create_room
from refuge.sites.models import BedAssignment, FollowUp, Movement, Passenger, SiteKind
from refuge.sites.movements import add_household, depart, plan_movement
from refuge.testing import (
    FIELD_KEY,
    SiteFactory,
    UserFactory,
    build_world,
    family_of_four,
    register,
)
from refuge.testing import screen_for_travel as screen
from refuge.tracing import services as tracing
from refuge.tracing.models import Answer, Candidate, SoughtPerson, TracingNote, TracingRequest
from refuge.tracing.services import InquirerData, SoughtData

ROLES = [
    "clerk",
    "clerk_perm",
    "caseworker",
    "medical",
    "site_manager",
    "coordinator",
    "dpo",
    "observer",
    "admin",
    "tracing_officer",
]
VARIANTS = ["own", "other"]  # records at the clerk's shelter or at Perm centre 1 (see _variant)
PDF = b"%PDF-1.4 a scanned certificate"
C = Capability


@dataclass
class Records:
    """One site's records, as every request needs them."""

    site: object
    household: Household
    again: Household  # the same family registered twice: a pair of households to review
    head: Person
    pair: CandidatePair
    link: SamePersonLink
    waiting: Household  # at the site, on no transfer
    planned: Movement  # from the site, the household on it
    arriving: Movement  # departed for the site
    arrived: Movement  # arrived at the site, one member missing
    follow_up: FollowUp
    room: object
    step: StepProgress  # a caseworker's step of the head
    screening: StepProgress  # the medical officer's
    attachment: Attachment
    referral: Referral
    erasure: Erasure  # of the head, asked for by an administrator, waiting for the DPO
    tracing_request: TracingRequest  # opened at the site, seeking the head's son
    candidate: Candidate  # the son of `again`, to review
    confirmed: Candidate  # the son of `household`, confirmed, waiting for his answer
    field_run: object = None  # an import run at the site, with an edit waiting (field_edit)
    field_edit: object = None


def _records(world, admin, medical, site, elsewhere, family: str, latin: str) -> Records:
    household = register(site, admin, family_of_four(family, latin), consent=("sharing",))
    again = register(site, admin, family_of_four(family, latin))
    waiting = register(site, admin, family_of_four("ديب", "Deeb"))
    for each in (household, waiting):
        screen(each, medical)
    head = household.members.get(relationship="head")
    queue_registry_duplicates(progress=False)
    pair = CandidatePair.objects.filter(
        person_a__household=household, person_b__household=again
    ).first()
    link = link_same_person(
        person_a=household.members.get(relationship="daughter"),
        person_b=again.members.get(relationship="daughter"),
        by=admin,
    )
    planned = plan_movement(
        from_site=site, to_site=elsewhere, planned_on=timezone.localdate(), means="bus", seats=20,
        by=admin,
    )  # fmt: skip
    add_household(movement=planned, household=household, by=admin)

    def transfer_in(name: str) -> Movement:
        travellers = register(elsewhere, admin, family_of_four(name, name))
        screen(travellers, medical)
        movement = plan_movement(
            from_site=elsewhere, to_site=site, planned_on=timezone.localdate(), means="bus",
            seats=20, by=admin,
        )  # fmt: skip
        add_household(movement=movement, household=travellers, by=admin)
        depart(
            movement=movement,
            boarded={p.pk for p in travellers.members.all()},
            on=timezone.localdate(),
            by=admin,
        )
        return movement

    arriving = transfer_in("سالم")
    arrived = transfer_in("خليل")
    aboard = list(arrived.passengers.values_list("person_id", flat=True))
    arrive(movement=arrived, arrived=set(aboard[1:]), on=timezone.localdate(), by=admin)
    caseworker = UserFactory(username=f"cw.{site.code}", role=Role.CASEWORKER, sites=[site])
    partner = Partner.objects.create(name=f"Clinic {site.code}", kind="clinic")
    tracer = UserFactory(username=f"tr.{site.code}", role=Role.TRACING_OFFICER, sites=[site])
    tracing_request = tracing.open_request(
        site=site,
        inquirer=InquirerData(given_name="Zainab", family_name=latin, sex="f", contact="desk"),
        sought=[SoughtData(given_name="علي", family_name=family, relationship="son", sex="m",
                           birth_date=household.members.get(relationship="son").birth_date)],
        by=tracer,
    )  # fmt: skip
    confirmed = Candidate.objects.get(sought__request=tracing_request, person__household=household)
    tracing.review_candidate(candidate=confirmed, confirm=True, by=tracer)
    return Records(
        site=site,
        household=household,
        again=again,
        head=head,
        pair=pair,
        link=link,
        waiting=waiting,
        planned=planned,
        arriving=arriving,
        arrived=arrived,
        follow_up=FollowUp.objects.get(movement=arrived),
        room=create_room(site=site, building="A", name="1", beds=12, by=admin),
        step=StepProgress.objects.get(case__person=head, step__code="migration_registration"),
        screening=StepProgress.objects.get(case__person=head, step__code="health_screening"),
        attachment=add_attachment(
            person=head,
            domain="social",
            kind="certificate",
            filename="c.pdf",
            content=PDF,
            by=caseworker,
        ),  # fmt: skip
        referral=refer(person=head, partner=partner, by=caseworker),
        erasure=request_erasure(person=head, reason="Asked in writing", by=admin),
        tracing_request=tracing_request,
        candidate=Candidate.objects.get(sought__request=tracing_request, person__household=again),
        confirmed=confirmed,
        **_field_import(site, admin),
    )


def _field_import(site, admin) -> dict:
    """A household imported from a field export, then its submission again with an edit."""
    from refuge.fielddata import services as field
    from refuge.fielddata.kobo import household_values, member_values
    from refuge.fielddata.readers import SubmittedHousehold, SubmittedMember

    def submitted(latin_given):
        members = [member_values(m) for m in family_of_four("يونس", "Younes")]
        members[0]["given_name_lat"] = latin_given
        values = household_values(timezone.localdate(), ["registration"])
        return SubmittedHousehold(
            key=f"matrix-{site.code}", sheet="main", row=2, values=values,
            members=[SubmittedMember("members", i + 2, m) for i, m in enumerate(members)],
        )  # fmt: skip

    for given in ("Younes", "Yunus"):
        run = field.start_run(site=site, by=admin, file_name="field.xlsx", fmt="kobo_xlsx")
        field.run_import(run, [submitted(given)])
    return {"field_run": run, "field_edit": run.submissionedit_set.get()}


def _works_at(user, site) -> bool:
    return user.all_sites or user.sites.filter(pk=site.pk).exists()


def _can(user, capability) -> bool:
    return capability in GRANTS[user.role]


@dataclass(frozen=True)
class Request:
    """One page or action: how to send it, who may, and (for an action) what it changes."""

    name: str
    method: str
    url: Callable[[Records], str]
    allowed: Callable[[object, Records], bool]
    data: Callable[[Records], dict] = lambda r: {}
    effect: Callable[[Records], object] | None = None  # a value the action changes
    htmx: bool = False


def _cap(capability, *, site: Callable[[Records], object] | None = lambda r: r.site):
    def allowed(user, r):
        return _can(user, capability) and (site is None or _works_at(user, site(r)))

    return allowed


def _both(*checks):
    return lambda user, r: all(check(user, r) for check in checks)


def _sees_movement(movement):
    return lambda user, r: (
        _can(user, C.VIEW_PEOPLE)
        and (_works_at(user, movement(r).from_site) or _works_at(user, movement(r).to_site))
    )


def _writes_step(owner):
    return lambda user, r: may_write_step(user.role, owner)


def _in_domain(domain):
    return lambda user, r: domain in note_domains_of(user.role)


def _status(model, pk):
    return lambda r: model.objects.filter(pk=pk(r)).values_list("status", flat=True).first()


def _movement_form(action, **extra):
    return lambda r: {"action": action, **extra}


def _register_form(r) -> dict:
    return {
        "site": r.site.pk,
        "registered_on": timezone.localdate().isoformat(),
        "consent": ["registration"],
        "members-TOTAL_FORMS": "1",
        "members-INITIAL_FORMS": "0",
        "members-0-relationship": "head",
        "members-0-given_name_lat": "Yusuf",
        "members-0-family_name_lat": "Matrix",
        "members-0-sex": "m",
        "members-0-birth_date_text": "1970",
    }


def _pathway_changed(r) -> dict:
    definition = pathway_definition(current_pathway())
    definition["steps"][-1]["target_days"] += 1
    import json

    return {"definition": json.dumps(definition)}


REQUESTS = [
    # Pages
    Request("overview", "get", lambda r: reverse("sites:overview"), _cap(C.VIEW_OVERVIEW, site=None)),
    Request("dashboard", "get", lambda r: reverse("reporting:dashboard") + f"?view=site:{r.site.pk}", _cap(C.VIEW_OVERVIEW)),
    Request("hxl", "get", lambda r: reverse("reporting:hxl", kwargs={"extension": "csv"}), _cap(C.VIEW_OVERVIEW, site=None)),
    Request("sitrep", "get", lambda r: reverse("reporting:sitrep"), _cap(C.VIEW_OVERVIEW, site=None)),
    Request("sitrep_pdf", "get", lambda r: reverse("reporting:sitrep_pdf") + "?lang=ar", _cap(C.VIEW_OVERVIEW, site=None)),
    Request("figures_csv", "get", lambda r: reverse("reporting:figures_csv") + f"?view=site:{r.site.pk}", _cap(C.VIEW_OVERVIEW)),
    Request("site", "get", lambda r: reverse("sites:site", args=[r.site.pk]), _cap(C.VIEW_PEOPLE)),
    Request("rooms", "get", lambda r: reverse("sites:rooms", args=[r.site.pk]), _cap(C.VIEW_PEOPLE)),
    Request("register", "get", lambda r: reverse("registry:register"), _cap(C.REGISTER, site=None)),
    Request("member_row", "get", lambda r: reverse("registry:member_row") + "?index=1", _cap(C.REGISTER, site=None), htmx=True),
    Request("search", "post", lambda r: reverse("registry:search"), _cap(C.VIEW_PEOPLE, site=None), data=lambda r: {"q": "Mohammed"}, htmx=True),
    Request("household", "get", lambda r: reverse("registry:household", args=[r.household.pk]), _cap(C.VIEW_PEOPLE)),
    Request("household_by_number", "get", lambda r: reverse("registry:household_by_number", args=[r.household.registration_number]), _cap(C.VIEW_PEOPLE)),
    Request("person", "get", lambda r: reverse("registry:person", args=[r.head.pk]), _cap(C.VIEW_PEOPLE)),
    Request("person_edit", "get", lambda r: reverse("registry:person_edit", args=[r.head.pk]), _cap(C.EDIT_PEOPLE)),
    Request("audit", "get", lambda r: reverse("audit:trail"), _cap(C.VIEW_AUDIT, site=None)),
    Request("audit_verify", "post", lambda r: reverse("audit:trail"), _cap(C.VIEW_AUDIT, site=None)),
    Request("instant_check", "post", lambda r: reverse("identity:instant_check"), _cap(C.REGISTER, site=None), data=lambda r: {"prefix": "members-0", "members-0-given_name_lat": "Mohammed", "members-0-family_name_lat": "Hassan"}, htmx=True),
    Request("review_queue", "get", lambda r: reverse("identity:queue"), _cap(C.REVIEW_DUPLICATES, site=None)),
    Request("household_pair", "get", lambda r: reverse("identity:household_pair", args=[r.household.pk, r.again.pk]), _cap(C.REVIEW_DUPLICATES)),
    Request("audit_entry", "get", lambda r: reverse("audit:entry", args=[AuditEntry.objects.filter(object_type="registry.household", object_id=str(r.household.pk)).first().seq]), _cap(C.VIEW_AUDIT, site=None)),
    Request("name_suggestions", "post", lambda r: reverse("registry:name_suggestions"), _cap(C.REGISTER, site=None), data=lambda r: {"members-TOTAL_FORMS": "1", "members-0-given_name_lat": "Mohammed"}, htmx=True),
    # Role grants wait for a second administrator or the DPO; anyone signed in sees the
    # emergency-access form (opening a domain is refused to observers and the DPO).
    Request("grants", "get", lambda r: reverse("accounts:grants"), lambda user, r: user.role in (Role.ADMIN, Role.DPO)),
    Request("emergency_access", "get", lambda r: reverse("accounts:emergency_access"), lambda user, r: True),
    Request("review_pair", "get", lambda r: reverse("identity:pair", args=[r.pair.pk]), _cap(C.REVIEW_DUPLICATES)),
    Request("allocate", "get", lambda r: reverse("sites:allocate", args=[r.household.pk]), _cap(C.MANAGE_ROOMS)),
    Request("slip", "get", lambda r: reverse("sites:slip", args=[r.household.pk]), _cap(C.VIEW_PEOPLE)),
    Request("movements", "get", lambda r: reverse("sites:movements"), _cap(C.VIEW_PEOPLE, site=None)),
    Request("movement_new", "get", lambda r: reverse("sites:movement_new"), _cap(C.PLAN_MOVEMENTS, site=None)),
    Request("movement", "get", lambda r: reverse("sites:movement", args=[r.planned.pk]), _sees_movement(lambda r: r.planned)),
    Request("manifest", "get", lambda r: reverse("sites:manifest", args=[r.planned.pk]), _sees_movement(lambda r: r.planned)),
    Request("worklist", "get", lambda r: reverse("casework:worklist"), _cap(C.VIEW_CASES, site=None)),
    Request("bottlenecks", "get", lambda r: reverse("casework:bottlenecks"), _cap(C.VIEW_CASES, site=None)),
    Request("bulk", "get", lambda r: reverse("casework:bulk"), _cap(C.EDIT_CASES, site=None)),
    Request("pathway_edit", "get", lambda r: reverse("casework:pathway_edit"), _cap(C.ADMINISTER, site=None)),
    Request("person_case", "get", lambda r: reverse("casework:person", args=[r.head.pk]), _cap(C.VIEW_CASES)),
    Request("household_case", "get", lambda r: reverse("casework:household", args=[r.household.pk]), _cap(C.VIEW_CASES)),
    Request("step", "get", lambda r: reverse("casework:step", args=[r.step.pk]), _cap(C.VIEW_CASES), htmx=True),
    Request("step_edit", "get", lambda r: reverse("casework:step_edit", args=[r.step.pk]), _both(_cap(C.EDIT_CASES), _writes_step(Role.CASEWORKER)), htmx=True),
    Request("screening_edit", "get", lambda r: reverse("casework:step_edit", args=[r.screening.pk]), _both(_cap(C.EDIT_CASES), _writes_step(Role.MEDICAL)), htmx=True),
    Request("attachment", "get", lambda r: reverse("casework:attachment", args=[r.attachment.pk]), _both(_cap(C.VIEW_CASES), _in_domain("social"))),
    # Actions
    Request("register_household", "post", lambda r: reverse("registry:register"), _cap(C.REGISTER), data=_register_form, effect=lambda r: Household.objects.count()),
    Request("edit_person", "post", lambda r: reverse("registry:person_edit", args=[r.head.pk]), _cap(C.EDIT_PEOPLE), data=lambda r: {"given_name_ar": "محمد", "family_name_ar": "حسن", "relationship": "head", "sex": "m", "birth_date_text": "1983-04-17", "profession": "matrix"}, effect=lambda r: Person.objects.get(pk=r.head.pk).profession),
    # Redirects back to the household whether or not the registration could be completed.
    Request("complete_registration", "post", lambda r: reverse("registry:complete_registration", args=[r.household.pk]), _cap(C.EDIT_PEOPLE)),
    Request("write_sitrep", "post", lambda r: reverse("reporting:sitrep"), _cap(C.WRITE_REPORTS, site=None), data=lambda r: {"highlights": "matrix"}, effect=lambda r: Sitrep.objects.filter(highlights="matrix").count()),
    Request("withdraw_consent", "post", lambda r: reverse("registry:withdraw_consent", args=[r.head.pk]), _cap(C.EDIT_PEOPLE), data=lambda r: {"scope": "sharing"}, effect=lambda r: Consent.objects.filter(person=r.head, withdrawn_on__isnull=False).count()),
    Request("decide_pair", "post", lambda r: reverse("identity:pair", args=[r.pair.pk]), _cap(C.REVIEW_DUPLICATES), data=lambda r: {"status": "different"}, effect=_status(CandidatePair, lambda r: r.pair.pk)),
    Request("decide_household_pair", "post", lambda r: reverse("identity:household_pair", args=[r.household.pk, r.again.pk]), _cap(C.REVIEW_DUPLICATES), data=lambda r: {f"pair-{r.pair.pk}": "different"}, effect=_status(CandidatePair, lambda r: r.pair.pk)),
    Request("undo_link", "post", lambda r: reverse("identity:undo_link", args=[r.link.pk]), _cap(C.REVIEW_DUPLICATES), effect=lambda r: SamePersonLink.objects.get(pk=r.link.pk).undone_at),
    Request("allocate_beds", "post", lambda r: reverse("sites:allocate", args=[r.household.pk]), _cap(C.MANAGE_ROOMS), data=lambda r: {"room": r.room.pk}, effect=lambda r: BedAssignment.objects.count()),
    Request("plan_movement", "post", lambda r: reverse("sites:movement_new"), _cap(C.PLAN_MOVEMENTS), data=lambda r: {"from_site": r.site.pk, "to_site": r.planned.to_site_id, "planned_on": timezone.localdate().isoformat(), "means": "bus", "seats": "5"}, effect=lambda r: Movement.objects.count()),
    Request("add_to_movement", "post", lambda r: reverse("sites:movement", args=[r.planned.pk]), _both(_sees_movement(lambda r: r.planned), _cap(C.PLAN_MOVEMENTS)), data=lambda r: {"action": "add", "registration_number": r.waiting.registration_number}, effect=lambda r: Passenger.objects.filter(movement=r.planned).count()),
    Request("remove_from_movement", "post", lambda r: reverse("sites:movement", args=[r.planned.pk]), _both(_sees_movement(lambda r: r.planned), _cap(C.PLAN_MOVEMENTS)), data=lambda r: {"action": "remove", "household": r.household.pk}, effect=lambda r: Passenger.objects.filter(movement=r.planned).count()),
    Request("depart", "post", lambda r: reverse("sites:movement", args=[r.planned.pk]), _both(_sees_movement(lambda r: r.planned), _cap(C.RECORD_HEADCOUNT)), data=lambda r: {"action": "depart", "boarded": [p.pk for p in r.household.members.all()]}, effect=_status(Movement, lambda r: r.planned.pk)),
    Request("arrive", "post", lambda r: reverse("sites:movement", args=[r.arriving.pk]), _both(_sees_movement(lambda r: r.arriving), _cap(C.RECORD_HEADCOUNT)), data=lambda r: {"action": "arrive", "arrived": list(r.arriving.passengers.values_list("person_id", flat=True))}, effect=_status(Movement, lambda r: r.arriving.pk)),
    Request("allocate_arrivals", "post", lambda r: reverse("sites:movement", args=[r.arrived.pk]), _both(_sees_movement(lambda r: r.arrived), _cap(C.MANAGE_ROOMS)), data=_movement_form("allocate"), effect=lambda r: BedAssignment.objects.count()),
    Request("resolve_follow_up", "post", lambda r: reverse("sites:movement", args=[r.arrived.pk]), _both(_sees_movement(lambda r: r.arrived), _cap(C.RECORD_HEADCOUNT)), data=lambda r: {"action": "resolve", "follow_up": r.follow_up.pk, "resolution": "found at the station"}, effect=lambda r: FollowUp.objects.get(pk=r.follow_up.pk).resolved_on),
    Request("update_step", "post", lambda r: reverse("casework:step_edit", args=[r.step.pk]), _both(_cap(C.EDIT_CASES), _writes_step(Role.CASEWORKER)), data=lambda r: {"version": r.step.version, "status": "in_progress"}, effect=_status(StepProgress, lambda r: r.step.pk), htmx=True),
    Request("update_screening", "post", lambda r: reverse("casework:step_edit", args=[r.screening.pk]), _both(_cap(C.EDIT_CASES), _writes_step(Role.MEDICAL)), data=lambda r: {"version": r.screening.version, "status": "in_progress"}, effect=_status(StepProgress, lambda r: r.screening.pk), htmx=True),
    Request("bulk_update", "post", lambda r: reverse("casework:bulk"), _both(_cap(C.EDIT_CASES), _writes_step(Role.CASEWORKER)), data=lambda r: {"site": r.site.pk, "step": "migration_registration", "status": "in_progress", "rows": [f"{r.step.pk}:{r.step.version}"]}, effect=_status(StepProgress, lambda r: r.step.pk)),
    Request("add_note", "post", lambda r: reverse("casework:add_note", args=[r.head.pk]), _both(_cap(C.EDIT_CASES), _in_domain("social")), data=lambda r: {"domain": "social", "text": "Asked about school."}, effect=lambda r: Note.objects.count()),
    Request("add_attachment", "post", lambda r: reverse("casework:add_attachment", args=[r.head.pk]), _both(_cap(C.EDIT_CASES), _in_domain("social")), data=lambda r: {"domain": "social", "kind": "certificate", "file": _upload()}, effect=lambda r: Attachment.objects.count()),
    Request("add_referral", "post", lambda r: reverse("casework:add_referral", args=[r.head.pk]), _cap(C.EDIT_CASES), data=lambda r: {"partner": r.referral.partner_id}, effect=lambda r: Referral.objects.count()),
    Request("referral_status", "post", lambda r: reverse("casework:referral_status", args=[r.referral.pk]), _cap(C.EDIT_CASES), data=lambda r: {"status": "accepted"}, effect=_status(Referral, lambda r: r.referral.pk)),
    Request("edit_pathway", "post", lambda r: reverse("casework:pathway_edit"), _cap(C.ADMINISTER, site=None), data=_pathway_changed, effect=lambda r: current_pathway().version),
    Request("review_household_pair", "get", lambda r: reverse("identity:household_pair", args=[r.pair.person_a.household_id, r.pair.person_b.household_id]), _cap(C.REVIEW_DUPLICATES)),
    # The data subject's rights: correction by whoever edits people; erasure asked for by a
    # site manager or an administrator at the site (or the DPO), decided by the DPO alone.
    Request("correction", "get", lambda r: reverse("rights:correction", args=[r.head.pk]), _cap(C.EDIT_PEOPLE)),
    Request("erasure_request", "get", lambda r: reverse("rights:erasure_request", args=[r.head.pk]), lambda user, r: user.role in (Role.SITE_MANAGER, Role.ADMIN, Role.DPO) and _works_at(user, r.site)),
    Request("erasures", "get", lambda r: reverse("rights:erasures"), lambda user, r: user.role == Role.DPO),
    Request("correct_person", "post", lambda r: reverse("rights:correction", args=[r.head.pk]), _cap(C.EDIT_PEOPLE), data=lambda r: {"given_name_ar": "محمد", "family_name_ar": "حسن", "relationship": "head", "sex": "m", "birth_date_text": "1983-04-17", "profession": "corrected", "request": "He is a teacher, not a driver."}, effect=lambda r: Correction.objects.count()),
    Request("ask_erasure", "post", lambda r: reverse("rights:erasure_request", args=[r.again.members.get(relationship="head").pk]), lambda user, r: user.role in (Role.SITE_MANAGER, Role.ADMIN, Role.DPO) and _works_at(user, r.site), data=lambda r: {"reason": "Asked in writing"}, effect=lambda r: Erasure.objects.count()),
    Request("decide_erasure", "post", lambda r: reverse("rights:erasures"), lambda user, r: user.role == Role.DPO, data=lambda r: {"erasure": r.erasure.pk, "decision": "approve"}, effect=_status(Erasure, lambda r: r.erasure.pk)),
    # Family tracing: the request and its candidates are at the records' site.
    Request("tracing_worklist", "get", lambda r: reverse("tracing:worklist"), _cap(C.TRACE, site=None)),
    Request("tracing_new", "get", lambda r: reverse("tracing:new"), _cap(C.TRACE, site=None)),
    Request("tracing_counts", "get", lambda r: reverse("tracing:counts"), _cap(C.VIEW_OVERVIEW, site=None)),
    Request("tracing_request", "get", lambda r: reverse("tracing:request", args=[r.tracing_request.pk]), _cap(C.TRACE)),
    Request("tracing_told", "get", lambda r: reverse("tracing:told", args=[r.tracing_request.pk]), _cap(C.TRACE)),
    Request("tracing_candidate", "get", lambda r: reverse("tracing:candidate", args=[r.candidate.pk]), _cap(C.TRACE)),
    Request("tracing_consent", "get", lambda r: reverse("tracing:consent", args=[r.confirmed.pk]), _cap(C.TRACE)),
    Request("open_tracing_request", "post", lambda r: reverse("tracing:new"), _cap(C.TRACE), data=lambda r: {"site": r.site.pk, "inquirer_given_name": "Huda", "inquirer_sex": "f", "inquirer_contact": "desk", "sought-0-given_name": "Omar", "sought-0-relationship": "son"}, effect=lambda r: TracingRequest.objects.count()),
    Request("add_sought", "post", lambda r: reverse("tracing:add_sought", args=[r.tracing_request.pk]), _cap(C.TRACE), data=lambda r: {"sought-0-given_name": "Omar", "sought-0-relationship": "brother"}, effect=lambda r: SoughtPerson.objects.count()),
    Request("tracing_note", "post", lambda r: reverse("tracing:add_note", args=[r.tracing_request.pk]), _cap(C.TRACE), data=lambda r: {"text": "Called the inquirer."}, effect=lambda r: TracingNote.objects.count()),
    Request("take_over_tracing", "post", lambda r: reverse("tracing:take_over", args=[r.tracing_request.pk]), _cap(C.TRACE), data=lambda r: {"due_on": (timezone.localdate() + timezone.timedelta(days=3)).isoformat()}, effect=lambda r: TracingRequest.objects.get(pk=r.tracing_request.pk).due_on),
    Request("review_candidate", "post", lambda r: reverse("tracing:candidate", args=[r.candidate.pk]), _cap(C.TRACE), data=lambda r: {"decision": "dismiss"}, effect=_status(Candidate, lambda r: r.candidate.pk)),
    Request("record_answer", "post", lambda r: reverse("tracing:consent", args=[r.confirmed.pk]), _cap(C.TRACE), data=lambda r: {"step": "answer", "agreed": "yes", "shares": ["safe"], "spoke_on": timezone.localdate().isoformat(), "with_whom": "his mother"}, effect=lambda r: Answer.objects.count()),
    Request("close_trace", "post", lambda r: reverse("tracing:close", args=[r.confirmed.sought_id]), _cap(C.TRACE), data=lambda r: {"outcome": "withdrawn"}, effect=_status(SoughtPerson, lambda r: r.confirmed.sought_id)),
    Request("field_runs", "get", lambda r: reverse("fielddata:runs"), _cap(C.IMPORT_FIELD_DATA, site=None)),
    Request("field_run", "get", lambda r: reverse("fielddata:run", args=[r.field_run.pk]), _cap(C.IMPORT_FIELD_DATA)),
    Request("field_report", "get", lambda r: reverse("fielddata:report", args=[r.field_run.pk]), _cap(C.IMPORT_FIELD_DATA)),
    Request("field_edits", "get", lambda r: reverse("fielddata:edits"), _cap(C.IMPORT_FIELD_DATA, site=None)),
    Request("field_edit", "get", lambda r: reverse("fielddata:edit", args=[r.field_edit.pk]), _cap(C.IMPORT_FIELD_DATA)),
    Request("reject_field_edit", "post", lambda r: reverse("fielddata:edit", args=[r.field_edit.pk]), _cap(C.IMPORT_FIELD_DATA), data=lambda r: {"decision": "reject"}, effect=_status(SubmissionEdit, lambda r: r.field_edit.pk)),
    Request("upload_import", "post", lambda r: reverse("fielddata:runs"), _both(_cap(C.IMPORT_FIELD_DATA), _cap(C.REGISTER)), data=lambda r: {"site": r.site.pk, "file": _kobo_upload()}, effect=lambda r: ImportRun.objects.count()),
    Request("export_page", "get", lambda r: reverse("fielddata:export"), _cap(C.EXPORT_PEOPLE, site=None)),
    Request("export_people", "post", lambda r: reverse("fielddata:export"), _cap(C.EXPORT_PEOPLE), data=lambda r: {"site": r.site.pk, "layout": "partner", "format": "csv"}, effect=lambda r: AuditEntry.objects.filter(action="export").count()),
    Request("set_language", "post", lambda r: reverse("accounts:language"), lambda user, r: True, data=lambda r: {"language": "en", "next": "/"}),
]  # fmt: skip


def _kobo_upload():
    import tempfile
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    from refuge.fielddata.kobo import ExportedHousehold, write_kobo_xlsx

    with tempfile.TemporaryDirectory() as folder:
        path = write_kobo_xlsx(Path(folder) / "kobo.xlsx", [ExportedHousehold({}, [])])
        return SimpleUploadedFile("kobo.xlsx", path.read_bytes())


def _upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("certificate.pdf", PDF, content_type="application/pdf")


BY_NAME = {request.name: request for request in REQUESTS}
assert len(BY_NAME) == len(REQUESTS)

# For the layout walk (tests/browser/test_layout.py): the matrix's pages on one set of records
# at Perm centre 1, and which of them a role opens there.
ALLOWED, REFUSED = 200, 403
LAYOUT_PAGES = [
    r.name
    for r in REQUESTS
    if r.effect is None
    and (r.method == "get" or r.name in ("search", "instant_check"))
    and r.name != "step"  # a fragment of the case page, never a page of its own
]


def _user(world, role):
    return world.users[getattr(Role, role.upper(), role)]


def _pages(world) -> dict:
    """{page name: (url, method, data)} on records built for it (kept as world.records)."""
    medical = UserFactory(username="medical.all", role=Role.MEDICAL, all_sites=True)
    world.records = _records(
        world, world.user("admin"), medical, world.perm, world.perm2, "حسن", "Hassan"
    )
    return {
        name: (BY_NAME[name].url(world.records), BY_NAME[name].method,
               BY_NAME[name].data(world.records) or None)
        for name in LAYOUT_PAGES
    }  # fmt: skip


def allowed_pages(world, role) -> list[str]:
    """The layout pages this role may open on the records of _pages."""
    user = _user(world, role)
    return [name for name in LAYOUT_PAGES if BY_NAME[name].allowed(user, world.records)]


@override_settings(FIELD_ENCRYPTION_KEYS=[FIELD_KEY], LANGUAGE_CODE="en")
class RoleMatrix(TestCase):
    """pages and actions x roles x (own site, another site), on one world."""

    @classmethod
    def setUpTestData(cls):
        cls.world = build_world()
        admin = cls.world.user("admin")
        medical = UserFactory(username="medical.all", role=Role.MEDICAL, all_sites=True)
        transit = SiteFactory(code="MOW", name="Moscow transit", kind=SiteKind.TRANSIT)
        cls.perm = _records(
            cls.world, admin, medical, cls.world.perm, cls.world.perm2, "حسن", "Hassan"
        )
        cls.shelter = _records(
            cls.world, admin, medical, cls.world.shelter, transit, "عيسى", "Issa"
        )
        # One signed-in session per role, made once: signing in for each request would cost
        # a session write per case.
        cls.sessions = {}
        for role in ROLES:
            client = Client()
            client.force_login(cls.world.users[getattr(Role, role.upper(), role)])
            cls.sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value

    def _variant(self, role: str, variant: str) -> Records:
        # The shelter clerk's own site is the shelter; everyone else's is Perm centre 1.
        own_is_shelter = role == "clerk"
        return self.shelter if (variant == "own") == own_is_shelter else self.perm

    def check(self, role: str, variant: str, name: str) -> None:
        request = BY_NAME[name]
        records = self._variant(role, variant)
        user = self.world.users[getattr(Role, role.upper(), role)]
        expected = request.allowed(user, records)
        self.client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        before = request.effect(records) if request.effect else None
        headers = {"HX-Request": "true"} if request.htmx else {}

        response = getattr(self.client, request.method)(
            request.url(records), request.data(records), headers=headers
        )

        label = f"{role} on {name} ({variant} site): {response.status_code}"
        assert response.status_code < 500, label
        if request.effect is None:
            got_in = response.status_code < 400
            assert got_in == expected, f"{label}, expected {'in' if expected else 'refused'}"
        else:
            changed = request.effect(records) != before
            assert changed == expected, f"{label}, expected {'a change' if expected else 'none'}"
            if not expected:
                assert response.status_code in (200, 302, 403, 404), label


def _add_case(role: str, variant: str, name: str) -> None:
    def test(self):
        self.check(role, variant, name)

    test.__name__ = f"test_{role}_{variant}_{name}"
    setattr(RoleMatrix, test.__name__, test)


# Roles that work at every site have no other site: their "other" variant would repeat "own".
ALL_SITES = {"dpo", "observer", "admin"}
for role_ in ROLES:
    for variant_ in VARIANTS if role_ not in ALL_SITES else ["own"]:
        for request_ in REQUESTS:
            _add_case(role_, variant_, request_.name)

MATRIX_SIZE = (len(REQUESTS), len(ROLES), len(VARIANTS))
CASE_COUNT = len(REQUESTS) * (len(ROLES) * len(VARIANTS) - len(ALL_SITES))


# Its world writes notes too, before any pytest fixture can set the keys (PostgreSQL demands them).
@override_settings(FIELD_ENCRYPTION_KEYS=[FIELD_KEY], LANGUAGE_CODE="en")
class AnonymousIsSentToSignIn(TestCase):
    @classmethod
    def setUpTestData(cls):
        world = build_world()
        admin = world.user("admin")
        medical = UserFactory(username="medical.all", role=Role.MEDICAL, all_sites=True)
        cls.records = _records(world, admin, medical, world.perm, world.perm2, "حسن", "Hassan")

    def test_every_page_and_action_sends_a_stranger_to_sign_in(self):
        for request in REQUESTS:
            if request.name == "set_language":
                continue  # choosing a language needs no account
            response = getattr(self.client, request.method)(
                request.url(self.records), request.data(self.records)
            )
            assert response.status_code == 302, request.name
            assert response.url.startswith(reverse("accounts:login")), request.name


@pytest.mark.django_db
def test_observer_overview_shows_no_names_and_suppresses_small_counts(world, client):
    register(world.perm, world.user("clerk_perm"))
    client.force_login(world.user(Role.OBSERVER))

    page = client.get(reverse("sites:overview")).content.decode()

    assert "محمد" not in page and "Mohammed" not in page
    assert "&lt;5" in page  # one family of four at Perm centre 1
    assert reverse("sites:site", args=[world.perm.pk]) not in page


@pytest.mark.django_db
def test_personal_pages_are_never_cached(world, client):
    household = register(world.perm, world.user("clerk_perm"))
    client.force_login(world.user("clerk_perm"))

    response = client.get(reverse("registry:household", args=[household.pk]))

    assert "no-store" in response["Cache-Control"]


def test_the_matrix_covers_every_url_of_the_pages():
    """Every named URL of the apps is in the matrix (or is the sign-in machinery)."""
    from django.urls import get_resolver

    names = set()
    for namespace, (_prefix, resolver) in get_resolver().namespace_dict.items():
        names |= {f"{namespace}:{n}" for n in resolver.reverse_dict if isinstance(n, str)}
    covered = {
        "sites:overview", "sites:site", "sites:rooms", "sites:allocate", "sites:slip",
        "sites:movements", "sites:movement_new", "sites:movement", "sites:manifest",
        "registry:register", "registry:member_row", "registry:search", "registry:household",
        "registry:person", "registry:person_edit", "registry:withdraw_consent",
        "audit:trail", "identity:instant_check", "identity:queue", "identity:pair",
        "identity:undo_link", "casework:worklist", "casework:bottlenecks", "casework:bulk",
        "casework:pathway_edit", "casework:person", "casework:add_note",
        "casework:add_attachment", "casework:add_referral", "casework:household",
        "casework:step", "casework:step_edit", "casework:attachment",
        "casework:referral_status", "identity:household_pair", "audit:entry",
        "registry:name_suggestions", "registry:complete_registration", "accounts:grants",
        "accounts:emergency_access", "accounts:language", "registry:household_by_number",
        "rights:correction", "rights:erasure_request", "rights:erasures",
        "tracing:worklist", "tracing:new", "tracing:counts", "tracing:request",
        "tracing:add_sought", "tracing:add_note", "tracing:take_over", "tracing:told",
        "tracing:candidate", "tracing:consent", "tracing:close",
        "reporting:dashboard", "reporting:figures_csv", "reporting:hxl",
        "reporting:sitrep", "reporting:sitrep_pdf",
        "fielddata:runs", "fielddata:run", "fielddata:report", "fielddata:edits", "fielddata:edit",
        "fielddata:export",
    }  # fmt: skip
    # Signing in, Django's admin (its own permissions) and the REST API, which has its own
    # matrix over the same door (refuge/api/tests/test_api_matrix.py).
    # ODK Collect's endpoints take a device's credentials, not a role's session
    # (refuge/fielddata/tests/test_openrosa.py).
    elsewhere = {n for n in names if n.startswith(("admin:", "api:", "openrosa:"))} | {
        f"accounts:{n}" for n in ("login", "logout", "profile", "two_factor", "two_factor_setup")
    }
    assert names - elsewhere - covered == set()
    assert (len(REQUESTS), len(ROLES), len(VARIANTS)) == MATRIX_SIZE
