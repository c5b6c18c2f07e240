"""At the desk: the clerk types a name in Latin and sees, before saving, that the same man was
registered in Arabic script at the shelter a month ago."""

from datetime import date

from playwright.sync_api import expect

from refuge.identity.models import CandidatePair
from refuge.registry.models import Household
from refuge.testing import build_world, member, register
from tests.browser.conftest import screenshot, settle, sign_in


def test_clerk_sees_a_likely_earlier_registration_before_saving(page):
    world = build_world()
    earlier = register(
        world.shelter,
        world.user("clerk"),
        [member("محمد", "حسن", father="علي", birth_date=date(1983, 4, 17))],
    )
    sign_in(page, "clerk")

    page.click("text=Register a household")
    page.fill("#id_members-0-given_name_lat", "Mohamed")
    page.fill("#id_members-0-father_name_lat", "Ali")
    page.fill("#id_members-0-family_name_lat", "Hassan")
    page.check("#id_members-0-sex_0")
    page.fill("#id_members-0-birth_date_text", "1983")
    page.locator("#id_members-0-birth_date_text").blur()

    check = page.locator("#check-0 .instant-check")
    expect(check).to_be_visible()
    expect(check).to_contain_text(earlier.registration_number)
    expect(check).to_contain_text("Given name: the same name in another spelling or script")
    screenshot(page, "instant-check")


def test_clerk_registers_over_the_warning_only_with_a_reason_and_it_reaches_review(page):
    world = build_world()
    register(
        world.shelter,
        world.user("clerk"),
        [member("محمد", "حسن", father="علي", birth_date=date(1983, 4, 17))],
    )
    sign_in(page, "clerk")
    page.click("text=Register a household")
    page.fill("#id_members-0-given_name_ar", "محمد")
    page.fill("#id_members-0-father_name_ar", "علي")
    page.fill("#id_members-0-family_name_ar", "حسن")
    page.check("#id_members-0-sex_0")
    page.fill("#id_members-0-birth_date_text", "17.04.1983")
    page.locator("#id_members-0-birth_date_text").blur()
    expect(page.locator("#check-0 .instant-check")).to_contain_text("Open the existing record")

    settle(page)
    page.click("button:has-text('Save household')")
    expect(page.locator("#check-0")).to_contain_text("likely registered already")
    assert Household.objects.count() == 1
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("#check-0").screenshot(path=str(screenshot(page, "warning-held-phone")))

    page.check("input[name='members-0-match_choice'][value=new]")
    page.click("button:has-text('Save household')")
    expect(page.locator("#check-0")).to_contain_text("Say why")
    page.check("input[name='members-0-match_choice'][value=new]")
    page.fill("#id_members-0-match_reason", "He says he was never at the shelter")
    settle(page)
    page.click("button:has-text('Save household')")

    expect(page.locator(".regno")).to_be_visible()
    assert Household.objects.count() == 2
    pair = CandidatePair.objects.get()
    assert pair.clerk_reason == "He says he was never at the shelter"
