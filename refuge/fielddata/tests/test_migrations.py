"""fielddata/0003 encrypts the submission and edit copies that earlier versions kept in clear,
and decrypts them again when migrated back; on whichever database the suite runs (SQLite, or
PostgreSQL when DATABASE_URL names one)."""

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from refuge.testing import build_world, member, register

BEFORE = ("fielddata", "0002_encrypted_submission_copies")
AFTER = ("fielddata", "0003_encrypt_existing_submission_copies")
PASSPORT = "N7654321"
CONTENT = {
    "household": {"phone": "+79125550101", "registered_on": "2026-03-02"},
    "members": [{"given_name_lat": "Omar", "document_number": PASSPORT}],
}
CHANGES = {
    "household": {},
    "members": [{"index": 0, "fields": {"document_number": ["", PASSPORT]}}],
}


def _migrate(target):
    """Migrate to `target` (one node, or None for every app's latest) and return the apps of
    that state, as the models were then."""
    executor = MigrationExecutor(connection)
    targets = [target] if target else executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _stored() -> list[str]:
    """The three copies as they are in the database, read past the fields."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM fielddata_fieldsubmission")
        stored = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT content, changes FROM fielddata_submissionedit")
        stored += [value for row in cursor.fetchall() for value in row]
    return stored


@pytest.mark.usefixtures("audit_flushable")
def test_0003_encrypts_the_copies_kept_in_clear_and_decrypts_them_going_back():
    world = build_world()
    household = register(world.perm, world.user("clerk_perm"), [member("عمر", "حسن")])
    try:
        apps = _migrate(BEFORE)
        submission = apps.get_model("fielddata", "FieldSubmission").objects.create(
            instance_id="uuid:0003",
            content_hash="0" * 64,
            household_id=household.pk,
            people=[household.members.get().pk],
            site_id=world.perm.pk,
            source="kobo_xlsx",
        )
        apps.get_model("fielddata", "SubmissionEdit").objects.create(
            submission_id=submission.pk, content_hash="1" * 64
        )
        # What 0002 left in the columns: the JSON text of the former JSONField, in clear.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE fielddata_fieldsubmission SET content = %s", [json.dumps(CONTENT)]
            )
            cursor.execute(
                "UPDATE fielddata_submissionedit SET content = %s, changes = %s",
                [json.dumps(CONTENT), json.dumps(CHANGES)],
            )
        assert all(PASSPORT in value for value in _stored())

        apps = _migrate(AFTER)

        assert not any(PASSPORT in value or "Omar" in value for value in _stored())
        edit = apps.get_model("fielddata", "SubmissionEdit").objects.get()
        assert apps.get_model("fielddata", "FieldSubmission").objects.get().content == CONTENT
        assert (edit.content, edit.changes) == (CONTENT, CHANGES)

        _migrate(BEFORE)  # 0003 declares its way back: the copies in clear again

        assert [json.loads(value) for value in _stored()] == [CONTENT, CONTENT, CHANGES]
    finally:
        _migrate(None)
