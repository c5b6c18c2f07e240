"""Family tracing: matching across scripts and sites, consent before disclosure, who sees what."""

import re
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from refuge.audit.models import AuditEntry
from refuge.audit.services import unsealed
from refuge.registry.vocabulary import SpecificNeed
from refuge.testing import family_of_four, member, register
from refuge.tracing import selectors, services
from refuge.tracing.models import (
    Candidate,
    CandidateStatus,
    Outcome,
    Share,
    TraceStatus,
    TracingRequest,
)
from refuge.tracing.services import InquirerData, SoughtData

TODAY = timezone.localdate()


def _mother_seeks_son(world, *, site=None, by="tracer_shelter", **sought):
    """A mother at the shelter looking for her son Ali, described in Cyrillic."""
    details = {
        "given_name": "Али",
        "family_name": "Хасан",
        "relationship": "son",
        "sex": "m",
        "birth_date": date(2012, 1, 1),
        "birth_date_precision": "estimated",
        **sought,
    }
    return services.open_request(
        site=site or world.shelter,
        inquirer=InquirerData(given_name="فاطمة", family_name="ديب", sex="f", contact="tent 4"),
        sought=[SoughtData(**details)],
        by=world.user(by),
    )


def _son(household):
    return household.members.get(relationship="son")


def _confirmed(world):
    household = register(world.perm, world.user("clerk_perm"))
    request = _mother_seeks_son(world)
    candidate = Candidate.objects.get(sought__request=request, person=_son(household))
    services.review_candidate(candidate=candidate, confirm=True, by=world.user("tracer"))
    return request, candidate


def test_a_sought_person_described_in_cyrillic_is_found_in_arabic_at_another_site(world):
    household = register(world.perm, world.user("clerk_perm"))

    request = _mother_seeks_son(world)

    best = request.traces.get().candidates.first()
    assert best.person == _son(household)
    assert best.site == world.perm and best.probability > 0.5
    assert request.traces.get().status == TraceStatus.POSSIBLE_MATCH


def test_a_registration_at_another_site_raises_a_candidate_for_its_tracing_officer(world):
    request = _mother_seeks_son(world)
    assert not Candidate.objects.exists()

    household = register(world.perm, world.user("clerk_perm"))

    candidate = Candidate.objects.get(sought__request=request)
    assert candidate.person == _son(household) and candidate.site == world.perm
    rows = selectors.worklist(world.user("tracer"), today=TODAY)
    assert [(r.request, r.to_review, r.inquirer_side) for r in rows] == [(request, 1, False)]
    # The inquirer's officer works at the shelter: the candidate is not theirs to see.
    view = selectors.request_detail(world.user("tracer_shelter"), request.pk)
    assert view.traces[0].candidates == []
    assert view.traces[0].status == str(selectors.BEING_TRACED)


def test_two_relatives_looking_for_each_other_are_matched(world):
    wife = services.open_request(
        site=world.shelter,
        inquirer=InquirerData(given_name="فاطمة", father_name="يوسف", family_name="ديب",
                              sex="f", contact="tent 4"),
        sought=[SoughtData(given_name="محمد", father_name="علي", family_name="حسن",
                           relationship="husband", sex="m", birth_date=date(1983, 1, 1))],
        by=world.user("tracer_shelter"),
    )  # fmt: skip
    husband = services.open_request(
        site=world.perm,
        inquirer=InquirerData(given_name="Mohammed", father_name="Ali", family_name="Hassan",
                              sex="m", contact="room 12"),
        sought=[SoughtData(given_name="Fatima", father_name="Youssef", family_name="Deeb",
                           relationship="wife", sex="f", birth_date=date(1986, 1, 1))],
        by=world.user("tracer"),
    )  # fmt: skip

    assert Candidate.objects.get(sought__request=wife).other_request == husband
    assert Candidate.objects.get(sought__request=husband).other_request == wife


def test_a_confirmed_match_tells_the_inquirer_nothing_before_consent(world, client):
    request, candidate = _confirmed(world)

    _, answers = selectors.inquirer_answer(world.user("tracer_shelter"), request.pk)
    assert [(a.status, a.shares) for a in answers] == [(str(selectors.BEING_TRACED), [])]
    client.force_login(world.user("tracer_shelter"))
    page = client.get(reverse("tracing:request", args=[request.pk])).content.decode()
    assert "Perm" not in page and candidate.person.household.registration_number not in page
    assert "confirmed" not in page.lower()


def test_consent_discloses_only_what_was_agreed(world):
    request, candidate = _confirmed(world)

    services.record_answer(
        candidate=candidate, agreed=True, shares=[Share.SAFE], spoke_on=TODAY,
        with_whom="his uncle", by=world.user("tracer"),
    )  # fmt: skip

    _, answers = selectors.inquirer_answer(world.user("tracer_shelter"), request.pk)
    assert answers[0].status == str(selectors.FOUND_TOLD)
    assert answers[0].shares == [str(Share.SAFE.label)]  # not the region, not a contact
    assert TracingRequest.objects.get(pk=request.pk).closed_on == TODAY


