"""CSL-JSON: the input of citeproc-js, citeproc-py, pandoc and Zotero's CSL JSON importer.

Writing: a top-level array, one item per record, every item valid against the official
CSL 1.0.2 schema (`csl-data.json`), one variable per line. Reading: an array of items (or
one item); a bad item is reported with its index and the others are kept; what is no JSON
at all, or nested beyond reason, refuses the whole file in one line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import orjson

from refexport.errors import InputError
from refexport.fileio import decode_text
from refexport.formats import WriteOptions, where
from refexport.formats.csl.mapping import from_item, to_item
from refexport.formats.csl.problems import HugeNumber, ItemError, json_type
from refexport.model import Problem, ReadResult, Record
from refexport.text.json import JSONError, compact_json, parse_json
from refexport.workers import mapped

# Python refuses to turn more than this many digits into an int (sys.int_info); orjson
# refuses integers beyond 64 bits. Longer numbers are kept as their length and reported.
_MAX_INT_DIGITS = 4300


def items(records: Sequence[Record], *, stash: bool = True) -> list[dict[str, Any]]:
    """The CSL-JSON items for `records` (JSON-ready dicts, in order), as `write` writes
    them: for the `cite` command, the HTML page, citeproc processors. With `stash=False`
    the items carry no `custom.refexport` (what a processor needs, and nothing more)."""
    return [to_item(record, with_stash=stash) for record in records]


def write(records: Sequence[Record], options: WriteOptions, *, workers: int | None = None) -> Iterator[str]:
    """A JSON array, UTF-8, two-space indent, one variable per line (names, dates and the
    stash on one line each), yielded item by item. `workers` (see `refexport.workers.mapped`;
    by default, from PARALLEL_RECORDS records on, one per idle core): processes that write
    items, this one among them; the text is the same either way."""
    if not records:
        yield "[]\n"
        return
    texts = mapped(_item_text, records, len(records) >= PARALLEL_RECORDS, workers)
    separator = "[\n  "
    for record, (text, error) in zip(records, texts, strict=True):
        if error is not None:
            options.skipped.append(where(record, f"cannot write CSL-JSON: {error}"))
            continue
        yield separator + text
        separator = ",\n  "
    yield "\n]\n" if separator != "[\n  " else "[]\n"


def _item_text(record: Record) -> tuple[str, str | None]:
    """The item's text, or why it cannot be written."""
    try:
        return _item_json(to_item(record)), None
    except (TypeError, ValueError) as error:
        return "", str(error)


# From this many records on, one worker process writes items too, beside this one (10,000
# records from a .bib file, two cores: 0.24 s alone, 0.20 s so; see `refexport.workers`).
PARALLEL_RECORDS = 2_000


def _item_json(item: dict[str, Any]) -> str:
    """`{` + one `"variable": value` per line + `}`, values in compact JSON (orjson)."""
    dumps, labels = orjson.dumps, _LABELS
    lines = [(labels.get(key) or _label_of(key)) + dumps(value).decode() for key, value in item.items()]
    return "{\n    " + ",\n    ".join(lines) + "\n  }"


# `"variable": ` for the names items use (a few dozen): made once, not once per value.
_LABELS: dict[str, str] = {}


def _label_of(key: str) -> str:
    label = orjson.dumps(key).decode() + ": "
    if len(_LABELS) < 1_000:  # the CSL variables and a few more; any other key is not kept
        _LABELS[key] = label
    return label


def read(data: bytes, name: str) -> ReadResult:
    """Read CSL-JSON (an array of items, or one item). Bad items become problems naming the
    item (`refs.json: item 3 (smith2020): …`); the rest is kept."""
    return read_items(_items(_parse(data, name), name), name, guard_note=True)


def _items(parsed: Any, name: str) -> list[Any]:
    if isinstance(parsed, dict):
        return [parsed]
    if not isinstance(parsed, list):
        raise InputError(name, None, f"expected an array of CSL items, found {json_type(parsed)}")
    return parsed


def _parse(data: bytes, name: str) -> Any:
    """Strict JSON (`parse_json`) in any encoding JSON allows; integers too long for Python
    become `HugeNumber`s, reported with their item rather than refusing the file."""
    encoding = json.detect_encoding(data)
    if encoding != "utf-8" or data.startswith(b"\xef\xbb\xbf"):
        data = decode_text(data, name, "utf-8-sig" if encoding == "utf-8" else encoding).encode("utf-8")

    def parse_int(text: str) -> int | HugeNumber:
        return int(text) if len(text) <= _MAX_INT_DIGITS else HugeNumber(len(text.lstrip("-")))

    try:
        return parse_json(data, parse_int)
    except JSONError as error:
        if "UTF-8" in str(error) or "Unicode" in str(error):
            decode_text(data, name)  # refuses naming the line of a bad byte, if that is it
        raise InputError(name, error.line, str(error)) from None


def read_items(parsed: list[Any], name: str, guard_note: bool) -> ReadResult:
    """Records from a list of CSL items (the YAML reader shares this)."""
    result = ReadResult()
    seen: dict[str, str] = {}
    for index, item in enumerate(parsed, start=1):
        if not isinstance(item, dict):
            message = f"expected an object, found {json_type(item)}"
            result.problems.append(Problem(name, f"item {index}", message))
            continue
        label = _label(item, index)
        try:
            record = from_item(item, index, guard_note)
        except ItemError as error:
            result.problems.append(Problem(name, label, str(error)))
            continue
        folded = record.key.casefold()
        if folded in seen:
            message = f"id {record.key!r} repeats {seen[folded]!r} (CSL ids are case-insensitive); skipped"
            result.problems.append(Problem(name, label, message))
            continue
        seen[folded] = record.key
        result.records.append(record)
    return result


def _label(item: dict[str, Any], index: int) -> str:
    item_id = item.get("id")
    if isinstance(item_id, str) and item_id:
        shown = item_id if len(item_id) <= 60 else item_id[:57] + "…"
        return f"item {index} ({compact_json(shown)[1:-1]})"
    if isinstance(item_id, int) and not isinstance(item_id, bool):
        return f"item {index} ({item_id})"
    return f"item {index}"
