"""A caseworker walks a newly arrived man from reception to temporary asylum and his own SIM
card, step by step on his case page, and meets the prerequisite rule on the way."""

from playwright.sync_api import expect

from refuge.casework.models import StepProgress
from refuge.casework.rules import StepUpdate
from refuge.casework.services import update_step
from refuge.testing import build_world, register, screen_for_travel
from tests.browser.conftest import screenshot, sign_in

# step, outcome, evidence fields -> values
ROAD = [
    ("migration_registration", "registered", {"notification_date": "2026-11-02"}),
    (
        "asylum_application",
        "submitted",
        {"application_date": "2026-11-03", "interview_date": "2026-11-05"},
    ),
    ("fingerprints_photo", "done", {"fingerprinted_on": "2026-11-05"}),
    ("medical_examination", "no_contraindications", {"certificate_number": "MZ-1183"}),
    ("application_certificate", "issued", {"certificate_number": "UP-59-004411"}),
    ("asylum_decision", "granted", {"decision_date": "2026-11-15"}),
    (
        "asylum_certificate",
        "issued",
        {"certificate_number": "VU-59-000781", "valid_until": "2027-11-15"},
    ),
    ("snils_inn_oms", "issued", {"inn": "590412345678", "snils": "123-456-789 00", "oms": "5958"}),
    ("personal_sim", "registered", {"phone_number": "+7 902 555 01 23"}),
]


def _update(page, code, status, outcome="", evidence=None):
    step = page.locator(f"li.step[data-step={code}]")
    step.get_by_role("button", name="Update").click()
    form = page.locator(f"li.step.editing[data-step={code}]")
    form.locator("select[name=status]").select_option(status)
    if outcome:
        form.locator("select[name=outcome]").select_option(outcome)
    for name, value in (evidence or {}).items():
        form.locator(f"[name=evidence_{name}]").fill(value)
    form.get_by_role("button", name="Save step").click()


def test_a_caseworker_walks_a_person_to_temporary_asylum_and_a_sim_card(page):
    world = build_world()
    household = register(world.perm, world.user("clerk_perm"))
    head = household.members.get(relationship="head")
    # The medical steps are the medical officer's alone (accounts.roles.STEP_DEPUTIES).
    screen_for_travel(household, world.user("medical"))
    sign_in(page, "caseworker")
    page.goto(f"{page.base_url}/casework/people/{head.pk}/")
    expect(page.locator("li.step[data-step=reception_registration] .badge")).to_have_text("Done")

    # Out of order: the application cannot be done before the migration registration.
    _update(
        page,
        "asylum_application",
        "done",
        "submitted",
        dict((c, e) for c, _o, e in ROAD)["asylum_application"],
    )
    errors = page.locator("li.step.editing[data-step=asylum_application] .error")
    expect(errors.first).to_contain_text("Migration registration at the place of stay")
    page.locator("li.step.editing[data-step=asylum_application]").get_by_role(
        "button", name="Cancel"
    ).click()

    for code, outcome, evidence in ROAD:
        if code == "medical_examination":
            # The medical officer's step, not the caseworker's: she records it meanwhile.
            page.goto("about:blank")
            progress = StepProgress.objects.get(case__person=head, step__code=code)
            update_step(
                progress_id=progress.pk,
                version=progress.version,
                update=StepUpdate(status="done", outcome=outcome, evidence=evidence),
                by=world.user("medical"),
            )
            page.goto(f"{page.base_url}/casework/people/{head.pk}/")
        else:
            _update(page, code, "done", outcome, evidence)
        badge = page.locator(f"li.step[data-step={code}]:not(.editing) .badge")
        expect(badge).to_have_text("Done")

    expect(page.locator("li.step[data-step=personal_sim]")).to_contain_text("+7 902 555 01 23")
    screenshot(page, "casework-person-case")
    done = set(
        StepProgress.objects.filter(case__person=head, status="done").values_list(
            "step__code", flat=True
        )
    )
    assert {code for code, _o, _e in ROAD} | {"reception_registration"} <= done

    page.goto(f"{page.base_url}/casework/bottlenecks/")
    expect(page.locator("#bottlenecks")).to_contain_text("Employment referral")
    page.click("button[value=ar]")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    screenshot(page, "casework-bottlenecks-ar")
