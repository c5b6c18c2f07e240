import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from refuge.audit import triggers
from refuge.audit.models import AuditEntry
from refuge.audit.services import record, verify_chain
from refuge.testing import register


def _tamper(sql: str, params: list) -> None:
    """What an intruder with database access would do: lift the guard, edit, put it back."""
    triggers.remove(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    triggers.install(connection)


def test_an_untouched_chain_verifies(world):
    register(world.shelter, world.user("clerk"))

    report = verify_chain()

    assert report.intact
    assert report.checked == AuditEntry.objects.count() > 0


def test_each_entry_carries_the_hash_of_the_previous_one(world):
    first = record(actor=world.user("clerk"), action="view", object_type="x", object_id="1")
    second = record(actor=world.user("clerk"), action="view", object_type="x", object_id="2")

    assert second.prev_hash == first.hash
    assert second.seq == first.seq + 1


def test_a_tampered_entry_is_detected_at_its_own_link(world):
    register(world.shelter, world.user("clerk"))
    victim = AuditEntry.objects.order_by("seq")[3]

    _tamper(
        "UPDATE audit_auditentry SET actor_username = %s WHERE seq = %s",
        ["someone-else", victim.seq],
    )

    report = verify_chain()
    assert not report.intact
    assert report.first_broken_seq == victim.seq


def test_a_deleted_entry_is_detected(world):
    register(world.shelter, world.user("clerk"))
    victim = AuditEntry.objects.order_by("seq")[2]

    _tamper("DELETE FROM audit_auditentry WHERE seq = %s", [victim.seq])

    assert verify_chain().first_broken_seq == victim.seq


def test_the_database_refuses_to_update_or_delete_entries(world):
    entry = record(actor=world.user("clerk"), action="view", object_type="x", object_id="1")

    for sql in (
        "UPDATE audit_auditentry SET action = 'x' WHERE seq = %s",
        "DELETE FROM audit_auditentry WHERE seq = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [entry.seq])
    assert AuditEntry.objects.get(seq=entry.seq).action == "view"


def test_the_model_refuses_to_save_an_existing_entry(world):
    entry = record(actor=world.user("clerk"), action="view", object_type="x", object_id="1")
    entry.action = "delete"

    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()


def test_verify_command_names_the_first_broken_link(world):
    register(world.shelter, world.user("clerk"))
    call_command("verify_audit")  # intact: no error
    _tamper("UPDATE audit_auditentry SET detail = %s WHERE seq = %s", ['{"x": 1}', 5])

    with pytest.raises(CommandError, match="#5"):
        call_command("verify_audit")


def test_admin_cannot_change_audit_entries(world, client):
    entry = record(actor=world.user("clerk"), action="view", object_type="x", object_id="1")
    client.force_login(world.user("admin"))

    response = client.post(f"/admin/audit/auditentry/{entry.pk}/change/", {"action": "delete"})

    assert response.status_code in (302, 403, 200)
    assert AuditEntry.objects.get(pk=entry.pk).action == "view"
    assert client.get("/admin/audit/auditentry/add/").status_code == 403
