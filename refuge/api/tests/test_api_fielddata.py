"""Field data through the API: an import started from an uploaded file, its progress and its
report of rows that did not land, and the exports, streamed and audited."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django_tasks_db.models import DBTaskResult

from refuge.api.tests.conftest import bearer
from refuge.audit.models import AuditEntry
from refuge.fielddata.kobo import write_kobo_xlsx
from refuge.fielddata.models import ImportRun
from refuge.fielddata.tasks import import_upload
from refuge.fielddata.tests.factories import FAMILIES, exported
from refuge.registry.models import Household
from refuge.testing import register

pytestmark = pytest.mark.django_db


def _export_file(tmp_path, *, bad_birth_date=False) -> SimpleUploadedFile:
    households = [exported(FAMILIES[0]), exported(FAMILIES[1])]
    if bad_birth_date:
        households[1].members[2]["birth_date"] = "3 May"
    path = write_kobo_xlsx(tmp_path / "kobo.xlsx", households)
    return SimpleUploadedFile("kobo.xlsx", path.read_bytes())


def _start(client, world, upload, **headers):
    return client.post(
        "/api/v1/imports/", {"site": world.perm.pk, "file": upload}, format="multipart", **headers
    )


def test_an_import_started_by_upload_lands_in_the_worker_and_reports_its_bad_rows(
    world, tmp_path, django_capture_on_commit_callbacks
):
    client = bearer(world.user("site_manager"))

    with django_capture_on_commit_callbacks(execute=True):
        started = _start(client, world, _export_file(tmp_path, bad_birth_date=True))

    assert started.status_code == 202, started.content
    assert started.json()["status"] == "queued"
    # The task the upload queued, run as the worker runs it (`refuge db_worker` closes the
    # database connections between tasks, which the test's own transaction cannot survive).
    [queued] = DBTaskResult.objects.all()
    import_upload.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])
    run = client.get(f"/api/v1/imports/{started.json()['id']}/").json()
    assert (run["status"], run["landed"], run["failed"]) == ("done", 1, 1)
    problems = client.get(f"/api/v1/imports/{run['id']}/problems/").json()["results"]
    assert [(p["sheet"], p["field"]) for p in problems] == [("members", "birth_date")]
    assert Household.objects.count() == 1


def test_a_file_over_the_imports_own_limit_is_refused_naming_the_file_and_the_limit(
    world, tmp_path, settings
):
    settings.API_IMPORT_MAX_BYTES = 1000
    client = bearer(world.user("site_manager"))

    refused = _start(client, world, _export_file(tmp_path))

    assert refused.status_code == 413
    assert refused["Content-Type"] == "application/problem+json"
    [error] = refused.json()["errors"]
    assert error["field"] == "file"
    assert filesizeformat(1000) in error["detail"]
    assert not ImportRun.objects.exists()


def test_a_file_of_no_known_format_is_refused_naming_the_field(world):
    client = bearer(world.user("site_manager"))

    refused = _start(client, world, SimpleUploadedFile("people.txt", b"names"))

    assert refused.status_code == 400
    assert refused.json()["errors"] == [{"field": "file", "detail": "Unknown format."}]


def test_the_same_upload_sent_twice_with_one_key_queues_one_run(world, tmp_path):
    client = bearer(world.user("site_manager"))
    upload = _export_file(tmp_path)

    first = _start(client, world, upload, HTTP_IDEMPOTENCY_KEY="kobo-export-7")
    upload.seek(0)
    again = _start(client, world, upload, HTTP_IDEMPOTENCY_KEY="kobo-export-7")
    other = _start(
        client, world, SimpleUploadedFile("kobo.xlsx", b"x"), HTTP_IDEMPOTENCY_KEY="kobo-export-7"
    )

    assert (first.status_code, again.status_code, other.status_code) == (202, 202, 409)
    assert again["Idempotent-Replayed"] == "true"
    assert ImportRun.objects.count() == 1


def test_a_clerk_may_not_import_and_a_manager_elsewhere_sees_no_run(world, tmp_path):
    from refuge.accounts.roles import Role
    from refuge.testing import UserFactory

    manager = bearer(world.user("site_manager"))
    run = _start(manager, world, _export_file(tmp_path)).json()
    elsewhere = bearer(UserFactory(role=Role.SITE_MANAGER, sites=[world.shelter]))

    assert (
        _start(bearer(world.user("clerk_perm")), world, _export_file(tmp_path)).status_code == 403
    )
    assert elsewhere.get(f"/api/v1/imports/{run['id']}/").status_code == 404
    assert _start(elsewhere, world, _export_file(tmp_path)).status_code == 403


def test_an_export_is_streamed_with_the_sites_people_and_audited(world):
    register(world.perm, world.user("clerk_perm"))
    client = bearer(world.user("site_manager"))

    response = client.get(
        "/api/v1/exports/", {"site": world.perm.pk, "layout": "people", "file_format": "csv"}
    )

    assert response.status_code == 200
    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 1 + 4
    entry = AuditEntry.objects.filter(action="export").latest("seq")
    assert entry.detail["people"] == 4


def test_an_xlsx_export_downloads_as_a_workbook(world):
    from openpyxl import load_workbook

    register(world.perm, world.user("clerk_perm"))
    client = bearer(world.user("site_manager"))

    response = client.get(
        "/api/v1/exports/",
        {"site": world.perm.pk, "layout": "households", "file_format": "xlsx"},
        HTTP_ACCEPT="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert workbook.sheetnames == ["households", "members"]


def test_an_export_in_a_format_its_layout_does_not_offer_names_the_field(world):
    client = bearer(world.user("site_manager"))

    refused = client.get(
        "/api/v1/exports/", {"site": world.perm.pk, "layout": "households", "file_format": "csv"}
    )

    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "file_format"


def test_anonymous_gets_401_on_imports_and_exports(world):
    from rest_framework.test import APIClient

    client = APIClient()
    for path in ("/api/v1/imports/", "/api/v1/exports/"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response["Content-Type"] == "application/problem+json"
