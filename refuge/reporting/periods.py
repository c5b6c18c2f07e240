"""Reporting periods: whole ISO weeks, so that every figure over time is a sum of the same
fixed weekly cells whichever period a reader picks (a period that could start on any day
would let two neighbouring periods be subtracted to give one day)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

MAX_WEEKS = 104
_WEEK = re.compile(r"([0-9]{4})-W([0-9]{2})")


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def parse_week(text: str, *, field: str) -> date:
    """The Monday of an ISO week written 2026-W48 (as <input type=week> sends it)."""
    match = _WEEK.fullmatch((text or "").strip()[:10])
    if not match:
        raise ValidationError({field: _("Give a week as 2026-W48.")})
    try:
        return date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise ValidationError({field: _("There is no such week.")}) from None


def week_label(monday: date) -> str:
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Period:
    """From the Monday of the first week to the Sunday of the last."""

    start: date
    end: date

    @classmethod
    def of_weeks(cls, first: date, last: date) -> Period:
        first, last = week_start(first), week_start(last)
        if last < first:
            raise ValidationError({"to": _("The last week comes before the first.")})
        if (last - first).days // 7 + 1 > MAX_WEEKS:
            raise ValidationError(
                {
                    "to": ngettext(
                        "A period is at most %(weeks)s week.",
                        "A period is at most %(weeks)s weeks.",
                        MAX_WEEKS,
                    )
                    % {"weeks": MAX_WEEKS}
                }
            )
        return cls(first, last + timedelta(days=6))

    @classmethod
    def parse(cls, text: str) -> Period:
        """One week (2026-W48) or a run of weeks (2026-W40..2026-W48)."""
        first, _sep, last = (text or "").partition("..")
        start = parse_week(first, field="period")
        return cls.of_weeks(start, parse_week(last, field="period") if last else start)

    @classmethod
    def weeks_ending(cls, day: date, weeks: int = 8) -> Period:
        last = week_start(day)
        return cls.of_weeks(last - timedelta(weeks=weeks - 1), last)

    @property
    def weeks(self) -> list[date]:
        return [
            self.start + timedelta(weeks=i) for i in range((self.end - self.start).days // 7 + 1)
        ]

    def as_of(self, today: date) -> date:
        """The day the period's snapshot figures are counted on: its last day, or today while
        it runs."""
        return min(self.end, today)

    @property
    def label(self) -> str:
        first, last = week_label(self.start), week_label(week_start(self.end))
        return first if first == last else f"{first}..{last}"

    @property
    def next_report_on(self) -> date:
        return self.end + timedelta(days=1)
