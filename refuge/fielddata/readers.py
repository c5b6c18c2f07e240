"""Reading field exports into submissions: one household with its members, named by the form's
field names, each value as text, each with the sheet and row it came from.

KoBoToolbox's XLSX export holds the main sheet and one sheet per repeat, joined by `_index` ->
`_parent_index`; its CSV and ODK Central's CSV hold the same tables as files (Central's joined
by `KEY` -> `PARENT_KEY`), in a zip or given one by one; Central's OData JSON (`$expand=*`) nests
the repeat in each submission; the person exchange CSV has one person a row, grouped into
households by `household_ref`. Headers are group paths (`household/phone`, Central's
`household-phone`): the last part is the field. Nothing here touches the database."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.utils.translation import gettext as _

from refuge.fielddata.models import ImportFormat
from refuge.fielddata.xlsform import HOUSEHOLD_FIELDS, MEMBER_FIELDS, MEMBER_KEY, MEMBERS_REPEAT
from refuge.matching.places import place_code

# Bigger than any real export of a shelter's registrations, small enough to refuse a zip bomb.
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_CELL_CHARS = 1000
# The submission's stable key, best first: KoBo's rootUuid survives an edit, _uuid does not.
KEY_COLUMNS = ("rootUuid", "instanceID", "KEY")
# The person exchange CSV's columns, as the matching package defines them (DESIGN.md).


@dataclass
class SubmittedMember:
    sheet: str
    row: int
    values: dict[str, str]


@dataclass
class SubmittedHousehold:
    key: str
    sheet: str
    row: int
    values: dict[str, str]
    members: list[SubmittedMember] = field(default_factory=list)
    site_code: str = ""

    def content(self) -> dict:
        return {"household": self.values, "members": [_member_content(m) for m in self.members]}

    @property
    def content_hash(self) -> str:
        return content_hash(self.content())


def _member_content(member: SubmittedMember) -> dict[str, str]:
    # A member without a key of their own (an export of the form before it had one) keeps the
    # content, and so the hash, it had then: the same old file read again is still unchanged.
    if member.values.get(MEMBER_KEY):
        return member.values
    return {n: v for n, v in member.values.items() if n != MEMBER_KEY}


def content_hash(content: dict) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class ReadProblem:
    sheet: str
    row: int
    field: str
    message: str


class UnreadableFile(ValueError):
    """The file as a whole cannot be read (not the format, too large, no main table)."""


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()[:MAX_CELL_CHARS]


def _field(header: str) -> str:
    return re.split(r"[/-]", header.strip())[-1] if header else ""


@dataclass
class Table:
    name: str
    header: list[str]
    rows: Iterable[tuple[int, list]]  # (row number as the user sees it, cells)


def _key_of(header: list[str], cells: list) -> str:
    by_field = {}
    for column, value in zip(header, cells, strict=False):
        name = _field(column)
        if name in KEY_COLUMNS and _text(value):
            by_field.setdefault(name, _text(value))
    key = next((by_field[c] for c in KEY_COLUMNS if c in by_field), "")
    return key.removeprefix("uuid:")


def _values(header: list[str], cells: list, names: tuple[str, ...]) -> dict[str, str]:
    values = {}
    for column, value in zip(header, cells, strict=False):
        name = _field(column)
        # A select_multiple also comes as one 0/1 column per choice (household/consent/sharing):
        # only the column whose last part is the question itself is read.
        if name in names and name not in values:
            values[name] = _text(value)
    return {n: values.get(n, "") for n in names}


def _join_column(header: list[str], candidates: tuple[str, ...]) -> int | None:
    for candidate in candidates:
        for index, column in enumerate(header):
            if column.strip() == candidate:
                return index
    return None


def join_tables(main: Table, repeats: list[Table]) -> Iterator[SubmittedHousehold | ReadProblem]:
    """Households from a main table and its repeat table(s), joined KoBo's way (`_index` ->
    `_parent_index`) or ODK Central's (`KEY` -> `PARENT_KEY`)."""
    members: dict[str, list[SubmittedMember]] = defaultdict(list)
    for table in repeats:
        if _field(table.name) != MEMBERS_REPEAT and not table.name.endswith(MEMBERS_REPEAT):
            continue
        parent = _join_column(table.header, ("_parent_index", "PARENT_KEY"))
        if parent is None:
            raise UnreadableFile(
                _("The sheet %(sheet)s has no _parent_index column.") % {"sheet": table.name}
            )
        for number, cells in table.rows:
            if not any(_text(c) for c in cells):
                continue
            members[_text(cells[parent]).removeprefix("uuid:")].append(
                SubmittedMember(table.name, number, _values(table.header, cells, MEMBER_FIELDS))
            )
    own = _join_column(main.header, ("_index", "KEY"))
    for number, cells in main.rows:
        if not any(_text(c) for c in cells):
            continue
        key = _key_of(main.header, cells)
        if not key:
            yield ReadProblem(
                main.name, number, "meta/instanceID", _("The submission has no instance ID.")
            )
            continue
        join = _text(cells[own]).removeprefix("uuid:") if own is not None else key
        yield SubmittedHousehold(
            key=key,
            sheet=main.name,
            row=number,
            values=_values(main.header, cells, HOUSEHOLD_FIELDS),
            members=members.pop(join, []),
        )


