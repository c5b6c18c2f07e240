from datetime import date

import pytest

from refuge.registry.dates import format_birth_date, parse_birth_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1983", (date(1983, 1, 1), "year")),
        ("1983-04", (date(1983, 4, 1), "month")),
        ("1983-04-17", (date(1983, 4, 17), "exact")),
        ("17.04.1983", (date(1983, 4, 17), "exact")),
        ("17/04/1983", (date(1983, 4, 17), "exact")),
        ("04.1983", (date(1983, 4, 1), "month")),
        ("", (None, "exact")),
    ],
)
def test_clerk_notations_are_understood(text, expected):
    assert parse_birth_date(text) == expected


def test_estimated_overrides_the_precision():
    assert parse_birth_date("1950", estimated=True) == (date(1950, 1, 1), "estimated")


@pytest.mark.parametrize("text", ["31.02.1983", "1983-13", "83", "yesterday", "1850"])
def test_nonsense_is_refused_with_a_reason(text):
    with pytest.raises(ValueError, match="."):
        parse_birth_date(text)


def test_formatting_round_trips_the_precision():
    assert format_birth_date(date(1983, 1, 1), "year") == "1983"
    assert format_birth_date(date(1983, 4, 1), "month") == "1983-04"
    assert parse_birth_date(format_birth_date(date(1983, 4, 17), "exact"))[0] == date(1983, 4, 17)
