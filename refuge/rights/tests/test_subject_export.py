"""A data subject's export: everything held on her, for the DPO only, audited, JSON and PDF."""

import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from pypdf import PdfReader

from refuge.audit.models import AuditEntry
from refuge.casework.services import add_note
from refuge.registry.services import DocumentData
from refuge.rights.export import subject_export, subject_export_pdf
from refuge.testing import member, register


@pytest.fixture
def her(world):
    household = register(
        world.perm,
        world.user("clerk_perm"),
        [
            member(
                "زبيدة",
                "حداد",
                sex="f",
                latin=("Zubaydah", "Qasim", "Haddad"),
                cyrillic=("Зубайда", "Касим", "Хаддад"),
                documents=[DocumentData(doc_type="passport", number="N0097731")],
            )
        ],
    )
    return household.members.get()


def test_the_dpo_exports_everything_held_on_her_and_it_is_audited(world, her):
    add_note(person=her, domain="social", text="Needs a winter coat", by=world.user("caseworker"))

    record = subject_export(person=her, by=world.user("dpo"))

    text = json.dumps(record, ensure_ascii=False)
    for held in ("Zubaydah", "زبيدة", "N0097731", "Needs a winter coat"):
        assert held in text
    entry = AuditEntry.objects.filter(action="export", object_id=str(her.pk)).get()
    assert entry.actor_username == "dpo"


@pytest.mark.parametrize("role", ["admin", "caseworker", "manager"])
def test_nobody_else_exports_a_person(world, her, role):
    with pytest.raises(PermissionDenied):
        subject_export(person=her, by=world.user(role))


def test_the_pdf_is_in_her_language(world, her):
    record = subject_export(person=her, by=world.user("dpo"))

    pdf = subject_export_pdf(record, language="ru")

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Всё, что Refuge хранит о вас" in text and "Зубайда" in text


def test_the_command_writes_both_files_for_their_owner_only(world, her, tmp_path):
    call_command(
        "subject_export",
        "--person",
        str(her.pk),
        "--by",
        "dpo",
        "--language",
        "ar",
        "--out",
        str(tmp_path),
    )

    for name in (f"person-{her.pk}.json", f"person-{her.pk}.pdf"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o600
