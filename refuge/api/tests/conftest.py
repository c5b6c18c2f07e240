import pytest
from rest_framework.test import APIClient

from refuge.api.tokens import create_token


def bearer(user, scope: str = "write", days: int = 30) -> APIClient:
    """An API client holding a fresh token of `user`."""
    _token, secret = create_token(owner=user, name="test", scope=scope, days=days, by=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def api_as():
    return bearer
