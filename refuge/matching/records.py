"""The person exchange format: one registration a row, and the clusters a dedupe run writes."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path

EXCHANGE_COLUMNS = (
    "record_id",
    "household_ref",
    "given_name",
    "father_name",
    "family_name",
    "mother_name",
    "sex",
    "birth_date",
    "origin",
    "document_number",
    "site",
)
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass(slots=True)
class PersonRecord:
    """One registration of one person, as in the exchange CSV (all text, empty when unknown)."""

    record_id: str
    household_ref: str = ""
    given_name: str = ""
    father_name: str = ""
    family_name: str = ""
    mother_name: str = ""
    sex: str = ""
    birth_date: str = ""
    origin: str = ""
    document_number: str = ""
    site: str = ""


@dataclass(frozen=True, slots=True)
class RowError:
    """A row that was not read: its line number in the file, the field and what was wrong."""

    row: int
    field: str
    code: str
    value: str


def validate_record(record: PersonRecord) -> list[tuple[str, str]]:
    """The (field, code) problems of one record; empty when it is usable."""
    problems = []
    if not record.record_id.strip():
        problems.append(("record_id", "required"))
    if record.sex and record.sex not in ("m", "f"):
        problems.append(("sex", "invalid_sex"))
    if record.birth_date and not _valid_date(record.birth_date):
        problems.append(("birth_date", "invalid_date"))
    return problems


@lru_cache(maxsize=100_000)  # a million registrations carry a few tens of thousands of dates
def _valid_date(value: str) -> bool:
    if not _DATE.match(value):
        return False
    parts = [int(p) for p in value.split("-")]
    if len(parts) >= 2 and not 1 <= parts[1] <= 12:
        return False
    return not (len(parts) == 3 and not 1 <= parts[2] <= 31)


def iter_exchange_csv(
    path: str | Path, errors: list[RowError] | None = None
) -> Iterator[PersonRecord]:
    """Stream the records of an exchange CSV. Rows with problems are skipped and, when `errors`
    is given, appended to it with their line number and field; good rows are kept."""
    known = [f.name for f in fields(PersonRecord)]
    seen: set[str] = set()
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        missing = [c for c in ("record_id",) if c not in header]
        if missing:
            raise ValueError(f"missing column(s): {', '.join(missing)}")
        # The last column of a name wins, as with csv.DictReader; rows are read as lists
        # (a dict per row was a third of the time to read a million rows).
        where = {name: i for i, name in enumerate(header) if name in known}
        # The column of each field in PersonRecord's order (-1: not in the file), so that a
        # record is built from its values by position.
        positions = [where.get(name, -1) for name in known]
        for row in reader:
            if not row:
                continue  # DictReader skips blank lines too
            width = len(row)
            record = PersonRecord(*[row[i].strip() if 0 <= i < width else "" for i in positions])
            record.sex = record.sex.lower()
            problems = validate_record(record)
            if not problems and record.record_id in seen:
                problems = [("record_id", "duplicate")]
            if problems:
                if errors is not None:
                    for field, code in problems:
                        value = getattr(record, field)
                        errors.append(RowError(reader.line_num, field, code, value))
                continue
            seen.add(record.record_id)
            yield record


def read_exchange_csv(
    path: str | Path,
) -> tuple[list[PersonRecord], list[RowError]]:
    """All good records of an exchange CSV and the errors of the rows that were skipped."""
    errors: list[RowError] = []
    records = list(iter_exchange_csv(path, errors))
    return records, errors


def write_exchange_csv(path: str | Path, records: Iterable[PersonRecord]) -> None:
    """Write records in the exchange format."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(EXCHANGE_COLUMNS)
        for r in records:
            writer.writerow([getattr(r, c) for c in EXCHANGE_COLUMNS])


def write_clusters_csv(path: str | Path, clusters: Iterable[tuple[str, str]]) -> None:
    """Write `record_id,cluster_id` rows, one per input record."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(("record_id", "cluster_id"))
        writer.writerows(clusters)
