"""Ids and page numbers read from a request: digits only, and few enough of them.

`str.isdigit` accepts "²" (which int() refuses) and ten thousand digits (which int() refuses
too): either would turn a tampered form into a server error instead of a refusal."""

import re

_ID = re.compile(r"[0-9]{1,12}")


def record_id(value) -> int | None:
    """The id in `value`, or None when it is not one."""
    text = str(value if value is not None else "")
    return int(text) if _ID.fullmatch(text) else None


def record_ids(values) -> set[int]:
    return {i for i in map(record_id, values) if i is not None}
