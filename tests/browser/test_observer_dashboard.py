"""The ombudsman's observer opens the dashboard in Arabic: right to left, charts drawn from the
right, small counts withheld, no one named; picking a region shows its sites."""

from playwright.sync_api import expect

from refuge.testing import build_world, family_of_four, register
from tests.browser.conftest import screenshot, sign_in


def test_the_observer_reads_the_dashboard_in_arabic(page):
    world = build_world()
    register(world.perm, world.user("admin"), family_of_four("حسن", "Hassan"))
    register(world.perm2, world.user("admin"), family_of_four("ديب", "Deeb"))
    sign_in(page, "observer")
    page.context.add_cookies([{"name": "django_language", "value": "ar", "url": page.base_url}])

    page.goto(f"{page.base_url}/reporting/")

    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    chart = page.locator("#figure-arrivals svg")
    expect(chart).to_be_visible()
    # The chart reads from the right: its row labels sit in the right half of the drawing.
    box = chart.bounding_box()
    label = page.locator("#figure-needs svg text.label").first.bounding_box()
    assert label["x"] > box["x"] + box["width"] / 2
    expect(page.locator("#figure-occupancy table")).to_contain_text("<5")
    assert "حسن" not in page.content() and "Hassan" not in page.content()

    page.select_option("#view", label="Perm Krai")
    page.locator("form.inline-form button[type=submit]").click()
    expect(page.locator("#figure-occupancy thead")).to_contain_text("Perm centre 2")
    screenshot(page, "observer-dashboard-ar")
