"""Every door function refuses a caller who may not use it, whoever calls it (a page, the API,
an import, a command): the checks live in the domain, not in the views in front of it."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from refuge.casework import services as casework
from refuge.casework.models import Partner, StepProgress, StepStatus
from refuge.casework.pathways import current_pathway, load_pathway, pathway_definition
from refuge.casework.rules import StepUpdate
from refuge.identity.services import link_same_person
from refuge.reception import services as reception
from refuge.registry.services import withdraw_consent
from refuge.sites import housing, movements
from refuge.testing import member, register
from refuge.tracing import services as tracing

TODAY = timezone.localdate()
PDF = b"%PDF-1.4 a scanned certificate"


@pytest.fixture
def perm_family(world):
    return register(world.perm, world.user("clerk_perm"), consent=("sharing",))


def _step(person, code):
    return StepProgress.objects.select_related("step", "case").get(
        case__person=person, step__code=code
    )


def _refusals(world, family):
    """(door function, who must be refused, the call) for every door that changes state."""
    head = family.members.get(relationship="head")
    spouse = family.members.get(relationship="spouse")
    u = world.user
    return {
        "register_household by an observer": lambda: register(world.perm, u("observer")),
        "register_household at another site": lambda: register(world.perm, u("clerk")),
        "add_member by a medical officer": lambda: reception.add_member(
            household=family, member=member("سارة", relationship="daughter"), by=u("medical")
        ),
        "update_person by a medical officer": lambda: reception.update_person(
            person=head, changes={"given_name_lat": "X"}, by=u("medical")
        ),
        "record_arrival of a Perm family by the airbase clerk": lambda: reception.record_arrival(
            household=family, site=world.shelter, on=TODAY, by=u("clerk")
        ),
        "record_arrival by an observer": lambda: reception.record_arrival(
            household=family, site=world.perm2, on=TODAY, by=u("observer")
        ),
        "record_departure by an observer": lambda: reception.record_departure(
            household=family, on=TODAY, by=u("observer")
        ),
        "record_departure by a caseworker": lambda: reception.record_departure(
            household=family, on=TODAY, by=u("caseworker")
        ),
        "open_case by an observer": lambda: casework.open_case(person=head, by=u("observer")),
        "open_case at another site": lambda: casework.open_case(person=head, by=u("clerk")),
        "create_room by a caseworker": lambda: housing.create_room(
            site=world.perm, building="A", name="1", beds=2, by=u("caseworker")
        ),
        "create_room at another site": lambda: housing.create_room(
            site=world.shelter, building="A", name="1", beds=2, by=u("manager")
        ),
        "the health screening by a caseworker": lambda: casework.update_step(
            progress_id=_step(head, "health_screening").pk,
            version=1,
            update=StepUpdate(status=StepStatus.IN_PROGRESS),
            by=u("caseworker"),
        ),
        "the health screening in bulk by a site manager": lambda: casework.bulk_update_step(
            rows=[(_step(head, "health_screening").pk, 1)],
            update=StepUpdate(status=StepStatus.IN_PROGRESS),
            by=u("manager"),
        ),
        "the health screening by an administrator": lambda: casework.update_step(
            progress_id=_step(head, "health_screening").pk,
            version=1,
            update=StepUpdate(status=StepStatus.IN_PROGRESS),
            by=u("admin"),
        ),
        "a caseworker's step by a medical officer": lambda: casework.update_step(
            progress_id=_step(head, "migration_registration").pk,
            version=1,
            update=StepUpdate(status=StepStatus.IN_PROGRESS),
            by=u("medical"),
        ),
        "refer by a clerk": lambda: casework.refer(
            person=head, partner=Partner.objects.create(name="Clinic", kind="clinic"), by=u("clerk")
        ),
        "withdraw_consent by a medical officer": lambda: withdraw_consent(
            person=head, scope="sharing", by=u("medical")
        ),
        "link_same_person by a clerk": lambda: link_same_person(
            person_a=head, person_b=spouse, by=u("clerk_perm")
        ),
        "plan_movement by a caseworker": lambda: movements.plan_movement(
            from_site=world.perm,
            to_site=world.perm2,
            planned_on=TODAY,
            means="bus",
            seats=9,
            by=u("caseworker"),
        ),
        "allocate_household by a caseworker": lambda: housing.allocate_household(
            household=family,
            room=housing.create_room(
                site=world.perm, building="A", name="1", beds=6, by=u("admin")
            ),
            by=u("caseworker"),
        ),
        "load_pathway by a caseworker": lambda: load_pathway(
            pathway_definition(current_pathway()), by=u("caseworker")
        ),
        "open_request by a caseworker": lambda: _seek_son(world, world.perm, u("caseworker")),
        "open_request at another site": lambda: _seek_son(world, world.perm, u("tracer_shelter")),
        "open_request by an administrator": lambda: _seek_son(world, world.perm, u("admin")),
        "review_candidate at another site": lambda: tracing.review_candidate(
            candidate=_son_candidate(world), confirm=True, by=u("tracer_shelter")
        ),
        "record_answer by a caseworker": lambda: tracing.record_answer(
            candidate=_son_candidate(world, confirmed=True),
            agreed=True,
            shares=["safe"],
            spoke_on=TODAY,
            with_whom="aunt",
            by=u("caseworker"),
        ),  # fmt: skip
        "record_deceased at another site": lambda: tracing.record_deceased(
            candidate=_son_candidate(world, confirmed=True),
            told_in_person_by="Irina",
            psychosocial_referral="psychologist",
            by=u("tracer_shelter"),
        ),  # fmt: skip
        "close_trace at another site": lambda: tracing.close_trace(
            sought=_seek_son(world, world.perm, u("tracer")).traces.get(),
            outcome="not_found",
            by=u("tracer_shelter"),
        ),  # fmt: skip
    }


def _seek_son(world, site, by):
    return tracing.open_request(
        site=site,
        inquirer=tracing.InquirerData(given_name="Fatima", sex="f", contact="room 3"),
        sought=[tracing.SoughtData(given_name="Ali", family_name="Hassan", relationship="son",
                                   sex="m", birth_date=date(2012, 1, 1))],
        by=by,
    )  # fmt: skip


def _son_candidate(world, *, confirmed: bool = False):
    """Perm's own request for the son of the Perm family, its candidate at Perm."""
    candidate = _seek_son(world, world.perm, world.user("tracer")).traces.get().candidates.first()
    if confirmed:
        tracing.review_candidate(candidate=candidate, confirm=True, by=world.user("tracer"))
    return candidate


