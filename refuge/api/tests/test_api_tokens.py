from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from refuge.api.models import ApiToken
from refuge.api.tests.conftest import bearer
from refuge.api.tokens import create_token, revoke_token
from refuge.audit.models import AuditEntry
from refuge.audit.services import unsealed
from refuge.testing import register


def _client(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def test_token_is_stored_as_a_digest_only(world):
    user = world.user("clerk_perm")

    token, secret = create_token(owner=user, name="KoBo sync", scope="read", by=user)

    stored = ApiToken.objects.values_list("prefix", "digest").get(pk=token.pk)
    assert secret.startswith("rfg_") and len(secret) > 40
    assert all(secret not in value for value in stored)
    assert _client(secret).get("/api/v1/sites/").status_code == 200


def test_every_use_of_a_token_is_audited(world):
    user = world.user("clerk_perm")
    token, secret = create_token(owner=user, name="sync", scope="read", by=user)
    client = _client(secret)

    client.get("/api/v1/sites/")
    client.get("/api/v1/people/")

    uses = AuditEntry.objects.filter(
        object_type="api.apitoken", object_id=str(token.pk), action="login"
    )
    assert [unsealed(e)["path"] for e in uses] == ["/api/v1/sites/", "/api/v1/people/"]
    assert {e.actor_id for e in uses} == {user.pk}


def test_expired_token_is_refused_and_the_attempt_audited(world):
    user = world.user("clerk_perm")
    token, secret = create_token(owner=user, name="sync", scope="read", by=user)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = _client(secret).get("/api/v1/sites/")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert AuditEntry.objects.filter(object_id=str(token.pk), action="denied").exists()


def test_revoked_token_opens_nothing(world):
    user = world.user("clerk_perm")
    token, secret = create_token(owner=user, name="sync", scope="write", by=user)
    client = _client(secret)
    assert client.get("/api/v1/sites/").status_code == 200

    revoke_token(token=token, by=user)

    assert client.get("/api/v1/sites/").status_code == 401


def test_a_wrong_secret_with_a_real_prefix_is_refused(world):
    user = world.user("clerk_perm")
    _token, secret = create_token(owner=user, name="sync", scope="read", by=user)

    response = _client(secret[:-4] + "AAAA").get("/api/v1/sites/")

    assert response.status_code == 401


def test_read_only_token_cannot_write_but_may_search(world):
    household = register(world.perm, world.user("clerk_perm"))
    person = household.members.first()
    client = bearer(world.user("clerk_perm"), scope="read")

    update = client.patch(f"/api/v1/people/{person.pk}/", {"profession": "Nurse"}, format="json")
    search = client.post("/api/v1/people/search/", {"q": "Hassan"}, format="json")

    assert update.status_code == 403
    person.refresh_from_db()
    assert person.profession == ""
    assert search.status_code == 200 and search.json()


def test_write_token_writes(world):
    household = register(world.perm, world.user("clerk_perm"))
    person = household.members.first()
    client = bearer(world.user("clerk_perm"), scope="write")

    response = client.patch(f"/api/v1/people/{person.pk}/", {"profession": "Nurse"}, format="json")

    assert response.status_code == 200, response.content
    person.refresh_from_db()
    assert person.profession == "Nurse"


def test_user_cannot_revoke_another_users_token_but_an_administrator_can(world):
    owner = world.user("clerk_perm")
    token, _secret = create_token(owner=owner, name="sync", scope="read", by=owner)

    with pytest.raises(PermissionDenied):
        revoke_token(token=token, by=world.user("caseworker"))
    revoke_token(token=token, by=world.user("admin"))

    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == world.user("admin")


def test_only_an_administrator_makes_a_token_for_someone_else(world):
    with pytest.raises(PermissionDenied):
        create_token(
            owner=world.user("caseworker"), name="x", scope="read", by=world.user("clerk_perm")
        )

    token, _secret = create_token(
        owner=world.user("caseworker"), name="x", scope="read", by=world.user("admin")
    )

    assert token.user == world.user("caseworker") and token.created_by == world.user("admin")


def test_tokens_page_shows_the_secret_once_and_revokes(world, client):
    user = world.user("clerk_perm")
    client.force_login(user)

    page = client.post(reverse("api:tokens"), {"name": "KoBo", "scope": "read", "days": 30})

    token = ApiToken.objects.get(user=user)
    secret = page.context["secret"]
    assert secret in page.content.decode()
    assert secret not in client.get(reverse("api:tokens")).content.decode()
    client.post(reverse("api:revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_tokens_page_refuses_an_expiry_past_a_year(world, client):
    client.force_login(world.user("clerk_perm"))

    page = client.post(reverse("api:tokens"), {"name": "KoBo", "scope": "read", "days": 400})

    assert page.status_code == 200
    assert not ApiToken.objects.exists()
    assert page.context["form"].errors["days"]


def test_another_users_token_cannot_be_revoked_from_the_page(world, client):
    owner = world.user("clerk_perm")
    token, _secret = create_token(owner=owner, name="sync", scope="read", by=owner)
    client.force_login(world.user("caseworker"))

    response = client.post(reverse("api:revoke", args=[token.pk]))

    assert response.status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


def test_session_calls_need_the_csrf_token(world):
    household = register(world.perm, world.user("clerk_perm"))
    person = household.members.first()
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.user("clerk_perm"))

    read = client.get(f"/api/v1/people/{person.pk}/")
    write = client.patch(f"/api/v1/people/{person.pk}/", {"profession": "Nurse"}, format="json")

    assert read.status_code == 200
    assert write.status_code == 403
    assert "CSRF" in write.json()["detail"]
