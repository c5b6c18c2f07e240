"""Notes and attachments: read by domain, encrypted at rest, every read audited."""

import os
import tempfile

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from refuge.audit.models import AuditEntry
from refuge.casework import encryption
from refuge.casework.models import Attachment, Note, StepProgress
from refuge.casework.services import add_attachment, add_note, read_notes
from refuge.testing import build_world, register

SECRET = "She was detained for nine days near Baniyas"
PDF = b"%PDF-1.4\n" + b"certificate of temporary asylum " * 20


@pytest.fixture
def person(world):
    return register(world.perm, world.user("clerk_perm")).members.get(relationship="head")


def test_each_role_reads_only_its_domains(world, person):
    add_note(
        person=person, domain="social", text="needs winter clothes", by=world.user("caseworker")
    )
    add_note(person=person, domain="medical", text="insulin twice a day", by=world.user("medical"))

    def texts(role):
        return {text for _note, text in read_notes(person=person, by=world.user(role))}

    assert texts("caseworker") == {"needs winter clothes"}
    assert texts("medical") == {"insulin twice a day"}
    assert texts("admin") == set() and texts("coordinator") == set()
    with pytest.raises(PermissionDenied):
        add_note(person=person, domain="medical", text="x", by=world.user("caseworker"))


def test_reading_notes_is_audited(world, person):
    note = add_note(
        person=person, domain="legal", text="appeal drafted", by=world.user("caseworker")
    )

    read_notes(person=person, by=world.user("caseworker"))

    entry = AuditEntry.objects.filter(object_type="casework.note", action="view").get()
    assert entry.detail == {"person": person.pk, "notes": [note.pk]}
    assert entry.actor == world.user("caseworker")


def test_an_empty_note_is_refused_by_field(world, person):
    with pytest.raises(ValidationError) as refused:
        add_note(person=person, domain="social", text="   ", by=world.user("caseworker"))
    assert "text" in refused.value.message_dict


def _database_bytes() -> bytes:
    """Everything the database stores, as bytes: the file itself on SQLite, every row of
    the casework and registry tables on PostgreSQL."""
    if connection.vendor == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            copy = os.path.join(folder, "copy.sqlite3")
            with connection.cursor() as cursor:
                cursor.execute("VACUUM INTO %s", [copy])
            with open(copy, "rb") as file:
                return file.read()
    with connection.cursor() as cursor:
        chunks = []
        for table in ("casework_note", "casework_attachment", "registry_person"):
            cursor.execute(f"SELECT t::text FROM {table} t")  # noqa: S608 (fixed names)
            chunks.extend(row[0].encode() for row in cursor.fetchall())
        cursor.execute("SELECT encode(ciphertext, 'escape') FROM casework_note")
        chunks.extend(row[0].encode() for row in cursor.fetchall())
        return b"\n".join(chunks)


def test_note_and_attachment_text_are_not_in_the_database(audit_flushable):
    # Outside a test transaction, so that SQLite can copy its whole file (VACUUM INTO).
    world = build_world()
    person = register(world.perm, world.user("clerk_perm")).members.get(relationship="head")
    add_note(person=person, domain="social", text=SECRET, by=world.user("caseworker"))
    add_attachment(
        person=person,
        domain="social",
        kind="certificate",
        filename="c.pdf",
        content=PDF,
        by=world.user("caseworker"),
    )

    stored = _database_bytes()

    assert person.given_name_lat.encode() in stored  # the dump does hold plain columns
    assert SECRET.encode() not in stored
    assert b"certificate of temporary asylum" not in stored


