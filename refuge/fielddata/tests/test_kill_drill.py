"""`kill -9` in the middle of an import: a real `refuge import` process, killed once some
households have landed, leaves no household half-written, and running the same file again
completes it (on SQLite, and on PostgreSQL when DATABASE_URL names a server)."""

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

from refuge.demo.field_export import write_sample_export

ROOT = Path(__file__).resolve().parents[3]
# The figure; REFUGE_KILL_DRILL_HOUSEHOLDS makes it smaller while developing.
HOUSEHOLDS = int(os.environ.get("REFUGE_KILL_DRILL_HOUSEHOLDS", "1000"))
SEED = """
import django; django.setup()
from refuge.testing import build_world
build_world()
"""
STATE = """
import django, json; django.setup()
from refuge.audit.services import verify_chain
from refuge.fielddata.models import FieldSubmission
from refuge.registry.models import Household, Person
whole = all(
    s.household.members.count() == len(s.content["members"])
    for s in FieldSubmission.objects.select_related("household")
)
print(json.dumps({
    "submissions": FieldSubmission.objects.count(),
    "households": Household.objects.count(),
    "people": Person.objects.count(),
    "orphans": Person.objects.filter(household__field_submissions__isnull=True).count(),
    "whole": whole,
    "chain": verify_chain().intact,
}))
"""


def _postgres_url():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return None
    import psycopg

    parts = urllib.parse.urlsplit(url)
    with psycopg.connect(
        urllib.parse.urlunsplit(parts._replace(path="/postgres")), autocommit=True
    ) as admin:
        admin.execute("DROP DATABASE IF EXISTS refuge_import_drill")
        admin.execute("CREATE DATABASE refuge_import_drill")
    return urllib.parse.urlunsplit(parts._replace(path="/refuge_import_drill"))


@pytest.fixture(params=["sqlite", "postgresql"])
def drill_env(request, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="refuge.settings", PYTHONPATH=str(ROOT))
    env["REFUGE_DATA_DIR"] = str(tmp_path / "data")
    if request.param == "postgresql":
        url = _postgres_url()
        if url is None:
            pytest.skip("DATABASE_URL names no PostgreSQL server")
        env["DATABASE_URL"] = url
    return env


def _refuge(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "refuge.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _python(env, code):
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout


def _landed(env) -> int:
    if "DATABASE_URL" in env:
        import psycopg

        with psycopg.connect(env["DATABASE_URL"]) as conn:
            return conn.execute("SELECT count(*) FROM fielddata_fieldsubmission").fetchone()[0]
    path = Path(env["REFUGE_DATA_DIR"]) / "refuge.sqlite3"
    with sqlite3.connect(path, timeout=20) as conn:
        return conn.execute("SELECT count(*) FROM fielddata_fieldsubmission").fetchone()[0]


def test_kill_9_mid_import_leaves_whole_households_and_a_rerun_completes(drill_env, tmp_path):
    _refuge(drill_env, "migrate", "--verbosity", "0")
    _python(drill_env, SEED)
    export = write_sample_export(tmp_path / "export.xlsx", HOUSEHOLDS, seed=7)
    command = [sys.executable, "-m", "refuge.cli", "import", str(export)]
    command += ["--site", "PRM1", "--by", "manager", "--quiet"]

    process = subprocess.Popen(command, cwd=ROOT, env=drill_env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    while _landed(drill_env) < 10:
        assert process.poll() is None, "the import ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.2)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()

    state = json.loads(_python(drill_env, STATE))
    assert 10 <= state["submissions"] < HOUSEHOLDS
    assert state["households"] == state["submissions"]
    assert state["whole"] and state["orphans"] == 0 and state["chain"]

    output = _refuge(drill_env, *command[3:])

    registered, already = map(int, re.search(r"(\d+) registered, (\d+) already", output).groups())
    assert registered + already == HOUSEHOLDS
    assert already == state["submissions"]
    final = json.loads(_python(drill_env, STATE))
    assert final["submissions"] == final["households"] == HOUSEHOLDS
    assert final["whole"] and final["orphans"] == 0 and final["chain"]
