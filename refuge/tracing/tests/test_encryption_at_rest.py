"""What a tracing file holds beyond names (how to reach the inquirer, the story of the
separation, what would recognise the child, who was present at the answer, the notes) is
encrypted at rest, read back by the application, and rows written in clear before the
encryption are encrypted by the data migration."""

import importlib
from types import SimpleNamespace

from django.db import connection
from django.utils import timezone

from refuge.testing import register
from refuge.tracing import services
from refuge.tracing.models import (
    Answer,
    Candidate,
    Share,
    SoughtPerson,
    TracingNote,
    TracingRequest,
)
from refuge.tracing.services import InquirerData, SoughtData
from tests.test_encryption_at_rest import _database_bytes

CONTACT = "+7 912 555-01-77, room 12"
STORY = "Separated at the Hmeimim gate when the buses left"
MARK = "scar above the left eyebrow"
WITNESS = "his uncle Yusuf"
NOTE = "The aunt in Latakia called back on Tuesday"
SECRETS = [CONTACT, STORY, MARK, WITNESS, NOTE]


def _tracing_file(world):
    """A mother seeks her son, he is found at another site and answers before his uncle."""
    household = register(world.perm, world.user("clerk_perm"))
    son = household.members.get(relationship="son")
    request = services.open_request(
        site=world.shelter,
        inquirer=InquirerData(given_name="فاطمة", family_name="ديب", sex="f", contact=CONTACT),
        sought=[
            SoughtData(
                given_name="Али",
                family_name="Хасан",
                relationship="son",
                sex="m",
                birth_date=son.birth_date,
                circumstances=STORY,
                distinguishing=MARK,
            )
        ],
        by=world.user("tracer_shelter"),
    )
    services.add_note(request=request, text=NOTE, by=world.user("tracer_shelter"))
    candidate = Candidate.objects.get(sought__request=request, person=son)
    services.review_candidate(candidate=candidate, confirm=True, by=world.user("tracer"))
    services.record_answer(
        candidate=candidate,
        agreed=True,
        shares=[Share.SAFE],
        spoke_on=timezone.localdate(),
        with_whom=WITNESS,
        by=world.user("tracer"),
    )
    return request


def _in_clear() -> list[str]:
    stored = _database_bytes()
    return [s for s in SECRETS if s.encode() in stored]


def _read_back() -> list[str]:
    sought = SoughtPerson.objects.get()
    return [
        TracingRequest.objects.get().inquirer_contact,
        sought.circumstances,
        sought.distinguishing,
        Answer.objects.get().with_whom,
        TracingNote.objects.get().text,
    ]


def test_the_tracing_file_holds_no_contact_story_or_note_in_clear(audit_flushable, world):
    _tracing_file(world)

    assert _in_clear() == []
    assert _read_back() == SECRETS


def test_the_data_migration_encrypts_tracing_rows_written_in_clear(audit_flushable, world):
    _tracing_file(world)
    with connection.cursor() as cursor:  # the rows as the code before 0002 wrote them
        cursor.execute("UPDATE tracing_tracingrequest SET inquirer_contact = %s", [CONTACT])
        cursor.execute(
            "UPDATE tracing_soughtperson SET circumstances = %s, distinguishing = %s",
            [STORY, MARK],
        )
        cursor.execute("UPDATE tracing_answer SET with_whom = %s", [WITNESS])
        cursor.execute("UPDATE tracing_tracingnote SET text = %s", [NOTE])
    assert _in_clear() == SECRETS

    migration = importlib.import_module(
        "refuge.tracing.migrations.0003_encrypt_existing_contacts_stories_and_notes"
    )
    migration.encrypt(None, SimpleNamespace(connection=connection))

    assert _in_clear() == []
    assert _read_back() == SECRETS