REFUSALS = [
    "register_household by an observer",
    "register_household at another site",
    "add_member by a medical officer",
    "update_person by a medical officer",
    "record_arrival of a Perm family by the airbase clerk",
    "record_arrival by an observer",
    "record_departure by an observer",
    "record_departure by a caseworker",
    "open_case by an observer",
    "open_case at another site",
    "create_room by a caseworker",
    "create_room at another site",
    "the health screening by a caseworker",
    "the health screening in bulk by a site manager",
    "the health screening by an administrator",
    "a caseworker's step by a medical officer",
    "refer by a clerk",
    "withdraw_consent by a medical officer",
    "link_same_person by a clerk",
    "plan_movement by a caseworker",
    "allocate_household by a caseworker",
    "load_pathway by a caseworker",
    "open_request by a caseworker",
    "open_request at another site",
    "open_request by an administrator",
    "review_candidate at another site",
    "record_answer by a caseworker",
    "record_deceased at another site",
    "close_trace at another site",
]


@pytest.mark.parametrize("case", REFUSALS)
def test_a_door_function_refuses_a_caller_who_may_not_use_it(world, perm_family, case):
    call = _refusals(world, perm_family)[case]

    with pytest.raises(PermissionDenied):
        call()


def test_every_refusal_case_is_listed():
    assert len(REFUSALS) == len(set(REFUSALS))


def test_the_medical_officer_records_the_health_screening(world, perm_family):
    head = perm_family.members.get(relationship="head")
    screening = _step(head, "health_screening")

    casework.update_step(
        progress_id=screening.pk,
        version=screening.version,
        update=StepUpdate(
            status=StepStatus.DONE, outcome="fit_to_travel", evidence={"screened_on": TODAY}
        ),
        by=world.user("medical"),
    )

    screening.refresh_from_db()
    assert (screening.status, screening.outcome) == ("done", "fit_to_travel")


