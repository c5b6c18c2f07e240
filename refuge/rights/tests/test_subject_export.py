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


def test_the_export_holds_his_field_copies_and_traces_but_not_his_familys(world, tmp_path):
    from datetime import date

    from refuge.fielddata.models import FieldSubmission
    from refuge.fielddata.tests.factories import exported, land_kobo
    from refuge.registry.models import Person
    from refuge.tracing import services as tracing
    from refuge.tracing.models import Candidate
    from refuge.tracing.services import InquirerData, SoughtData

    def land(households, name):
        return land_kobo(world, tmp_path, households, name)

    family = exported()
    family.members[0].update(document_type="passport", document_number="N1111111")
    family.members[2].update(document_type="passport", document_number="N2222222")
    land([family], "first.xlsx")
    family.members[2]["given_name_lat"] = "Aly"  # an edit waiting for the site manager,
    family.members.insert(0, family.members.pop(2))  # which lists him first
    land([family], "edited.xlsx")
    son = Person.objects.get(pk=FieldSubmission.objects.get().people[2])
    request = tracing.open_request(
        site=world.shelter,
        inquirer=InquirerData(given_name="Layla", family_name="Hassan", sex="f", contact="tent 4"),
        sought=[
            SoughtData(
                given_name="Ali",
                family_name="Hassan",
                relationship="son",
                sex="m",
                birth_date=date(2012, 9, 3),
                last_seen_place="Aleppo bus station",
            )
        ],
        by=world.user("tracer_shelter"),
    )
    assert Candidate.objects.filter(sought__request=request, person=son).exists()
    entries = AuditEntry.objects.count()

    record = subject_export(person=son, by=world.user("dpo"))
    pdf = subject_export_pdf(record, language="en")

    (submission,) = record["field_submissions"]
    assert submission["member"]["document_number"] == "N2222222"
    assert submission["other_members"] == ["head", "spouse", "daughter"]
    assert submission["edits"][0]["changes"] == {"given_name_lat": ["Ali", "Aly"]}
    assert submission["edits"][0]["member"]["document_number"] == "N2222222"
    (match,) = record["tracing_matches"]
    assert match["described_as"]["last_seen_place"] == "Aleppo bus station"
    texts = {
        "JSON": json.dumps(record, ensure_ascii=False),
        "PDF": "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages),
    }
    for kind, text in texts.items():
        assert "N2222222" in text and "Aly" in text and "Aleppo bus station" in text, kind
        # His father's passport, his mother's name, the inquirer's name and contact: not his.
        for theirs in ("N1111111", "Fatima", "Layla", "tent 4"):
            assert theirs not in text, (kind, theirs)
    russian = subject_export_pdf(record, language="ru")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(russian)).pages)
    assert "Регистрации, сделанные на выезде" in text
    assert "Другие члены семьи (родство)" in text and "N2222222" in text
    # One read of everything, audited once.
    assert AuditEntry.objects.count() == entries + 1
    assert AuditEntry.objects.order_by("-pk").first().action == "export"


def test_her_own_tracing_request_is_in_her_export_without_its_match(world, her):
    from datetime import date

    from refuge.testing import family_of_four
    from refuge.tracing import services as tracing
    from refuge.tracing.models import Candidate
    from refuge.tracing.services import InquirerData, SoughtData

    household = register(world.perm, world.user("clerk_perm"), family_of_four())
    son = household.members.get(relationship="son")
    tracing.open_request(
        site=world.perm,
        inquirer=InquirerData(given_name="", sex="f", contact="room 12", person=her),
        sought=[
            SoughtData(
                given_name="Ali",
                family_name="Hassan",
                relationship="son",
                sex="m",
                birth_date=date(2012, 9, 3),
            )
        ],
        by=world.user("tracer"),
    )
    assert Candidate.objects.filter(person=son).exists()

    record = subject_export(person=her, by=world.user("dpo"))

    (request,) = record["tracing_requests"]
    assert request["inquirer_contact"] == "room 12"
    assert request["sought"][0]["given_name"] == "Ali"
    assert request["sought"][0]["status"] == "Open: being traced"
    # Who the candidate is, and where, is not hers to read.
    held = json.dumps(request, ensure_ascii=False)
    assert "Mohammed" not in held and world.perm.name not in held
    assert record["tracing_matches"] == []


def test_a_request_looking_for_her_while_she_looks_for_them_is_one_match(world, her):
    from refuge.tracing import services as tracing
    from refuge.tracing.models import Candidate
    from refuge.tracing.services import InquirerData, SoughtData

    tracing.open_request(
        site=world.perm,
        inquirer=InquirerData(given_name="", sex="f", contact="room 12", person=her),
        sought=[SoughtData(given_name="Qasim", family_name="Haddad", relationship="father")],
        by=world.user("tracer"),
    )
    father = tracing.open_request(
        site=world.shelter,
        inquirer=InquirerData(given_name="Qasim", family_name="Haddad", sex="m", contact="tent 9"),
        sought=[
            SoughtData(
                given_name="Zubaydah",
                family_name="Haddad",
                relationship="daughter",
                sex="f",
                circumstances="Lost at the border crossing",
            )
        ],
        by=world.user("tracer_shelter"),
    )
    # Two candidates for one trace: her registration, and her own request (she is its inquirer).
    assert Candidate.objects.filter(sought__request=father).count() == 2

    record = subject_export(person=her, by=world.user("dpo"))

    (match,) = record["tracing_matches"]
    assert match["described_as"]["circumstances"] == "Lost at the border crossing"
    assert "tent 9" not in json.dumps(match, ensure_ascii=False)
