from django.urls import reverse

from refuge.registry.models import Household

HEAD = {
    "members-0-relationship": "head",
    "members-0-given_name_ar": "محمد",
    "members-0-family_name_ar": "حسن",
    "members-0-given_name_lat": "Mohammed",
    "members-0-family_name_lat": "Hassan",
    "members-0-sex": "m",
    "members-0-birth_date_text": "1983",
}
SON = {
    "members-1-relationship": "son",
    "members-1-given_name_ar": "علي",
    "members-1-family_name_ar": "حسن",
    "members-1-sex": "m",
    "members-1-birth_date_text": "17.04.2012",
}


def _form(world, members: dict, total: int) -> dict:
    return {
        "site": world.shelter.pk,
        "registered_on": "2026-01-05",
        "consent": ["registration"],
        "members-TOTAL_FORMS": str(total),
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "40",
        **members,
    }


def test_a_family_registered_through_the_form_lands_whole(world, client):
    client.force_login(world.user("clerk"))

    response = client.post(reverse("registry:register"), _form(world, {**HEAD, **SON}, 2))

    household = Household.objects.get()
    assert response.url == reverse("registry:household", args=[household.pk])
    head, son = household.members.order_by("pk")
    assert (head.birth_date_precision, str(head.birth_date)) == ("year", "1983-01-01")
    assert (son.relationship, str(son.birth_date)) == ("son", "2012-04-17")


def test_an_empty_form_names_the_missing_names_and_nothing_else(world, client):
    client.force_login(world.user("clerk"))

    response = client.post(reverse("registry:register"), _form(world, {}, 1))

    page = response.content.decode()
    assert "Given name: Enter the given name in at least one script." in page
    assert "Please submit at least" not in page
    assert Household.objects.count() == 0


def test_a_bad_second_member_keeps_the_whole_family_unsaved(world, client):
    client.force_login(world.user("clerk"))
    bad_son = {**SON, "members-1-birth_date_text": "2999"}

    response = client.post(reverse("registry:register"), _form(world, {**HEAD, **bad_son}, 2))

    assert response.status_code == 200
    assert "The year 2999 is not plausible." in response.content.decode()
    assert Household.objects.count() == 0


def test_consent_to_registration_is_required(world, client):
    client.force_login(world.user("clerk"))
    data = _form(world, HEAD, 1)
    data["consent"] = ["tracing"]

    response = client.post(reverse("registry:register"), data)

    assert "consent to registration" in response.content.decode()
    assert Household.objects.count() == 0


def test_a_clerk_cannot_pick_a_site_outside_their_own(world, client):
    client.force_login(world.user("clerk"))
    data = _form(world, HEAD, 1)
    data["site"] = world.perm.pk

    response = client.post(reverse("registry:register"), data)

    assert response.status_code == 200
    assert Household.objects.count() == 0


def test_add_member_returns_the_next_row_and_bumps_the_count(world, client):
    client.force_login(world.user("clerk"))

    response = client.get(reverse("registry:member_row"), {"index": "3"})

    page = response.content.decode()
    assert 'name="members-3-given_name_ar"' in page
    assert 'id="id_members-TOTAL_FORMS" hx-swap-oob="true"' in page and 'value="4"' in page
    assert 'value="head"' not in page  # only the first row is the head
