"""Erasure with the DPO's approval: the person becomes unreadable everywhere, the audit chain
still verifies, and the trail names them by id only."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from refuge.audit.models import AuditEntry
from refuge.audit.services import verify_chain
from refuge.registry.models import Document, Person
from refuge.registry.services import DocumentData
from refuge.rights.models import Erasure
from refuge.rights.services import decide_erasure, request_erasure
from refuge.testing import member, register


@pytest.fixture
def zubaydah(world):
    household = register(
        world.perm,
        world.user("clerk_perm"),
        [
            member(
                "زبيدة",
                "حداد",
                sex="f",
                latin=("Zubaydah", "Qasim", "Haddad"),
                documents=[DocumentData(doc_type="passport", number="N0097731")],
            )
        ],
    )
    return household.members.get()


def test_only_the_dpo_erases_and_not_on_their_own_request(world, zubaydah):
    erasure = request_erasure(
        person=zubaydah, reason="She asked in writing, 2026-11-30", by=world.user("manager")
    )

    for someone in ("manager", "admin"):
        with pytest.raises(PermissionDenied):
            decide_erasure(erasure=erasure, approve=True, by=world.user(someone))
    # (A second request for Zubaydah would wait behind the first: the DPO's is for another.)
    someone_else = register(world.perm, world.user("clerk_perm")).members.first()
    own = request_erasure(person=someone_else, reason="Asked by phone", by=world.user("dpo"))
    with pytest.raises(PermissionDenied):
        decide_erasure(erasure=own, approve=True, by=world.user("dpo"))
    assert Person.objects.get(pk=zubaydah.pk).given_name_lat == "Zubaydah"


def test_an_approved_erasure_leaves_nothing_readable_and_the_chain_intact(world, zubaydah):
    erasure = request_erasure(
        person=zubaydah, reason="Her written request", by=world.user("manager")
    )

    decide_erasure(erasure=erasure, approve=True, by=world.user("dpo"))

    person = Person.objects.get(pk=zubaydah.pk)
    assert person.given_name_lat == person.family_name_ar == "" and person.birth_date is None
    assert not Document.objects.filter(person_id=person.pk).exists()
    assert not person.name_tokens.exists() and not person.keys.exists()
    assert Erasure.objects.get().status == Erasure.Status.ERASED
    assert verify_chain().intact
    assert AuditEntry.objects.filter(action="delete", object_type="rights.erasure").exists()


def _erase(world, person):
    erasure = request_erasure(person=person, reason="Asked in writing", by=world.user("manager"))
    decide_erasure(erasure=erasure, approve=True, by=world.user("dpo"))


def test_erasure_empties_the_person_in_the_field_submission_and_its_waiting_edit(world, tmp_path):
    from refuge.fielddata import services as fielddata
    from refuge.fielddata.models import FieldSubmission, SubmissionEdit
    from refuge.fielddata.tests.factories import exported, land_kobo

    def land(households, name):
        return land_kobo(world, tmp_path, households, name)

    family = exported()
    land([family], "first.xlsx")
    family.members[2]["given_name_lat"] = "Aly"
    family.values["phone"] = "+79120000000"
    land([family], "edited.xlsx")
    submission = FieldSubmission.objects.get()
    son = Person.objects.get(pk=submission.people[2])

    _erase(world, son)

    submission.refresh_from_db()
    edit = SubmissionEdit.objects.get()
    assert submission.content["members"][2] == edit.content["members"][2] == {}
    assert submission.content["members"][0]["given_name_lat"] == "Mohammed"
    assert edit.changes["members"] == []  # the son's new name was his alone
    # The rest of the edit can still be accepted; the erased son stays erased.
    assert fielddata.accept_edit(edit=edit, by=world.user("site_manager")).status == "accepted"
    son.refresh_from_db()
    assert son.given_name_lat == ""
    assert verify_chain().intact


def test_erasure_forgets_the_person_as_sought_and_as_inquirer(world):
    from refuge.testing import family_of_four
    from refuge.tracing import services as tracing
    from refuge.tracing.models import (
        Candidate,
        SoughtPerson,
        TraceStatus,
        TracingKey,
        TracingNote,
        TracingRequest,
    )
    from refuge.tracing.services import InquirerData, SoughtData

    household = register(world.perm, world.user("clerk_perm"), family_of_four())
    son = household.members.get(relationship="son")
    mother = household.members.get(relationship="spouse")
    sought_son = tracing.open_request(
        site=world.shelter,
        inquirer=InquirerData(given_name="Layla", family_name="Hassan", sex="f", contact="tent 4"),
        sought=[
            SoughtData(
                given_name="Али",
                family_name="Хасан",
                relationship="son",
                sex="m",
                birth_date=date(2012, 1, 1),
            )
        ],
        by=world.user("tracer_shelter"),
    )
    candidate = Candidate.objects.get(sought__request=sought_son, person=son)
    tracing.review_candidate(candidate=candidate, confirm=True, by=world.user("tracer"))
    tracing.add_note(
        request=sought_son, text="Ali was seen in Perm", by=world.user("tracer_shelter")
    )
    by_mother = tracing.open_request(
        site=world.perm,
        inquirer=InquirerData(given_name="", sex="f", contact="room 12", person=mother),
        sought=[SoughtData(given_name="Yusuf", family_name="Deeb", relationship="father")],
        by=world.user("tracer"),
    )

    _erase(world, son)
    _erase(world, mother)

    assert not Candidate.objects.filter(person__in=[son, mother]).exists()
    sought = SoughtPerson.objects.get(request=sought_son)
    assert (sought.given_name, sought.family_name, sought.status) == (
        "",
        "",
        TraceStatus.CONFIRMED,
    )
    assert not TracingKey.objects.filter(request__in=[sought_son, by_mother]).exists()
    assert not TracingNote.objects.exists()
    asked = TracingRequest.objects.get(pk=by_mother.pk)
    assert asked.closed_on is not None and asked.inquirer_given_name == asked.inquirer_contact == ""
    assert SoughtPerson.objects.get(request=by_mother).given_name == ""
    assert verify_chain().intact
