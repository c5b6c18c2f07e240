import io

import pypdfium2
from django.utils import timezone
from pypdf import PdfReader

from refuge.sites.documents import manifest_pdf, registration_slip_pdf
from refuge.sites.movements import add_household, plan_movement
from refuge.testing import register


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _ink(pdf: bytes) -> float:
    """Share of the first page's pixels that are not white."""
    page = pypdfium2.PdfDocument(pdf)[0]
    histogram = page.render(scale=0.5).to_pil().convert("L").histogram()
    return sum(histogram[:200]) / sum(histogram)


def test_the_slip_renders_and_carries_the_registration_number(world):
    household = register(world.perm, world.user("clerk_perm"))

    pdf = registration_slip_pdf(household)

    assert pdf.startswith(b"%PDF")
    assert household.registration_number in _text(pdf)
    assert _ink(pdf) > 0.01  # a QR code and text, not a blank page


def test_the_slip_speaks_arabic_and_the_sites_language(world):
    household = register(world.perm, world.user("clerk_perm"))

    text = _text(registration_slip_pdf(household))

    assert "Регистрационный номер" in text  # Perm: Russian
    assert "Mohammed" in text


def test_the_manifest_lists_every_passenger(world):
    movement = plan_movement(
        from_site=world.perm,
        to_site=world.perm2,
        planned_on=timezone.localdate(),
        means="bus",
        seats=20,
        by=world.user("coordinator"),
    )
    households = [register(world.perm, world.user("clerk_perm")) for _ in range(2)]
    for household in households:
        add_household(movement=movement, household=household, by=world.user("coordinator"))

    pdf = manifest_pdf(movement)

    text = _text(pdf)
    assert all(h.registration_number in text for h in households)
    assert "People: 8" in text
    assert _ink(pdf) > 0.01
