"""The reviewer's sentences for the names' combination evidence (issue 17)."""

from django.utils import translation

from refuge.identity.explain import explain_all
from refuge.matching.compare import (
    NameFrequencies,
    PreparedRecord,
    compare_people,
    given_family_combination,
    name_combination,
)
from refuge.matching.records import PersonRecord


def _reasons(father_b, seen):
    a = PersonRecord("a", given_name="Rima", father_name="Khaled", family_name="Saleh")
    b = PersonRecord("b", given_name="ريما", father_name=father_b, family_name="صالح")
    key = (name_combination if father_b else given_family_combination)(PreparedRecord(a))
    freqs = NameFrequencies(100_000, combinations={key: seen})
    return compare_people(a, b, frequencies=freqs, population=100_000).reasons


def test_the_reviewer_reads_how_many_registrations_carry_the_names():
    with translation.override("en"):
        sentences = explain_all(_reasons("", 7))
        assert (
            "7 registrations carry these given and family names (a father's name is missing)."
            in sentences
        )
        assert "7 registrations carry these given, father's and family names." in explain_all(
            _reasons("خالد", 7)
        )
    with translation.override("ru"):
        assert "7 регистраций содержат эти имя и фамилию (имя отца не указано)." in explain_all(
            _reasons("", 7)
        )
