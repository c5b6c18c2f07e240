"""A clerk's first night: sign in, register a family of four, find it again, switch to Arabic."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from refuge.registry.models import Household
from refuge.testing import build_world
from tests.browser.conftest import screenshot, settle, sign_in

FAMILY = [
    # relationship, Arabic given, father, family, Latin given, family, sex, birth date
    (None, "محمد", "علي", "حسن", "Mohammed", "Hassan", "m", "17.04.1983"),
    ("spouse", "فاطمة", "يوسف", "ديب", "Fatima", "Deeb", "f", "1986"),
    ("son", "علي", "محمد", "حسن", "Ali", "Hassan", "m", "2012-09-03"),
    ("daughter", "مريم", "محمد", "حسن", "Maryam", "Hassan", "f", "2016-02"),
]


def _fill_member(
    page, index, relationship, given, father, family, latin_given, latin_family, sex, birth
):
    prefix = f"#id_members-{index}-"
    if relationship:
        page.select_option(f"{prefix}relationship", relationship)
    page.fill(f"{prefix}given_name_ar", given)
    page.fill(f"{prefix}father_name_ar", father)
    page.fill(f"{prefix}family_name_ar", family)
    page.fill(f"{prefix}given_name_lat", latin_given)
    page.fill(f"{prefix}family_name_lat", latin_family)
    page.check(f"{prefix}sex_{0 if sex == 'm' else 1}")
    page.fill(f"{prefix}birth_date_text", birth)


def test_clerk_registers_a_family_finds_it_and_reads_it_in_arabic(page):
    build_world()
    sign_in(page, "clerk")

    page.click("text=Register a household")
    for index, row in enumerate(FAMILY):
        if index:
            page.click("#add-member")
            expect(page.locator(f"#id_members-{index}-given_name_ar")).to_be_visible()
        _fill_member(page, index, *row)
    screenshot(page, "register-form")
    page.click("button:has-text('Save household')")

    expect(page.locator("h1")).to_contain_text("Household")
    household = Household.objects.get()
    assert household.members.count() == 4
    number = household.registration_number
    expect(page.locator(".regno")).to_have_text(number)

    page.click("nav >> text=Find")
    page.fill("#q", number)
    page.click("button:has-text('Search')")
    results = page.locator("table.results tbody tr")
    expect(results).to_have_count(4)
    expect(page.locator("table.results")).to_contain_text("Mohammed Hassan")

    page.locator("table.results a", has_text=number).first.click()
    page.click("button[value=ar]")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("h1")).to_contain_text("أسرة")
    expect(page.locator("table.members")).to_contain_text("محمد علي حسن")
    # In right-to-left layout the first column sits at the right edge.
    box = page.locator("table.members th").first.bounding_box()
    assert box["x"] > 400
    screenshot(page, "household-arabic")


def test_registration_form_names_the_bad_field_and_saves_nothing(page):
    build_world()
    sign_in(page, "clerk")
    page.click("text=Register a household")
    page.fill("#id_members-0-given_name_ar", "محمد")
    page.check("#id_members-0-sex_0")
    page.fill("#id_members-0-birth_date_text", "31.02.1983")
    page.click("button:has-text('Save household')")

    expect(page.locator(".errors")).to_contain_text("Nothing was saved")
    expect(page.locator("body")).to_contain_text(re.compile("Birth date: This date does not exist"))
    expect(page.locator("body")).to_contain_text("family name in at least one script")
    assert Household.objects.count() == 0


@pytest.mark.parametrize("language", ["ru", "ar"])
def test_clerk_registers_a_family_in_russian_and_in_arabic(page, language):
    build_world()
    sign_in(page, "clerk")
    page.click(f"button[value={language}]")
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.goto(f"{page.base_url}/registry/register/")
    # The date picker shows today: an empty box was the Russian blocker.
    expect(page.locator("#id_registered_on")).to_have_value(re.compile(r"^\d{4}-\d{2}-\d{2}$"))
    for index, row in enumerate(FAMILY[:2]):
        if index:
            page.click("#add-member")
            expect(page.locator(f"#id_members-{index}-given_name_ar")).to_be_visible()
        _fill_member(page, index, *row)
    settle(page)
    page.click("#register-form button[type=submit]")

    expect(page.locator(".regno")).to_be_visible()
    household = Household.objects.get()
    assert household.members.count() == 2
    assert household.registered_on == timezone.localdate()
    screenshot(page, f"household-registered-{language}")
