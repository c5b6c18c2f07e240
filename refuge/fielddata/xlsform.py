"""The household registration form field teams load into KoBoToolbox or ODK Collect, as data.

One definition, here: `build_workbook` writes it as an XLSForm (`refuge build_xlsform`), and the
importers read submissions by the same field names, so the form and the import cannot drift.
Labels come from the translation catalogs (the registry's own vocabulary where it has the word),
one label column per shipped language; places come from the shipped p-code table, districts
filtered by the governorate chosen (a choice filter)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from refuge.registry.models import Document, Household, Need, Person
from refuge.registry.places import DISTRICTS, GOVERNORATES
from refuge.registry.vocabulary import (
    ConsentScope,
    DatePrecision,
    DocumentType,
    Relationship,
    Sex,
    SpecificNeed,
)

FORM_ID = "refuge_household_registration"
# Raised whenever a question is added, renamed or removed, so servers keep both versions apart.
FORM_VERSION = "2026120102"
LANGUAGES = (("en", "English"), ("ru", "Russian"), ("ar", "Arabic"))
DEFAULT_LANGUAGE = "English (en)"
SHIPPED_PATH = Path(__file__).resolve().parents[2] / "forms" / "household_registration.xlsx"

HOUSEHOLD_GROUP = "household"
MEMBERS_REPEAT = "members"
NAME_FIELDS = tuple(
    f"{part}_{script}"
    for part in ("given_name", "father_name", "family_name", "mother_name")
    for script in ("ar", "lat", "cyr")
)


def _verbose(model, name: str):
    return capfirst(model._meta.get_field(name).verbose_name)


@dataclass(frozen=True)
class Question:
    type: str
    name: str
    label: object = ""
    required: bool = False
    choice_filter: str = ""
    relevant: str = ""
    constraint: str = ""
    appearance: str = ""
    calculation: str = ""


# Each member's own key, made once when the member is added on the phone and kept through every
# later edit of the submission (`once`): an edit that reorders the roster or drops a member
# is matched member by member by it. The exports' own repeat keys (KoBo's `_index`, Central's
# `KEY` ".../members[2]") are positions, not people.
MEMBER_KEY = "member_key"

HOUSEHOLD_QUESTIONS = (
    Question("date", "registered_on", _verbose(Household, "registered_on"), required=True),
    Question("text", "phone", _verbose(Household, "phone")),
    Question(
        "select_multiple consent",
        "consent",
        _("Consent the family gives"),
        required=True,
        constraint="selected(., 'registration')",
    ),
)
MEMBER_QUESTIONS = (
    Question("calculate", MEMBER_KEY, calculation="once(uuid())"),
    Question("select_one relationship", "relationship", _verbose(Person, "relationship"), True),
    *(Question("text", name, _verbose(Person, name)) for name in NAME_FIELDS),
    Question("select_one sex", "sex", _verbose(Person, "sex"), required=True),
    Question("date", "birth_date", _verbose(Person, "birth_date")),
    Question(
        "select_one precision", "birth_date_precision", _verbose(Person, "birth_date_precision")
    ),
    Question("select_one governorate", "origin_governorate", _("Governorate of origin")),
    Question(
        "select_one district",
        "origin_district",
        _("District of origin"),
        choice_filter="governorate=${origin_governorate}",
        relevant="${origin_governorate} != ''",
    ),
    Question("text", "origin_village", _verbose(Person, "origin_village")),
    Question("select_one document_type", "document_type", _verbose(Document, "doc_type")),
    Question(
        "text",
        "document_number",
        _verbose(Document, "number"),
        relevant="${document_type} != ''",
    ),
    Question("select_multiple need", "needs", _verbose(Need, "code")),
)
MEMBER_FIELDS = tuple(q.name for q in MEMBER_QUESTIONS)
HOUSEHOLD_FIELDS = tuple(q.name for q in HOUSEHOLD_QUESTIONS)
LABELS = {q.name: q.label for q in (*HOUSEHOLD_QUESTIONS, *MEMBER_QUESTIONS)}


def _vocabulary(list_name: str, choices) -> list[dict]:
    return [{"list_name": list_name, "name": value, "label": label} for value, label in choices]


def choice_rows() -> list[dict]:
    """Every choice list of the form; a label is either lazy text or {language: text}."""
    rows = [
        *_vocabulary("consent", ConsentScope.choices),
        *_vocabulary("relationship", Relationship.choices),
        *_vocabulary("sex", Sex.choices),
        *_vocabulary("precision", DatePrecision.choices),
        *_vocabulary("document_type", DocumentType.choices),
        *_vocabulary("need", SpecificNeed.choices),
    ]
    for pcode, en, ar, ru in GOVERNORATES:
        rows.append(
            {"list_name": "governorate", "name": pcode, "label": {"en": en, "ru": ru, "ar": ar}}
        )
    for pcode, en, ar, ru in DISTRICTS:
        rows.append(
            {
                "list_name": "district",
                "name": pcode,
                "label": {"en": en, "ru": ru, "ar": ar},
                "governorate": pcode[:4],
            }
        )
    return rows


@functools.cache
def _choice_labels() -> dict[str, dict[str, object]]:
    """{list name: {choice: label}}; the labels stay lazy, read in the reader's language."""
    lists: dict[str, dict[str, object]] = {}
    for row in choice_rows():
        lists.setdefault(row["list_name"], {})[row["name"]] = row["label"]
    return lists


