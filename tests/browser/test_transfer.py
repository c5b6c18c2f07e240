"""A site manager sends three families from one centre to another; one person does not
arrive, and the arrival flags her for follow-up instead of silently dropping her."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from refuge.registry.models import Person
from refuge.sites.models import FollowUp, Movement
from refuge.testing import build_world, register, screen_for_travel
from tests.browser.conftest import screenshot, sign_in


def test_transfer_of_three_households_with_one_person_missing_on_arrival(page):
    world = build_world()
    families = [register(world.perm, world.user("clerk_perm")) for _ in range(3)]
    for household in families:
        screen_for_travel(household, world.user("medical"))
    world.user("manager").sites.add(world.perm2)  # the manager receives them too
    sign_in(page, "manager")

    page.click("nav >> text=Transfers")
    page.click("text=Plan a transfer")
    page.select_option("#id_from_site", str(world.perm.pk))
    page.select_option("#id_to_site", str(world.perm2.pk))
    page.fill("#id_seats", "20")
    page.click("main button:has-text('Plan')")
    for household in families:
        page.fill("#id_registration_number", household.registration_number)
        page.click("main button:has-text('Add')")
        expect(page.locator("table.manifest")).to_contain_text(household.registration_number)
    expect(page.locator("input[name=boarded]")).to_have_count(12)

    page.click("#depart")
    expect(page.locator(".status")).to_have_text("Departed")
    missing = families[1].members.get(relationship="daughter")
    page.uncheck(f"input[name=arrived][value='{missing.pk}']")
    page.click("#arrive")

    expect(page.locator(".status")).to_have_text("Arrived")
    expect(page.locator("ul.flags")).to_contain_text("boarded and did not arrive")
    expect(page.locator("tr.missing")).to_have_count(1)
    screenshot(page, "transfer-arrived")
    assert FollowUp.objects.get().person == missing
    assert Person.objects.get(pk=missing.pk).missing_since is not None

    page.goto(f"{page.base_url}/sites/{world.perm2.pk}/")
    expect(page.locator("body")).to_contain_text("Missing after a transfer")


def test_site_manager_plans_a_transfer_in_russian(page):
    world = build_world()
    household = register(world.perm, world.user("clerk_perm"))
    screen_for_travel(household, world.user("medical"))
    sign_in(page, "manager")
    page.click("button[value=ru]")
    expect(page.locator("html")).to_have_attribute("lang", "ru")

    page.goto(f"{page.base_url}/sites/movements/new/")
    expect(page.locator("#id_planned_on")).to_have_value(re.compile(r"^\d{4}-\d{2}-\d{2}$"))
    page.select_option("#id_from_site", str(world.perm.pk))
    page.select_option("#id_to_site", str(world.perm2.pk))
    page.fill("#id_seats", "20")
    page.click("main form button[type=submit]")
    page.fill("#id_registration_number", household.registration_number)
    page.click("main form:has(#id_registration_number) button[type=submit]")
    expect(page.locator("table.manifest")).to_contain_text(household.registration_number)
    movement = Movement.objects.get()
    assert movement.planned_on == timezone.localdate()
    screenshot(page, "transfer-planned-ru")
