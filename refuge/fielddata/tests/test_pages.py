"""The import pages: a run's report downloads, and the site manager decides an edit."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation

from refuge.audit.models import AuditEntry
from refuge.fielddata.kobo import write_kobo_xlsx
from refuge.fielddata.models import EditStatus, SubmissionEdit
from refuge.fielddata.tests.factories import FAMILIES, exported, import_kobo
from refuge.registry.models import Person
from refuge.registry.vocabulary import DocumentType, SpecificNeed

pytestmark = pytest.mark.django_db


def test_the_report_downloads_as_csv_with_sheet_row_field_and_problem(world, client, tmp_path):
    bad = exported(FAMILIES[1])
    bad.members[2]["relationship"] = "cousin"
    run = import_kobo(world, write_kobo_xlsx(tmp_path / "x.xlsx", [exported(), bad]))
    client.force_login(world.user("site_manager"))

    response = client.get(reverse("fielddata:report", args=[run.pk]))

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows == [
        ["sheet", "row", "field", "problem"],
        ["members", "8", "relationship", "Not one of the form's choices."],
    ]


def test_a_site_manager_accepts_an_edit_from_its_page(world, client, tmp_path):
    household = exported()
    import_kobo(world, write_kobo_xlsx(tmp_path / "a.xlsx", [household]))
    household.members[1]["given_name_lat"] = "Fatma"
    import_kobo(world, write_kobo_xlsx(tmp_path / "b.xlsx", [household]))
    edit = SubmissionEdit.objects.get()
    client.force_login(world.user("site_manager"))

    page = client.get(reverse("fielddata:edit", args=[edit.pk])).content.decode()
    assert "Fatima" in page and "Fatma" in page
    assert AuditEntry.objects.filter(object_type="fielddata.submissionedit", action="view").exists()
    response = client.post(reverse("fielddata:edit", args=[edit.pk]), {"decision": "accept"})

    assert response.status_code == 302
    assert SubmissionEdit.objects.get().status == EditStatus.ACCEPTED
    assert Person.objects.get(pk=edit.submission.people[1]).given_name_lat == "Fatma"


def test_an_edit_at_another_site_is_not_found(world, client, tmp_path):
    household = exported()
    import_kobo(world, write_kobo_xlsx(tmp_path / "a.xlsx", [household]))
    household.members[1]["given_name_lat"] = "Fatma"
    import_kobo(world, write_kobo_xlsx(tmp_path / "b.xlsx", [household]))
    edit = SubmissionEdit.objects.get()
    from refuge.testing import UserFactory

    elsewhere = UserFactory(username="m2", role="site_manager", sites=[world.perm2])
    client.force_login(elsewhere)

    assert client.get(reverse("fielddata:edit", args=[edit.pk])).status_code == 404
    client.post(reverse("fielddata:edit", args=[edit.pk]), {"decision": "accept"})
    assert SubmissionEdit.objects.get().status == EditStatus.PENDING


def test_an_edit_shows_the_form_s_choices_by_their_labels_in_the_reader_s_language(
    world, client, tmp_path
):
    household = exported()
    import_kobo(world, write_kobo_xlsx(tmp_path / "a.xlsx", [household]))
    household.members[0].update(document_type="passport", document_number="N7654321")
    household.members[1]["needs"] = "SM-MI ER-NF"
    import_kobo(world, write_kobo_xlsx(tmp_path / "b.xlsx", [household]))
    edit = SubmissionEdit.objects.get()
    client.force_login(world.user("site_manager"))

    with translation.override("ru"):
        page = client.get(
            reverse("fielddata:edit", args=[edit.pk]), headers={"accept-language": "ru"}
        ).content.decode()

    with translation.override("ru"):
        passport = str(DocumentType.PASSPORT.label)
        needs = [str(SpecificNeed("SM-MI").label), str(SpecificNeed("ER-NF").label)]
    assert f"<bdi>{passport}</bdi>" in page and "<bdi>passport</bdi>" not in page
    assert f"<bdi>{', '.join(needs)}</bdi>" in page and "SM-MI ER-NF" not in page
