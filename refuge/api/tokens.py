"""API tokens as use cases: create, revoke, and authenticate a request (each one audited)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from refuge.accounts.roles import Capability
from refuge.api.models import ApiToken, TokenScope
from refuge.audit import services as audit

TOKEN_PREFIX = "rfg_"
PREFIX_LENGTH = 10
DEFAULT_DAYS = 90
MAX_DAYS = 365
# Writing "last used" on every request would cost a write per call; once a minute says enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(secret: str) -> str:
    # The secret is 256 random bits: a fast hash cannot be reversed, and a lookup stays cheap.
    return hashlib.sha256(secret.encode()).hexdigest()


def _may_manage(by, owner) -> bool:
    return by.is_active and (by.pk == owner.pk or by.can(Capability.ADMINISTER))


@transaction.atomic
def create_token(
    *, owner, name: str, scope: str, days: int = DEFAULT_DAYS, by
) -> tuple[ApiToken, str]:
    """A new token for `owner`; returns it with its secret, which is never shown again.
    A user makes their own tokens; an administrator may make one for anybody."""
    if not _may_manage(by, owner) or not owner.is_active:
        raise PermissionDenied
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Give the token a name, such as the system that will use it.")
    elif len(name) > 80:
        errors["name"] = ngettext(
            "A token's name holds at most %(count)d character.",
            "A token's name holds at most %(count)d characters.",
            80,
        ) % {"count": 80}
    if scope not in TokenScope.values:
        errors["scope"] = _("Choose read only, or read and write.")
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        errors["days"] = ngettext(
            "A token lasts from 1 to %(count)d day.",
            "A token lasts from 1 to %(count)d days.",
            MAX_DAYS,
        ) % {"count": MAX_DAYS}
    if errors:
        raise ValidationError(errors)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=owner,
        name=name,
        prefix=secret[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + PREFIX_LENGTH],
        digest=_digest(secret),
        scope=scope,
        expires_at=timezone.now() + timedelta(days=days),
        created_by=by,
    )
    audit.record(
        actor=by,
        action=audit.Action.CREATE,
        target=token,
        detail={"user": owner.pk, "scope": scope, "expires_at": token.expires_at},
    )
    return token, secret


@transaction.atomic
def revoke_token(*, token: ApiToken, by) -> ApiToken:
    """From now on the token opens nothing; the row stays, for the trail."""
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if not _may_manage(by, token.user):
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at, token.revoked_by = timezone.now(), by
        token.save(update_fields=["revoked_at", "revoked_by"])
        audit.record(actor=by, action=audit.Action.CHANGE, target=token, detail={"revoked": True})
    return token


def tokens_of(*, owner, by):
    if not _may_manage(by, owner):
        raise PermissionDenied
    return ApiToken.objects.filter(user=owner)


def all_tokens(*, by):
    """Every token, for an administrator's page."""
    if not by.can(Capability.ADMINISTER):
        raise PermissionDenied
    return ApiToken.objects.select_related("user")


def authenticate(secret: str, *, method: str, path: str) -> ApiToken | None:
    """The live token this secret opens, with its user; None for anything else. Each use is
    written to the audit trail, naming the token, the method and the path."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    prefix = secret[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + PREFIX_LENGTH]
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(secret)):
        return None
    if not token.is_live or not token.user.is_active:
        audit.record(
            actor=token.user,
            action=audit.Action.DENIED,
            target=token,
            detail={"method": method, "path": path[:200], "expired": token.revoked_at is None},
        )
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    audit.record(
        actor=token.user,
        action=audit.Action.LOGIN,
        target=token,
        detail={"via": "api_token", "method": method, "path": path[:200]},
    )
    return token