def test_keys_rotate_and_old_ciphertext_stays_readable(world, person, settings):
    # The old key is the one the world was registered under: its documents rotate too.
    old_key, new_key = settings.FIELD_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[old_key]):
        note = add_note(person=person, domain="social", text=SECRET, by=world.user("caseworker"))
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, old_key]):
        assert read_notes(person=person, by=world.user("caseworker"))[0][1] == SECRET
        call_command("rotate_field_keys", stdout=open(os.devnull, "w"))
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key]):
        assert read_notes(person=person, by=world.user("caseworker"))[0][1] == SECRET
    with override_settings(FIELD_ENCRYPTION_KEYS=[old_key]), pytest.raises(InvalidToken):
        encryption.decrypt(Note.objects.get(pk=note.pk).ciphertext)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"MZ\x90\x00 an executable", "Only PDF, JPEG and PNG"),
        (b"", "empty"),
        (b"%PDF-" + b"x" * 2048, "larger than"),
    ],
)
def test_attachments_are_checked_for_type_and_size(world, person, content, problem):
    with override_settings(ATTACHMENT_MAX_BYTES=1024), pytest.raises(ValidationError) as refused:
        add_attachment(
            person=person,
            domain="social",
            kind="certificate",
            filename="x.pdf",
            content=content,
            by=world.user("caseworker"),
        )
    assert problem in refused.value.message_dict["file"][0]
    assert not Attachment.objects.exists()


def test_an_attachment_is_served_only_to_its_domain_and_every_read_is_audited(
    world, person, client
):
    scan = add_attachment(
        person=person,
        domain="medical",
        kind="medical",
        filename="x-ray.png",
        content=b"\x89PNG\r\n\x1a\n" + b"pixels",
        by=world.user("medical"),
    )
    url = reverse("casework:attachment", args=[scan.pk])

    client.force_login(world.user("medical"))
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == b"\x89PNG\r\n\x1a\n" + b"pixels"
    assert response["Content-Type"] == "image/png"

    client.force_login(world.user("caseworker"))
    assert client.get(url).status_code == 403

    reads = AuditEntry.objects.filter(object_type="casework.attachment", object_id=str(scan.pk))
    assert list(reads.values_list("action", "actor_username").order_by("seq")) == [
        ("create", "medical"),
        ("view", "medical"),
        ("denied", "caseworker"),
    ]


def test_a_deployment_without_keys_refuses_to_store_notes(world, person, settings, monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    settings.FIELD_ENCRYPTION_KEYS, settings.DEBUG = [], False
    monkeypatch.setenv("DATABASE_URL", "postgres://somewhere/refuge")

    with pytest.raises(ImproperlyConfigured):
        add_note(person=person, domain="social", text="x", by=world.user("caseworker"))
    assert not Note.objects.exists()


def test_the_demo_derives_a_key_when_none_is_set(world, person, settings, monkeypatch):
    settings.FIELD_ENCRYPTION_KEYS = []
    monkeypatch.delenv("DATABASE_URL", raising=False)

    add_note(person=person, domain="social", text=SECRET, by=world.user("caseworker"))

    assert read_notes(person=person, by=world.user("caseworker"))[0][1] == SECRET


def test_a_note_about_a_step_shows_at_that_step_to_those_who_may_read_it(world, person, client):
    screening = StepProgress.objects.get(case__person=person, step__code="health_screening")
    client.force_login(world.user("medical"))
    client.post(
        reverse("casework:add_note", args=[person.pk]),
        {"domain": "medical", "step": screening.pk, "text": "asthma, inhaler needed"},
    )
    note = Note.objects.get()
    assert note.step == screening

    page = client.get(reverse("casework:person", args=[person.pk])).content.decode()
    assert "1 note about this step" in page
    assert f'<li id="note-{note.pk}">' in page
    fragment = client.get(reverse("casework:step", args=[screening.pk])).content.decode()
    assert "1 note about this step" in fragment

    client.force_login(world.user("caseworker"))  # reads no medical notes
    assert (
        "note about this step"
        not in client.get(reverse("casework:person", args=[person.pk])).content.decode()
    )
    assert (
        "note about this step"
        not in client.get(reverse("casework:step", args=[screening.pk])).content.decode()
    )


def test_a_note_cannot_be_about_another_person_s_step(world, person):
    spouse = person.household.members.get(relationship="spouse")
    theirs = StepProgress.objects.get(case__person=spouse, step__code="health_screening")

    with pytest.raises(ValidationError) as refused:
        add_note(person=person, domain="social", text="x", step=theirs, by=world.user("caseworker"))

    assert "step" in refused.value.message_dict
    assert not Note.objects.exists()
