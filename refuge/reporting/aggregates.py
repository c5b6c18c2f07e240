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


@dataclass(frozen=True)
class FigureSet:
    figures: list
    as_of: date
    computed_at: datetime


@dataclass(frozen=True)
class RefreshResult:
    computed: int
    kept: int
    pruned: int = 0


# A stored set no page has read for this long is deleted by the refresh (the default periods'
# sets excepted): it is counted again if someone asks for it, instead of being recounted on
# every change for ever, one more set each week and each period a reader once chose.
UNREAD_KEPT_FOR = timedelta(days=14)


def audience_key(site_ids: list[int], *, exact: bool) -> str:
    digest = hashlib.sha256(",".join(map(str, sorted(site_ids))).encode()).hexdigest()[:40]
    return f"{'exact' if exact else 'suppressed'}:{digest}"


def change_watermark() -> int:
    """How many changes the data behind the figures has had (changes.change_count): kept by
    database triggers, so it moves with a bulk change that writes no audit entry per row, and
    it is one row's read."""
    from refuge.reporting.changes import change_count

    return change_count()


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
    sites: list[Site],
    period: Period,
    *,
    exact: bool,
    today: date,
    watermark: int,
    read_on: date | None = None,
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
    if read_on is not None:
        fields["read_on"] = read_on
    key = audience_key(site_ids, exact=exact)
    try:
        with transaction.atomic():
            StoredFigures.objects.update_or_create(
                audience=key, period_start=period.start, period_end=period.end, defaults=fields
            )
    except IntegrityError:
        pass  # another reader stored the same figures a moment before
    return FigureSet(figures, as_of, now)


def stored_figures(
    sites: list[Site], period: Period, *, exact: bool, today: date, of_today: bool = False
) -> FigureSet:
    """The figures as last refreshed, however old (the page says when they were counted);
    counted now and stored when nobody has asked for this audience and period before, or,
    `of_today`, when they were counted on an earlier day than `today` (the sites overview
    shows today's people present)."""
    key = audience_key([s.pk for s in sites], exact=exact)
    row = (
        StoredFigures.objects.filter(audience=key, period_start=period.start, period_end=period.end)
        .only("figures", "as_of", "computed_at", "read_on")
        .first()
    )
    figures = _unseal(row.figures) if row is not None else None
    if of_today and row is not None and row.as_of < period.as_of(today):
        figures = None
    if figures is not None:
        if row.read_on != today:  # one write a day at most, not one a read
            StoredFigures.objects.filter(pk=row.pk).update(read_on=today)
        return FigureSet(figures, row.as_of, row.computed_at)
    # Never asked for, or its seal broken (written by someone without the key): count again.
    return _compute_and_store(
        sites, period, exact=exact, today=today, watermark=change_watermark(), read_on=today
    )


def default_periods(today: date) -> list[Period]:
    """The periods readers open without choosing: the dashboard's weeks and the sitrep's
    week just ended."""
    from refuge.reporting.forms import DEFAULT_WEEKS

    last_week = week_start(today) - timedelta(weeks=1)
    return [Period.weeks_ending(today, DEFAULT_WEEKS), Period.of_weeks(last_week, last_week)]


def refresh_figures(today: date | None = None) -> RefreshResult:
    """Recount what may have changed: every period still open, and any period counted before
    a change (changes.change_count); a complete period counted after the last change is kept.
    The default periods are counted for the whole programme, exact and suppressed (the
    coordinator's and the observer's view); other audiences and periods are refreshed while
    readers ask for them, and pruned once nobody has for UNREAD_KEPT_FOR."""
    today = today or timezone.localdate()
    # Read before counting: a change committed while the figures are counted moves the
    # counter past the stored watermark, so the next run counts again.
    watermark = change_watermark()
    all_sites = [s.pk for s in Site.objects.filter(is_active=True)]
    wanted: dict[tuple, tuple[list[int], bool, Period]] = {}
    for period in default_periods(today):
        for exact in (True, False):
            key = (audience_key(all_sites, exact=exact), period.start, period.end)
            wanted[key] = (all_sites, exact, period)
    unread_since = today - UNREAD_KEPT_FOR
    stored, prune = {}, []
    for row in StoredFigures.objects.defer("figures"):
        key = (row.audience, row.period_start, row.period_end)
        if key not in wanted and (row.read_on is None or row.read_on < unread_since):
            prune.append(row.pk)
            continue
        stored[key] = row
        wanted.setdefault(key, (row.site_ids, row.exact, Period(row.period_start, row.period_end)))
    StoredFigures.objects.filter(pk__in=prune).delete()
    computed = kept = 0
    for key, (site_ids, exact, period) in wanted.items():
        row = stored.get(key)
        if row is not None and row.as_of >= period.end and row.watermark >= watermark:
            kept += 1
            continue
        _compute_and_store(_sites(site_ids), period, exact=exact, today=today, watermark=watermark)
        computed += 1
    return RefreshResult(computed, kept, len(prune))
