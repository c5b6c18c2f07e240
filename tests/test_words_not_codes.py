"""Russian and Arabic pages say things in words: no language codes, no model labels, no
field names, no legal reference hidden in a tooltip a touch screen cannot show."""

import pytest
from django.urls import reverse

from refuge.audit.models import AuditEntry
from refuge.casework.models import StepProgress
from refuge.registry.services import update_person
from refuge.testing import member, register


@pytest.fixture
def person(world):
    household = register(world.perm, world.user("clerk_perm"), [member(languages=["ar", "ru"])])
    person = household.members.get()
    update_person(person=person, changes={"given_name_lat": "Mohamad"}, by=world.user("admin"))
    return person


def _page(client, world, language, url):
    client.force_login(world.user("admin"))
    client.cookies["django_language"] = language
    return client.get(url).content.decode()


@pytest.mark.parametrize(
    ("language", "arabic", "latin_name"),
    [("ru", "арабский", "имя (лат.)"), ("ar", "العربية", "الاسم (باللاتينية)")],
)
def test_the_person_page_names_languages_and_changed_fields_in_words(
    world, client, person, language, arabic, latin_name
):
    html = _page(client, world, language, reverse("registry:person", args=[person.pk]))

    assert arabic in html.lower()
    assert "given_name_lat" not in html
    assert latin_name in html.lower()


def test_the_audit_trail_names_what_an_entry_is_about_in_words(world, client, person):
    assert AuditEntry.objects.filter(object_type="registry.person").exists()

    html = _page(client, world, "ru", reverse("audit:trail"))

    assert "registry.person" not in html
    assert "человек" in html


def test_a_steps_legal_reference_is_shown_not_hidden_in_a_tooltip(world, client, person):
    step = StepProgress.objects.filter(case__person=person, step__source="official").first()
    assert step.step.reference

    html = _page(client, world, "ru", reverse("casework:person", args=[person.pk]))

    assert f'title="{step.step.reference}"' not in html
    assert "Правовое основание" in html
    assert step.step.reference in html
