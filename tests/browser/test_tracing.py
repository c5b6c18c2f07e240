"""A mother at the shelter asks for her son; he is registered in Perm in Arabic script. The
shelter's tracing officer opens the request, Perm's confirms the match and asks the son, and
only then does the shelter learn what he agreed she may be told."""

from playwright.sync_api import expect

from refuge.testing import build_world, register
from tests.browser.conftest import screenshot, sign_in


def test_from_a_mother_s_request_to_a_consented_contact(page):
    world = build_world()
    register(world.perm, world.user("clerk_perm"))  # Ali Mohammed Hassan, born 2012
    sign_in(page, "tracer.shelter")

    page.goto(f"{page.base_url}/tracing/new/")
    page.fill("#id_inquirer_given_name", "Фатима")
    page.fill("#id_inquirer_family_name", "Диб")
    page.select_option("#id_inquirer_sex", "f")
    page.fill("#id_inquirer_contact", "Shelter, block C, tent 4")
    page.check("#id_consents_to_trace_back")
    page.fill("#id_sought-0-given_name", "Али")
    page.fill("#id_sought-0-family_name", "Хасан")
    page.select_option("#id_sought-0-sex", "m")
    page.select_option("#id_sought-0-relationship", "son")
    page.fill("#id_sought-0-age", "14")
    page.fill("#id_sought-0-last_seen_place", "Jableh checkpoint")
    page.get_by_role("button", name="Open the request and search").click()
    page.wait_for_url("**/tracing/requests/*/")
    request_url = page.url
    # The candidate is at Perm: not the shelter's to see.
    expect(page.locator(".status")).to_have_text("Open: being traced")
    expect(page.locator("table.candidates")).to_have_count(0)

    page.context.clear_cookies()
    sign_in(page, "tracer")
    page.goto(f"{page.base_url}/tracing/")
    expect(page.locator("#tracing-worklist")).to_contain_text("1 candidate to review")
    page.goto(request_url)
    expect(page.locator(".status")).to_have_text("Possible match")
    page.get_by_role("link", name="Compare").click()
    expect(page.locator("table.compare")).to_contain_text("علي")
    expect(page.locator("ul.reasons")).to_contain_text("Given name")
    screenshot(page, "tracing-side-by-side")
    page.get_by_role("button", name="This is the person sought").click()
    page.wait_for_url("**/consent/")
    expect(page.locator("main")).to_contain_text("The person is a child")
    page.check("input[name=agreed][value=yes]")
    page.check("input[name=shares][value=safe]")
    page.check("input[name=shares][value=region]")
    page.fill("#id_with_whom", "his aunt Maryam and caseworker Irina Volkova")
    page.get_by_role("button", name="Record the answer").click()
    page.wait_for_url(request_url)
    expect(page.locator(".status")).to_have_text("Found")

    page.context.clear_cookies()
    sign_in(page, "tracer.shelter")
    page.goto(request_url)
    page.get_by_role("link", name="What the inquirer may be told").click()
    answer = page.locator("section.answer")
    expect(answer).to_contain_text("the person sought agreed to the following being told")
    expect(answer).to_contain_text("That they are alive and safe")
    expect(answer).to_contain_text("Region: Perm Krai")
    expect(answer).not_to_contain_text("Perm centre")  # no contact was agreed
    screenshot(page, "tracing-told")
