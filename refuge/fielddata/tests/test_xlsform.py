"""The registration form converts with pyxform, in three languages, and the shipped copy is
what the definition builds."""

import re
import xml.etree.ElementTree as ET

from django.utils import translation
from pyxform.xls2xform import convert

from refuge.fielddata.xlsform import (
    FORM_ID,
    SHIPPED_PATH,
    build_workbook,
    form_sheets,
    read_workbook,
)
from refuge.registry.vocabulary import Relationship

XF = "{http://www.w3.org/2002/xforms}"


def _converted(tmp_path):
    result = convert(xlsform=str(build_workbook(tmp_path / "form.xlsx")))
    return result, ET.fromstring(result.xform)


def _translations(root) -> dict[str, dict[str, str]]:
    return {
        t.get("lang"): {text.get("id"): text.find(f"{XF}value").text for text in t}
        for t in root.iter(f"{XF}translation")
    }


def test_form_converts_without_warnings_in_english_russian_and_arabic(tmp_path):
    result, root = _converted(tmp_path)
    assert result.warnings == []
    texts = _translations(root)
    assert set(texts) == {"English (en)", "Russian (ru)", "Arabic (ar)"}
    for lang, code in (("Russian (ru)", "ru"), ("Arabic (ar)", "ar")):
        with translation.override(code):
            head = str(Relationship.HEAD.label)
        assert head != "Head of household"  # the catalog has it: a real translation
        assert head in texts[lang].values()
        assert "" not in texts[lang].values()


def test_members_are_a_repeat_inside_the_form(tmp_path):
    _, root = _converted(tmp_path)
    repeats = [r.get("nodeset") for r in root.iter(f"{XF}repeat")]
    assert repeats == [f"/{FORM_ID}/members"]


def test_district_choices_are_filtered_by_the_governorate_chosen(tmp_path):
    _, root = _converted(tmp_path)
    itemsets = {i.get("nodeset") for i in root.iter(f"{XF}itemset")}
    district = next(n for n in itemsets if "'district'" in n)
    # Within the repeat, each member's districts follow that member's own governorate.
    assert re.sub(r"\s", "", district).endswith("[governorate=current()/../origin_governorate]")


def test_districts_carry_their_governorates_p_code(tmp_path):
    choices = form_sheets()["choices"]
    header = choices[0]
    rows = [dict(zip(header, row, strict=True)) for row in choices[1:]]
    districts = [r for r in rows if r["list_name"] == "district"]
    assert districts and all(r["governorate"] == r["name"][:4] for r in districts)
    governorates = {r["name"] for r in rows if r["list_name"] == "governorate"}
    assert {r["governorate"] for r in districts} <= governorates


def _trimmed(sheets):
    return {
        title: [list(row) for row in (_strip(r) for r in table) if row]
        for title, table in sheets.items()
    }


def _strip(row):
    row = list(row)
    while row and row[-1] == "":
        row.pop()
    return row


def test_shipped_form_is_what_the_definition_builds():
    assert _trimmed(read_workbook(SHIPPED_PATH)) == _trimmed(form_sheets())
