"""Every message ships in Russian and Arabic, and the compiled catalogs match their sources."""

from pathlib import Path

import polib
import pytest
from django.urls import reverse

from refuge.testing import register

CATALOGS = sorted(Path("refuge").glob("**/locale/*/LC_MESSAGES/django.po"))


def test_there_are_russian_and_arabic_catalogs():
    languages = {p.parts[-3] for p in CATALOGS}
    assert {"ru", "ar"} <= languages


@pytest.mark.parametrize("path", CATALOGS, ids=str)
def test_every_message_is_translated(path):
    catalog = polib.pofile(str(path))

    untranslated = [e.msgid for e in catalog.untranslated_entries()]
    fuzzy = [e.msgid for e in catalog.fuzzy_entries()]

    assert not untranslated, f"untranslated in {path}: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy in {path}: {fuzzy[:10]}"


@pytest.mark.parametrize("path", CATALOGS, ids=str)
def test_compiled_catalog_matches_its_source(path):
    source = {
        e.msgid: e.msgstr
        for e in polib.pofile(str(path)).translated_entries()
        if not e.msgid_plural
    }
    compiled = {
        e.msgid: e.msgstr for e in polib.mofile(str(path.with_suffix(".mo"))) if not e.msgid_plural
    }

    assert source == {k: v for k, v in compiled.items() if k}, f"run `make messages` for {path}"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", "Зарегистрировать семью"),
        ("ar", "تسجيل أسرة"),
    ],
)
def test_pages_render_in_the_chosen_language(world, client, language, expected):
    household = register(world.shelter, world.user("clerk"))
    client.force_login(world.user("clerk"))
    client.post(reverse("accounts:language"), {"language": language})

    for url in (
        reverse("sites:overview"),
        reverse("registry:register"),
        reverse("registry:household", args=[household.pk]),
    ):
        page = client.get(url).content.decode()
        assert expected in page
        assert "Register a household" not in page
