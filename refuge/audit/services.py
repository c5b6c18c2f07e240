"""Writing to and checking the audit trail."""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone

from refuge.audit.keys import data_cipher
from refuge.audit.models import GENESIS_HASH, Action, AuditEntry, ChainHead

__all__ = [
    "Action",
    "record",
    "record_many",
    "verify_chain",
    "ChainReport",
    "jsonable",
    "unsealed",
    "disclose",
]

# Detail keys whose values name no one: record ids, registration numbers, codes, counts, page
# numbers, field names. Everything else an entry is given (search terms, names, documents,
# old and new values, dates, reasons) is sealed under the audit data key. An allowlist, so that
# a new call site that passes a name under a new key seals it rather than leaking it.
CLEAR_KEYS = frozenset(
    {
        "action",
        "actor",
        "added_household",
        "arrived",
        "beds",
        "boarded",
        "domain",
        "fields",
        "follow_up",
        "consent_withdrawn",
        "expired",
        "ids",
        "level",
        "path",
        "registered_over_warning",
        "registration_level",
        "revoked",
        "scope",
        "user",
        "via",
        "found",
        "households",
        "notices",
        "from_site",
        "household",
        "kind",
        "link",
        "list",
        "missing",
        "moved_to",
        "notes",
        "page",
        "pair",
        "pairs",
        "partner",
        "passengers",
        "pathway",
        "people",
        "person",
        "progress",
        "removed_household",
        "resolution",
        "results",
        "room",
        "rows",
        "seats",
        "shown",
        "site",
        "size",
        "status",
        "stayed_behind",
        "step",
        "steps",
        "to",
        "two_factor",
        "version",
        "wait",
        "with",
        "method",
        # Ids, codes and paths (names travel by POST, never in a path).
        "code",
        "document",
    }
)


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


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _bounded(value: dict) -> dict:
    """The value itself when it fits AUDIT_DETAIL_MAX_BYTES, else a marker of what was cut: an
    entry is written whatever a request sends, but never grows the trail without limit."""
    size = len(_canonical(value).encode())
    if size <= settings.AUDIT_DETAIL_MAX_BYTES:
        return value
    return {"truncated": True, "bytes": size, "keys": sorted(value)[:32]}


def _names_no_one(value) -> bool:
    """Ids, codes, counts and lists of them; never a mapping, which may carry values."""
    if isinstance(value, list):
        return all(isinstance(item, str | int | bool) or item is None for item in value)
    return isinstance(value, str | int | bool) or value is None


def _split(detail: dict) -> tuple[dict, str]:
    """The detail as it is stored: what names no one in clear, the rest sealed."""
    detail = jsonable(detail or {})
    clear, private = {}, {}
    for key, value in detail.items():
        if key in CLEAR_KEYS and _names_no_one(value):
            clear[key] = value
        else:
            private[key] = value
            # Which fields changed is what a reader of the history needs; the values are sealed.
            if key in ("changes", "fields") and isinstance(value, dict):
                clear["fields"] = sorted(value)
    clear = _bounded(clear)
    if not private:
        return clear, ""
    token = data_cipher().encrypt(_canonical(_bounded(private)).encode())
    return clear, token.decode()


def unsealed(entry: AuditEntry) -> dict:
    """Everything the entry was given, sealed part opened. For the disclosure below and for
    tests; a page never shows it except through `disclose`."""
    detail = dict(entry.detail)
    if entry.sealed:
        detail.update(json.loads(data_cipher().decrypt(entry.sealed.encode())))
    return detail


# The data protection officer's role (accounts.roles.Role.DPO), named here because the trail
# sits below accounts in the layers and cannot import it.
DISCLOSING_ROLES = frozenset({"dpo"})


def may_disclose(user) -> bool:
    return bool(user.is_active and getattr(user, "role", None) in DISCLOSING_ROLES)


