"""Erasure as an intruder with the database would check it, on SQLite and on PostgreSQL: the
document number is never stored in clear; after the DPO approves, the database holds no name of
the person either; a backup taken before, once restored, loses her again (the erasure log is
replayed); and the audit chain verifies throughout. Real processes, as an operator runs them.

Her copies outside the registry are scanned too: the field import's submission (the form's
values, her passport number among them) and the tracing request that found her (the sought
person's description and a note naming her).

What is scanned: on SQLite the database files themselves (with the WAL); on PostgreSQL a plain
pg_dump of the database, every live row as a thief with a dump or a replica would read it."""

from pathlib import Path

import pytest

from tests.drills import base_environment, pg_dump_text, postgres_scratch_databases, run

NAMES = [b"Zubaydah", "زبيدة".encode(), b"Haddad", "حداد".encode()]
DOCUMENT = [b"N0097731"]
# Someone else's passport, registered at the desk.
OTHER_DOCUMENT = [b"K7713309"]
SEED = """
import django, sys; django.setup()
from datetime import date
from pathlib import Path
from refuge.fielddata import services as fielddata
from refuge.fielddata.kobo import (
    ExportedHousehold, household_values, member_values, write_kobo_xlsx)
from refuge.fielddata.readers import read_submissions
from refuge.registry.services import DocumentData
from refuge.testing import build_world, family_of_four, member, register
from refuge.tracing import services as tracing
from refuge.tracing.models import Candidate
from refuge.tracing.services import InquirerData, SoughtData
world = build_world()
family = family_of_four()
family[0].documents = [DocumentData(doc_type="passport", number="K7713309")]
register(world.perm, world.user("clerk_perm"), family)
# She was registered in the field: the import keeps its copy of what the form said.
zubaydah = member("زبيدة", "حداد", sex="f", latin=("Zubaydah", "Qasim", "Haddad"),
                  documents=[DocumentData(doc_type="passport", number="N0097731")])
export = write_kobo_xlsx(Path(sys.argv[1]), [ExportedHousehold(
    values=household_values(date(2026, 3, 2), ["registration"]),
    members=[member_values(zubaydah)])])
run = fielddata.start_run(site=world.perm, by=world.user("site_manager"), file_name="kobo.xlsx",
                          fmt="kobo_xlsx")
assert fielddata.run_import(run, read_submissions([export], "kobo_xlsx")).landed == 1
# Her brother looks for her from the shelter; she is found at Perm, and a note names her.
request = tracing.open_request(
    site=world.shelter, by=world.user("tracer_shelter"),
    inquirer=InquirerData(given_name="Samir", family_name="Nouri", sex="m", contact="tent 9"),
    sought=[SoughtData(given_name="Zubaydah", family_name="Haddad", relationship="sister",
                       sex="f", birth_date=date(1983, 4, 17))])
candidate = Candidate.objects.get(sought__request=request, person__given_name_lat="Zubaydah")
tracing.review_candidate(candidate=candidate, confirm=True, by=world.user("tracer"))
tracing.add_note(request=request, text="Zubaydah Haddad was seen at the station",
                 by=world.user("tracer_shelter"))
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
# Erased, she is still counted: her row (and its id, which the trail names) stays.
STILL_COUNTED = """
import django; django.setup()
from refuge.registry.models import Document, Person
print(Person.objects.count(), Document.objects.count())
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request, tmp_path):
    """(environment, what the database stores as bytes) for a source and a restored one."""
    base = base_environment(REFUGE_ERASURE_LOG=str(tmp_path / "erasures.jsonl"))
    folders = [tmp_path / "source", tmp_path / "restored"]
    if request.param == "sqlite":

        def stored(folder: Path):
            return lambda: b"".join(p.read_bytes() for p in folder.glob("refuge.sqlite3*"))

        return [({**base, "REFUGE_DATA_DIR": str(f)}, stored(f)) for f in folders]
    urls = postgres_scratch_databases("refuge_erasure_source", "refuge_erasure_restored")
    if urls is None:
        pytest.skip("DATABASE_URL names no PostgreSQL server")
    return [
        (
            {**base, "REFUGE_DATA_DIR": str(f), "DATABASE_URL": url},
            lambda url=url: pg_dump_text(url),
        )
        for f, url in zip(folders, urls, strict=True)
    ]


def _found(stored: bytes, secrets: list[bytes]) -> list[bytes]:
    return [s for s in secrets if s in stored]


def test_an_erased_person_is_gone_from_the_database_and_from_a_restored_older_backup(
    databases, tmp_path
):
    (source, source_bytes), (restored, restored_bytes) = databases
    older = tmp_path / "before-erasure.backup"
    run(source, "-m", "refuge.cli", "migrate", "-v0")
    run(source, "-c", SEED, str(tmp_path / "kobo.xlsx"))
    run(source, "-m", "refuge.cli", "backup", "--out", str(older))
    # Names are in clear until the erasure (Find searches them) in the registry and the
    # tracing request; a passport number never is, registered at the desk or in the field
    # (the submission's copy is encrypted like the registry's).
    assert _found(source_bytes(), NAMES) == NAMES
    assert _found(source_bytes(), DOCUMENT + OTHER_DOCUMENT) == []

    run(source, "-c", ERASE)

    assert _found(source_bytes(), NAMES + DOCUMENT) == []
    run(source, "-m", "refuge.cli", "verify_audit")
    assert run(source, "-c", STILL_COUNTED).stdout.split() == ["5", "1"]

    out = run(restored, "-m", "refuge.cli", "restore", str(older)).stdout

    assert "1 erasures replayed" in out
    assert _found(restored_bytes(), NAMES + DOCUMENT) == []
    run(restored, "-m", "refuge.cli", "verify_audit")
    assert run(restored, "-c", STILL_COUNTED).stdout.split() == ["5", "1"]
