"""A site manager uploads a KoBoToolbox export and follows the import to its end: a
background worker lands the households while the page shows the progress."""

from django.core.management import call_command
from playwright.sync_api import expect

from refuge.fielddata.kobo import write_kobo_xlsx
from refuge.fielddata.models import FieldSubmission, ImportRun
from refuge.fielddata.tests.factories import FAMILIES, exported
from refuge.testing import build_world
from tests.browser.conftest import screenshot, sign_in


def test_site_manager_uploads_an_export_and_watches_it_land(page, tmp_path):
    world = build_world()
    bad = exported(FAMILIES[2])
    bad.members[1]["sex"] = "x"
    export = write_kobo_xlsx(
        tmp_path / "kobo-export.xlsx", [exported(FAMILIES[0]), exported(FAMILIES[1]), bad]
    )
    sign_in(page, "manager")

    page.click("nav >> text=Imports")
    page.select_option("#id_site", str(world.perm.pk))
    page.set_input_files("#id_file", str(export))
    page.click("#upload button[type=submit]")

    expect(page.locator("h1")).to_contain_text("kobo-export.xlsx")
    expect(page.locator("#progress .status")).to_have_text("Waiting to start")
    # The worker, as `refuge db_worker` runs it beside the server: the page follows by itself.
    call_command("db_worker", "--batch", "--no-startup-delay")
    expect(page.locator("#progress .status")).to_have_text("Finished", timeout=20_000)
    expect(page.locator("#landed")).to_have_text("2")
    expect(page.locator("#failed")).to_have_text("1")
    expect(page.locator("#progress progress")).to_have_attribute("value", "3")
    expect(page.locator("#problems tbody tr")).to_have_count(1)
    expect(page.locator("#problems tbody")).to_contain_text("sex")
    screenshot(page, "field-import")
    assert FieldSubmission.objects.count() == 2
    assert ImportRun.objects.get().upload is None  # the file is not kept once read

    with page.expect_download() as download:
        page.click("text=Download the report (CSV)")
    assert "sex" in download.value.path().read_text(encoding="utf-8")
