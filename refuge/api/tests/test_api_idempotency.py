from refuge.api.tests.conftest import bearer
from refuge.registry.models import Household


def _body(world, family="Haddad"):
    return {
        "site": world.perm.pk,
        "consent": ["registration"],
        "members": [
            {
                "relationship": "head",
                "sex": "f",
                "given_name_lat": "Rania",
                "family_name_lat": family,
                "birth_date": "1990-05-01",
            }
        ],
    }


def test_same_key_and_body_returns_the_first_result_and_registers_once(world):
    client = bearer(world.user("clerk_perm"))

    first = client.post(
        "/api/v1/households/", _body(world), format="json", HTTP_IDEMPOTENCY_KEY="kobo-1234"
    )
    again = client.post(
        "/api/v1/households/", _body(world), format="json", HTTP_IDEMPOTENCY_KEY="kobo-1234"
    )

    assert first.status_code == 201, first.content
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Household.objects.count() == 1


def test_same_key_with_another_body_is_a_conflict(world):
    client = bearer(world.user("clerk_perm"))
    client.post(
        "/api/v1/households/", _body(world), format="json", HTTP_IDEMPOTENCY_KEY="kobo-1234"
    )

    other = client.post(
        "/api/v1/households/",
        _body(world, "Khoury"),
        format="json",
        HTTP_IDEMPOTENCY_KEY="kobo-1234",
    )

    assert other.status_code == 409
    assert other["Content-Type"] == "application/problem+json"
    assert Household.objects.count() == 1


def test_keys_belong_to_one_user(world):
    body = _body(world)
    bearer(world.user("clerk_perm")).post(
        "/api/v1/households/", body, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )

    second = bearer(world.user("site_manager")).post(
        "/api/v1/households/", body, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )

    assert second.status_code == 201
    assert Household.objects.count() == 2


def test_without_a_key_a_retry_writes_twice(world):
    client = bearer(world.user("clerk_perm"))

    client.post("/api/v1/households/", _body(world), format="json")
    client.post("/api/v1/households/", _body(world), format="json")

    assert Household.objects.count() == 2


def test_a_refused_write_is_replayed_as_refused(world):
    client = bearer(world.user("clerk_perm"))
    body = _body(world) | {"consent": ["sharing"]}  # no consent to registration

    first = client.post("/api/v1/households/", body, format="json", HTTP_IDEMPOTENCY_KEY="x")
    again = client.post("/api/v1/households/", body, format="json", HTTP_IDEMPOTENCY_KEY="x")

    assert first.status_code == again.status_code == 400
    assert again.json() == first.json()
    assert Household.objects.count() == 0


def test_an_overlong_key_is_refused(world):
    response = bearer(world.user("clerk_perm")).post(
        "/api/v1/households/", _body(world), format="json", HTTP_IDEMPOTENCY_KEY="k" * 201
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert Household.objects.count() == 0
