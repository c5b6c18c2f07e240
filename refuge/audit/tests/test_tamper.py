"""The attacks of issue 16 on the trail, each as its attacker would try it."""

import hashlib
import json
import os

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from refuge.audit import triggers
from refuge.audit.models import AuditEntry, ChainHead
from refuge.audit.services import (
    CheckpointError,
    load_checkpoint,
    make_checkpoint,
    record,
    verify_chain,
)
from refuge.testing import register

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's"
)


def _plain_sha256(entry: AuditEntry) -> str:
    """The chain's hash as it was before it was keyed: anyone could recompute it."""
    payload = {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor_id": entry.actor_id,
        "actor": entry.actor_username,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "site_id": entry.site_id,
        "detail": entry.detail,
        "sealed": entry.sealed,
        "prev": entry.prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _delete_and_rehash(where: str, params: list, hasher) -> None:
    """Lift the triggers, delete some entries, renumber and rehash what is left, move the head
    to the new end, and put the triggers back: a rewrite that leaves no gap."""
    triggers.remove(connection)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM audit_auditentry WHERE {where}", params)
    prev = "0" * 64
    survivors = list(AuditEntry.objects.order_by("seq"))
    with connection.cursor() as cursor:
        for seq, entry in enumerate(survivors, start=1):
            entry.seq, entry.prev_hash = seq, prev
            entry.hash = prev = hasher(entry)
            cursor.execute(
                "UPDATE audit_auditentry SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [entry.seq, entry.prev_hash, entry.hash, entry.pk],
            )
        cursor.execute(
            "UPDATE audit_chainhead SET last_seq = %s, last_hash = %s",
            [len(survivors), prev],
        )
    triggers.install(connection)


def _views_of_one_person(world, client):
    household = register(world.shelter, world.user("clerk"))
    person = household.members.first()
    client.force_login(world.user("clerk"))
    for _ in range(3):
        client.get(reverse("registry:person", args=[person.pk]))
    record(actor=world.user("clerk"), action="view", object_type="x", object_id="after")
    return person


@postgresql_only
def test_truncate_of_the_trail_or_its_head_is_refused(world):
    register(world.shelter, world.user("clerk"))
    count = AuditEntry.objects.count()

    for table in ("audit_auditentry", "audit_chainhead"):
        with pytest.raises(DatabaseError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {table}")

    assert AuditEntry.objects.count() == count
    assert verify_chain().checked == count


def test_deleting_every_entry_at_once_is_refused(world):
    register(world.shelter, world.user("clerk"))

    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditentry")

    assert verify_chain().intact


def test_the_chain_head_cannot_be_rewound_or_removed(world):
    register(world.shelter, world.user("clerk"))

    for sql in (
        "UPDATE audit_chainhead SET last_seq = 0",
        "DELETE FROM audit_chainhead",
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql)

    assert ChainHead.objects.get().last_seq == AuditEntry.objects.count()


def test_deleting_a_persons_views_and_rehashing_without_the_key_is_detected(world, client):
    person = _views_of_one_person(world, client)

    _delete_and_rehash(
        "object_type = 'registry.person' AND object_id = %s AND action = 'view'",
        [str(person.pk)],
        _plain_sha256,
    )

    report = verify_chain()
    assert not report.intact
    assert report.first_broken_seq == 1
    assert report.problem == "content does not match its hash"


def test_the_chain_does_not_verify_under_another_key(world, settings):
    register(world.shelter, world.user("clerk"))

    settings.AUDIT_CHAIN_KEY = "a-key-the-attacker-chose-for-his-rewrite"

    assert not verify_chain().intact


def test_a_rewrite_by_someone_holding_the_key_is_caught_by_the_checkpoint(world, client):
    person = _views_of_one_person(world, client)
    checkpoint = make_checkpoint()

    _delete_and_rehash(
        "object_type = 'registry.person' AND object_id = %s AND action = 'view'",
        [str(person.pk)],
        lambda entry: entry.compute_hash(),
    )

    # The rewrite is internally consistent: only the checkpoint kept elsewhere can tell.
    assert verify_chain().intact
    report = verify_chain(checkpoints=[checkpoint])
    assert not report.intact
    assert "checkpoint" in report.problem


def test_an_emptied_trail_with_a_reset_head_fails_against_the_checkpoint(world, tmp_path):
    register(world.shelter, world.user("clerk"))
    out = tmp_path / "checkpoint.json"
    call_command("audit", "anchor", "--out", str(out))
    assert os.stat(out).st_mode & 0o777 == 0o600

    _delete_and_rehash("1 = 1", [], lambda entry: entry.compute_hash())

    assert verify_chain().checked == 0  # what the attack got: "intact: 0 entries"
    with pytest.raises(CommandError, match="missing"):
        call_command("verify_audit", "--checkpoint", str(out))


def test_an_untouched_trail_verifies_against_its_checkpoint(world, tmp_path, capsys):
    register(world.shelter, world.user("clerk"))
    out = tmp_path / "checkpoint.json"
    call_command("audit", "anchor", "--out", str(out))
    register(world.shelter, world.user("clerk"))  # the trail goes on growing after it

    call_command("verify_audit", "--checkpoint", str(out))

    seq = json.loads(out.read_text())["seq"]
    assert f"Checkpoints hold up to entry #{seq}" in capsys.readouterr().out


def test_an_altered_checkpoint_is_refused(world):
    register(world.shelter, world.user("clerk"))
    checkpoint = make_checkpoint()
    checkpoint["seq"] -= 1  # claim to vouch for less than it does

    with pytest.raises(CheckpointError, match="signature"):
        load_checkpoint(json.dumps(checkpoint))
    with pytest.raises(CheckpointError):
        load_checkpoint("not json")


def test_an_entry_has_a_bounded_size(world, settings):
    settings.AUDIT_DETAIL_MAX_BYTES = 2048

    entry = record(
        actor=world.user("clerk"),
        action="search",
        object_type="registry.person" * 20,
        object_id="9" * 500,
        detail={"query": "ا" * 100_000, "page": 1},
    )

    stored = AuditEntry.objects.get(pk=entry.pk)
    assert len(stored.object_type) <= 64 and len(stored.object_id) <= 64
    # Fernet adds about a third to the plaintext it seals.
    assert len(stored.sealed) < 2 * settings.AUDIT_DETAIL_MAX_BYTES
    assert len(json.dumps(stored.detail)) <= settings.AUDIT_DETAIL_MAX_BYTES
    assert verify_chain().intact
