"""Sign-in behind the reverse proxy: lockout keyed on the client's own address, a spray slowed,
and failures, lockouts, sign-outs and refusals written to the trail."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse

from refuge.accounts.signin import client_address
from refuge.audit.models import Action, AuditEntry
from refuge.audit.services import unsealed
from refuge.testing import PASSWORD

PROXY = "10.0.0.2"
ATTACKER = "203.0.113.66"
DESK = "198.51.100.7"


@pytest.fixture(autouse=True)
def _behind_a_proxy(settings):
    settings.REFUGE_TRUSTED_PROXIES = [PROXY]
    settings.REFUGE_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"


def _sign_in(client, username, password, client_ip, forwarded_for=None):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for or client_ip,
    )


def test_the_address_comes_from_the_header_only_through_a_trusted_proxy():
    factory = RequestFactory()

    through = factory.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"1.2.3.4, {DESK}")
    direct = factory.get("/", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=DESK)
    forged = factory.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="not-an-address")

    # The proxy appended the desk's address; what the client wrote before it does not count.
    assert client_address(through) == DESK
    assert client_address(direct) == ATTACKER
    assert client_address(forged) == PROXY


def test_an_attacker_behind_the_proxy_cannot_lock_out_the_user_at_their_desk(world, client):
    for _ in range(8):
        _sign_in(client, "clerk", "wrong-password", ATTACKER)

    response = _sign_in(client, "clerk", PASSWORD, DESK)

    assert response.status_code == 302
    assert AuditEntry.objects.filter(action=Action.LOGIN, actor__username="clerk").exists()


def test_the_attacker_is_locked_out_and_the_lockout_is_audited(world, client):
    for _ in range(5):
        _sign_in(client, "clerk", "wrong-password", ATTACKER)

    response = _sign_in(client, "clerk", PASSWORD, ATTACKER)

    assert response.status_code != 302
    locked = AuditEntry.objects.filter(action=Action.LOCKED_OUT).first()
    assert locked is not None and locked.object_id == str(world.user("clerk").pk)
    assert unsealed(locked)["address"] == ATTACKER


def test_failed_sign_ins_are_audited_with_the_typed_name_sealed(world, client):
    _sign_in(client, "clerk", "wrong-password", ATTACKER)
    _sign_in(client, "my-secret-password", "x", ATTACKER)

    failures = list(AuditEntry.objects.filter(action=Action.LOGIN_FAILED).order_by("seq"))
    assert [f.object_id for f in failures] == [str(world.user("clerk").pk), ""]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM audit_auditentry")
        assert "my-secret-password" not in str(cursor.fetchall())
    assert unsealed(failures[1])["username"] == "my-secret-password"


def test_a_password_spray_from_one_address_is_slowed_and_audited(world, client, settings):
    settings.REFUGE_ADDRESS_FAILURE_LIMIT = 8
    users = ["clerk", "clerk.perm", "caseworker", "medical"]
    for username in users:  # two guesses at each account: under each account's lockout
        for guess in ("Spring2026!", "Refuge123"):
            _sign_in(client, username, guess, ATTACKER)

    slowed = _sign_in(client, "manager", "Password1", ATTACKER)
    at_desk = _sign_in(client, "clerk", PASSWORD, DESK)

    assert slowed.status_code == 429
    assert "Try again in" in slowed.content.decode()
    assert AuditEntry.objects.filter(action=Action.LOCKED_OUT, object_type="accounts.address")
    assert at_desk.status_code == 302  # another address is not slowed


def test_sign_out_is_audited(world, client):
    client.force_login(world.user("clerk"))

    client.post(reverse("accounts:logout"))

    assert AuditEntry.objects.filter(action=Action.LOGOUT, actor__username="clerk").exists()


def test_a_refusal_is_audited(world, client):
    client.force_login(world.user("observer"))

    response = client.get(reverse("registry:search"))

    assert response.status_code == 403
    refusal = AuditEntry.objects.filter(action=Action.DENIED, object_type="request").get()
    assert refusal.actor_username == "observer"
    assert unsealed(refusal)["path"] == reverse("registry:search")
