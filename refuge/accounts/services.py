"""Signing in, two-factor enrolment and changes to staff accounts, each one audited; the grant
of a role that reads case notes is held until a second administrator or the DPO approves it.

The admin site (refuge.accounts.admin) calls these too, so an administrator is under the same
rules as everyone else: nobody can give themselves, or an account they have just made, the
medical officer's reading of medical notes alone.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from refuge.accounts.models import EmergencyAccess, RoleGrant, User
from refuge.accounts.roles import NOTE_DOMAINS, Role, note_domains_of
from refuge.audit import services as audit

EMERGENCY_MAX_MINUTES = 240


def _may_approve(user: User) -> bool:
    return user.is_active and user.role in (Role.ADMIN, Role.DPO)


@transaction.atomic
def change_role(*, user: User, role: str, by: User) -> RoleGrant | None:
    """Give `user` the role now, or, for a role that reads case notes, ask for approval and
    return the pending grant (the user keeps their old role meanwhile)."""
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a role from the list.")})
    if role == user.role:
        return None
    if note_domains_of(role) - note_domains_of(user.role):
        grant = RoleGrant.objects.create(user=user, role=role, requested_by=by)
        audit.record(
            actor=by,
            action=audit.Action.CREATE,
            target=grant,
            detail={"person": user.pk, "status": grant.status, "kind": role},
        )
        return grant
    old = user.role
    user.role = role
    user.save(update_fields=["role"])
    audit.record(
        actor=by, action=audit.Action.CHANGE, target=user, detail={"changes": {"role": [old, role]}}
    )
    return None


def decide_grant(*, grant: RoleGrant, approve: bool, by: User) -> RoleGrant:
    """A second pair of eyes: neither the administrator who asked nor the grantee may decide."""
    if not _may_approve(by) or by.pk in (grant.requested_by_id, grant.user_id):
        # Outside the transaction below, so that the refusal stays in the trail.
        audit.record(actor=by, action=audit.Action.DENIED, target=grant)
        raise PermissionDenied
    with transaction.atomic():
        grant = RoleGrant.objects.select_for_update().get(pk=grant.pk)
        if grant.status != RoleGrant.Status.PENDING:
            raise ValidationError(_("This request has already been decided."))
        grant.status = RoleGrant.Status.APPROVED if approve else RoleGrant.Status.REFUSED
        grant.decided_by, grant.decided_at = by, timezone.now()
        grant.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record(
            actor=by, action=audit.Action.CHANGE, target=grant, detail={"status": grant.status}
        )
        if approve:
            user = grant.user
            old = user.role
            user.role = grant.role
            user.save(update_fields=["role"])
            audit.record(
                actor=by,
                action=audit.Action.CHANGE,
                target=user,
                detail={"changes": {"role": [old, grant.role]}, "link": grant.pk},
            )
    return grant


def pending_grants(by: User):
    if not _may_approve(by):
        raise PermissionDenied
    return RoleGrant.objects.filter(status=RoleGrant.Status.PENDING).select_related(
        "user", "requested_by"
    )


def record_sites_change(*, user: User, before: tuple, after: tuple, by: User) -> None:
    """Site scope as it was and is, (all_sites, sorted site ids); written only when it moved."""
    if before != after:
        audit.record(
            actor=by,
            action=audit.Action.CHANGE,
            target=user,
            detail={
                "changes": {"all_sites": [before[0], after[0]], "sites": [before[1], after[1]]}
            },
        )


def record_password_change(*, user: User, by: User) -> None:
    audit.record(actor=by, action=audit.Action.CHANGE, target=user, detail={"fields": ["password"]})


def record_two_factor_change(*, user: User, by: User, what: str) -> None:
    audit.record(
        actor=by,
        action=audit.Action.CHANGE,
        object_type="accounts.two_factor",
        object_id=str(user.pk),
        detail={"two_factor": what},
    )


@transaction.atomic
def break_the_glass(*, by: User, domain: str, reason: str, minutes: int) -> EmergencyAccess:
    """Open a note domain to `by` for at most EMERGENCY_MAX_MINUTES, with a reason; the data
    protection officers are told at once, and the trail keeps the reason (sealed)."""
    domains = {d for ds in NOTE_DOMAINS.values() for d in ds}
    errors = {}
    if domain not in domains:
        errors["domain"] = _("Choose a domain from the list.")
    if not reason.strip() or len(reason) > 300:
        errors["reason"] = _("Say why, in at most 300 characters.")
    if not 1 <= minutes <= EMERGENCY_MAX_MINUTES:
        errors["minutes"] = _("Between 1 and %(max)d minutes.") % {"max": EMERGENCY_MAX_MINUTES}
    if errors:
        raise ValidationError(errors)
    if not by.is_active or by.role in (Role.OBSERVER, Role.DPO):
        raise PermissionDenied
    now = timezone.now()
    access = EmergencyAccess.objects.create(
        user=by,
        domain=domain,
        reason=reason.strip(),
        starts_at=now,
        ends_at=now + timedelta(minutes=minutes),
    )
    audit.record(
        actor=by,
        action=audit.Action.CREATE,
        target=access,
        detail={"domain": domain, "reason": access.reason, "until": access.ends_at},
    )
    officers = list(
        User.objects.filter(role=Role.DPO, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if officers:
        # After commit: an alert for an access that was rolled back would be a false alarm.
        transaction.on_commit(
            lambda: send_mail(
                subject=_("Refuge: emergency access by %(user)s") % {"user": by.get_username()},
                message=_(
                    "%(user)s opened the %(domain)s notes for %(minutes)d minutes (until "
                    "%(until)s). The reason is in the audit trail: emergency access %(id)d."
                )
                % {
                    "user": by.get_username(),
                    "domain": domain,
                    "minutes": minutes,
                    "until": access.ends_at.isoformat(timespec="minutes"),
                    "id": access.pk,
                },
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=officers,
                fail_silently=True,
            )
        )
    return access


def record_sign_in(user) -> None:
    audit.record(actor=user, action=audit.Action.LOGIN, target=user)


def record_two_factor_enrolled(user, device) -> None:
    audit.record(
        actor=user, action=audit.Action.CREATE, target=device, detail={"two_factor": "enrolled"}
    )


def record_two_factor_refused(user) -> None:
    audit.record(
        actor=user,
        action=audit.Action.DENIED,
        object_type="accounts.two_factor",
        object_id=str(user.pk),
    )


def record_address_slowed(*, address: str | None, wait: int) -> None:
    """An address past the spray limit was made to wait (refuge.accounts.signin)."""
    audit.record(
        actor=None,
        action=audit.Action.LOCKED_OUT,
        object_type="accounts.address",
        detail={"address": address or "", "wait": wait},
    )