def answer_label(field: str, value) -> str:
    """An answer as the form showed it to the one who gave it: a choice's label in the reader's
    language (Паспорт, not "passport"), several choices' labels joined; other answers as they
    are."""
    question = next((q for q in (*HOUSEHOLD_QUESTIONS, *MEMBER_QUESTIONS) if q.name == field), None)
    if question is None or not question.type.startswith("select_") or not value:
        return value
    labels = _choice_labels()[question.type.split()[1]]
    language = (translation.get_language() or "en")[:2]

    def shown(code: str) -> str:
        label = labels.get(code, code)
        return str(label.get(language, label["en"]) if isinstance(label, dict) else label)

    codes = value.split() if isinstance(value, str) else list(value)
    return ", ".join(shown(code) for code in codes)


def _survey_rows() -> list[dict]:
    def row(q: Question) -> dict:
        return {
            "type": q.type,
            "name": q.name,
            "label": q.label,
            "required": "yes" if q.required else "",
            "choice_filter": q.choice_filter,
            "relevant": q.relevant,
            "constraint": q.constraint,
            "appearance": q.appearance,
            "calculation": q.calculation,
        }

    return [
        {"type": "begin_group", "name": HOUSEHOLD_GROUP, "label": _("Household")},
        *(row(q) for q in HOUSEHOLD_QUESTIONS),
        {"type": "end_group", "name": HOUSEHOLD_GROUP},
        {"type": "begin_repeat", "name": MEMBERS_REPEAT, "label": _("Members")},
        *(row(q) for q in MEMBER_QUESTIONS),
        {"type": "end_repeat", "name": MEMBERS_REPEAT},
    ]


def _label(value, language: str) -> str:
    if isinstance(value, dict):
        return value[language]
    if not value:
        return ""
    with translation.override(language):
        return str(value)


def _sheet(rows: list[dict], columns: list[str]) -> list[list[str]]:
    header = [
        f"label::{name} ({code})" if column == "label" else column
        for column in columns
        for code, name in (LANGUAGES if column == "label" else [("", "")])
    ]
    table = [header]
    for row in rows:
        cells = []
        for column in columns:
            if column == "label":
                cells.extend(_label(row.get("label", ""), code) for code, _name in LANGUAGES)
            else:
                cells.append(row.get(column, ""))
        table.append(cells)
    return table


def form_sheets() -> dict[str, list[list[str]]]:
    """The XLSForm's three sheets as tables of text (what the workbook holds, cell by cell)."""
    survey_columns = [
        "type",
        "name",
        "label",
        "required",
        "choice_filter",
        "relevant",
        "constraint",
        "appearance",
        "calculation",
    ]
    return {
        "survey": _sheet(_survey_rows(), survey_columns),
        "choices": _sheet(choice_rows(), ["list_name", "name", "label", "governorate"]),
        "settings": [
            ["form_title", "form_id", "name", "version", "default_language"],
            [
                str(_label(_("Refuge household registration"), "en")),
                FORM_ID,
                FORM_ID,
                FORM_VERSION,
                DEFAULT_LANGUAGE,
            ],
        ],
    }


def build_workbook(path: Path) -> Path:
    """Write the XLSForm to `path`."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, table in form_sheets().items():
        sheet = workbook.create_sheet(title)
        for cells in table:
            sheet.append(cells)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def read_workbook(path: Path) -> dict[str, list[list[str]]]:
    """A workbook's sheets as tables of text (empty cells as ""), to compare with the definition."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    return {
        sheet.title: [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
        for sheet in workbook.worksheets
    }
