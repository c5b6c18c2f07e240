"""No name in clear in the trail: what was searched or changed is sealed, and only the data
protection officer opens it, with a reason that is itself audited."""

import pytest
from django.db import connection
from django.urls import reverse

from refuge.audit.models import Action, AuditEntry
from refuge.audit.services import record, unsealed
from refuge.reception.services import update_person
from refuge.testing import register


def _trail_as_stored() -> str:
    """Every column of every audit row, as someone with a copy of the database reads it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM audit_auditentry")
        return "\n".join(" ".join(str(value) for value in row) for row in cursor.fetchall())


def test_a_search_by_name_leaves_no_name_in_clear(world, client):
    household = register(world.shelter, world.user("clerk"))
    client.force_login(world.user("clerk"))

    client.post(reverse("registry:search"), {"q": "محمد"})
    client.post(reverse("registry:search"), {"q": household.members.first().given_name_lat})

    stored = _trail_as_stored()
    assert "محمد" not in stored
    assert household.members.first().given_name_lat not in stored
    searches = AuditEntry.objects.filter(action=Action.SEARCH)
    assert [unsealed(e)["query"] for e in searches] == [
        "محمد",
        household.members.first().given_name_lat,
    ]
    # Which people were shown stays readable by id, for an investigation without the key.
    assert searches[0].detail["results"]


def test_a_change_keeps_which_fields_changed_in_clear_and_the_values_sealed(world):
    person = register(world.shelter, world.user("clerk")).members.first()

    update_person(person=person, changes={"given_name_cyr": "Мухаммед"}, by=world.user("clerk"))

    entry = AuditEntry.objects.filter(action=Action.CHANGE).get()
    assert entry.detail == {"fields": ["given_name_cyr"]}
    assert "Мухаммед" not in _trail_as_stored()
    assert unsealed(entry)["changes"]["given_name_cyr"][1] == "Мухаммед"


def test_a_detail_under_a_new_key_is_sealed_by_default(world):
    record(
        actor=world.user("clerk"),
        action=Action.SEARCH,
        object_type="identity.instant_check",
        detail={"names": {"given_name_ar": "خالد"}, "shown": [1, 2], "whatever": "Халид"},
    )

    stored = _trail_as_stored()
    assert "خالد" not in stored and "Халид" not in stored
    assert AuditEntry.objects.get(object_type="identity.instant_check").detail == {"shown": [1, 2]}


def _sealed_entry(world):
    return record(
        actor=world.user("clerk"),
        action=Action.SEARCH,
        object_type="registry.search",
        detail={"query": "Hasan"},
    )


def test_the_dpo_opens_sealed_detail_with_a_reason_and_that_is_audited(world, client):
    entry = _sealed_entry(world)
    client.force_login(world.user("dpo"))
    url = reverse("audit:entry", args=[entry.seq])

    assert "Hasan" not in client.get(url).content.decode()
    refused = client.post(url, {"reason": ""})
    assert "Hasan" not in refused.content.decode()

    page = client.post(url, {"reason": "Complaint 2026-14 about searches"}).content.decode()

    assert "Hasan" in page
    disclosure = AuditEntry.objects.filter(action=Action.DISCLOSE).get()
    assert disclosure.object_id == str(entry.seq)
    assert unsealed(disclosure)["reason"] == "Complaint 2026-14 about searches"


@pytest.mark.parametrize("role", ["admin"])
def test_an_administrator_cannot_open_sealed_detail(world, client, role):
    entry = _sealed_entry(world)
    client.force_login(world.user(role))

    response = client.post(reverse("audit:entry", args=[entry.seq]), {"reason": "curious"})

    assert response.status_code == 403
    assert AuditEntry.objects.filter(action=Action.DENIED, object_id=str(entry.seq)).exists()
    assert not AuditEntry.objects.filter(action=Action.DISCLOSE).exists()
