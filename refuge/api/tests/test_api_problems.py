"""Errors are application/problem+json, name each field, and speak the caller's language."""

from refuge.api.tests.conftest import bearer
from refuge.registry.models import Household
from refuge.testing import register


def _fields(response) -> dict:
    return {e["field"]: e["detail"] for e in response.json()["errors"]}


def test_validation_errors_name_each_field_in_russian(world):
    client = bearer(world.user("clerk_perm"))
    body = {
        "site": world.perm.pk,
        "consent": ["registration"],
        "members": [{"relationship": "head", "sex": "x"}],
    }

    response = client.post("/api/v1/households/", body, format="json", HTTP_ACCEPT_LANGUAGE="ru")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400 and problem["type"] == "about:blank"
    assert problem["title"] == "В запросе есть ошибки"
    assert "members.0.sex" in _fields(response)
    assert _fields(response)["members.0.sex"] == "Значения x нет среди допустимых вариантов."


def test_domain_errors_name_the_member_field_in_russian(world):
    client = bearer(world.user("clerk_perm"))
    body = {
        "site": world.perm.pk,
        "consent": ["registration"],
        "members": [{"relationship": "head", "sex": "m", "given_name_lat": "Ali"}],
    }

    response = client.post("/api/v1/households/", body, format="json", HTTP_ACCEPT_LANGUAGE="ru")

    assert response.status_code == 400
    assert list(_fields(response)) == ["members.0.family_name_ar"]
    assert _fields(response)["members.0.family_name_ar"].startswith("Укажите")
    assert Household.objects.count() == 0


def test_user_language_is_used_without_accept_language(world):
    user = world.user("clerk_perm")
    user.preferred_language = "ru"
    user.save()
    client = bearer(user)

    response = client.get("/api/v1/people/999999/")

    assert response.status_code == 404
    assert response.json()["title"] == "Не найдено"
    assert response.json()["detail"]


def test_refused_and_not_found_are_problems(world):
    household = register(world.perm, world.user("clerk_perm"))

    refused = bearer(world.user("observer")).get(f"/api/v1/households/{household.pk}/")
    elsewhere = bearer(world.user("clerk")).get(f"/api/v1/households/{household.pk}/")

    assert refused.status_code == 403 and elsewhere.status_code == 404
    for response in (refused, elsewhere):
        assert response["Content-Type"] == "application/problem+json"
        assert set(response.json()) >= {"type", "title", "status", "detail"}


def test_a_body_past_the_limit_is_refused_before_it_is_read(world, settings):
    settings.API_MAX_BODY_BYTES = 1000
    client = bearer(world.user("clerk_perm"))

    response = client.post("/api/v1/people/search/", {"q": "x" * 2000}, format="json")

    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"


def test_every_text_field_is_bounded(world):
    client = bearer(world.user("clerk_perm"))

    response = client.post("/api/v1/people/search/", {"q": "م" * 201}, format="json")

    assert response.status_code == 400
    assert list(_fields(response)) == ["q"]


def test_a_stale_step_version_is_a_conflict(world):
    from refuge.casework.models import StepProgress

    household = register(world.perm, world.user("clerk_perm"))
    step = StepProgress.objects.get(
        case__person=household.members.first(), step__code="social_support"
    )
    client = bearer(world.user("caseworker"))
    body = {"version": step.version, "status": "in_progress"}
    assert client.patch(f"/api/v1/steps/{step.pk}/", body, format="json").status_code == 200

    stale = client.patch(f"/api/v1/steps/{step.pk}/", body | {"status": "waiting"}, format="json")

    assert stale.status_code == 409
    assert stale["Content-Type"] == "application/problem+json"