def _xlsx_tables(path: Path) -> tuple[Table, list[Table]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises a zoo of errors for a file that is not XLSX
        raise UnreadableFile(_("This is not an XLSX workbook.")) from error

    def table(sheet) -> Table:
        rows = sheet.iter_rows(values_only=True)
        header = [_text(c) for c in next(rows, ())]
        return Table(sheet.title, header, ((n, list(r)) for n, r in enumerate(rows, start=2)))

    sheets = workbook.worksheets
    if not sheets:
        raise UnreadableFile(_("The workbook has no sheets."))
    # The repeats are read whole before the main sheet streams by: a roster is joined to its
    # household as the household is read.
    repeats = []
    for sheet in sheets[1:]:
        t = table(sheet)
        repeats.append(Table(t.name, t.header, list(t.rows)))
    return table(sheets[0]), repeats


def _csv_table(name: str, data: bytes) -> Table:
    text = data.decode("utf-8-sig")
    first = text.split("\n", 1)[0]
    # KoBoToolbox writes semicolons by default, ODK Central commas.
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, [])
    return Table(name, header, ((n, row) for n, row in enumerate(reader, start=2)))


def _csv_tables(paths: list[Path]) -> tuple[Table, list[Table]]:
    files: list[tuple[str, bytes]] = []
    for path in paths:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    if info.filename.lower().endswith(".csv"):
                        if info.file_size > MAX_FILE_BYTES:
                            raise UnreadableFile(_("The file is too large."))
                        files.append((Path(info.filename).stem, archive.read(info)))
        else:
            files.append((path.stem, path.read_bytes()))
    if not files:
        raise UnreadableFile(_("No CSV table found."))
    tables = [_csv_table(name, data) for name, data in files]
    # The main table is the one no other table points into: it has no parent column.
    main = [t for t in tables if _join_column(t.header, ("_parent_index", "PARENT_KEY")) is None]
    if len(main) != 1:
        raise UnreadableFile(_("Give one main table and its repeat tables."))
    return main[0], [t for t in tables if t is not main[0]]


def _odata(path: Path) -> Iterator[SubmittedHousehold | ReadProblem]:
    try:
        payload = json.loads(path.read_bytes())
        submissions = payload["value"]
    except (ValueError, KeyError, TypeError) as error:
        raise UnreadableFile(_("This is not ODK Central's OData JSON.")) from error
    for number, submission in enumerate(submissions, start=1):
        flat: dict[str, object] = {}
        rows: list[dict] = []

        def walk(node: dict, flat=flat, rows=rows):
            for name, value in node.items():
                if isinstance(value, dict):
                    walk(value)
                elif isinstance(value, list) and name == MEMBERS_REPEAT:
                    rows.extend(v for v in value if isinstance(v, dict))
                else:
                    flat.setdefault(name, value)

        if not isinstance(submission, dict):
            yield ReadProblem("value", number, "", _("This is not ODK Central's OData JSON."))
            continue
        walk(submission)
        key = _text(flat.get("instanceID") or flat.get("__id")).removeprefix("uuid:")
        if not key:
            yield ReadProblem(
                "value", number, "meta/instanceID", _("The submission has no instance ID.")
            )
            continue
        members = []
        for index, member in enumerate(rows, start=1):
            values: dict[str, object] = {}

            def walk_member(node: dict, values=values):
                for name, value in node.items():
                    if isinstance(value, dict):
                        walk_member(value)
                    else:
                        values.setdefault(name, value)

            walk_member(member)
            members.append(
                SubmittedMember(
                    f"value[{number}]/members",
                    index,
                    {n: _text(values.get(n)) for n in MEMBER_FIELDS},
                )
            )
        yield SubmittedHousehold(
            key=key,
            sheet="value",
            row=number,
            values={n: _text(flat.get(n)) for n in HOUSEHOLD_FIELDS},
            members=members,
        )


