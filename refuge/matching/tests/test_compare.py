import pytest

from refuge.matching.compare import (
    BirthDate,
    Decision,
    Level,
    NameFrequencies,
    PersonComparison,
    compare_birth_dates,
    compare_names,
    compare_people,
)
from refuge.matching.normalise import normalise_name
from refuge.matching.records import PersonRecord


def person(record_id, given, father, family, **kw):
    return PersonRecord(record_id, given_name=given, father_name=father, family_name=family, **kw)


def codes(result: PersonComparison) -> dict[str, str]:
    return {r.field: r.code for r in result.reasons}


@pytest.mark.parametrize(
    "a,b",
    [
        ("محمد", "Mohamed"),
        ("محمد", "Mhd"),
        ("Мухаммед", "Mohammed"),
        ("Mouhammad", "محمد"),
        ("Muḥammad", "Mohamed"),
        ("عبد الرحمن", "Abdel Rahman"),
        ("Абдуррахман", "Abd al-Rahman"),
        ("Youssef", "Yusuf"),
        ("Laith", "Лейс"),
    ],
)
def test_spellings_of_one_name_agree_strongly(a, b):
    assert compare_names(a, b).level in (Level.EXACT, Level.STRONG)


@pytest.mark.parametrize("a,b", [("Mahmoud", "Mohammed"), ("Hassan", "Hussein"), ("Rami", "Rana")])
def test_different_names_with_one_skeleton_disagree(a, b):
    assert compare_names(a, b).level is Level.DISAGREE


def test_mahmoud_is_not_a_strong_match_for_arabic_muhammad():
    assert compare_names("Mahmoud", "محمد").level not in (Level.EXACT, Level.STRONG)


def test_name_comparison_reports_its_parts():
    result = compare_names("Khayr Bek", "خير بك")
    assert [p.level for p in result.parts] == [Level.STRONG, Level.STRONG]


def test_missing_name_is_reported_missing():
    assert compare_names("", "Ali").level is Level.MISSING


@pytest.mark.parametrize("a,b", [("1983", "1983-01-01"), ("1983", "1983-05-17")])
def test_year_only_and_first_of_january_are_compatible_with_an_exact_date(a, b):
    assert compare_birth_dates(BirthDate.parse(a), BirthDate.parse(b)) == "year_agrees"


def test_first_of_january_is_read_as_year_only():
    assert BirthDate.parse("1983-01-01").precision == "year"


def test_swapped_day_and_month_are_recognised():
    assert compare_birth_dates(BirthDate.parse("1983-05-07"), BirthDate.parse("1983-07-05")) == (
        "month_day_swapped"
    )


def test_same_person_in_three_scripts_and_three_date_styles_matches():
    shelter = person(
        "a", "محمد", "علي", "حسن", sex="m", birth_date="1983-03-14", mother_name="فاطمة"
    )
    transit = person(
        "b", "Mohamed", "Ali", "Hassan", sex="m", birth_date="1983", mother_name="Fatima"
    )
    perm = person(
        "c",
        "Мухаммед",
        "Али",
        "Хасан",
        sex="m",
        birth_date="1983-01-01",
        mother_name="Фатима",
        origin="Латакия",
    )
    assert compare_people(shelter, transit, same_household_evidence=2).is_match
    assert compare_people(transit, perm, same_household_evidence=2).is_match
    assert compare_people(shelter, perm, same_household_evidence=2).is_match


def test_exact_document_number_and_names_match_without_household():
    a = person("a", "Somar", "Nidal", "Kanaan", birth_date="1990-02-03", document_number="N123456")
    b = person("b", "سومر", "نضال", "كنعان", birth_date="1990-02-03", document_number="N123456")
    assert compare_people(a, b).decision is Decision.MATCH


def test_father_and_son_named_after_grandfather_do_not_match():
    father = person("f", "Ali", "Mohammed", "Hassan", sex="m", birth_date="1960-04-02")
    son = person("s", "Mohammed", "Ali", "Hassan", sex="m", birth_date="1985-09-12")
    assert compare_people(father, son, same_household_evidence=3).decision is Decision.NON_MATCH


def test_grandfather_and_grandson_with_one_name_do_not_match():
    grandfather = person("g", "Mohammed", "Youssef", "Hassan", sex="m", birth_date="1935")
    grandson = person("s", "Mohammed", "Ali", "Hassan", sex="m", birth_date="1990-09-12")
    result = compare_people(grandfather, grandson, same_household_evidence=3)
    assert result.decision is Decision.NON_MATCH
    assert codes(result)["birth_date"] == "year_differs"


def test_twins_sharing_everything_but_given_name_do_not_match():
    shared = dict(sex="m", birth_date="2010-06-01", mother_name="Zainab", origin="Jableh")
    a = person("a", "Hassan", "Ali", "Deeb", **shared)
    b = person("b", "Hussein", "Ali", "Deeb", **shared)
    result = compare_people(a, b, same_household_evidence=3)
    assert result.decision is Decision.NON_MATCH
    assert codes(result)["given_name"] == "disagree"


