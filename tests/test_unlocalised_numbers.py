"""Numbers a machine reads are never written the reader's way: a coordinate with a decimal
comma (y1="34,18") put the occupancy chart's capacity line at the top in Russian and Arabic.

Every page is rendered in Russian and Arabic; no attribute, inline style or JSON block may
hold a number with a decimal comma, Arabic-Indic digits or a thousands separator."""

import json
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from refuge.sites.models import OccupancyRecord
from refuge.testing import register


def _pages(world) -> dict:
    """(url, method, data) of the pages with numbers on them; records at the Perm centre."""
    household = register(world.perm, world.user("clerk_perm"))
    person = household.members.first()
    site = world.perm.pk
    return {
        "overview": (reverse("sites:overview"), "get", None),
        "site": (reverse("sites:site", args=[site]), "get", None),
        "rooms": (reverse("sites:rooms", args=[site]), "get", None),
        "movements": (reverse("sites:movements"), "get", None),
        "register": (reverse("registry:register"), "get", None),
        "search": (reverse("registry:search"), "post", {"q": "محمد"}),
        "household": (reverse("registry:household", args=[household.pk]), "get", None),
        "person": (reverse("registry:person", args=[person.pk]), "get", None),
        "person_edit": (reverse("registry:person_edit", args=[person.pk]), "get", None),
        "audit": (reverse("audit:trail"), "get", None),
        "review_queue": (reverse("identity:queue"), "get", None),
        "worklist": (reverse("casework:worklist"), "get", None),
        "bottlenecks": (reverse("casework:bottlenecks"), "get", None),
        "bulk": (reverse("casework:bulk"), "get", None),
        "person_case": (reverse("casework:person", args=[person.pk]), "get", None),
        "household_case": (reverse("casework:household", args=[household.pk]), "get", None),
        "dashboard": (reverse("reporting:dashboard"), "get", None),
        "sitrep": (reverse("reporting:sitrep"), "get", None),
    }


LOCALISED = re.compile(r"\d[,\u066b\u066c\u00a0\u202f]\d|[\u0660-\u0669\u06f0-\u06f9]")
# Attributes that carry text for people, where the reader's own numbers are right.
HUMAN_ATTRIBUTES = {"aria-label", "title", "placeholder", "alt", "value", "content"}


def _localised(name: str, value: str) -> bool:
    if name == "points":
        # SVG separates x and y with a comma: "491.8,55.0"; a decimal comma makes "491,8,55,0".
        return any(pair.count(",") != 1 for pair in value.split()) or bool(
            re.search(r"[\u0660-\u0669\u06f0-\u06f9]", value)
        )
    return bool(LOCALISED.search(value))


class _MachineNumbers(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._json = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value and name not in HUMAN_ATTRIBUTES and _localised(name, value):
                self.found.append(f"<{tag} {name}={value!r}>")
        self._json = tag == "script" and ("type", "application/json") in attrs

    def handle_data(self, data):
        if self._json and LOCALISED.search(json.dumps(json.loads(data))):
            self.found.append(f"JSON {data[:80]!r}")

    def handle_endtag(self, tag):
        self._json = False


@pytest.mark.parametrize("language", ["ru", "ar"])
def test_no_page_writes_a_machine_read_number_the_readers_way(world, client, language):
    today = timezone.localdate()
    # Nightly counts for the chart, with a capacity whose coordinate has decimals.
    world.perm.capacity = 137
    world.perm.save()
    OccupancyRecord.objects.bulk_create(
        OccupancyRecord(
            site=world.perm,
            on=today - timedelta(days=d),
            people=100 + d,
            households=30,
            beds=140,
            beds_taken=100,
            capacity=137,
        )
        for d in range(10)
    )
    pages = _pages(world)
    client.force_login(world.user("admin"))
    client.cookies["django_language"] = language

    checked, offences = 0, {}
    for name, (url, method, data) in pages.items():
        response = getattr(client, method)(url, data or {})
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = _MachineNumbers()
        parser.feed(response.content.decode())
        checked += 1
        if parser.found:
            offences[name] = parser.found[:3]

    assert checked == len(pages)
    assert not offences, offences


def test_the_check_catches_a_decimal_comma_in_an_svg_coordinate():
    parser = _MachineNumbers()
    parser.feed(
        '<svg><line x1="24" y1="34,18"/><polyline points="1.5,2 3,4"/>'
        '<polyline points="1,5,2 3,4"/></svg><p title="1,5">'
    )

    assert parser.found == ["<line y1='34,18'>", "<polyline points='1,5,2 3,4'>"]
