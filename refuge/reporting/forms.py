"""What a reader may ask of a dashboard: which view and which weeks; nothing else is read."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from refuge.params import record_id
from refuge.reporting.periods import Period, parse_week, week_start
from refuge.reporting.selectors import View

DEFAULT_WEEKS = 8


def parse_view(text: str) -> View:
    """programme, region:<name> or site:<id>."""
    text = (text or "programme")[:200]
    level, _sep, key = text.partition(":")
    if level == "programme" and not key:
        return View("programme")
    if level == "region" and key:
        return View("region", key)
    if level == "site" and record_id(key) is not None:
        return View("site", record_id(key))
    raise ValidationError({"view": _("Choose the whole programme, a region or a site.")})


def parse_request(params, today: date) -> tuple[View, Period]:
    """The view and period a dashboard request names; the last eight weeks by default."""
    view = parse_view(params.get("view", ""))
    first, last = params.get("from", ""), params.get("to", "")
    if not first and not last:
        return view, Period.weeks_ending(today, DEFAULT_WEEKS)
    last_week = parse_week(last, field="to") if last else week_start(today)
    first_week = parse_week(first, field="from") if first else last_week
    return view, Period.of_weeks(first_week, last_week)
