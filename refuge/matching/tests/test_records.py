from refuge.matching.records import read_exchange_csv

HEADER = (
    "record_id,household_ref,given_name,father_name,family_name,mother_name,sex,birth_date,"
    "origin,document_number,site\n"
)


def test_bad_rows_are_reported_with_row_and_field_and_good_rows_kept(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(
        HEADER
        + "r1,h1,Ali,,Deeb,,m,1983,,,perm\n"
        + "r2,h1,Huda,,Deeb,,x,1983,,,perm\n"
        + "r3,h1,Omar,,Deeb,,m,1983-13-01,,,perm\n",
        encoding="utf-8",
    )
    records, errors = read_exchange_csv(path)
    assert [r.record_id for r in records] == ["r1"]
    assert [(e.row, e.field, e.code) for e in errors] == [
        (3, "sex", "invalid_sex"),
        (4, "birth_date", "invalid_date"),
    ]


def test_duplicate_record_id_is_reported(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(HEADER + "r1,,Ali,,,,,,,,\n" + "r1,,Omar,,,,,,,,\n", encoding="utf-8")
    records, errors = read_exchange_csv(path)
    assert len(records) == 1 and errors[0].code == "duplicate"


def test_columns_are_read_by_name_in_any_order_short_rows_and_blank_lines_allowed(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(
        "family_name,note,record_id,given_name,sex\n"
        + " Deeb ,x,r1,Ali,M\n"
        + "\n"
        + "Haddad,y,r2\n",
        encoding="utf-8",
    )
    records, errors = read_exchange_csv(path)
    assert errors == []
    assert [(r.record_id, r.given_name, r.family_name, r.sex) for r in records] == [
        ("r1", "Ali", "Deeb", "m"),
        ("r2", "", "Haddad", ""),
    ]
