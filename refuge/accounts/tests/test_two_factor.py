import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from refuge.testing import PASSWORD


@pytest.fixture(autouse=True)
def _require_2fa(settings):
    settings.REFUGE_REQUIRE_2FA = True


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _after_the_throttle(device: TOTPDevice) -> None:
    # A failed try makes the next one wait a second or more; a person typing again takes longer.
    device.refresh_from_db()
    device.throttle_reset()


def _sign_in(client, username="clerk"):
    client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})


def test_a_password_alone_does_not_open_personal_pages(world, client):
    _sign_in(client)

    response = client.get(reverse("registry:search"))

    assert response.url == reverse("accounts:two_factor_setup")


def test_enrolment_needs_a_right_code_and_then_opens_the_app(world, client):
    _sign_in(client)
    client.get(reverse("accounts:two_factor_setup"))
    device = TOTPDevice.objects.get(user__username="clerk")

    wrong = client.post(reverse("accounts:two_factor_setup"), {"token": "000000"})
    assert "not right" in wrong.content.decode()
    _after_the_throttle(device)
    client.post(reverse("accounts:two_factor_setup"), {"token": _code(device)})

    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("registry:search")).status_code == 200


def test_an_enrolled_user_is_asked_for_a_code_at_each_sign_in(world, client):
    device = TOTPDevice.objects.create(user=world.user("clerk"), name="app", confirmed=True)
    _sign_in(client)

    assert client.get(reverse("sites:overview")).url == reverse("accounts:two_factor")
    refused = client.post(reverse("accounts:two_factor"), {"token": "123456"})
    assert "not right" in refused.content.decode()

    _after_the_throttle(device)
    client.post(reverse("accounts:two_factor"), {"token": _code(device)})
    assert client.get(reverse("sites:overview")).status_code == 200
