import pytest
from django.db import connection

from refuge.audit import triggers
from refuge.testing import FIELD_KEY, build_world


@pytest.fixture(scope="session", autouse=True)
def _collected_static():
    """Pages name static files by the hashed names collectstatic writes (as in production)."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


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


@pytest.fixture
def audit_flushable(transactional_db):
    """Transactional tests flush the database after each test, and the audit table refuses
    deletes; lift its triggers for the flush, and put them back for the next test."""
    triggers.install(connection)
    yield
    triggers.remove(connection)


@pytest.fixture(autouse=True)
def _field_keys(settings):
    # A deployment must name its keys (without them and with DATABASE_URL set, Refuge refuses
    # to store notes); the tests use one fixed key on either database.
    settings.FIELD_ENCRYPTION_KEYS = [FIELD_KEY]
