"""The weekly situation report: the coordinator's words, the week's figures (suppressed as for
the public), the page, the PDF in three languages and the command line."""

import io
from datetime import timedelta

import pypdfium2
import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from refuge.audit.models import AuditEntry
from refuge.reporting.documents import sitrep_document
from refuge.reporting.models import Sitrep
from refuge.reporting.periods import Period, week_label, week_start
from refuge.reporting.readers import PublicReader
from refuge.reporting.sitrep import sitrep_for, write_sitrep


def _last_week(today):
    monday = week_start(today) - timedelta(weeks=1)
    return Period.of_weeks(monday, monday)


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _ink(pdf: bytes) -> float:
    page = pypdfium2.PdfDocument(pdf)[0]
    histogram = page.render(scale=0.5).to_pil().convert("L").histogram()
    return sum(histogram[:200]) / sum(histogram)


def test_the_coordinator_writes_the_words_and_the_figures_come_from_the_data(reporting_world):
    w = reporting_world
    period = _last_week(w.today)
    write_sitrep(
        week=period.start,
        highlights="Family B arrived at Perm centre 1.",
        overview="Quiet week.",
        site_notes={w.world.perm.pk: "Heating repaired."},
        by=w.world.user("coordinator"),
    )

    content = sitrep_for(PublicReader(), period=period, today=w.today)

    assert content.highlights == "Family B arrived at Perm centre 1."
    perm = next(s for s in content.sites if s.name == "Perm centre 1")
    assert perm.note == "Heating repaired."
    # B (4) arrived at Perm and E (4) at the shelter last week: each site's week is withheld,
    # the programme's (the two regions together, both withheld) is not.
    assert str(dict(content.key_figures)["Arrivals this week"]) == "8"
    assert perm.arrivals.suppressed
    assert AuditEntry.objects.filter(object_type="reporting.sitrep", action="change").exists()


def test_only_a_coordinator_writes_and_only_for_their_sites(reporting_world):
    from django.core.exceptions import PermissionDenied

    w = reporting_world
    week = _last_week(w.today).start
    with pytest.raises(PermissionDenied):
        write_sitrep(
            week=week, highlights="x", overview="", site_notes={}, by=w.world.user("observer")
        )
    with pytest.raises(PermissionDenied):
        write_sitrep(
            week=week, highlights="x", overview="", site_notes={w.world.shelter.pk: "x"},
            by=w.world.user("coordinator"),
        )  # fmt: skip
    assert not Sitrep.objects.exists()


def test_words_too_long_are_refused_naming_the_field_and_nothing_is_saved(reporting_world, client):
    w = reporting_world
    client.force_login(w.world.user("coordinator"))
    week = week_label(_last_week(w.today).start)

    response = client.post(
        reverse("reporting:sitrep") + f"?week={week}",
        {"highlights": "x" * 2001, "overview": "", f"site-{w.world.perm.pk}": "ok"},
    )

    assert response.status_code == 400
    assert "Highlights" in response.content.decode()
    assert not Sitrep.objects.exists()


@pytest.mark.parametrize("language", ["ru", "en", "ar"])
def test_the_pdf_renders_in_each_language_and_is_not_blank(reporting_world, language):
    w = reporting_world
    period = _last_week(w.today)
    write_sitrep(
        week=period.start, highlights="وصلت عائلة جديدة", overview="", site_notes={},
        by=w.world.user("coordinator"),
    )  # fmt: skip

    pdf = sitrep_document(PublicReader(), period=period, today=w.today, language=language)

    assert pdf.startswith(b"%PDF") and _ink(pdf) > 0.01
    text = _text(pdf)
    # The labels are in the report's language, the ones read from the data too.
    expected = {
        "ru": ["Ключевые цифры", "Людей на месте", "Первичный медицинский осмотр"],
        "en": ["Key figures", "People present", "Initial health screening"],
        "ar": [],
    }[language]
    assert [label for label in expected if label not in text] == []
    # Arabic is drawn joined (presentation forms), never as isolated letters in logical order.
    shaped = [ch for ch in text if "\ufb50" <= ch <= "\ufdff" or "\ufe70" <= ch <= "\ufeff"]
    assert shaped
    assert "وصلت" not in text


def test_the_page_shows_the_sitrep_and_offers_the_pdfs(reporting_world, client):
    w = reporting_world
    client.force_login(w.world.user("observer"))
    week = week_label(_last_week(w.today).start)

    page = client.get(reverse("reporting:sitrep"), {"week": week})
    pdf = client.get(reverse("reporting:sitrep_pdf"), {"week": week, "lang": "ru"})

    assert page.status_code == 200 and 'id="key-figures"' in page.content.decode()
    assert "<textarea" not in page.content.decode()  # observers read, coordinators write
    assert pdf["Content-Type"] == "application/pdf" and _ink(pdf.content) > 0.01


def test_the_command_line_prints_a_week_in_russian(reporting_world, tmp_path):
    out = tmp_path / "sitrep.pdf"
    week = week_label(_last_week(reporting_world.today).start)

    call_command("sitrep", "--period", week, "--lang", "ru", "--out", str(out))

    assert "Ситуационный отчёт" in _text(out.read_bytes())


def test_the_weekly_run_files_last_weeks_report_in_every_language(reporting_world, tmp_path):
    call_command("file_sitreps", "--dir", str(tmp_path))

    week = week_label(_last_week(reporting_world.today).start)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"sitrep-{week}-{code}.pdf" for code in ("ar", "en", "ru")
    ]
    assert Sitrep.objects.get().filed_at is not None