def test_twins_written_in_arabic_and_latin_do_not_match():
    a = person("a", "حسن", "علي", "ديب", sex="m", birth_date="2010-06-01")
    b = person("b", "Hussein", "Ali", "Deeb", sex="m", birth_date="2010-06-01")
    assert compare_people(a, b, same_household_evidence=3).decision is not Decision.MATCH


def test_common_names_with_different_birth_years_do_not_match():
    a = person("a", "Mohammed", "Ali", "Hassan", sex="m", birth_date="1983")
    b = person("b", "محمد", "علي", "حسن", sex="m", birth_date="1991")
    assert compare_people(a, b, same_household_evidence=3).decision is Decision.NON_MATCH


def test_common_names_without_other_evidence_are_not_a_match():
    a = person("a", "Mohammed", "Ali", "Hassan", sex="m")
    b = person("b", "محمد", "علي", "حسن", sex="m")
    assert compare_people(a, b, population=1_000_000).decision is not Decision.MATCH


def test_a_different_sex_with_only_the_names_agreeing_is_not_a_match():
    a = person("a", "Nour", "Ali", "Hassan", sex="m", birth_date="2001")
    b = person("b", "Nour", "Ali", "Hassan", sex="f", birth_date="2001")
    result = compare_people(a, b)
    assert codes(result)["sex"] == "disagree"
    assert result.decision is not Decision.MATCH


def test_given_and_family_name_swap_is_recognised():
    a = person("a", "Somar", "Nidal", "Kanaan", birth_date="1990-02-03", document_number="N555555")
    b = person("b", "Kanaan", "Nidal", "Somar", birth_date="1990-02-03", document_number="N555555")
    result = compare_people(a, b)
    assert codes(result)["names"] == "given_family_swapped"
    assert result.is_match


def test_reasons_are_codes_with_parameters():
    result = compare_people(person("a", "Ali", "", ""), person("b", "علي", "", ""))
    given = next(r for r in result.reasons if r.field == "given_name")
    assert given.code == "agree_strong"
    assert given.params["a"] == "Ali" and given.params["b"] == "علي"


def test_a_wrong_birth_year_with_the_same_day_and_month_is_evidence_for_a_match():
    a = person("a", "Maryam", "Ali", "Abbas", sex="f", birth_date="1999-09-10")
    b = person("b", "Марьям", "Али", "Аббас", sex="f", birth_date="1998-09-10")
    c = person("c", "Марьям", "Али", "Аббас", sex="f", birth_date="1998-03-22")
    with_day = compare_people(a, b)
    assert codes(with_day)["birth_date"] == "year_off_by_one_same_day"
    assert with_day.log_odds > compare_people(a, c).log_odds + 4


def test_birth_years_two_apart_on_the_same_day_are_not_ruled_out():
    a = person("a", "Nabil", "Hassan", "Daher", sex="m", birth_date="1971-11-19")
    b = person("b", "Набиль", "Хасан", "Дахер", sex="m", birth_date="1969-11-19")
    result = compare_people(a, b)
    assert codes(result)["birth_date"] == "year_off_by_two"
    assert "decision" not in codes(result)
    other_day = person("c", "Набиль", "Хасан", "Дахер", sex="m", birth_date="1969-04-02")
    assert compare_people(a, other_day).decision is Decision.NON_MATCH


def _frequencies(names: dict[str, int]) -> NameFrequencies:
    forms = {normalise_name(n).key: c for n, c in names.items()}
    skeletons = {normalise_name(n).skeleton: c for n, c in names.items()}
    return NameFrequencies(100_000, skeletons, forms)


def test_a_slip_in_a_common_given_name_is_a_typo_not_another_person():
    freqs = _frequencies({"Muhammad": 4000, "Мухаммгд": 1, "Ali": 3000, "Zeidan": 50})
    a = person("a", "Muhammad", "Ali", "Zeidan", sex="m", birth_date="1963-10-19")
    b = person("b", "Мухаммгд", "Али", "Зейдан", sex="m", birth_date="1963-10-19")
    assert compare_names("Muhammad", "Мухаммгд").level is Level.DISAGREE
    result = compare_people(a, b, frequencies=freqs)
    assert codes(result)["given_name"] == "typo"
    assert result.decision is Decision.MATCH


def test_twins_with_two_real_names_close_in_spelling_stay_apart():
    freqs = _frequencies({"Hassan": 900, "Hussein": 300, "Ali": 3000, "Zeidan": 50})
    a = person("a", "Hassan", "Ali", "Zeidan", sex="m", birth_date="2010-06-01")
    b = person("b", "Хусейн", "Али", "Зейдан", sex="m", birth_date="2010-06-01")
    result = compare_people(a, b, frequencies=freqs)
    assert codes(result)["given_name"] == "disagree"
    assert result.decision is Decision.NON_MATCH


