"""Erasure as an intruder with the database file would check it: after the DPO approves, the
file holds no name or document number of the person in clear; a backup taken before, once
restored, loses her again from the erasure log; and the audit chain verifies throughout."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRETS = [b"Zubaydah", "زبيدة".encode(), b"N0097731", b"Haddad", "حداد".encode()]
SEED = """
import django; django.setup()
from refuge.registry.services import DocumentData
from refuge.testing import build_world, member, register
world = build_world()
register(world.perm, world.user("clerk_perm"))
register(world.perm, world.user("clerk_perm"), [member(
    "زبيدة", "حداد", sex="f", latin=("Zubaydah", "Qasim", "Haddad"),
    documents=[DocumentData(doc_type="passport", number="N0097731")])])
"""
ERASE = """
import django; django.setup()
from refuge.accounts.models import User
from refuge.registry.models import Person
from refuge.rights.services import decide_erasure, request_erasure
person = Person.objects.get(given_name_lat="Zubaydah")
erasure = request_erasure(person=person, reason="Her written request",
                          by=User.objects.get(username="manager"))
decide_erasure(erasure=erasure, approve=True, by=User.objects.get(username="dpo"))
"""


def _run(env, *args):
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _database_files(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.glob("refuge.sqlite3*"))


def test_an_erased_person_is_gone_from_the_file_and_from_a_restored_older_backup(tmp_path):
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    base.update(
        DJANGO_SETTINGS_MODULE="refuge.settings",
        PYTHONPATH=str(ROOT),
        REFUGE_ERASURE_LOG=str(tmp_path / "erasures.jsonl"),
    )
    source = {**base, "REFUGE_DATA_DIR": str(tmp_path / "source")}
    restored = {**base, "REFUGE_DATA_DIR": str(tmp_path / "restored")}
    older = tmp_path / "before-erasure.backup"
    _run(source, "-m", "refuge.cli", "migrate", "-v0")
    _run(source, "-c", SEED)
    _run(source, "-m", "refuge.cli", "backup", "--out", str(older))
    assert all(secret in _database_files(tmp_path / "source") for secret in SECRETS[:3])

    _run(source, "-c", ERASE)

    content = _database_files(tmp_path / "source")
    assert [s for s in SECRETS if s in content] == []
    _run(source, "-m", "refuge.cli", "verify_audit")

    out = _run(restored, "-m", "refuge.cli", "restore", str(older))

    assert "1 erasures replayed" in out
    assert [s for s in SECRETS if s in _database_files(tmp_path / "restored")] == []
    _run(restored, "-m", "refuge.cli", "verify_audit")
