"""The restore drill: back up while clerks keep registering, restore into an empty database,
and check the row counts, the audit triggers and the audit chain (on SQLite, and on PostgreSQL
when DATABASE_URL names one). Real processes, as an operator would run them."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.drills import postgres_scratch_databases

ROOT = Path(__file__).resolve().parent.parent
SEED = """
import django; django.setup()
from refuge.testing import build_world, register
world = build_world()
for _ in range(5):
    register(world.shelter, world.user("clerk"))
"""
WRITER = """
import django; django.setup()
from refuge.accounts.models import User
from refuge.sites.models import Site
from refuge.testing import register
site, clerk = Site.objects.get(code="HMM"), User.objects.get(username="clerk")
for _ in range(15):
    register(site, clerk)
"""
COUNTS = """
import django, json; django.setup()
from refuge.audit.services import verify_chain
from refuge.registry.models import Person
print(json.dumps({"people": Person.objects.count(), "chain": verify_chain().intact}))
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def two_databases(request, tmp_path):
    """Environments for a source database and an empty one to restore into."""
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    base.update(DJANGO_SETTINGS_MODULE="refuge.settings", PYTHONPATH=str(ROOT))
    if request.param == "sqlite":
        return [
            {**base, "REFUGE_DATA_DIR": str(tmp_path / "source")},
            {**base, "REFUGE_DATA_DIR": str(tmp_path / "restored")},
        ]
    urls = postgres_scratch_databases("refuge_drill_source", "refuge_drill_restored")
    if urls is None:
        pytest.skip("DATABASE_URL names no PostgreSQL server")
    return [
        {**base, "REFUGE_DATA_DIR": str(tmp_path / "source"), "DATABASE_URL": urls[0]},
        {**base, "REFUGE_DATA_DIR": str(tmp_path / "restored"), "DATABASE_URL": urls[1]},
    ]


def _refuge(env, *args, check=True):
    result = subprocess.run(
        [sys.executable, "-m", "refuge.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def _python(env, code):
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_backup_under_concurrent_writes_restores_whole(two_databases, tmp_path):
    source, restored = two_databases
    backup_file = tmp_path / "drill.backup"
    _refuge(source, "migrate", "-v0")
    _python(source, SEED)

    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER],
        cwd=ROOT,
        env=source,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        backed_up = _refuge(source, "backup", "--out", str(backup_file))
    finally:
        _, errors = writer.communicate(timeout=600)
    assert writer.returncode == 0, errors
    assert "verified" in backed_up.stdout

    result = _refuge(restored, "restore", str(backup_file))

    assert "row counts, audit triggers and audit chain verified" in result.stdout
    after = json.loads(_python(restored, COUNTS))
    total = json.loads(_python(source, COUNTS))
    # A consistent moment between the seed (20 people) and the writer's end.
    assert 20 <= after["people"] <= total["people"] == 20 + 15 * 4
    assert after["chain"] and total["chain"]
    _refuge(restored, "verify_audit")
    # ...and the restored trail still refuses to be emptied.
    refused = _python(
        restored,
        "import django; django.setup()\n"
        "from django.db import connection, DatabaseError\n"
        "try:\n"
        "    connection.cursor().execute('DELETE FROM audit_auditentry')\n"
        "    print('deleted')\n"
        "except DatabaseError:\n"
        "    print('refused')\n",
    )
    assert refused.strip() == "refused"
