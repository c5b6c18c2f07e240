"""A family typed a second time is stopped at the desk, and what is saved over a warning goes
to review at once, by household."""

from copy import deepcopy

import pytest
from django.db import transaction
from django.urls import reverse

from refuge.identity.models import CandidatePair
from refuge.identity.selectors import household_pairs, household_review_queue
from refuge.reception.registration import (
    Answer,
    MatchAnswer,
    RegistrationHeld,
    register_household_checked,
    register_households_as_new,
)
from refuge.registry.models import Household
from refuge.registry.services import HouseholdsRefused, NewHousehold
from refuge.registry.vocabulary import ConsentScope, Relationship
from refuge.testing import family_of_four, member, register

REASON = "Second family of the same name; the mother confirms they are cousins."


def _again(world, answers, members=None):
    return register_household_checked(
        site=world.shelter,
        members=members or family_of_four(),
        answers=answers,
        consent_scopes=[ConsentScope.REGISTRATION],
        by=world.user("clerk"),
    )


def test_a_family_typed_twice_is_not_saved_until_the_clerk_answers(world):
    register(world.shelter, world.user("clerk"))

    with pytest.raises(RegistrationHeld) as held:
        _again(world, answers={})

    assert set(held.value.warnings) == {0, 1, 2, 3}
    assert set(held.value.message_dict) == {f"members-{i}-match_choice" for i in range(4)}
    assert Household.objects.count() == 1


def test_continuing_as_new_needs_a_reason(world):
    register(world.shelter, world.user("clerk"))
    answers = {i: MatchAnswer(Answer.NEW) for i in range(4)}

    with pytest.raises(RegistrationHeld) as held:
        _again(world, answers)

    assert "members-0-match_reason" in held.value.message_dict
    assert Household.objects.count() == 1


def test_registered_over_the_warning_the_pairs_reach_review_with_the_reason(world):
    first = register(world.shelter, world.user("clerk"))
    answers = {i: MatchAnswer(Answer.NEW, reason=REASON) for i in range(4)}

    outcome = _again(world, answers)

    assert outcome.household.members.count() == 4
    assert len(outcome.queued) == 4
    assert set(CandidatePair.objects.values_list("clerk_reason", flat=True)) == {REASON}
    # One household pair with its four member pairs, not four rows.
    groups = list(household_review_queue(world.user("admin")))
    assert len(groups) == 1 and groups[0]["pairs"] == 4
    (pair,) = household_pairs(world.user("admin"), groups)
    assert {pair.household_a, pair.household_b} == {first, outcome.household}
    assert pair.clerk_reasons == [REASON]


def test_a_member_can_be_added_to_the_household_found_instead(world):
    first = register(world.shelter, world.user("clerk"))
    daughter = family_of_four()[3]
    newcomer = member("خالد", "عيسى", father="سامر")

    outcome = _again(
        world,
        {1: MatchAnswer(Answer.JOIN, household_id=first.pk)},
        members=[newcomer, daughter],
    )

    assert outcome.household.members.count() == 1
    assert [p.household_id for p in outcome.joined] == [first.pk]
    assert first.members.count() == 5
    assert not CandidatePair.objects.exists()


def test_the_head_of_a_new_household_cannot_join_another(world):
    first = register(world.shelter, world.user("clerk"))
    answers = {0: MatchAnswer(Answer.JOIN, household_id=first.pk)}
    answers |= {i: MatchAnswer(Answer.NEW, reason=REASON) for i in (1, 2, 3)}

    with pytest.raises(RegistrationHeld) as held:
        _again(world, answers)

    assert list(held.value.message_dict) == ["members-0-match_choice"]


def _post(client, extra=None):
    data = {
        "site": "",
        "registered_on": "2026-01-10",
        "consent": [ConsentScope.REGISTRATION],
        "members-TOTAL_FORMS": "1",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "40",
        "members-0-relationship": "head",
        "members-0-given_name_ar": "محمد",
        "members-0-father_name_ar": "علي",
        "members-0-family_name_ar": "حسن",
        "members-0-sex": "m",
        "members-0-birth_date_text": "17.04.1983",
        "members-0-languages": ["ar"],
    }
    return client.post(reverse("registry:register"), data | (extra or {}))


def test_without_javascript_the_form_shows_the_warning_and_its_choices(world, client):
    register(world.shelter, world.user("clerk"), [member()])
    client.force_login(world.user("clerk"))

    refused = _post(client, {"site": world.shelter.pk})

    page = refused.content.decode()
    assert refused.status_code == 200 and "Nothing was saved" in page
    assert 'name="members-0-match_choice" value="new"' in page
    assert "Open the existing record" in page
    assert Household.objects.count() == 1

    saved = _post(
        client,
        {
            "site": world.shelter.pk,
            "members-0-match_choice": "new",
            "members-0-match_reason": REASON,
        },
    )

    assert saved.status_code == 302
    assert CandidatePair.objects.get().clerk_reason == REASON


