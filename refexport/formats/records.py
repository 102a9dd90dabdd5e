"""JSON Lines of records: one `Record.to_dict()` per line (`refexport records`)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from refexport.fileio import decode_text
from refexport.formats import WriteOptions
from refexport.model import Problem, ReadResult, Record
from refexport.text.json import compact_json, parse_json


def write(records: Sequence[Record], options: WriteOptions) -> Iterator[str]:
    for record in records:
        yield _line(record.to_dict()) + "\n"


def _line(value: dict[str, Any]) -> str:
    try:
        return compact_json(value)
    except TypeError:  # an integer beyond 64 bits (CSL-JSON reads a 30-digit volume exactly)
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def read(data: bytes, name: str) -> ReadResult:
    """One record per non-blank line; a bad line is reported and skipped (lines are parsed
    strictly: see `parse_json`)."""
    text = decode_text(data, name)
    result = ReadResult()
    # Only "\n" ends a record: str.splitlines() would also split at U+2028 or U+0085,
    # which JSON writers leave raw inside strings.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = parse_json(line)
            if not isinstance(value, dict):
                raise TypeError(f"expected a JSON object, found {type(value).__name__}")
            result.records.append(Record.from_dict(value))
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            result.problems.append(Problem(name, number, f"bad record: {error}"))
    return result
