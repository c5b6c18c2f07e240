"""Signing in behind a proxy: whose address a request is from, how hard guessing is made, and
what the trail is told about sign-ins, sign-outs and refusals.

Lockout (django-axes) is keyed on the username together with the client's own address, taken
from the proxy's header only when the request really came through a configured proxy. So an
attacker who guesses at an account locks that account from his own address alone, and the
member of staff at their desk signs in as usual. One address that fails against many accounts
(a password spray) is slowed progressively, never locked: staff behind one centre's NAT share
an address and must not lock each other out by typing.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta

from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_address(request) -> str | None:
    """The client's address: REMOTE_ADDR, unless that is one of REFUGE_TRUSTED_PROXIES, in
    which case the nearest address in the proxy's header that is not itself a trusted proxy
    (the header's left part can be written by the client; only the proxies' appends count)."""
    remote = _address(request.META.get("REMOTE_ADDR", "")) or None
    trusted = set(settings.REFUGE_TRUSTED_PROXIES)
    if remote is None or remote not in trusted or not settings.REFUGE_CLIENT_IP_HEADER:
        return remote
    chain = request.META.get(settings.REFUGE_CLIENT_IP_HEADER, "").split(",")
    for hop in reversed(chain):
        address = _address(hop)
        if address is None:
            return remote  # a malformed header is not evidence of anything
        if address not in trusted:
            return address
    return remote


def address_delay_seconds(address: str | None) -> int:
    """How long this address must still wait before it may try again: nothing below
    REFUGE_ADDRESS_FAILURE_LIMIT failures in the lockout window, then a delay that doubles with
    each further failure, capped at REFUGE_ADDRESS_MAX_DELAY_SECONDS."""
    if address is None:
        return 0
    from axes.models import AccessAttempt

    window = timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME)
    failures = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=window)
    totals = failures.aggregate(count=Sum("failures_since_start"), last=Max("attempt_time"))
    excess = (totals["count"] or 0) - settings.REFUGE_ADDRESS_FAILURE_LIMIT
    if excess < 0:
        return 0
    delay = min(2**excess, settings.REFUGE_ADDRESS_MAX_DELAY_SECONDS)
    waited = (timezone.now() - totals["last"]).total_seconds()
    return max(0, int(delay - waited + 0.999))


def _user_named(username: str):
    from refuge.accounts.models import User

    return User.objects.filter(username=username).first() if username else None


def on_login_failed(sender, credentials, request=None, **kwargs):
    """Every failed sign-in: against the account when it exists; the name typed is sealed (a
    password typed into the username field is a known slip)."""
    from refuge.audit import services as audit

    username = (credentials or {}).get("username", "")
    user = _user_named(username)
    audit.record(
        actor=None,
        action=audit.Action.LOGIN_FAILED,
        object_type="accounts.user",
        object_id=str(user.pk) if user else "",
        detail={"username": username[:150], "address": client_address(request) if request else ""},
    )


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    from refuge.audit import services as audit

    user = _user_named(username or "")
    audit.record(
        actor=None,
        action=audit.Action.LOCKED_OUT,
        object_type="accounts.user",
        object_id=str(user.pk) if user else "",
        detail={"username": (username or "")[:150], "address": ip_address or ""},
    )


def on_logged_out(sender, request=None, user=None, **kwargs):
    from refuge.audit import services as audit

    if user is not None:
        audit.record(actor=user, action=audit.Action.LOGOUT, target=user)