def _masked(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'"X-CSRFToken": "[^"]+"', "", html)
    return re.sub(r"\d+", "#", html)


def test_a_refusal_is_indistinguishable_from_not_found_for_the_inquirer(world, client):
    refused, candidate = _confirmed(world)
    services.record_answer(
        candidate=candidate, agreed=False, shares=[], spoke_on=TODAY, with_whom="caseworker",
        by=world.user("tracer"),
    )  # fmt: skip
    not_found = _mother_seeks_son(world)
    services.close_trace(
        sought=not_found.traces.get(), outcome=Outcome.NOT_FOUND, by=world.user("tracer_shelter")
    )
    client.force_login(world.user("tracer_shelter"))

    for page in ("tracing:told", "tracing:request"):
        one = client.get(reverse(page, args=[refused.pk])).content.decode()
        other = client.get(reverse(page, args=[not_found.pk])).content.decode()
        assert _masked(one) == _masked(other), page
    assert str(selectors.NO_INFORMATION) in one
    # The sought person's site keeps the truth.
    view = selectors.request_detail(world.user("tracer"), refused.pk)
    assert view.traces[0].status == str(Outcome.REFUSED.label)


def test_a_child_is_asked_with_a_guardian_or_caseworker(world):
    _, candidate = _confirmed(world)  # Ali, born 2012

    with pytest.raises(ValidationError) as refused:
        services.record_answer(
            candidate=candidate, agreed=True, shares=[Share.SAFE], spoke_on=TODAY,
            by=world.user("tracer"),
        )  # fmt: skip

    assert "with_whom" in refused.value.message_dict
    assert candidate.sought.status == TraceStatus.CONFIRMED


def test_found_deceased_is_told_in_person_with_psychosocial_support(world):
    request, candidate = _confirmed(world)
    with pytest.raises(ValidationError) as missing:
        services.record_deceased(
            candidate=candidate, told_in_person_by="", psychosocial_referral="",
            by=world.user("tracer"),
        )  # fmt: skip
    assert set(missing.value.message_dict) == {"told_in_person_by", "psychosocial_referral"}

    services.record_deceased(
        candidate=candidate, told_in_person_by="Irina Volkova",
        psychosocial_referral="the centre's psychologist", by=world.user("tracer"),
    )  # fmt: skip

    _, answers = selectors.inquirer_answer(world.user("tracer_shelter"), request.pk)
    assert answers[0].status == str(selectors.TOLD_IN_PERSON)
    assert answers[0].told_in_person_by == "Irina Volkova"


def test_only_the_candidate_s_site_reviews_and_asks(world):
    household = register(world.perm, world.user("clerk_perm"))
    request = _mother_seeks_son(world)
    candidate = Candidate.objects.get(sought__request=request, person=_son(household))

    for outsider in ("tracer_shelter", "admin", "caseworker"):
        with pytest.raises(PermissionDenied):
            services.review_candidate(candidate=candidate, confirm=True, by=world.user(outsider))
        with pytest.raises(Candidate.DoesNotExist):
            selectors.candidate_for(world.user("tracer_shelter"), candidate.pk)
    with pytest.raises(PermissionDenied):
        _mother_seeks_son(world, by="clerk")
    with pytest.raises(PermissionDenied):
        _mother_seeks_son(world, site=world.perm)  # the shelter's officer, at Perm
    assert Candidate.objects.get(pk=candidate.pk).status == CandidateStatus.OPEN


def test_staff_who_see_the_person_are_told_only_to_speak_to_the_tracing_officer(world, client):
    household = register(world.perm, world.user("clerk_perm"))
    _mother_seeks_son(world)
    client.force_login(world.user("clerk_perm"))

    page = client.get(reverse("registry:person", args=[_son(household).pk])).content.decode()

    assert "speak to the tracing officer" in page
    assert "فاطمة ديب" not in page and "tent 4" not in page


def test_observers_see_counts_only(world, client):
    for _ in range(6):
        _mother_seeks_son(world)
    client.force_login(world.user("observer"))

    page = client.get(reverse("tracing:counts")).content.decode()

    assert "Али" not in page and ">6<" in page
    assert client.get(reverse("tracing:worklist")).status_code == 403


def test_every_step_is_audited_by_id(world, client):
    request, candidate = _confirmed(world)
    client.force_login(world.user("tracer"))
    client.get(reverse("tracing:candidate", args=[candidate.pk]))
    services.record_answer(
        candidate=candidate, agreed=False, shares=[], spoke_on=TODAY, with_whom="caseworker",
        by=world.user("tracer"),
    )  # fmt: skip

    entries = {(e.object_type, e.action) for e in AuditEntry.objects.all()}
    assert {
        ("tracing.tracingrequest", "create"),
        ("tracing.candidate", "create"),
        ("tracing.candidate", "change"),
        ("registry.person", "view"),
        ("tracing.answer", "create"),
    } <= entries
    # Whether the person agreed is itself sealed: only the DPO's disclosure opens it.
    answer = unsealed(AuditEntry.objects.get(object_type="tracing.answer"))
    assert answer["person"] == candidate.person_id and answer["agreed"] is False
    tracing = AuditEntry.objects.filter(object_type__startswith="tracing.")
    assert "فاطمة" not in str([unsealed(e) for e in tracing])