def disclose(*, entry: AuditEntry, reason: str, by) -> dict:
    """The sealed detail of one entry, for the data protection officer alone, and only with a
    reason that is itself written to the trail before anything is shown."""
    if not may_disclose(by):
        record(actor=by, action=Action.DENIED, object_type="audit.entry", object_id=str(entry.seq))
        raise PermissionDenied
    record(
        actor=by,
        action=Action.DISCLOSE,
        object_type="audit.entry",
        object_id=str(entry.seq),
        detail={"reason": reason},
    )
    return unsealed(entry)


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
            object_type=object_type[:64],
            object_id=str(object_id)[:64],
            site_id=site_id,
            prev_hash=head.last_hash,
        )
        entry.detail, entry.sealed = _split(detail)
        entry.hash = entry.compute_hash()
        entry.save()
        head.last_seq, head.last_hash = entry.seq, entry.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return entry


def record_many(
    *,
    actor,
    action: str,
    targets: list[models.Model],
    details: list[dict],
    site_id: int | None = None,
) -> None:
    """Append one entry per target in a single write: a bulk change of 500 people leaves 500
    entries, chained exactly as if recorded one by one, without 500 round trips. `site_id`, when
    given, is every entry's site (targets without an `audit_site_id` of their own)."""
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
                site_id=site_id if site_id is not None else getattr(target, "audit_site_id", None),
                prev_hash=last_hash,
            )
            entry.detail, entry.sealed = _split(detail)
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


class CheckpointError(ValueError):
    """A checkpoint file that is not one, or whose signature does not hold."""


CHECKPOINT_FORMAT = "refuge-audit-checkpoint/1"


def _checkpoint_signature(body: dict) -> str:
    from refuge.audit.keys import sign

    return sign("checkpoint", _canonical(body).encode())


def make_checkpoint() -> dict:
    """The newest link as a signed statement (sequence, hash, time) to keep outside the
    database: whoever later rewrites anything up to it, even holding the chain key, cannot make
    the trail agree with it again."""
    head = ChainHead.objects.filter(pk=1).first()
    last = AuditEntry.objects.order_by("-seq").first()
    if last is None or head is None or head.last_seq != last.seq:
        raise CheckpointError("The audit trail is empty or its head does not match its entries.")
    body = {
        "format": CHECKPOINT_FORMAT,
        "seq": last.seq,
        "hash": last.hash,
        "entry_at": last.at.isoformat(),
        "issued_at": timezone.now().isoformat(),
    }
    return {**body, "signature": _checkpoint_signature(body)}


def load_checkpoint(text: str) -> dict:
    try:
        checkpoint = json.loads(text)
        body = {k: checkpoint[k] for k in ("format", "seq", "hash", "entry_at", "issued_at")}
        signature = checkpoint["signature"]
    except (ValueError, KeyError, TypeError) as error:
        raise CheckpointError("This is not an audit checkpoint.") from error
    if body["format"] != CHECKPOINT_FORMAT or not isinstance(body["seq"], int):
        raise CheckpointError("This is not an audit checkpoint.")
    if not hmac.compare_digest(str(signature), _checkpoint_signature(body)):
        raise CheckpointError("The checkpoint's signature does not hold: it was altered.")
    return checkpoint


def verify_chain(chunk_size: int = 5000, checkpoints: list[dict] = ()) -> ChainReport:
    """Recompute every link; report the first entry whose content or parent does not fit, or
    the first checkpoint the trail no longer agrees with."""
    pinned = {checkpoint["seq"]: checkpoint["hash"] for checkpoint in checkpoints}
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
        if entry.seq in pinned and pinned[entry.seq] != entry.hash:
            return ChainReport(checked, entry.seq, "does not match the checkpoint")
        expected_prev = entry.hash
        expected_seq += 1
        checked += 1
    if pinned and max(pinned) > checked:
        return ChainReport(checked, checked + 1, "entries the checkpoint vouches for are missing")
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_seq != checked:
        return ChainReport(checked, checked + 1, "entries after the last one are missing")
    return ChainReport(checked)
