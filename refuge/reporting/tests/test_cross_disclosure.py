"""Secondary suppression across sites, regions and the programme: no withheld entry can be
solved for from the entries shown and the sums between them."""

import pytest

from refuge.reporting.disclosure import (
    PROGRAMME,
    TOTAL_ROW,
    Places,
    disclose_cross,
    published_sums,
)
from refuge.reporting.tests.attack import solve

PLACES = Places({"Latakia": (1,), "Perm Krai": (2, 3)})


def _attack(figures, rows, additive):
    known = {e: f.value for e, f in figures.items() if not f.suppressed}
    hidden = {e for e, f in figures.items() if f.suppressed}
    return solve(known, hidden, published_sums(rows, PLACES, additive))


def test_a_small_site_takes_its_neighbour_with_it_and_the_region_cannot_give_it_back():
    figures = disclose_cross(
        {("x", 1): 40, ("x", 2): 3, ("x", 3): 30}, rows=["x"], places=PLACES, additive_rows=False
    )

    assert str(figures[("x", ("site", 2))]) == "<5"
    assert str(figures[("x", ("site", 3))]) == "*"
    assert not figures[("x", PROGRAMME)].suppressed
    assert _attack(figures, ["x"], False) == {}


def test_a_region_of_one_small_site_is_hidden_with_it_and_so_is_a_second_region():
    figures = disclose_cross(
        {("x", 1): 2, ("x", 2): 30, ("x", 3): 30}, rows=["x"], places=PLACES, additive_rows=False
    )

    assert figures[("x", ("region", "Latakia"))].suppressed
    # Latakia = programme - Perm Krai: one of those two must go too.
    assert (
        figures[("x", ("region", "Perm Krai"))].suppressed or figures[("x", PROGRAMME)].suppressed
    )
    assert _attack(figures, ["x"], False) == {}


@pytest.mark.parametrize("small", [1, 2, 3, 4])
def test_rows_that_split_the_people_are_protected_against_the_total_row(small):
    counts = {("a", 1): 20, ("a", 2): small, ("a", 3): 12, ("b", 1): 15, ("b", 2): 9, ("b", 3): 7}
    rows = ["a", "b"]

    figures = disclose_cross(counts, rows=rows, places=PLACES, additive_rows=True)

    assert figures[("a", ("site", 2))].suppressed
    assert (TOTAL_ROW, ("site", 2)) in figures
    assert _attack(figures, rows, True) == {}
    assert not any(0 < f.value < 5 for f in figures.values() if not f.suppressed)


def test_the_attack_does_solve_a_table_protected_by_primary_suppression_alone():
    # The check is worth something only if it finds the leak that secondary suppression closes.
    figures = disclose_cross(
        {("x", 1): 40, ("x", 2): 3, ("x", 3): 30}, rows=["x"], places=PLACES, additive_rows=False
    )
    figures[("x", ("site", 3))] = type(figures[("x", PROGRAMME)])(30, "30")

    assert _attack(figures, ["x"], False) == {("x", ("site", 2)): 3}


def test_nothing_is_withheld_from_a_reader_who_may_see_the_people():
    figures = disclose_cross(
        {("x", 2): 3}, rows=["x"], places=PLACES, additive_rows=False, exact=True
    )

    assert figures[("x", ("site", 2))].value == 3
