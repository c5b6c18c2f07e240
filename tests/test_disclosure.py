"""Small counts are suppressed in one place, and nothing shown beside them gives them back."""

import re

from django.urls import reverse
from django.utils import timezone

from refuge.reporting.disclosure import disclose
from refuge.reporting.selectors import site_overview
from refuge.testing import register


def test_a_lone_small_cell_takes_a_second_cell_with_it_so_the_total_cannot_give_it_back():
    table = disclose(
        [{"people": 3}, {"people": 10}, {"people": 20}],
        counts=("people",),
    )

    shown = [str(row["people"]) for row in table.rows]
    assert shown == ["<5", "*", "20"]
    assert str(table.total["people"]) == "33"  # 33 - 20 = 13 = the two hidden cells together


def test_the_total_is_withheld_when_every_other_cell_is_zero():
    table = disclose([{"people": 4}, {"people": 0}], counts=("people",))

    assert [str(r["people"]) for r in table.rows] == ["<5", "0"]
    assert table.total["people"].suppressed


def test_figures_derived_from_a_suppressed_count_are_suppressed_with_it():
    table = disclose(
        [{"people": 3, "capacity": 40}],
        counts=("people",),
        derived={"percent": (("people",), lambda r: round(100 * r["people"] / r["capacity"]))},
    )

    assert table.rows[0]["percent"].suppressed and str(table.rows[0]["percent"]) == "*"


def test_nothing_is_withheld_from_a_reader_who_may_see_the_people():
    table = disclose([{"people": 3}, {"people": 10}], counts=("people",), exact=True)

    assert [str(r["people"]) for r in table.rows] == ["3", "10"]


def _recomputable(overview) -> list[str]:
    """Every way the shown figures give back a withheld count of people."""
    leaks = []
    total = overview.table.total["people"]
    withheld = [row for _site, row in overview.rows if row["people"].suppressed]
    for site, row in overview.rows:
        if row["people"].suppressed:
            if not row["percent"].suppressed:
                leaks.append(f"{site}: {row['percent']}% of a capacity of {site.capacity}")
            if not row["free"].suppressed:
                leaks.append(f"{site}: {row['free']} free of {site.capacity}")
    if len(withheld) == 1 and not total.suppressed:
        leaks.append("the total minus the other sites")
    return leaks


def test_the_recompute_attack_on_the_sites_overview_finds_nothing(world, client):
    world.perm.capacity = 40
    world.perm.save()
    register(world.perm, world.user("clerk_perm"))  # a family of four: 10 % of 40

    overview = site_overview(world.user("observer"), timezone.localdate())
    client.force_login(world.user("observer"))
    page = client.get(reverse("sites:overview")).content.decode()

    assert _recomputable(overview) == []
    perm_row = re.search(r"Perm centre 1</td>.*?</tr>", page, re.S).group(0)
    assert "&lt;5" in perm_row and "10%" not in perm_row and 'value="10"' not in perm_row
    total_row = re.search(r'id="overview-total">.*?</tr>', page, re.S).group(0)
    assert ">4<" not in total_row and "&lt;5" in total_row


def test_staff_who_see_people_get_exact_counts(world, client):
    register(world.perm, world.user("clerk_perm"))
    client.force_login(world.user("clerk_perm"))

    page = client.get(reverse("sites:overview")).content.decode()

    assert '<td class="num">4</td>' in page and "&lt;5" not in page
