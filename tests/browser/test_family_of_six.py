"""A family of six registered at phone size, counting what the clerk had to do.

The test drives the form the way a clerk's thumb would and counts, in its own driving code,
every input filled, every tap and every keystroke; it prints the figures (run with -s to see
them) and checks that the family landed with every name in three scripts.
"""

from dataclasses import dataclass

from playwright.sync_api import expect

from refuge.registry.models import Household
from refuge.testing import build_world
from tests.browser.conftest import screenshot, settle, sign_in

PHONE = {"width": 390, "height": 844}


@dataclass
class Clerk:
    """Drives the page and counts the clerk's effort."""

    page: object
    inputs: int = 0
    taps: int = 0
    keystrokes: int = 0

    def type(self, selector: str, text: str) -> None:
        """Tap a box and type into it (replacing what was there)."""
        box = self.page.locator(selector)
        current = box.input_value()
        if current == text:
            return  # a suggestion the clerk only reads and accepts costs nothing
        self.inputs += 1
        self.taps += 1
        if current:
            self.keystrokes += 1  # select-all and type over
        self.keystrokes += len(text)
        box.fill(text)
        box.dispatch_event("change")
        # Let the form's suggestions for what was just typed arrive before reading on.
        self.page.wait_for_selector("#register-form:not([data-suggesting])", state="attached")

    def choose(self, selector: str, value: str) -> None:
        """A dropdown: one tap to open it, one to pick."""
        self.inputs += 1
        self.taps += 2
        self.page.select_option(selector, value)

    def check(self, selector: str) -> None:
        self.inputs += 1
        self.taps += 1
        self.page.check(selector)

    def tap(self, selector: str) -> None:
        """A button: the clerk glances at the form's checks before pressing it."""
        settle(self.page)
        self.taps += 1
        self.page.click(selector)

    def save(self) -> None:
        self.tap("button:has-text('Save household')")


# relationship, Arabic (given, father, family), Latin (given, father, family),
# Cyrillic (given, father, family), sex, birth date as the family gives it
FAMILY = [
    (
        None,
        ("محمد", "علي", "حسن"),
        ("Mohammed", "Ali", "Hassan"),
        ("Мухаммед", "Али", "Хасан"),
        "m",
        "1983",
    ),
    (
        "spouse",
        ("فاطمة", "يوسف", "ديب"),
        ("Fatima", "Youssef", "Deeb"),
        ("Фатима", "Юсеф", "Диб"),
        "f",
        "1986",
    ),
    (
        "son",
        ("علي", "محمد", "حسن"),
        ("Ali", "Mohammed", "Hassan"),
        ("Али", "Мухаммед", "Хасан"),
        "m",
        "2008",
    ),
    (
        "son",
        ("عمر", "محمد", "حسن"),
        ("Omar", "Mohammed", "Hassan"),
        ("Омар", "Мухаммед", "Хасан"),
        "m",
        "2011",
    ),
    (
        "daughter",
        ("مريم", "محمد", "حسن"),
        ("Maryam", "Mohammed", "Hassan"),
        ("Марьям", "Мухаммед", "Хасан"),
        "f",
        "2015",
    ),
    (
        "daughter",
        ("زينب", "محمد", "حسن"),
        ("Zainab", "Mohammed", "Hassan"),
        ("Зейнаб", "Мухаммед", "Хасан"),
        "f",
        "2019",
    ),
]
PARTS = ("given_name", "father_name", "family_name")


def _register_family_of_six(clerk: Clerk) -> None:
    page = clerk.page
    for index, (relationship, arabic, latin, cyrillic, sex, birth) in enumerate(FAMILY):
        prefix = f"#id_members-{index}-"
        if index:
            clerk.tap("#add-member")
            expect(page.locator(f"{prefix}given_name_ar")).to_be_visible()
            clerk.choose(f"{prefix}relationship", relationship)
        for script, names in (("ar", arabic), ("lat", latin), ("cyr", cyrillic)):
            for part, name in zip(PARTS, names, strict=True):
                clerk.type(f"{prefix}{part}_{script}", name)
        clerk.check(f"{prefix}sex_{0 if sex == 'm' else 1}")
        clerk.type(f"{prefix}birth_date_text", birth)
        clerk.check(f"{prefix}birth_date_estimated")
    clerk.save()


def test_family_of_six_at_phone_size_counts_the_clerks_effort(page):
    build_world()
    page.set_viewport_size(PHONE)
    sign_in(page, "clerk")
    page.goto(f"{page.base_url}/registry/register/")
    clerk = Clerk(page)
    _register_family_of_six(clerk)
    expect(page.locator("h1")).to_contain_text("Household")
    screenshot(page, "family-of-six-phone")

    household = Household.objects.get()
    members = list(household.members.order_by("pk"))
    assert len(members) == 6
    for person, (_, arabic, latin, cyrillic, *_rest) in zip(members, FAMILY, strict=True):
        for script, names in (("ar", arabic), ("lat", latin), ("cyr", cyrillic)):
            assert [getattr(person, f"{p}_{script}") for p in PARTS] == list(names)
    print(
        f"\nfamily of six: {clerk.inputs} inputs, {clerk.taps} taps, {clerk.keystrokes} keystrokes"
    )


def test_family_of_six_at_the_emergency_level(page):
    """The minimum per person (name in one script, sex, birth year, relationship); the record
    says what caseworkers must complete."""
    build_world()
    page.set_viewport_size(PHONE)
    sign_in(page, "clerk")
    page.goto(f"{page.base_url}/registry/register/")
    clerk = Clerk(page)
    clerk.check("#id_level_0")
    for index, (relationship, arabic, _latin, _cyrillic, sex, birth) in enumerate(FAMILY):
        prefix = f"#id_members-{index}-"
        if index:
            clerk.tap("#add-member")
            expect(page.locator(f"{prefix}given_name_ar")).to_be_visible()
            clerk.choose(f"{prefix}relationship", relationship)
        clerk.type(f"{prefix}given_name_ar", arabic[0])
        clerk.type(f"{prefix}family_name_ar", arabic[2])
        clerk.check(f"{prefix}sex_{0 if sex == 'm' else 1}")
        clerk.type(f"{prefix}birth_date_text", birth)
    clerk.save()

    expect(page.locator("#registration-incomplete")).to_contain_text("Emergency registration")
    expect(page.locator("#registration-incomplete")).to_contain_text("place of origin")
    screenshot(page, "family-of-six-emergency-phone")
    household = Household.objects.get()
    assert household.is_emergency_registration and household.members.count() == 6
    print(
        f"\nfamily of six, emergency level: {clerk.inputs} inputs, {clerk.taps} taps, "
        f"{clerk.keystrokes} keystrokes"
    )
