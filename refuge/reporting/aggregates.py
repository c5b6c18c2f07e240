"""Precomputed dashboard figures: counted by `refresh_figures` (the weekly and the regular
runs, or the first reader of a period) and read by every page after, so that a dashboard
over a million people is a single row's read. The figures are the selectors' own, computed by
the same code path, so the dashboard, the figures CSV, the HXL file and the sitrep agree."""

from __future__ import annotations

import hashlib
import hmac
import pickle
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from refuge.reporting.models import StoredFigures
from refuge.reporting.periods import Period, week_start
from refuge.sites.models import Site

# Entries that record a read, not a change: they leave every figure as it was.
_READS = ("view", "search", "export", "login", "logout", "login_failed", "locked_out", "denied")


@dataclass(frozen=True)
class FigureSet:
    figures: list
    as_of: date
    computed_at: datetime


@dataclass(frozen=True)
class RefreshResult:
    computed: int
    kept: int


def audience_key(site_ids: list[int], *, exact: bool) -> str:
    digest = hashlib.sha256(",".join(map(str, sorted(site_ids))).encode()).hexdigest()[:40]
    return f"{'exact' if exact else 'suppressed'}:{digest}"


def change_watermark() -> int:
    """The sequence number of the newest change in the audit trail (every change is audited,
    reads are left out): cheap to read, and it moves whenever a figure may have."""
    from refuge.audit.models import AuditEntry

    newest = (
        AuditEntry.objects.exclude(action__in=_READS)
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    )
    return newest or 0


# The stored figures are a pickle (lazy labels keep each reader's language), and a pickle can
# run code when loaded: someone who can write to the database but does not hold SECRET_KEY
# must not be able to plant one. Each is sealed with an HMAC under the key and opened only
# when the seal holds.
_SEAL_SALT = "refuge.reporting.stored-figures"
_SEAL_BYTES = 32


def _seal(figures: list) -> bytes:
    payload = pickle.dumps(figures)
    return salted_hmac(_SEAL_SALT, payload, algorithm="sha256").digest() + payload


def _unseal(stored: bytes) -> list | None:
    stored = bytes(stored)
    seal, payload = stored[:_SEAL_BYTES], stored[_SEAL_BYTES:]
    expected = salted_hmac(_SEAL_SALT, payload, algorithm="sha256").digest()
    if not hmac.compare_digest(seal, expected):
        return None
    return pickle.loads(payload)  # noqa: S301 - sealed above with a key outside the database


def _sites(site_ids: list[int]) -> list[Site]:
    # In the order visible_sites gives, so the figures are those a live read would count.
    return list(Site.objects.filter(pk__in=site_ids).order_by("kind", "name"))


def _compute_and_store(
    sites: list[Site], period: Period, *, exact: bool, today: date, watermark: int
) -> FigureSet:
    from refuge.reporting.selectors import compute_figures

    as_of = period.as_of(today)
    figures = compute_figures(sites, period, exact=exact, as_of=as_of)
    now = timezone.now()
    site_ids = [s.pk for s in sites]
    fields = {
        "site_ids": site_ids,
        "exact": exact,
        "as_of": as_of,
        "computed_at": now,
        "watermark": watermark,
        "figures": _seal(figures),
    }
    key = audience_key(site_ids, exact=exact)
    try:
        with transaction.atomic():
            StoredFigures.objects.update_or_create(
                audience=key, period_start=period.start, period_end=period.end, defaults=fields
            )
    except IntegrityError:
        pass  # another reader stored the same figures a moment before
    return FigureSet(figures, as_of, now)


def stored_figures(sites: list[Site], period: Period, *, exact: bool, today: date) -> FigureSet:
    """The figures as last refreshed, however old (the page says when they were counted);
    counted now and stored when nobody has asked for this audience and period before."""
    key = audience_key([s.pk for s in sites], exact=exact)
    row = (
        StoredFigures.objects.filter(audience=key, period_start=period.start, period_end=period.end)
        .only("figures", "as_of", "computed_at")
        .first()
    )
    figures = _unseal(row.figures) if row is not None else None
    if figures is not None:
        return FigureSet(figures, row.as_of, row.computed_at)
    # Never asked for, or its seal broken (written by someone without the key): count again.
    return _compute_and_store(sites, period, exact=exact, today=today, watermark=change_watermark())


def default_periods(today: date) -> list[Period]:
    """The periods readers open without choosing: the dashboard's weeks and the sitrep's
    week just ended."""
    from refuge.reporting.forms import DEFAULT_WEEKS

    last_week = week_start(today) - timedelta(weeks=1)
    return [Period.weeks_ending(today, DEFAULT_WEEKS), Period.of_weeks(last_week, last_week)]


def refresh_figures(today: date | None = None) -> RefreshResult:
    """Recount what may have changed: every period still open, and any period counted before
    a change in the audit trail; a complete period counted after the last change is kept.
    The default periods are counted for the whole programme, exact and suppressed (the
    coordinator's and the observer's view); other audiences and periods are refreshed once
    a reader has asked for them."""
    today = today or timezone.localdate()
    watermark = change_watermark()
    all_sites = [s.pk for s in Site.objects.filter(is_active=True)]
    wanted: dict[tuple, tuple[list[int], bool, Period]] = {}
    for period in default_periods(today):
        for exact in (True, False):
            key = (audience_key(all_sites, exact=exact), period.start, period.end)
            wanted[key] = (all_sites, exact, period)
    stored = {}
    for row in StoredFigures.objects.defer("figures"):
        key = (row.audience, row.period_start, row.period_end)
        stored[key] = row
        wanted.setdefault(key, (row.site_ids, row.exact, Period(row.period_start, row.period_end)))
    computed = kept = 0
    for key, (site_ids, exact, period) in wanted.items():
        row = stored.get(key)
        if row is not None and row.as_of >= period.end and row.watermark >= watermark:
            kept += 1
            continue
        _compute_and_store(_sites(site_ids), period, exact=exact, today=today, watermark=watermark)
        computed += 1
    return RefreshResult(computed, kept)
