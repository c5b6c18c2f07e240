"""Document numbers, contact phones, step evidence and attachment file names are encrypted at
rest; document numbers are still found, however typed, through their blind index; rows written
before the encryption are encrypted by the data migration; and the keys rotate."""

import importlib
import json
import os
import tempfile
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from refuge.casework.models import Attachment, StepProgress, StepStatus
from refuge.casework.rules import StepUpdate
from refuge.casework.services import add_attachment, update_step
from refuge.fielddata.models import FieldSubmission, ImportFormat
from refuge.identity.models import PersonKey
from refuge.identity.records import indexed_keys
from refuge.identity.selectors import instant_check
from refuge.matching.records import PersonRecord
from refuge.registry.models import Document, Household
from refuge.registry.selectors import find_people
from refuge.registry.services import DocumentData
from refuge.testing import member, register

NUMBER, TYPED = "HMM000305", "hmm-000 305"
PHONE = "+7 912 345-67-89"
SNILS, INN = "112-233-445 95", "590412345678"
FILE_NAME = "Zubaydah-Haddad-passport-scan.pdf"
PDF = b"%PDF-1.4\n" + b"scan " * 50
SECRETS = [NUMBER, "HMM-000305", PHONE, "9123456789", SNILS, "11223344595", INN, FILE_NAME]


@pytest.fixture
def household(world):
    return register(
        world.perm,
        world.user("clerk_perm"),
        [
            member(
                "زبيدة",
                "حداد",
                sex="f",
                latin=("Zubaydah", "Qasim", "Haddad"),
                documents=[DocumentData(doc_type="passport", number="HMM-000305")],
            )
        ],
        phone=PHONE,
    )


def _record_evidence(world, person):
    step = StepProgress.objects.get(case__person=person, step__code="snils_inn_oms")
    update_step(
        progress_id=step.pk,
        version=step.version,
        update=StepUpdate(status=StepStatus.IN_PROGRESS, evidence={"snils": SNILS, "inn": INN}),
        by=world.user("caseworker"),
    )


def _database_bytes() -> bytes:
    """What a thief with the database gets: the file on SQLite (copied whole, free pages
    included), every row of every table as text on PostgreSQL."""
    if connection.vendor == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            copy = os.path.join(folder, "copy.sqlite3")
            with connection.cursor() as cursor:
                cursor.execute("VACUUM INTO %s", [copy])
            with open(copy, "rb") as file:
                return file.read()
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT t::text FROM "{table}" t')
            chunks.extend(row[0].encode() for row in cursor.fetchall())
    return b"\n".join(chunks)


def _found_in_clear(stored: bytes) -> list[str]:
    return [s for s in SECRETS if s.encode() in stored or s.upper().encode() in stored]


def test_the_database_holds_no_document_number_phone_evidence_or_file_name_in_clear(
    audit_flushable, world, household
):
    # Outside a test transaction, so that SQLite can copy its whole file (VACUUM INTO).
    person = household.members.get()
    _record_evidence(world, person)
    add_attachment(
        person=person,
        domain="social",
        kind="identity",
        filename=FILE_NAME,
        content=PDF,
        by=world.user("caseworker"),
    )

    stored = _database_bytes()

    assert b"Zubaydah" in stored  # names stay in clear: Find searches their tokens
    assert _found_in_clear(stored) == []
    # ...and the application, holding the keys, reads every value back.
    assert Household.objects.get().phone == PHONE
    assert Document.objects.get().number == "HMM-000305"
    step = StepProgress.objects.get(case__person=person, step__code="snils_inn_oms")
    assert step.evidence == {"snils": SNILS, "inn": INN}
    assert Attachment.objects.get().filename == FILE_NAME


def test_the_stored_values_cannot_be_read_without_the_field_key(world, household):
    with override_settings(FIELD_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]):
        with pytest.raises(InvalidToken):
            Document.objects.get().number  # noqa: B018 (the read is what is tested)


def test_a_document_number_is_found_by_its_blind_index_however_typed(world, household):
    clerk = world.user("clerk_perm")

    found = [f.person for f in find_people(clerk, TYPED)]

    assert found == [household.members.get()]
    assert Document.objects.get().number_index not in ("", NUMBER)
    assert find_people(clerk, "HMM000306") == []


