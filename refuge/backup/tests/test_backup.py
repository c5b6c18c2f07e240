"""Backups: encrypted, verified, refused when altered, restored only into an empty database."""

import os

import pytest
from django.core.management import CommandError, call_command

from refuge.backup.archive import BackupError, read_backup, restore, verify
from refuge.testing import build_world, register


@pytest.fixture
def backed_up(audit_flushable, tmp_path):
    world = build_world()
    register(world.shelter, world.user("clerk"))
    out = tmp_path / "refuge.backup"
    call_command("backup", "--out", str(out))
    return out


def test_a_backup_is_for_its_owner_only_and_verifies(backed_up):
    assert os.stat(backed_up).st_mode & 0o777 == 0o600
    manifest = verify(backed_up)
    assert manifest["row_counts"]["registry_person"] == 4
    assert manifest["row_counts"]["audit_auditentry"] > 0


def test_a_backup_holds_no_name_in_clear(backed_up):
    content = backed_up.read_bytes()
    for name in ("محمد".encode(), b"Mohammed", b"audit_auditentry", b"CREATE TABLE"):
        assert name not in content


def test_an_altered_backup_is_refused(backed_up):
    data = bytearray(backed_up.read_bytes())
    data[len(data) // 2] ^= 0x01
    backed_up.write_bytes(bytes(data))

    with pytest.raises(BackupError):
        verify(backed_up)


def test_a_cut_backup_is_refused(backed_up):
    data = backed_up.read_bytes()
    backed_up.write_bytes(data[: len(data) - 200])

    with pytest.raises(BackupError):
        verify(backed_up)


def test_a_backup_cannot_be_read_with_another_key(backed_up, settings):
    settings.BACKUP_KEYS = ["Tm9RZ0x6R2V3b2JxV3lKb3R4c2ZzQ1pQb3hYbWR2VXk="]

    with pytest.raises(BackupError, match="decrypted"):
        read_backup(backed_up)


def test_restore_refuses_a_database_that_is_not_empty(backed_up):
    with pytest.raises(BackupError, match="not empty"):
        restore(backed_up)
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(backed_up))
