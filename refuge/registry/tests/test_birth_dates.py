from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from refuge.registry.dates import birth_date_label, format_birth_date, parse_birth_date
from refuge.testing import member, register


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


@pytest.mark.parametrize(
    ("language", "value", "precision", "shown"),
    [
        ("en", date(2018, 1, 1), "estimated", "2018 (estimated)"),
        ("en", date(1983, 4, 1), "month", "April 1983"),
        ("en", date(1983, 1, 1), "year", "1983"),
        ("en", date(1983, 4, 17), "exact", "17 Apr 1983"),
        ("ru", date(2018, 1, 1), "estimated", "2018 (примерно)"),
        ("ru", date(1983, 4, 1), "month", "Апрель 1983 г."),
        ("ar", date(2018, 1, 1), "estimated", "2018 (تقديري)"),
        ("ar", date(1983, 4, 1), "month", "إبريل 1983"),
    ],
)
def test_a_birth_date_is_shown_as_what_was_known_in_the_readers_language(
    language, value, precision, shown
):
    with translation.override(language):
        assert birth_date_label(value, precision) == shown


def test_an_estimated_year_is_edited_as_the_year_not_the_first_of_january():
    assert format_birth_date(date(2018, 1, 1), "estimated") == "2018"


def test_every_page_shows_an_estimated_year_as_the_year(world, client):
    members = [member(birth_date=date(2018, 1, 1), birth_date_precision="estimated")]
    household = register(world.shelter, world.user("clerk"), members)
    person = household.members.get()
    client.force_login(world.user("clerk"))

    for url in (
        reverse("registry:household", args=[household.pk]),
        reverse("registry:person", args=[person.pk]),
    ):
        html = client.get(url).content.decode()
        assert "2018 (estimated)" in html, url
        assert "1 Jan 2018" not in html, url

    edit = client.get(reverse("registry:person_edit", args=[person.pk])).content.decode()
    assert 'value="2018"' in edit
