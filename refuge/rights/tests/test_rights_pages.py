"""The data subject's rights as pages: a correction made at the person's request, recorded with
what they asked and audited; an erasure asked for by a site manager and decided by the data
protection officer on their list, each step audited."""

import pytest
from django.urls import reverse

from refuge.audit.models import AuditEntry
from refuge.audit.services import unsealed, verify_chain
from refuge.registry.models import Document, Person
from refuge.registry.services import DocumentData
from refuge.rights.models import Correction, Erasure
from refuge.rights.services import correct_at_request, request_erasure
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
                latin=("Zubaydah", "Qasim", "Hadad"),
                documents=[DocumentData(doc_type="passport", number="N0097731")],
            )
        ],
    )
    return household.members.get()


def _correction_form(person, **changes) -> dict:
    data = {
        "given_name_ar": person.given_name_ar,
        "father_name_ar": person.father_name_ar,
        "family_name_ar": person.family_name_ar,
        "given_name_lat": person.given_name_lat,
        "father_name_lat": person.father_name_lat,
        "family_name_lat": person.family_name_lat,
        "relationship": person.relationship,
        "sex": person.sex,
        "birth_date_text": person.birth_date.isoformat(),
        "request": "Her family name is Haddad, with two d's, as in her passport.",
    }
    return {**data, **changes}


def test_a_correction_at_the_persons_request_is_saved_with_the_request(world, zubaydah, client):
    client.force_login(world.user("caseworker"))
    url = reverse("rights:correction", args=[zubaydah.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, _correction_form(zubaydah, family_name_lat="Haddad"))

    assert response.status_code == 302
    assert Person.objects.get(pk=zubaydah.pk).family_name_lat == "Haddad"
    correction = Correction.objects.get()
    assert correction.fields == ["family_name_lat"] and "two d's" in correction.request
    entry = AuditEntry.objects.get(object_type="rights.correction")
    assert entry.detail == {"person": zubaydah.pk, "fields": ["family_name_lat"]}
    assert "Haddad" not in str(entry.detail) and "two d's" in unsealed(entry)["request"]
    # The change itself is audited by the edit door, old and new values sealed.
    change = AuditEntry.objects.filter(object_type="registry.person", action="change").get()
    assert unsealed(change)["changes"]["family_name_lat"] == ["Hadad", "Haddad"]
    page = client.get(reverse("registry:person", args=[zubaydah.pk])).content.decode()
    assert "Corrected at the person's request" in page and "two d&#x27;s" in page


def test_a_correction_without_the_persons_request_or_without_a_change_is_refused(
    world, zubaydah, client
):
    client.force_login(world.user("caseworker"))
    url = reverse("rights:correction", args=[zubaydah.pk])

    no_request = client.post(url, _correction_form(zubaydah, family_name_lat="X", request=""))
    no_change = client.post(url, _correction_form(zubaydah))

    assert no_request.status_code == no_change.status_code == 200
    assert "What the person asked to be corrected" in no_request.content.decode()
    assert "Nothing was corrected" in no_change.content.decode()
    assert Person.objects.get(pk=zubaydah.pk).family_name_lat == "Hadad"
    assert not Correction.objects.exists()


def test_a_correction_is_refused_to_whoever_may_not_edit_the_person(world, zubaydah):
    from django.core.exceptions import PermissionDenied

    for outsider in ("clerk", "medical", "observer", "dpo"):
        with pytest.raises(PermissionDenied):
            correct_at_request(
                person=zubaydah,
                changes={"family_name_lat": "Haddad"},
                request="asked in person",
                by=world.user(outsider),
            )
    assert not Correction.objects.exists()


def test_an_erasure_asked_for_by_the_manager_is_decided_by_the_dpo_on_their_list(
    world, zubaydah, client
):
    client.force_login(world.user("manager"))
    asked = client.post(
        reverse("rights:erasure_request", args=[zubaydah.pk]),
        {"reason": "She asked in writing on 30 November."},
    )
    assert asked.status_code == 302
    erasure = Erasure.objects.get()
    assert erasure.status == Erasure.Status.PENDING
    page = client.get(reverse("rights:erasure_request", args=[zubaydah.pk])).content.decode()
    assert "Zubaydah" not in page and "waiting for the DPO" in page

    client.force_login(world.user("dpo"))
    listed = client.get(reverse("rights:erasures")).content.decode()
    assert "She asked in writing" in listed and "Zubaydah" not in listed
    decided = client.post(
        reverse("rights:erasures"), {"erasure": erasure.pk, "decision": "approve"}
    )

    assert decided.status_code == 302
    assert Erasure.objects.get().status == Erasure.Status.ERASED
    assert Person.objects.get(pk=zubaydah.pk).given_name_lat == ""
    assert not Document.objects.exists()
    trail = AuditEntry.objects.filter(object_type="rights.erasure")
    assert list(trail.values_list("actor_username", "action").order_by("seq")) == [
        ("manager", "create"),
        ("dpo", "view"),  # the list
        ("dpo", "view"),  # the list again, to find the request decided
        ("dpo", "delete"),
    ]
    assert verify_chain().intact


def test_the_dpo_refuses_an_erasure_and_the_person_stays(world, zubaydah, client):
    erasure = request_erasure(person=zubaydah, reason="Asked by phone", by=world.user("manager"))
    client.force_login(world.user("dpo"))

    client.post(reverse("rights:erasures"), {"erasure": erasure.pk, "decision": "refuse"})

    assert Erasure.objects.get().status == Erasure.Status.REFUSED
    assert Person.objects.get(pk=zubaydah.pk).given_name_lat == "Zubaydah"


def test_the_dpo_cannot_decide_their_own_request_from_the_list(world, zubaydah, client):
    erasure = request_erasure(person=zubaydah, reason="Asked by phone", by=world.user("dpo"))
    client.force_login(world.user("dpo"))

    listed = client.get(reverse("rights:erasures")).content.decode()
    refused = client.post(
        reverse("rights:erasures"), {"erasure": erasure.pk, "decision": "approve"}
    )

    assert 'value="approve"' not in listed
    assert refused.status_code == 403
    assert Erasure.objects.get().status == Erasure.Status.PENDING


def test_a_second_request_while_one_waits_is_refused_by_field(world, zubaydah, client):
    request_erasure(person=zubaydah, reason="Asked by phone", by=world.user("manager"))
    client.force_login(world.user("admin"))

    again = client.post(
        reverse("rights:erasure_request", args=[zubaydah.pk]), {"reason": "Asked again"}
    )

    assert again.status_code == 200
    assert "already waiting for the DPO" in again.content.decode()
    assert Erasure.objects.count() == 1


def test_only_the_dpo_opens_the_erasure_requests(world, client):
    for role in ("manager", "admin", "caseworker", "observer"):
        client.force_login(world.user(role))
        assert client.get(reverse("rights:erasures")).status_code == 403


def test_the_persons_export_lists_the_corrections_they_asked_for(world, zubaydah):
    from refuge.rights.export import subject_export

    correct_at_request(
        person=zubaydah,
        changes={"family_name_lat": "Haddad"},
        request="Two d's, as in her passport",
        by=world.user("caseworker"),
    )

    record = subject_export(person=zubaydah, by=world.user("dpo"))

    assert [c["fields"] for c in record["corrections"]] == [["family_name_lat"]]
    assert record["corrections"][0]["request"] == "Two d's, as in her passport"