def test_refer_and_add_attachment_refuse_another_person_s_step(world, perm_family):
    head = perm_family.members.get(relationship="head")
    spouse = perm_family.members.get(relationship="spouse")
    theirs = _step(spouse, "migration_registration")
    clinic = Partner.objects.create(name="Clinic", kind="clinic")

    with pytest.raises(ValidationError) as referral:
        casework.refer(person=head, partner=clinic, step=theirs, by=world.user("caseworker"))
    with pytest.raises(ValidationError) as attachment:
        casework.add_attachment(
            person=head,
            domain="social",
            kind="certificate",
            filename="c.pdf",
            content=PDF,
            step=theirs,
            by=world.user("caseworker"),
        )

    assert "step" in referral.value.message_dict and "step" in attachment.value.message_dict


def test_a_referral_needs_consent_to_sharing(world):
    registration_only = register(world.perm, world.user("clerk_perm"))
    clinic = Partner.objects.create(name="Clinic", kind="clinic")

    with pytest.raises(ValidationError) as refused:
        casework.refer(
            person=registration_only.members.first(), partner=clinic, by=world.user("caseworker")
        )

    assert "consented to sharing" in refused.value.message_dict["partner"][0]


def test_withdrawn_consent_is_recorded_and_honoured_from_then_on(world, perm_family):
    head = perm_family.members.get(relationship="head")
    clinic = Partner.objects.create(name="Clinic", kind="clinic")
    casework.refer(person=head, partner=clinic, by=world.user("caseworker"))

    withdraw_consent(person=head, scope="sharing", by=world.user("caseworker"))

    head.refresh_from_db()
    assert not head.consents_to("sharing") and head.consents_to("registration")
    withdrawn = head.consents.get(withdrawn_on__isnull=False)
    assert "sharing" in withdrawn.scopes  # what was given stays on the record
    with pytest.raises(ValidationError):
        casework.refer(person=head, partner=clinic, by=world.user("caseworker"))
    assert head.referrals.count() == 1


def test_consent_to_registration_is_not_withdrawn_here(world, perm_family):
    with pytest.raises(ValidationError) as refused:
        withdraw_consent(
            person=perm_family.members.first(), scope="registration", by=world.user("caseworker")
        )

    assert "data protection officer" in refused.value.message_dict["scope"][0]


def test_a_baby_is_nought_years_old_not_of_unknown_age(world):
    mother_and_son = register(
        world.perm,
        world.user("clerk_perm"),
        [
            member("زينب", "علي", sex="f", birth_date=date(1990, 5, 1)),
            member(
                "حسين",
                "علي",
                relationship="son",
                birth_date=TODAY.replace(day=1) - timezone.timedelta(days=80),
            ),
        ],
    )
    son = mother_and_son.members.get(relationship="son")
    women = housing.create_room(
        site=world.perm, building="B", name="W", beds=4, women_only=True, by=world.user("admin")
    )

    assert son.age_on(TODAY) == 0
    assert housing.may_use_women_only_room(list(mother_and_son.members.all()), TODAY)
    housing.allocate_household(household=mother_and_son, room=women, by=world.user("manager"))


def test_age_is_counted_by_the_calendar(world):
    person = register(world.perm, world.user("clerk_perm")).members.get(relationship="head")

    assert person.age_on(date(2001, 4, 16)) == 17  # born 17 April 1983
    assert person.age_on(date(2001, 4, 17)) == 18


def test_overdue_is_one_queryset_rule(world, perm_family):
    head = perm_family.members.get(relationship="head")
    screening = _step(head, "health_screening")
    StepProgress.objects.filter(pk=screening.pk).update(due_on=TODAY - timezone.timedelta(days=1))

    overdue = StepProgress.objects.overdue(TODAY)
    marked = StepProgress.objects.with_overdue(TODAY).get(pk=screening.pk)

    assert screening.pk in set(overdue.values_list("pk", flat=True))
    assert marked.is_overdue
    assert (
        not StepProgress.objects.with_overdue(TODAY - timezone.timedelta(days=2))
        .get(pk=screening.pk)
        .is_overdue
    )


def test_the_step_that_gates_travel_comes_from_the_pathway(world, perm_family):
    from refuge.sites.checks import problems_before_departure

    definition = pathway_definition(current_pathway())
    for step in definition["steps"]:
        step["gates_travel"] = step["code"] == "fingerprints_photo"
    load_pathway(definition, by=world.user("admin"))
    moved_on = register(world.perm, world.user("clerk_perm"))

    problems = " ".join(problems_before_departure(moved_on))

    assert "fingerprint" in problems.lower() and "health screening" not in problems.lower()
