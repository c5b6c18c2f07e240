"""The streamed XLSX writer of exports: what a spreadsheet program reads back is what was
written, in its place, and text stays text."""

import tempfile

from openpyxl import load_workbook

from refuge.fielddata.xlsx import write_xlsx


def _read_back(sheets):
    out = tempfile.TemporaryFile()
    write_xlsx(out, sheets)
    out.seek(0)
    workbook = load_workbook(out, read_only=True)
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in workbook.worksheets
    }


def test_rows_come_back_in_their_sheets_and_columns():
    book = _read_back(
        {
            "households": [["registration_number", "members"], ["PRM-000001", 4]],
            "members": [
                ["given_name_ar", "given_name_cyr", "phone", "needs"],
                ["محمد", "Мухаммед", "", "SP-PH"],
                ["فاطمة", None, "+7 912 & <0>", ""],
            ],
        }
    )

    assert list(book) == ["households", "members"]
    assert book["households"] == [["registration_number", "members"], ["PRM-000001", 4]]
    # An empty cell keeps the cells after it in their own columns.
    assert book["members"][1] == ["محمد", "Мухаммед", None, "SP-PH"]
    assert book["members"][2][:3] == ["فاطمة", None, "+7 912 & <0>"]


def test_a_value_that_looks_like_a_formula_stays_text_and_control_characters_go():
    book = _read_back({"people": [["given_name_lat"], ['=HYPERLINK("http://x","y")'], ["Ali\x07"]]})

    assert book["people"][1] == ['=HYPERLINK("http://x","y")']
    assert book["people"][2] == ["Ali"]


def test_rows_given_one_at_a_time_all_arrive():
    rows = ([f"P{n}", n] for n in range(5_000))

    book = _read_back({"people": rows})

    assert len(book["people"]) == 5_000
    assert book["people"][-1] == ["P4999", 4999]