def _script_of(text: str) -> str:
    if re.search(r"[\u0600-\u06ff]", text):
        return "ar"
    if re.search(r"[\u0400-\u04ff]", text):
        return "cyr"
    return "lat"


def _exchange(path: Path) -> Iterator[SubmittedHousehold | ReadProblem]:
    table = _csv_table(path.stem, path.read_bytes())
    missing = [c for c in ("record_id",) if c not in table.header]
    if missing:
        raise UnreadableFile(_("This is not a person exchange CSV: it has no record_id column."))
    households: dict[str, SubmittedHousehold] = {}
    for number, cells in table.rows:
        row = dict(zip(table.header, (_text(c) for c in cells), strict=False))
        if not row.get("record_id"):
            yield ReadProblem(table.name, number, "record_id", _("Every row needs a record_id."))
            continue
        ref = row.get("household_ref") or row["record_id"]
        household = households.get(ref)
        if household is None:
            household = households[ref] = SubmittedHousehold(
                key=f"exchange:{ref}"[:100],
                sheet=table.name,
                row=number,
                values=dict.fromkeys(HOUSEHOLD_FIELDS, ""),
                site_code=row.get("site", ""),
            )
        values = dict.fromkeys(MEMBER_FIELDS, "")
        for part in ("given_name", "father_name", "family_name", "mother_name"):
            text = row.get(part, "")
            if text:
                values[f"{part}_{_script_of(text)}"] = text
        # The exchange format has no relationship: its first person is taken as the head.
        values["relationship"] = "head" if not household.members else "other_relative"
        values["sex"] = row.get("sex", "").lower()
        birth = row.get("birth_date", "")
        values["birth_date"], values["birth_date_precision"] = _exchange_birth(birth)
        origin = row.get("origin", "")
        if place_code(origin).startswith("~"):
            values["origin_village"] = origin  # not a place the p-code list knows: kept as text
        else:
            values["origin_governorate"] = place_code(origin)
        if row.get("document_number"):
            values["document_type"] = "other"
            values["document_number"] = row["document_number"]
        household.members.append(SubmittedMember(table.name, number, values))
    yield from households.values()


def _exchange_birth(text: str) -> tuple[str, str]:
    if re.fullmatch(r"\d{4}", text):
        return f"{text}-01-01", "year"
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return f"{text}-01", "month"
    return text, "exact" if text else ""


# The files the upload page and the API take: an XLSX, CSV, a zip of CSVs, or OData JSON.
UPLOAD_SUFFIXES = (".xlsx", ".csv", ".zip", ".json")


def upload_format(file_name: str, head: bytes) -> str:
    """The format of an uploaded file from its name and, for a CSV, its header row."""
    path = Path(file_name)
    if path.suffix.lower() != ".csv":
        return detect_format([path])
    header = head.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace")
    is_exchange = "record_id" in header and "household_ref" in header
    return ImportFormat.EXCHANGE if is_exchange else ImportFormat.CSV


def detect_format(paths: list[Path]) -> str:
    first = paths[0]
    suffix = first.suffix.lower()
    if suffix == ".xlsx":
        return ImportFormat.KOBO_XLSX
    if suffix == ".json":
        return ImportFormat.ODATA
    if suffix == ".csv" and len(paths) == 1:
        header = first.open(encoding="utf-8-sig", errors="replace").readline()
        if "record_id" in header and "household_ref" in header:
            return ImportFormat.EXCHANGE
    return ImportFormat.CSV


def read_submissions(
    paths: list[Path], fmt: str | None = None
) -> Iterator[SubmittedHousehold | ReadProblem]:
    """The submissions of an export (one file, or a main CSV with its repeat CSVs)."""
    for path in paths:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise UnreadableFile(_("The file is too large."))
    fmt = fmt or detect_format(paths)
    if fmt == ImportFormat.KOBO_XLSX:
        main, repeats = _xlsx_tables(paths[0])
        return join_tables(main, repeats)
    if fmt == ImportFormat.CSV:
        main, repeats = _csv_tables(paths)
        return join_tables(main, repeats)
    if fmt == ImportFormat.ODATA:
        return _odata(paths[0])
    if fmt == ImportFormat.EXCHANGE:
        return _exchange(paths[0])
    raise UnreadableFile(_("Unknown format."))
