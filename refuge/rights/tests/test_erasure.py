"""Erasure with the DPO's approval: the person becomes unreadable everywhere, the audit chain
still verifies, and the trail names them by id only."""

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
