import pytest

from refuge.testing import build_world


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _password_only(settings):
    # The same behaviour whatever DATABASE_URL says; the two-factor tests switch it on.
    settings.REFUGE_REQUIRE_2FA = False


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Argon2 is right for people and far too slow for a test suite that signs in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