def _same_passport_other_names() -> PersonRecord:
    """A registration that shares nothing with Zubaydah's but the passport, typed otherwise:
    only the document key can bring her up."""
    return PersonRecord(record_id="new", given_name="Zaynab", sex="f", document_number=TYPED)


def _met_by_document_key(person) -> bool:
    return PersonKey.objects.filter(
        person=person, key__in=indexed_keys([_same_passport_other_names()])
    ).exists()


def test_the_instant_check_meets_a_document_by_its_index_and_stores_no_number(world, household):
    person = household.members.get()

    assert _met_by_document_key(person)
    keys = list(PersonKey.objects.filter(person=person).values_list("key", flat=True))
    assert [k for k in keys if k.startswith("doc:")] and not [k for k in keys if NUMBER in k]
    matches = instant_check(world.user("clerk_perm"), [_same_passport_other_names()])
    assert person.pk in [m.person.pk for m in matches]


def _migration(app: str, name: str):
    return importlib.import_module(f"refuge.{app}.migrations.{name}")


def test_the_data_migrations_encrypt_rows_written_in_clear(audit_flushable, world, household):
    person = household.members.get()
    _record_evidence(world, person)
    add_attachment(
        person=person,
        domain="social",
        kind="identity",
        filename=FILE_NAME,
        content=PDF,
        by=world.user("caseworker"),
    )
    # The rows as the code before the encryption wrote them.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE registry_document SET number = %s, number_index = ''", [NUMBER])
        cursor.execute("UPDATE registry_household SET phone = %s", [PHONE])
        cursor.executemany(
            "UPDATE casework_stepprogress SET evidence = %s WHERE id = %s",
            [(json.dumps(step.evidence), step.pk) for step in StepProgress.objects.all()],
        )
        cursor.execute("UPDATE casework_attachment SET filename = %s", [FILE_NAME])
    assert _found_in_clear(_database_bytes())

    editor = SimpleNamespace(connection=connection)
    _migration("registry", "0010_encrypt_existing_numbers_and_phones").encrypt(None, editor)
    _migration("casework", "0009_encrypt_existing_evidence_and_file_names").encrypt(None, editor)

    assert _found_in_clear(_database_bytes()) == []
    assert Household.objects.get().phone == PHONE
    assert [f.person for f in find_people(world.user("clerk_perm"), TYPED)] == [person]
    evidence = StepProgress.objects.get(case__person=person, step__code="snils_inn_oms").evidence
    assert evidence == {"snils": SNILS, "inn": INN}
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM casework_stepprogress WHERE evidence LIKE '{%%'")
        assert cursor.fetchone()[0] == 0  # empty evidence stored empty, the rest sealed
    assert Attachment.objects.get().filename == FILE_NAME


def test_rotating_the_keys_reencrypts_and_reindexes_everything(world, household, settings):
    old_key, new_key = settings.FIELD_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    person = household.members.get()
    _record_evidence(world, person)
    field_copy = {"household": {"phone": PHONE}, "members": [{"document_number": "HMM-000305"}]}
    FieldSubmission.objects.create(
        instance_id="uuid:rotated",
        content_hash="0" * 64,
        content=field_copy,
        household=household,
        site=world.perm,
        source=ImportFormat.KOBO_XLSX,
    )
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    settings.BLIND_INDEX_KEY = "a-new-blind-index-key-of-32-chars-or-more"

    call_command("rotate_field_keys", stdout=open(os.devnull, "w"))

    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert Household.objects.get().phone == PHONE
    assert Document.objects.get().number == "HMM-000305"
    step = StepProgress.objects.get(case__person=person, step__code="snils_inn_oms")
    assert step.evidence == {"snils": SNILS, "inn": INN}
    assert [f.person for f in find_people(world.user("clerk_perm"), TYPED)] == [person]
    assert _met_by_document_key(person)
    # Found in the field data app without being listed: every encrypted column is rotated.
    assert FieldSubmission.objects.get().content == field_copy
