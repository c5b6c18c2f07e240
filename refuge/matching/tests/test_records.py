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
