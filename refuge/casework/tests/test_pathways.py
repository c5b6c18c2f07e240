import copy
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from refuge.audit.models import AuditEntry
from refuge.casework.models import Pathway
from refuge.casework.pathways import (
    DEFAULT_PATHWAY,
    definition_errors,
    load_default_pathway,
    load_pathway,
    pathway_definition,
)
from refuge.casework.services import open_case
from refuge.registry.vocabulary import Relationship
from refuge.testing import member, register


@pytest.fixture
def pathway(db):
    return load_default_pathway()


def _steps(case):
    return {p.step.code for p in case.steps.select_related("step")}


def test_the_default_pathway_marks_official_and_practice_steps(pathway):
    sources = dict(pathway.steps.values_list("code", "source"))

    assert sources["asylum_application"] == "official"
    assert sources["social_support"] == "practice"
    assert (
        pathway.steps.get(code="asylum_decision")
        .prerequisites.filter(code="application_certificate")
        .exists()
    )


def test_a_child_gets_school_enrolment_and_no_asylum_application(world, pathway):
    household = register(world.perm, world.user("clerk_perm"))
    child = household.members.get(relationship="daughter")  # born 2016

    steps = _steps(open_case(person=child, by=world.user("caseworker"), on=date(2026, 11, 23)))

    assert "school_enrolment" in steps
    assert "asylum_application" not in steps and "credential_recognition" not in steps


def test_an_adult_doctor_gets_credential_recognition_and_admission(world, pathway):
    household = register(
        world.perm, world.user("clerk_perm"), [member(profession="Doctor (surgeon)")]
    )

    steps = _steps(open_case(person=household.members.get(), by=world.user("caseworker")))

    assert {
        "credential_recognition",
        "professional_admission",
        "asylum_application",
        "personal_sim",
    } <= steps
    assert "school_enrolment" not in steps


def test_household_steps_go_to_the_head_only(world, pathway):
    household = register(world.perm, world.user("clerk_perm"))
    head = household.members.get(relationship=Relationship.HEAD)
    spouse = household.members.get(relationship=Relationship.SPOUSE)

    assert "housing_placement" in _steps(open_case(person=head, by=world.user("caseworker")))
    assert "housing_placement" not in _steps(open_case(person=spouse, by=world.user("caseworker")))


def test_a_changed_pathway_is_a_new_version_and_old_cases_keep_theirs(world, pathway):
    household = register(world.perm, world.user("clerk_perm"))
    head = household.members.get(relationship=Relationship.HEAD)
    old_case = open_case(person=head, by=world.user("caseworker"))
    data = json.loads(DEFAULT_PATHWAY.read_text(encoding="utf-8"))
    changed = copy.deepcopy(data)
    changed["steps"] = [s for s in changed["steps"] if s["code"] != "psychosocial_support"]

    new = load_pathway(changed)

    assert (new.version, new.is_current) == (2, True)
    assert Pathway.objects.get(pk=pathway.pk).is_current is False
    assert "psychosocial_support" in _steps(old_case)
    assert old_case.pathway_id == pathway.pk
    assert load_pathway(changed) == new  # loading the same definition again changes nothing


def test_opening_a_case_is_audited(world, pathway):
    household = register(world.perm, world.user("clerk_perm"))

    case = open_case(person=household.members.first(), by=world.user("caseworker"))

    assert AuditEntry.objects.filter(object_type="casework.case", object_id=str(case.pk)).exists()


def test_the_outcomes_a_step_waits_for_are_checked_and_kept(pathway):
    data = json.loads(DEFAULT_PATHWAY.read_text(encoding="utf-8"))
    steps = {s["code"]: s for s in data["steps"]}
    assert not definition_errors(data)
    assert pathway.steps.get(code="asylum_certificate").prerequisite_outcomes == {
        "asylum_decision": ["granted"]
    }
    shown = {s["code"]: s for s in pathway_definition(pathway)["steps"]}
    assert shown["asylum_certificate"]["prerequisite_outcomes"] == {"asylum_decision": ["granted"]}
    assert load_pathway(data) == pathway  # the stored definition is the fixture, outcomes too

    steps["asylum_certificate"]["prerequisite_outcomes"] = {"asylum_decision": ["won"]}
    steps["snils_inn_oms"]["prerequisite_outcomes"] = {"asylum_decision": ["granted"]}
    steps["personal_sim"]["prerequisite_outcomes"] = {"snils_inn_oms": []}
    steps["housing_placement"]["prerequisite_outcomes"] = ["granted"]

    errors = definition_errors(data)

    assert "Step asylum_certificate: “won” is not an outcome of “asylum_decision”." in errors
    assert (
        "Step snils_inn_oms waits for an outcome of “asylum_decision”, which is not one of its "
        "prerequisites." in errors
    )
    assert "Step personal_sim: list the outcomes of “snils_inn_oms” it waits for." in errors
    assert any(e.startswith("Step housing_placement: “prerequisite_outcomes” maps") for e in errors)
    assert len(errors) == 4


def test_the_load_pathway_command_refuses_a_bad_definition_whole(pathway, tmp_path):
    data = json.loads(DEFAULT_PATHWAY.read_text(encoding="utf-8"))
    data["steps"][1]["target_days"] = "ten"
    data["steps"][2]["prerequisite_outcomes"] = {"reception_registration": ["approved"]}
    path = tmp_path / "pathway.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    with pytest.raises(CommandError) as refused:
        call_command("load_pathway", str(path))

    message = str(refused.value)
    assert "Step health_screening: “target_days” must be a whole number of 0 or more." in message
    assert "“approved” is not an outcome of “reception_registration”" in message
    assert list(Pathway.objects.all()) == [pathway]
