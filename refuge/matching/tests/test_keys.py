from refuge.matching.keys import blocking_keys, name_keys
from refuge.matching.records import PersonRecord


def test_same_person_in_three_scripts_shares_blocking_keys():
    a = PersonRecord(
        "a", given_name="محمد", father_name="علي", family_name="حسن", birth_date="1983"
    )
    b = PersonRecord(
        "b", given_name="Mohamed", father_name="Ali", family_name="Hassan", birth_date="1983-01-01"
    )
    c = PersonRecord("c", given_name="Мухаммед", father_name="Али", family_name="Хасан")
    assert blocking_keys(a) & blocking_keys(b)
    assert blocking_keys(a) & blocking_keys(c)


def test_blocking_keys_survive_given_and_family_swap():
    a = PersonRecord("a", given_name="Somar", family_name="Kanaan", birth_date="1990")
    b = PersonRecord("b", given_name="Kanaan", family_name="Somar", birth_date="1990")
    assert blocking_keys(a) & blocking_keys(b)


def test_blocking_keys_are_few_and_deterministic():
    r = PersonRecord(
        "a",
        given_name="Ali",
        father_name="Omar",
        family_name="Deeb",
        mother_name="Huda",
        birth_date="1990",
        document_number="N1234567",
    )
    assert blocking_keys(r) == blocking_keys(r)
    assert 1 <= len(blocking_keys(r)) <= 8


def test_name_keys_find_a_name_across_scripts():
    assert (
        name_keys("Mohamed Ali Hassan")
        == name_keys("محمد علي حسن")
        == name_keys("Мухаммед Али Хасан")
    )