def _family_registered_twice_over_the_warning(world):
    first = register(world.shelter, world.user("clerk"))
    answers = {i: MatchAnswer(Answer.NEW, reason=REASON) for i in range(4)}
    return first, _again(world, answers).household


def test_review_queue_shows_one_row_per_household_pair_with_the_engine_s_estimate(world, client):
    first, second = _family_registered_twice_over_the_warning(world)
    client.force_login(world.user("admin"))

    page = client.get(reverse("identity:queue")).content.decode()

    assert page.count('class="household-pair"') == 1
    assert page.count("<li>") >= 4 and REASON in page
    assert first.registration_number in page and second.registration_number in page
    # The engine's estimate for a family typed twice is 0.99999..., not a round 1.00.
    assert "99.9 %" in page and "1.00" not in page


def test_a_household_pair_is_decided_member_pair_by_member_pair(world, client):
    first, second = _family_registered_twice_over_the_warning(world)
    pairs = list(CandidatePair.objects.order_by("pk"))
    client.force_login(world.user("admin"))
    url = reverse("identity:household_pair", args=[second.pk, first.pk])

    page = client.get(url).content.decode()
    assert page.count('class="card member-pair"') == 4
    response = client.post(
        url,
        {f"pair-{pairs[0].pk}": "same", f"pair-{pairs[1].pk}": "different"},
    )

    assert response.status_code == 302
    statuses = dict(CandidatePair.objects.values_list("pk", "status"))
    assert statuses[pairs[0].pk] == "same" and statuses[pairs[1].pk] == "different"
    assert statuses[pairs[2].pk] == "open"


def test_a_reviewer_of_other_sites_does_not_see_the_household_pair(world, client):
    first, second = _family_registered_twice_over_the_warning(world)
    client.force_login(world.user("coordinator"))

    response = client.get(reverse("identity:household_pair", args=[first.pk, second.pk]))

    assert response.status_code == 404


def _queued_by_registration_number():
    """The open pairs, each as its two people (registration number, given name), with what the
    engine said: independent of ids, which a rolled-back attempt uses up."""

    def who(person):
        return (person.household.registration_number, person.given_name_ar)

    return sorted(
        (tuple(sorted((who(p.person_a), who(p.person_b)))), p.decision, p.clerk_reason)
        for p in CandidatePair.objects.select_related("person_a__household", "person_b__household")
    )


def test_a_chunk_registered_at_once_queues_what_one_household_at_a_time_queues(world):
    """An import registers a chunk of households at once: each household is told what it
    would have been told saved alone in the chunk's order, matches with the households before
    it in the chunk included (a family in the file twice), and nothing about those after it."""
    clerk = world.user("clerk")
    register(world.shelter, clerk)
    cousins = family_of_four(family="حسين", latin_family="Hussein")
    stranger = [member("Ivan", "Petrov", father="Sergei", latin=("Ivan", "Sergei", "Petrov"))]
    chunk = [family_of_four(), stranger, cousins, family_of_four()]

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        for members in chunk:
            _again(world, {i: MatchAnswer(Answer.NEW, reason=REASON) for i in range(4)}, members)
        one_at_a_time = _queued_by_registration_number()
        raise Undo

    outcomes = register_households_as_new(
        site=world.shelter,
        households=[NewHousehold(m, [ConsentScope.REGISTRATION]) for m in deepcopy(chunk)],
        reason=REASON,
        by=clerk,
    )

    assert _queued_by_registration_number() == one_at_a_time
    # The first household's family matches the one registered before, the last matches both.
    assert outcomes[1].queued == []
    assert len(outcomes[3].queued) > len(outcomes[0].queued) > 0
    assert Household.objects.count() == 5


def test_a_chunk_with_a_household_at_fault_saves_nothing_and_names_it(world):
    clerk = world.user("clerk")
    headless = [member(relationship=Relationship.SON)]

    with pytest.raises(HouseholdsRefused) as refused:
        register_households_as_new(
            site=world.shelter,
            households=[
                NewHousehold(family_of_four(), [ConsentScope.REGISTRATION]),
                NewHousehold(headless, [ConsentScope.REGISTRATION]),
                NewHousehold(family_of_four("حسين", "Hussein"), []),
            ],
            reason=REASON,
            by=clerk,
        )

    assert set(refused.value.refused) == {1, 2}
    assert "members" in refused.value.refused[1].message_dict
    assert "consent" in refused.value.refused[2].message_dict
    assert Household.objects.count() == 0
