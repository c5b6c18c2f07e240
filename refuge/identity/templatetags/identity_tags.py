"""How the engine's estimates are written for a reviewer."""

import math

from django import template
from django.utils.formats import number_format

register = template.Library()
# Beyond a million to one, more digits only suggest a precision the model does not have.
ODDS_SHOWN_UP_TO = 1_000_000


@register.filter
def probability(value: float | None) -> str:
    """A probability as a percentage, rounded down: 0.99999 is "99.9 %", never "100 %" or the
    "1.00" that made every strong pair look the same."""
    if value is None:
        return "—"
    tenths = math.floor(value * 1000) / 10
    return f"{number_format(tenths, 1)} %"


@register.filter
def odds(log_odds: float | None) -> str:
    """The engine's odds that the two are one person, e.g. "70 000 : 1", where the percentage
    no longer tells strong pairs apart."""
    if log_odds is None:
        return "—"
    value = math.exp(min(log_odds, 60.0))
    if value >= ODDS_SHOWN_UP_TO:
        return f"> {number_format(ODDS_SHOWN_UP_TO, 0, force_grouping=True)} : 1"
    if value >= 1:
        return f"{number_format(round(value), 0, force_grouping=True)} : 1"
    return f"1 : {number_format(round(1 / value), 0, force_grouping=True)}"
