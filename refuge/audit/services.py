"""Writing to and checking the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import models, transaction
from django.utils import timezone

from refuge.audit.models import GENESIS_HASH, Action, AuditEntry, ChainHead

__all__ = ["Action", "record", "record_many", "verify_chain", "ChainReport", "jsonable"]


def jsonable(value):
    """Values as they will read back from a JSON column, so the hash stays stable."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)


def record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    site_id: int | None = None,
    detail: dict | None = None,
) -> AuditEntry:
    """Append one entry to the chain. Call it inside the transaction of the change it records,
    so that a change and its audit entry land together or not at all."""
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or str(target.pk)
        if site_id is None:
            site_id = getattr(target, "audit_site_id", None)
    actor_is_user = actor is not None and getattr(actor, "is_authenticated", False)
    with transaction.atomic():
        # The row lock makes concurrent appends take turns, so no two entries share a parent.
        head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditEntry(
            seq=head.last_seq + 1,
            at=timezone.now(),
            actor=actor if actor_is_user else None,
            actor_username=actor.get_username() if actor_is_user else "",
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            site_id=site_id,
            detail=jsonable(detail or {}),
            prev_hash=head.last_hash,
        )
        entry.hash = entry.compute_hash()
        entry.save()
        head.last_seq, head.last_hash = entry.seq, entry.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return entry


def record_many(*, actor, action: str, targets: list[models.Model], details: list[dict]) -> None:
    """Append one entry per target in a single write: a bulk change of 500 people leaves 500
    entries, chained exactly as if recorded one by one, without 500 round trips."""
    actor_is_user = actor is not None and getattr(actor, "is_authenticated", False)
    now = timezone.now()
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
        entries = []
        seq, last_hash = head.last_seq, head.last_hash
        for target, detail in zip(targets, details, strict=True):
            seq += 1
            entry = AuditEntry(
                seq=seq,
                at=now,
                actor=actor if actor_is_user else None,
                actor_username=actor.get_username() if actor_is_user else "",
                action=action,
                object_type=target._meta.label_lower,
                object_id=str(target.pk),
                site_id=getattr(target, "audit_site_id", None),
                detail=jsonable(detail or {}),
                prev_hash=last_hash,
            )
            entry.hash = last_hash = entry.compute_hash()
            entries.append(entry)
        AuditEntry.objects.bulk_create(entries, batch_size=500)
        head.last_seq, head.last_hash = seq, last_hash
        head.save(update_fields=["last_seq", "last_hash"])


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_seq: int | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.first_broken_seq is None


def verify_chain(chunk_size: int = 5000) -> ChainReport:
    """Recompute every link; report the first entry whose content or parent does not fit."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if entry.seq != expected_seq:
            return ChainReport(checked, expected_seq, "missing entry")
        if entry.prev_hash != expected_prev:
            return ChainReport(checked, entry.seq, "previous hash does not match")
        if entry.compute_hash() != entry.hash:
            return ChainReport(checked, entry.seq, "content does not match its hash")
        expected_prev = entry.hash
        expected_seq += 1
        checked += 1
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_seq != checked:
        return ChainReport(checked, checked + 1, "entries after the last one are missing")
    return ChainReport(checked)