def test_a_tracing_need_at_registration_opens_the_person_s_request(world):
    members = family_of_four()
    members[1] = member(
        "فاطمة", "ديب", father="يوسف", relationship="spouse", sex="f",
        birth_date=date(1986, 1, 1), needs=[SpecificNeed.FU_TR],
    )  # fmt: skip
    household = register(world.shelter, world.user("clerk"), members)

    request = TracingRequest.objects.get()
    assert request.inquirer_person == household.members.get(relationship="spouse")
    assert request.from_need and request.site == world.shelter and request.owner is None
    rows = selectors.worklist(world.user("tracer_shelter"), today=TODAY)
    assert [r.request for r in rows] == [request]


def test_bad_input_names_the_field_and_saves_nothing(world):
    with pytest.raises(ValidationError) as refused:
        _mother_seeks_son(world, given_name="", relationship="cousin", circumstances="x" * 2000)

    assert {"sought-0-given_name", "sought-0-relationship", "sought-0-circumstances"} <= set(
        refused.value.message_dict
    )
    assert not TracingRequest.objects.exists()


def test_the_api_answers_a_refusal_as_it_answers_not_found(world):
    from refuge.api.tests.conftest import bearer

    refused, candidate = _confirmed(world)
    services.record_answer(
        candidate=candidate, agreed=False, shares=[], spoke_on=TODAY, with_whom="caseworker",
        by=world.user("tracer"),
    )  # fmt: skip
    not_found = _mother_seeks_son(world)
    services.close_trace(
        sought=not_found.traces.get(), outcome=Outcome.NOT_FOUND, by=world.user("tracer_shelter")
    )
    client = bearer(world.user("tracer_shelter"))

    for path in ("/api/v1/tracing-requests/%d/answer/", "/api/v1/tracing-requests/%d/"):
        one, other = (client.get(path % r.pk).json() for r in (refused, not_found))
        if "traces" in one:
            for answer in (one, other):
                answer.pop("id"), answer.pop("reference")
                for trace in answer["traces"]:
                    trace.pop("id")
        assert one == other, path
    assert one["traces"][0]["status"] == str(selectors.NO_INFORMATION)


def test_opening_a_request_through_the_api_matches_across_scripts(world):
    from refuge.api.tests.conftest import bearer

    household = register(world.perm, world.user("clerk_perm"))
    client = bearer(world.user("tracer"))

    response = client.post(
        "/api/v1/tracing-requests/",
        {"site": world.perm.pk, "inquirer_given_name": "Фатима", "inquirer_sex": "f",
         "inquirer_contact": "room 3",
         "sought": [{"given_name": "Али", "family_name": "Хасан", "relationship": "son",
                     "sex": "m", "birth_year": 2012}]},
        format="json",
    )  # fmt: skip

    assert response.status_code == 201, response.content
    candidates = response.json()["traces"][0]["candidates"]
    assert candidates[0]["person"] == _son(household).pk


def test_an_age_two_years_off_and_no_father_s_name_still_finds_the_person(world):
    household = register(world.perm, world.user("clerk_perm"))  # Ali born 2012

    request = _mother_seeks_son(world, birth_date=date(2010, 1, 1), family_name="Hassan")

    assert request.traces.get().candidates.filter(person=_son(household)).exists()


def test_a_person_who_withdrew_consent_to_tracing_is_not_offered(world):
    from refuge.registry.services import withdraw_consent

    household = register(world.perm, world.user("clerk_perm"), consent=("tracing",))
    withdraw_consent(person=_son(household), scope="tracing", by=world.user("clerk_perm"))

    request = _mother_seeks_son(world)

    assert not request.traces.get().candidates.filter(person=_son(household)).exists()


def test_a_son_registered_with_his_mother_ranks_above_a_namesake(world):
    alone = register(world.perm, world.user("clerk_perm"), [member("علي", "حسن",
                     father="محمد", birth_date=date(2012, 9, 3))])  # fmt: skip
    with_mother = register(world.perm2, world.user("admin"))  # Ali with his mother Fatima Deeb

    request = services.open_request(
        site=world.shelter,
        inquirer=InquirerData(given_name="Fatima", father_name="Youssef", family_name="Deeb",
                              sex="f", contact="tent 4"),
        sought=[SoughtData(given_name="Али", family_name="Хасан", relationship="son", sex="m",
                           birth_date=date(2012, 1, 1))],
        by=world.user("tracer_shelter"),
    )  # fmt: skip

    ranked = [c.person for c in request.traces.get().candidates.all()]
    assert ranked[:2] == [_son(with_mother), alone.members.get()]
    best = request.traces.get().candidates.first()
    assert {"field": "household", "code": "members_match", "params": {"pairs": 1}} in best.reasons
