"""What the registration form offers to fill in: names from the head, spellings from Arabic."""

from django.urls import reverse

from refuge.registry.naming import suggested_names
from refuge.registry.transliteration import suggest_spellings

HEAD = {
    "given_name_ar": "محمد",
    "family_name_ar": "حسن",
    "given_name_lat": "Mohamad",
    "family_name_lat": "Hassan",
}


def test_a_child_takes_father_s_and_family_name_from_the_head():
    offered = suggested_names(
        {"given_name_ar": "عمر"}, relationship="son", head_sex="m", head_names=HEAD
    )
    assert offered["father_name_ar"] == "محمد" and offered["family_name_ar"] == "حسن"
    # The head's own Latin spelling, as the clerk confirmed it, not the lexicon's.
    assert offered["father_name_lat"] == "Mohamad"
    assert offered["given_name_lat"] == "Omar" and offered["given_name_cyr"] == "Омар"


def test_a_wife_keeps_her_own_family_name():
    offered = suggested_names(
        {"given_name_ar": "فاطمة"}, relationship="spouse", head_sex="m", head_names=HEAD
    )
    assert "family_name_ar" not in offered and "father_name_ar" not in offered
    assert offered["given_name_lat"] == "Fatima"


def test_children_of_a_woman_heading_the_household_inherit_nothing_from_her():
    offered = suggested_names({}, relationship="daughter", head_sex="f", head_names=HEAD)
    assert offered == {}


def test_a_father_s_name_typed_otherwise_drops_the_head_s_spellings():
    offered = suggested_names(
        {"father_name_ar": "خالد"}, relationship="son", head_sex="m", head_names=HEAD
    )
    assert offered["father_name_lat"] == "Khaled"
    assert offered["family_name_lat"] == "Hassan"


def test_unknown_names_get_a_letter_by_letter_outline():
    latin, cyrillic = suggest_spellings("وليد")
    assert latin.startswith("W") and cyrillic.startswith("В")
    assert suggest_spellings("  ") == ("", "")


def test_the_form_s_suggestions_cover_every_member_row(world, client):
    client.force_login(world.user("clerk"))
    response = client.post(
        reverse("registry:name_suggestions"),
        {
            "members-TOTAL_FORMS": "2",
            "members-0-given_name_ar": "محمد",
            "members-0-family_name_ar": "حسن",
            "members-0-sex": "m",
            "members-1-relationship": "daughter",
            "members-1-given_name_ar": "مريم",
        },
    )
    offered = response.json()
    assert offered["members-0-given_name_cyr"] == "Мухаммед"
    assert offered["members-1-father_name_ar"] == "محمد"
    assert offered["members-1-family_name_lat"] == "Hassan"
    assert offered["members-1-given_name_lat"] == "Maryam"