def test_one_personal_document_overrules_a_given_name_written_differently():
    a = person("a", "Daniel", "", "Coxon", birth_date="1907-09-23", document_number="5430172")
    b = person("b", "Cooper", "", "Coxon", birth_date="1907-09-23", document_number="5430172")
    result = compare_people(a, b, population=5000)
    assert codes(result)["given_name"] == "disagree"
    assert ("decision", "same_document") in {(r.field, r.code) for r in result.reasons}
    assert result.decision is not Decision.NON_MATCH
    without_document = compare_people(
        a, person("c", "Cooper", "", "Coxon", birth_date="1907-09-23"), population=5000
    )
    assert without_document.decision is Decision.NON_MATCH


def test_one_personal_document_outweighs_a_sex_written_differently():
    a = person("a", "هالة", "محمود", "العلي", sex="f", document_number="N004417263")
    b = person("b", "Гала", "Махмуд", "Аль-Али", sex="m", document_number="N004417263")
    result = compare_people(a, b)
    assert codes(result)["sex"] == "disagree"
    assert result.decision is Decision.MATCH
    other_document = person("c", "Гала", "Махмуд", "Аль-Али", sex="m", document_number="N0091")
    assert compare_people(a, other_document).decision is Decision.NON_MATCH


def test_given_and_family_names_swapped_with_a_typo_in_one_are_seen_as_swapped():
    a = person("a", "Jasmine", "", "Aledrson", birth_date="1968-07-23")
    b = person("b", "Alderson", "", "Jasmine", birth_date="1968-07-23")
    assert ("names", "given_family_swapped") in {
        (r.field, r.code) for r in compare_people(a, b).reasons
    }


def test_a_keyboard_slip_in_a_given_name_is_evidence_that_other_fields_outweigh():
    # Dyan is Dylan with one letter dropped; its skeleton (dn) is that of the common Dean and
    # Dana, so only its rare spelling beside the common Dylan tells the slip from a name.
    names = {"Dylan": 300, "Dean": 200, "Dana": 150, "Dyan": 1, "Zilm": 3}
    skeletons: dict[str, int] = {}
    for name, count in names.items():
        key = normalise_name(name).skeleton
        skeletons[key] = skeletons.get(key, 0) + count
    forms = {normalise_name(n).key: c for n, c in names.items()}
    freqs = NameFrequencies(100_000, skeletons, forms)
    a = person("a", "Dylan", "", "Zilm", birth_date="1967-12-29", document_number="4892623")
    b = person("b", "Dyan", "", "Zilm", birth_date="1967-12-29", document_number="4892613")
    result = compare_people(a, b, frequencies=freqs, population=5000)
    assert codes(result)["given_name"] == "slip"
    assert ("decision", "vetoed") not in {(r.field, r.code) for r in result.reasons}
    assert result.decision is Decision.MATCH
    # The slip still weighs against: the same two names with nothing else agreeing stay apart.
    bare = compare_people(
        person("c", "Dylan", "", "Zilm"), person("d", "Dyan", "", "Zilm"), frequencies=freqs
    )
    assert bare.decision is Decision.NON_MATCH


def test_one_personal_document_lifts_the_cap_on_a_given_name_agreeing_weakly():
    a = person("a", "Caleb", "", "Bristow", birth_date="1972-03-21", document_number="7570563")
    b = person("b", "Calbe", "", "Bristow", birth_date="1972-03-21", document_number="7570563")
    assert compare_names("Caleb", "Calbe").level is Level.WEAK
    result = compare_people(a, b, population=5000)
    assert codes(result)["given_name"] == "agree_weak"
    assert result.decision is Decision.MATCH
    without_document = compare_people(
        a, person("c", "Calbe", "", "Bristow", birth_date="1972-03-21"), population=5000
    )
    assert without_document.decision is Decision.POSSIBLE


def test_one_personal_document_outweighs_a_birth_date_written_from_another_year():
    # A date replaced in one record (an age guessed, another paper's date copied): with the same
    # personal document and both names agreeing it is an error, not a father and his son.
    a = person("a", "Matilda", "", "Fenwick", birth_date="1983-05-14", document_number="3306281")
    b = person("b", "Matilda", "", "Fenwick", birth_date="1961-11-02", document_number="3306281")
    result = compare_people(a, b, population=5000)
    assert codes(result)["birth_date"] == "year_differs"
    assert ("decision", "same_document") in {(r.field, r.code) for r in result.reasons}
    assert result.decision is Decision.MATCH
    without_document = compare_people(
        a, person("c", "Matilda", "", "Fenwick", birth_date="1961-11-02"), population=5000
    )
    assert without_document.decision is Decision.NON_MATCH
