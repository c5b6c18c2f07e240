from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from refuge.audit.models import AuditEntry
from refuge.audit.services import unsealed
from refuge.reception.services import update_person
from refuge.registry.selectors import search_people
from refuge.testing import register


@pytest.fixture
def son(world):
    household = register(world.perm, world.user("clerk_perm"))
    return household.members.get(relationship="son")


def test_a_change_is_audited_with_old_and_new_values(world, son):
    update_person(
        person=son,
        changes={"given_name_cyr": "Али", "birth_date": date(2012, 9, 4)},
        by=world.user("clerk_perm"),
    )

    entry = AuditEntry.objects.filter(action="change", object_id=str(son.pk)).get()
    assert unsealed(entry)["changes"]["given_name_cyr"] == ["", "Али"]
    assert unsealed(entry)["changes"]["birth_date"] == ["2012-09-03", "2012-09-04"]
    assert entry.actor_username == "clerk.perm"


def test_unchanged_values_leave_no_entry(world, son):
    assert (
        update_person(person=son, changes={"given_name_ar": "علي"}, by=world.user("caseworker"))
        == {}
    )
    assert not AuditEntry.objects.filter(action="change").exists()


def test_a_new_name_is_searchable_at_once(world, son):
    update_person(person=son, changes={"given_name_cyr": "Али"}, by=world.user("caseworker"))

    assert son in search_people(world.user("caseworker"), "али")


def test_removing_every_given_name_is_refused(world, son):
    with pytest.raises(ValidationError) as caught:
        update_person(
            person=son,
            changes={"given_name_ar": "", "given_name_lat": ""},
            by=world.user("caseworker"),
        )
    assert "given_name_ar" in caught.value.message_dict
    son.refresh_from_db()
    assert son.given_name_ar == "علي"


def test_a_caseworker_adds_a_name_form_but_birth_and_sex_are_registration_staffs(world, son):
    caseworker = world.user("caseworker")
    with pytest.raises(ValidationError) as refused:
        update_person(
            person=son,
            changes={"given_name_cyr": "Али", "birth_date": date(2012, 9, 4), "sex": "f"},
            by=caseworker,
        )
    assert set(refused.value.message_dict) == {"birth_date", "sex"}
    son.refresh_from_db()
    assert (son.given_name_cyr, son.birth_date, son.sex) == ("", date(2012, 9, 3), "m")

    update_person(person=son, changes={"given_name_cyr": "Али", "sex": "m"}, by=caseworker)
    son.refresh_from_db()
    assert son.given_name_cyr == "Али"


def test_the_edit_form_disables_what_the_role_may_not_change(world, son, client):
    client.force_login(world.user("caseworker"))
    form = client.get(reverse("registry:person_edit", args=[son.pk])).context["form"]

    disabled = {name for name, field in form.fields.items() if field.disabled}
    assert {"sex", "birth_date_text", "birth_date_estimated", "origin", "relationship"} <= disabled
    assert "given_name_cyr" not in disabled and "profession" not in disabled


def test_medical_officer_may_not_edit(world, son):
    with pytest.raises(PermissionDenied):
        update_person(person=son, changes={"given_name_lat": "X"}, by=world.user("medical"))


def test_edit_page_saves_and_the_person_page_names_the_changed_fields(world, son, client):
    client.force_login(world.user("caseworker"))
    url = reverse("registry:person_edit", args=[son.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "languages"}
    data.update({"given_name_cyr": "Али", "birth_date_text": "2012-09-03", "origin": ""})

    response = client.post(url, data)

    assert response.status_code == 302
    page = client.get(reverse("registry:person", args=[son.pk])).content.decode()
    # The history says which fields changed, in words; their old values are sealed in the trail.
    assert "given name (Cyrillic)" in page
    assert "given_name_cyr" not in page
    assert "«—» → «Али»" not in page


def test_edit_page_names_the_bad_field(world, son, client):
    client.force_login(world.user("clerk_perm"))
    url = reverse("registry:person_edit", args=[son.pk])

    response = client.post(
        url,
        {
            "given_name_ar": "علي",
            "family_name_ar": "حسن",
            "sex": "m",
            "relationship": "son",
            "birth_date_text": "2012-13-40",
        },
    )

    assert response.status_code == 200
    assert "Birth date: This date does not exist." in response.content.decode()
    son.refresh_from_db()
    assert son.birth_date == date(2012, 9, 3)
