"""JSON Lines of records: one `Record.to_dict()` per line (`refexport records`)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

import orjson

from refexport.fileio import decode_text
from refexport.formats import WriteOptions
from refexport.model import Problem, ReadResult, Record
from refexport.text.json import compact_json


def write(records: Sequence[Record], options: WriteOptions) -> Iterator[str]:
    for record in records:
        yield _line(record.to_dict()) + "\n"


def _line(value: dict[str, Any]) -> str:
    try:
        return compact_json(value)
    except TypeError:  # an integer beyond 64 bits (CSL-JSON reads a 30-digit volume exactly)
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def read(data: bytes, name: str) -> ReadResult:
    """One record per non-blank line; a bad line is reported and skipped. Lines are parsed
    by orjson, which (unlike the json module) refuses what the writer could not write back:
    lone surrogates, NaN and infinities, nesting beyond 1,024 levels (json recurses until
    RecursionError). orjson reads integers beyond 64 bits as floats: a line with such a
    number is read again, exactly, by the json module."""
    text = decode_text(data, name)
    result = ReadResult()
    # Only "\n" ends a record: str.splitlines() would also split at U+2028 or U+0085,
    # which JSON writers leave raw inside strings.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = _loads(line)
            if not isinstance(value, dict):
                raise TypeError(f"expected a JSON object, found {type(value).__name__}")
            result.records.append(Record.from_dict(value))
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            result.problems.append(Problem(name, number, f"bad record: {error}"))
    return result


_LONG_NUMBER = re.compile(r"\d{20}")


def _loads(line: str) -> Any:
    """orjson's reading, or the json module's where orjson cannot hold a number exactly:
    integers beyond 64 bits (orjson makes them floats, or refuses those beyond a double)."""
    try:
        value = orjson.loads(line)  # bounded and strict
    except orjson.JSONDecodeError as error:
        if "number" not in str(error):
            raise
        return _exact(line)
    return _exact(line) if _LONG_NUMBER.search(line) else value


def _exact(line: str) -> Any:
    def refuse(constant: str) -> Any:
        raise ValueError(f"{constant} is not a JSON number")

    try:
        value = json.loads(line, parse_constant=refuse)
    except RecursionError:  # json's C parser recurses until Python's limit
        raise ValueError("JSON nested too deeply") from None
    json.dumps(value, ensure_ascii=False).encode("utf-8")  # a lone surrogate: UnicodeEncodeError
    return value
