"""JSON Lines of records: one `Record.to_dict()` per line (`refexport records`)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from refexport.errors import Problem
from refexport.fileio import decode_text
from refexport.formats import ReadResult
from refexport.model import Record


def write(records: Sequence[Record]) -> str:
    return "".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in records)


def read(data: bytes, name: str) -> ReadResult:
    """One record per non-blank line; a bad line is reported and skipped."""
    text = decode_text(data, name)
    result = ReadResult()
    # Only "\n" ends a record: str.splitlines() would also split at U+2028 or U+0085,
    # which json.dumps(ensure_ascii=False) leaves raw inside strings.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
            if not isinstance(value, dict):
                raise TypeError(f"expected a JSON object, found {type(value).__name__}")
            result.records.append(Record.from_dict(value))
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            result.problems.append(Problem(name, number, f"bad record: {error}"))
    return result
