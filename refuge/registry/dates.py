"""Birth dates as clerks type them: a year, a month or a full date, day first as in Syria."""

import re
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from refuge.registry.vocabulary import DatePrecision

_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
_MONTH_FIRST_YEAR = re.compile(r"^(\d{1,2})[./](\d{4})$")


def parse_birth_date(text: str, *, estimated: bool = False) -> tuple[date | None, str]:
    """'1983' -> (1983-01-01, year); '1983-04' -> month; '17.04.1983' or '1983-04-17' -> exact.

    Raises ValueError with a message for the clerk when the text is not a date we understand.
    """
    text = (text or "").strip()
    if not text:
        return None, DatePrecision.ESTIMATED if estimated else DatePrecision.EXACT
    year = month = day = None
    if m := _ISO.match(text):
        year, month, day = (int(g) if g else None for g in m.groups())
    elif m := _DAY_FIRST.match(text):
        day, month, year = (int(g) for g in m.groups())
    elif m := _MONTH_FIRST_YEAR.match(text):
        month, year = (int(g) for g in m.groups())
    else:
        raise ValueError(
            _("Enter a year (1983), a month (1983-04) or a full date (1983-04-17 or 17.04.1983).")
        )
    if not 1900 <= year <= 2100:
        raise ValueError(_("The year %(year)s is not plausible.") % {"year": year})
    try:
        value = date(year, month or 1, day or 1)
    except ValueError:
        raise ValueError(_("This date does not exist.")) from None
    if estimated:
        precision = DatePrecision.ESTIMATED
    elif day:
        precision = DatePrecision.EXACT
    elif month:
        precision = DatePrecision.MONTH
    else:
        precision = DatePrecision.YEAR
    return value, precision


def format_birth_date(value: date | None, precision: str) -> str:
    """A birth date as it is typed back into the form: what was known, no invented 1 January
    (an estimated date is an estimated year, as the matching engine reads it too)."""
    if value is None:
        return ""
    if precision in (DatePrecision.YEAR, DatePrecision.ESTIMATED):
        return f"{value.year:04d}"
    if precision == DatePrecision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def birth_date_label(value: date | None, precision: str) -> str:
    """A birth date for the reader, in their language, saying only what was known:
    "17 Apr 1983", "April 1983", "1983", "2018 (estimated)". Every page shows dates this way."""
    if value is None:
        return "—"
    if precision == DatePrecision.ESTIMATED:
        return _("%(year)s (estimated)") % {"year": value.year}
    if precision == DatePrecision.YEAR:
        return str(value.year)
    if precision == DatePrecision.MONTH:
        return date_format(value, "YEAR_MONTH_FORMAT")
    return date_format(value, "SHORT_DATE_FORMAT")
