"""The pages' scripts run under the strict Content-Security-Policy: htmx adds a member row
without eval, and the bulk page's "everyone" box works from a static file, not an inline
handler. (The page fixture fails any test during which the browser reports a CSP refusal.)"""

from playwright.sync_api import expect

from refuge.testing import build_world, register
from tests.browser.conftest import sign_in


def test_htmx_and_the_tick_everyone_box_work_under_the_policy(page):
    world = build_world()
    register(world.perm, world.user("clerk_perm"))
    register(world.perm, world.user("clerk_perm"))
    sign_in(page, "caseworker")

    page.goto(f"{page.base_url}/casework/bulk/?site={world.perm.pk}&step=health_screening")
    rows = page.locator("input[name=rows]")
    expect(rows.first).to_be_visible()
    page.get_by_label("Everyone").check()
    assert all(box.is_checked() for box in rows.all())

    page.context.clear_cookies()
    sign_in(page, "clerk.perm")
    page.goto(f"{page.base_url}/registry/register/")
    page.click("#add-member")
    expect(page.locator("#id_members-TOTAL_FORMS")).to_have_value("2")
