import io
import os
import shutil
import subprocess

import pypdfium2
import pytest
from django.utils import timezone, translation
from pypdf import PdfReader

from refuge.registry.services import DocumentData
from refuge.sites.documents import manifest_pdf, registration_slip_pdf, slip_qr_payload
from refuge.sites.movements import add_household, plan_movement
from refuge.testing import family_of_four, register


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
    assert "8 people on this manifest" in text
    assert _ink(pdf) > 0.01


# --- Reading the printed papers as a scanner and a reader would ---------------------------

ZBAR = shutil.which("zbarimg")
_LONG_FAMILY = ("عبد الرحمن الحسيني الدمشقي", "Abd al-Rahman al-Husseini al-Dimashqi")


def _zbar():
    if ZBAR is None:
        if os.environ.get("REFUGE_REQUIRE_ZBAR") == "1":
            pytest.fail("zbarimg not found (apt-get install zbar-tools)")
        pytest.skip("zbarimg not found (apt-get install zbar-tools)")
    return ZBAR


def _scanned(pdf: bytes, tmp_path) -> list[str]:
    """What zbar reads off every page, printed at 200 dpi."""
    found = []
    for index, page in enumerate(pypdfium2.PdfDocument(pdf)):
        png = tmp_path / f"page-{index}.png"
        page.render(scale=200 / 72).to_pil().convert("L").save(png)
        result = subprocess.run(
            [_zbar(), "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(png)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode in (0, 4), result.stderr  # 4: no code on this page
        found += result.stdout.split()
    return found


def _boxes(pdf: bytes):
    """Per page: the boxes of its text and of its QR codes, in points from the bottom left."""
    pages = []
    for page in pypdfium2.PdfDocument(pdf):
        text = page.get_textpage()
        words = [text.get_rect(i) for i in range(text.count_rects())]
        # A QR code is one path of hundreds of modules; rules and tick boxes have a few segments.
        codes = [
            obj.get_bounds()
            for obj in page.get_objects(filter=[pypdfium2.raw.FPDF_PAGEOBJ_PATH])
            if pypdfium2.raw.FPDFPath_CountSegments(obj.raw) > 100
        ]
        pages.append((page, text, words, codes))
    return pages


def _overlap(a, b, margin: float = 0) -> bool:
    return (
        a[0] < b[2] + margin
        and b[0] - margin < a[2]
        and a[1] < b[3] + margin
        and b[1] - margin < a[3]
    )


def _where(text, needle: str):
    searcher = text.search(needle)
    found = searcher.get_next()
    assert found, f"{needle!r} is not on the page"
    return text.get_charbox(found[0])


@pytest.fixture
def transfer(world):
    movement = plan_movement(
        from_site=world.perm,
        to_site=world.perm2,
        planned_on=timezone.localdate(),
        means="bus",
        seats=60,
        by=world.user("coordinator"),
    )
    for n in range(5):  # households with long names: more than one page
        members = family_of_four(family=_LONG_FAMILY[0], latin_family=_LONG_FAMILY[1])
        members[0].documents = [DocumentData(doc_type="passport", number=f"N{n:07d}")]
        household = register(world.perm, world.user("clerk_perm"), members)
        add_household(movement=movement, household=household, by=world.user("coordinator"))
    return movement


def test_the_slips_code_is_a_standard_qr_that_zbar_reads(world, tmp_path):
    household = register(world.perm, world.user("clerk_perm"))

    # The slip carries the household's short address; a camera opens it, Find reads a scanner's.
    assert _scanned(registration_slip_pdf(household), tmp_path) == [slip_qr_payload(household)]


def test_every_household_code_on_the_manifest_is_read_by_zbar(transfer, tmp_path):
    numbers = sorted(
        set(transfer.passengers.values_list("household__registration_number", flat=True))
    )

    assert sorted(_scanned(manifest_pdf(transfer), tmp_path)) == numbers


@pytest.mark.parametrize("language", ["en", "ru", "ar"])
def test_no_text_on_the_manifest_runs_into_a_qr_code(transfer, language):
    with translation.override(language):
        pages = _boxes(manifest_pdf(transfer))

    assert len(pages) > 1
    assert sum(len(codes) for *_, codes in pages) == 5
    for number, (_page, _text, words, codes) in enumerate(pages):
        assert len(words) > 20  # the text boxes were read, so the check below means something
        for i, code in enumerate(codes):
            # A reader needs a quiet zone of white around the code; 3 mm is three modules.
            assert not [w for w in words if _overlap(w, code, margin=3)], f"page {number + 1}"
            assert not [c for c in codes[i + 1 :] if _overlap(c, code, margin=3)]


def test_the_arabic_manifest_runs_right_to_left(transfer):
    number = transfer.passengers.order_by("household__registration_number").first()
    number = number.household.registration_number
    layouts = {}
    for language in ("en", "ar"):
        with translation.override(language):
            page, text, _words, codes = _boxes(manifest_pdf(transfer))[0]
        layouts[language] = (page.get_width(), _where(text, number), codes[0], text)

    width, en_number, en_code, _ = layouts["en"]
    assert en_number[0] < width / 4 and en_code[0] > width / 2  # number left, code right
    width, ar_number, ar_code, ar_text = layouts["ar"]
    assert ar_number[2] > width * 3 / 4 and ar_code[2] < width / 2  # number right, code left
    # The first passenger's row number stands at the right margin, its name to its left.
    row = _where(ar_text, "1.")
    assert row[2] > width - 20 * 72 / 25.4


def test_the_manifest_has_documents_tick_boxes_and_the_escorts_signature(transfer):
    pdf = manifest_pdf(transfer)
    pages = _boxes(pdf)
    text = _text(pdf)

    assert "N0000000" in text and "N0000004" in text
    assert "Escort's signature" in text
    boxes = [
        obj
        for page, *_ in pages
        for obj in page.get_objects(filter=[pypdfium2.raw.FPDF_PAGEOBJ_PATH])
        if _square(obj.get_bounds(), 4.5)
    ]
    assert len(boxes) == 2 * 20  # boarded and arrived, for each of the 20 passengers


def _square(bounds, side_mm: float) -> bool:
    left, bottom, right, top = bounds
    side = side_mm * 72 / 25.4
    return abs(right - left - side) < 2.5 and abs(top - bottom - side) < 2.5  # with its stroke


def test_a_held_back_household_is_named_on_the_manifest(transfer):
    held = transfer.passengers.first().household
    problems = {held.pk: ["Travel hold: awaiting TB test result"]}

    assert "awaiting TB test result" in _text(manifest_pdf(transfer, problems=problems))
