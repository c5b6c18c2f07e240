"""The retention policy (RetentionRule rows) applied: what is overdue, and removing it."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Max, Q
from django.utils import timezone

from refuge.audit import services as audit
from refuge.rights.models import Erasure, RetentionRule
from refuge.rights.services import DECIDING_ROLES, erase_person


def _overdue_people(days: int):
    from refuge.registry.models import Person

    cutoff = timezone.localdate() - timedelta(days=days)
    erased = Erasure.objects.filter(status=Erasure.Status.ERASED).values("person_id")
    # Departed: the household has stays, none of them open, the last one ended before cutoff.
    return (
        Person.objects.exclude(pk__in=erased)
        .exclude(household__stays__left_on__isnull=True)
        .annotate(last_left=Max("household__stays__left_on"))
        .filter(last_left__lt=cutoff)
        .exclude(Q(given_name_ar="") & Q(given_name_lat="") & Q(given_name_cyr=""))
    )


def _overdue_sign_ins(days: int):
    from axes.models import AccessAttempt, AccessLog

    cutoff = timezone.now() - timedelta(days=days)
    return [
        AccessAttempt.objects.filter(attempt_time__lt=cutoff),
        AccessLog.objects.filter(attempt_time__lt=cutoff),
    ]


def overdue_report() -> list[tuple[RetentionRule, int]]:
    """Each rule with how many records are past it."""
    report = []
    for rule in RetentionRule.objects.order_by("kind"):
        if rule.kind == RetentionRule.Kind.PERSON_DEPARTED:
            count = _overdue_people(rule.keep_days).count()
        else:
            count = sum(q.count() for q in _overdue_sign_ins(rule.keep_days))
        report.append((rule, count))
    return report


def apply_retention(*, by) -> dict[str, int]:
    """Remove what the policy says is overdue; people are erased as the DPO's erasure does."""
    if not by.is_active or getattr(by, "role", None) not in DECIDING_ROLES:
        raise PermissionDenied
    done = {}
    for rule in RetentionRule.objects.order_by("kind"):
        if rule.kind == RetentionRule.Kind.PERSON_DEPARTED:
            ids = list(_overdue_people(rule.keep_days).values_list("pk", flat=True))
            for person_id in ids:
                erasure = Erasure.objects.create(
                    person_id=person_id,
                    reason=f"retention: {rule.kind} after {rule.keep_days} days",
                    requested_by=by,
                    status=Erasure.Status.ERASED,
                    decided_by=by,
                    decided_at=timezone.now(),
                )
                erase_person(person_id=person_id)
                audit.record(
                    actor=by,
                    action=audit.Action.DELETE,
                    target=erasure,
                    detail={"person": person_id, "kind": rule.kind},
                )
            if ids:
                from django.db import transaction

                from refuge.rights.services import _append_to_log

                for person_id in ids:
                    transaction.on_commit(lambda pk=person_id: _append_to_log(pk))
            done[rule.kind] = len(ids)
        else:
            done[rule.kind] = sum(q.delete()[0] for q in _overdue_sign_ins(rule.keep_days))
            audit.record(
                actor=by,
                action=audit.Action.DELETE,
                object_type="axes.accessattempt",
                detail={"kind": rule.kind, "size": done[rule.kind]},
            )
    return done
