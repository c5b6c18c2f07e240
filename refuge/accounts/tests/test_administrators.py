"""Administrators under the same rules: audited account changes, no note-domain role without
a second approval, no TOTP secret on show, and break-the-glass access with a reason."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import MultiWidget
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from refuge.accounts import services
from refuge.accounts.models import RoleGrant, User
from refuge.audit.models import Action, AuditEntry
from refuge.audit.services import unsealed


def _post_data(form) -> dict:
    """What the browser would send back for this admin form, untouched."""
    data = {}
    for field in form:
        value = field.value()
        widget = field.field.widget
        if isinstance(widget, MultiWidget):
            for index, part in enumerate(widget.decompress(value)):
                data[f"{field.html_name}_{index}"] = "" if part is None else str(part)
        elif isinstance(value, bool):
            if value:
                data[field.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[field.html_name] = [str(v) for v in value]
        elif value is not None:
            data[field.html_name] = str(value)
    return data


def _admin_change(client, user, **changes):
    url = reverse("admin:accounts_user_change", args=[user.pk])
    data = _post_data(client.get(url).context["adminform"].form)
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()


def _admin_creates(client, username):
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": username,
            "usable_password": "true",
            "password1": "a-long-new-password-2026",
            "password2": "a-long-new-password-2026",
        },
    )
    assert response.status_code == 302
    return User.objects.get(username=username)


def test_an_admin_cannot_give_a_user_they_created_the_medical_role_alone(world, client):
    client.force_login(world.user("admin"))
    accomplice = _admin_creates(client, "accomplice")

    _admin_change(client, accomplice, role="medical", all_sites="on")

    assert accomplice.role != "medical" and "medical" not in accomplice.note_domains
    grant = RoleGrant.objects.get(user=accomplice)
    assert grant.status == RoleGrant.Status.PENDING
    # ...nor approve it themselves on the approvals page.
    response = client.post(reverse("accounts:grants"), {"grant": grant.pk, "decision": "approve"})
    assert response.status_code == 403
    accomplice.refresh_from_db()
    assert accomplice.role != "medical"
    assert AuditEntry.objects.filter(action=Action.DENIED, object_type="accounts.rolegrant")


def test_the_dpo_approves_a_grant_and_both_steps_are_audited(world, client):
    client.force_login(world.user("admin"))
    nurse = _admin_creates(client, "nurse")
    _admin_change(client, nurse, role="medical")
    client.force_login(world.user("dpo"))

    client.post(
        reverse("accounts:grants"),
        {"grant": RoleGrant.objects.get().pk, "decision": "approve"},
    )

    nurse.refresh_from_db()
    assert nurse.role == "medical" and "medical" in nurse.note_domains
    change = AuditEntry.objects.filter(
        action=Action.CHANGE, object_type="accounts.user", object_id=str(nurse.pk)
    ).last()
    assert change.actor_username == "dpo"
    assert unsealed(change)["changes"]["role"] == ["observer", "medical"]


def test_an_admin_cannot_grant_themselves_a_note_domain(world):
    admin = world.user("admin")
    grant = services.change_role(user=admin, role="medical", by=admin)

    with pytest.raises(PermissionDenied):
        services.decide_grant(grant=grant, approve=True, by=admin)
    # The grantee is not a second pair of eyes either, even as an administrator.
    other_admin = User.objects.create(username="admin2", role="admin")
    grant_for_other = services.change_role(user=other_admin, role="medical", by=admin)
    with pytest.raises(PermissionDenied):
        services.decide_grant(grant=grant_for_other, approve=True, by=other_admin)


def test_role_and_site_changes_in_the_admin_are_audited(world, client):
    client.force_login(world.user("admin"))
    clerk = world.user("clerk")

    _admin_change(client, clerk, role="coordinator", sites=[str(world.perm.pk)])

    assert clerk.role == "coordinator"
    changes = [
        unsealed(e)["changes"]
        for e in AuditEntry.objects.filter(object_type="accounts.user", object_id=str(clerk.pk))
    ]
    assert {"role": ["clerk", "coordinator"]} in changes
    assert any(c.get("sites") == [[world.shelter.pk], [world.perm.pk]] for c in changes)


def test_a_password_set_in_the_admin_is_audited(world, client):
    client.force_login(world.user("admin"))
    clerk = world.user("clerk")

    client.post(
        reverse("admin:auth_user_password_change", args=[clerk.pk]),
        {"password1": "another-long-password-9", "password2": "another-long-password-9"},
    )

    entry = AuditEntry.objects.filter(object_type="accounts.user", object_id=str(clerk.pk)).get()
    assert entry.detail == {"fields": ["password"]} and entry.actor_username == "admin"


def test_the_admin_never_shows_a_totp_secret(world, client):
    device = TOTPDevice.objects.create(user=world.user("clerk"), name="phone")
    client.force_login(world.user("admin"))

    pages = [
        client.get(reverse("admin:otp_totp_totpdevice_changelist")),
        client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk])),
    ]

    for page in pages:
        assert page.status_code == 200
        assert device.key not in page.content.decode()
    from base64 import b32encode

    assert b32encode(device.bin_key).decode() not in pages[1].content.decode()


def test_break_the_glass_opens_a_domain_for_a_while_and_tells_the_dpo(
    world, client, django_capture_on_commit_callbacks
):
    dpo = world.user("dpo")
    dpo.email = "dpo@example.org"
    dpo.save()
    admin = world.user("admin")
    client.force_login(admin)

    with pytest.raises(ValidationError) as refused:
        services.break_the_glass(by=admin, domain="medical", reason="x", minutes=10_000)
    assert "minutes" in refused.value.message_dict

    with django_capture_on_commit_callbacks(execute=True):
        with_alert = client.post(
            reverse("accounts:emergency_access"),
            {"domain": "medical", "reason": "Unconscious child, allergies?", "minutes": 30},
        )

    assert with_alert.status_code == 302
    admin = User.objects.get(pk=admin.pk)
    assert "medical" in admin.note_domains
    assert [m.to for m in mail.outbox] == [["dpo@example.org"]]
    entry = AuditEntry.objects.get(object_type="accounts.emergencyaccess")
    assert unsealed(entry)["reason"] == "Unconscious child, allergies?"
    admin.emergency_accesses.update(ends_at=timezone.now() - timedelta(seconds=1))
    assert "medical" not in User.objects.get(pk=admin.pk).note_domains
