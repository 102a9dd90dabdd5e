"""CSL-JSON and CSL YAML: the input format of citeproc-js, citeproc-py, pandoc and Zotero.

Writing: every item is valid against the official CSL 1.0.2 schema (`csl-data.json`): string
`id` = citation key, exact variable spelling, integer `date-parts`, names as objects, no
nulls or empty strings, `language` always set. What CSL has no place for (refexport's id,
collection, also_in, source, tags, other formats' extras) and every field whose native form
would not read back exactly goes into `custom.refexport`, so `read(write(records)) == records`.

The writer checks itself: it reads each native item back with the reader's own conversion
and stashes in `custom.refexport` exactly the fields that did not survive. So the native part
is what CSL processors see, and `custom.refexport` is the (usually small) rest.

Reading: any CSL-JSON, including what processors tolerate (a single object, numeric ids,
string names, `raw`/`literal`/string dates, ranges, seasons, lower-case `url`). Whenever the
model holds a value in a different shape than the input had it (a date range, a name with
`comma-suffix`, a numeric id), the original goes into `extra["csl:<var>"]` and the writer
puts it back natively when it still agrees with the record.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from refexport.errors import InputError, Problem
from refexport.fileio import decode_text, load_yaml, pretty_json, yaml_document
from refexport.formats import ReadResult
from refexport.model import (
    CSL_TYPES,
    RECORD_FIELDS,
    Name,
    PartialDate,
    Record,
    Source,
    extra_delta,
    record_id,
)
from refexport.sites import language_of_text

# CSL 1.0.2 item variables by JSON type, exactly the properties of csl-data.json
# (tests/test_csljson.py checks these sets against the schema file).
STRING_VARIABLES: frozenset[str] = frozenset(
    (
        "type", "citation-key", "language", "journalAbbreviation", "shortTitle", "abstract", "annote",
        "archive", "archive_collection", "archive_location", "archive-place", "authority", "call-number",
        "citation-label", "collection-title", "container-title", "container-title-short", "dimensions",
        "division", "DOI", "event", "event-title", "event-place", "genre", "ISBN", "ISSN", "jurisdiction",
        "keyword", "medium", "note", "original-publisher", "original-publisher-place", "original-title",
        "part-title", "PMCID", "PMID", "publisher", "publisher-place", "references", "reviewed-genre",
        "reviewed-title", "scale", "section", "source", "status", "title", "title-short", "URL", "version",
        "volume-title", "volume-title-short", "year-suffix",
    )
)
NUMBER_VARIABLES: frozenset[str] = frozenset(
    (
        "id", "chapter-number", "citation-number", "collection-number", "edition",
        "first-reference-note-number", "issue", "locator", "number", "number-of-pages", "number-of-volumes",
        "page", "page-first", "part", "printing", "supplement", "volume",
    )
)
DATE_VARIABLES: frozenset[str] = frozenset(
    ["accessed", "available-date", "event-date", "issued", "original-date", "submitted"]
)
NAME_VARIABLES: frozenset[str] = frozenset(
    (
        "author", "chair", "collection-editor", "compiler", "composer", "container-author", "contributor",
        "curator", "director", "editor", "editorial-director", "executive-producer", "guest", "host",
        "interviewer", "illustrator", "narrator", "organizer", "original-author", "performer", "producer",
        "recipient", "reviewed-author", "script-writer", "series-creator", "translator",
    )
)
SCHEMA_VARIABLES: frozenset[str] = (
    STRING_VARIABLES | NUMBER_VARIABLES | DATE_VARIABLES | NAME_VARIABLES | {"categories", "custom"}
)

# Variables the writer derives from model fields; `extra["csl:<var>"]` for these is used
# natively only when it says the same as the model field (see `_override`).
_MODEL_VARIABLES = frozenset(
    (
        "id", "type", "title", "URL", "author", "container-title", "publisher", "language", "issued",
        "accessed", "note", "keyword", "custom",
    )
)

_NAME_TEXT_KEYS = frozenset(
    ("family", "given", "literal", "non-dropping-particle", "dropping-particle", "suffix")
)
_NAME_FLAG_KEYS = frozenset(("comma-suffix", "static-ordering", "parse-names"))
_DATE_KEYS = frozenset(("date-parts", "season", "circa", "literal", "raw"))

CUSTOM_KEY = "refexport"
# Type for items that have none or an unknown one: CSL's most neutral type (Zotero maps
# unknown types to `document` too).
FALLBACK_TYPE = "document"

# citeproc-js and pandoc read leading `variable: value` (or `{:variable:value}`) lines of a
# note as fields ("cheater syntax"). A zero-width space before such a note stops that and is
# invisible in a rendered bibliography; the reader removes it again.
_CHEATER_LINE = re.compile(r"\s*(?:\{:[-_A-Za-z]+:|[-_A-Za-z]+\s*:)")
_NOTE_GUARD = "\u200b"


_RAW_DATE = re.compile(r"\s*(-?\d{1,4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?!\d)")


class _ItemError(Exception):
    """One item cannot be read; becomes a `Problem` naming the item."""


# ---------------------------------------------------------------------------------------
# Reading


def read(data: bytes, name: str) -> ReadResult:
    """Read CSL-JSON (an array of items, or one item). Bad items become `Problem`s."""
    text = decode_text(data, name, json.detect_encoding(data))
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(name, error.lineno, f"not valid JSON: {error.msg} (column {error.colno})") from None
    except RecursionError:
        raise InputError(name, None, "JSON nested too deeply") from None
    return _read_items(parsed, name)


def read_yaml(data: bytes, name: str) -> ReadResult:
    """Read CSL YAML as pandoc does: a `references:` mapping, a bare list of items, or a
    Markdown file whose YAML front matter holds `references`. String values are Markdown
    (pandoc parses them so); backslash escapes are undone."""
    import yaml

    text = decode_text(data, name, "utf-8-sig")
    body, first_line = _front_matter(text)
    try:
        parsed = load_yaml(body)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = mark.line + first_line if mark is not None else None
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise InputError(name, line, f"not valid YAML: {problem}") from None
    if isinstance(parsed, dict) and "references" in parsed:
        parsed = parsed["references"]
    elif isinstance(parsed, dict) and "id" not in parsed:
        raise InputError(name, None, "no `references:` list in the YAML")
    parsed = _yaml_plain(parsed)
    if isinstance(parsed, list):
        parsed = [_map_native_strings(item, _markdown_unescape) for item in parsed]
    elif isinstance(parsed, dict):
        parsed = _map_native_strings(parsed, _markdown_unescape)
    return _read_items(parsed, name)


def _front_matter(text: str) -> tuple[str, int]:
    """The YAML of a Markdown file's front matter (or the whole text) and its first line number."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        return text, 1
    for number, line in enumerate(lines[1:], start=1):
        if line.rstrip() in ("---", "..."):
            return "".join(lines[1:number]), 2
    return "".join(lines[1:]), 2


def _yaml_plain(value: Any) -> Any:
    """YAML turns unquoted `2023-06-15` into a date; CSL means the text."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return [_yaml_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k) if isinstance(k, date) else k: _yaml_plain(v) for k, v in value.items()}
    return value


def _read_items(parsed: Any, name: str) -> ReadResult:
    if isinstance(parsed, dict):
        parsed = [parsed]
    if not isinstance(parsed, list):
        raise InputError(name, None, f"expected an array of CSL items, found {_json_type(parsed)}")
    result = ReadResult()
    seen: dict[str, str] = {}
    for index, item in enumerate(parsed, start=1):
        if not isinstance(item, dict):
            result.problems.append(
                Problem(name, f"item {index}", f"expected an object, found {_json_type(item)}")
            )
            continue
        label = f"item {index}" + (f" ({item['id']})" if isinstance(item.get("id"), str | int) else "")
        try:
            record = _record_from_item(item, index)
        except _ItemError as error:
            result.problems.append(Problem(name, label, str(error)))
            continue
        folded = record.key.casefold()
        if folded in seen:
            message = f"id {record.key!r} repeats {seen[folded]!r} (ids are case-insensitive); skipped"
            result.problems.append(Problem(name, label, message))
            continue
        seen[folded] = record.key
        result.records.append(record)
    return result


def _record_from_item(item: dict[str, Any], index: int) -> Record:
    record = _native_record(item, index)
    custom = item.get("custom")
    if isinstance(custom, dict) and CUSTOM_KEY in custom:
        _apply_block(record, custom[CUSTOM_KEY])
    return record


def _native_record(item: dict[str, Any], index: int) -> Record:
    """The record an item's CSL variables say, ignoring `custom.refexport`. The writer uses
    this too, to find out what its native output would lose."""
    extra: dict[str, Any] = {}
    record = Record(extra=extra)

    raw_id = item.get("id")
    if raw_id is None or raw_id == "":
        record.key = f"item-{index}"
    elif isinstance(raw_id, str):
        record.key = raw_id
    elif isinstance(raw_id, int | float) and not isinstance(raw_id, bool):
        record.key = str(raw_id)
        extra["csl:id"] = raw_id
    else:
        raise _ItemError(f"id must be a string or a number, found {_json_type(raw_id)}")

    item_type = item.get("type")
    if isinstance(item_type, str) and item_type in CSL_TYPES:
        record.type = item_type
    else:
        record.type = FALLBACK_TYPE
        if item_type not in (None, ""):
            extra["csl:type"] = item_type

    for var, value in item.items():
        if var in ("id", "type"):
            continue
        reader = _VARIABLE_READERS.get(var)
        if reader is not None:
            reader(record, value, extra)
        elif var == "url" and "URL" in item:
            if value != item["URL"]:
                extra["csl:url"] = value
        elif var == "url":
            record.url = _text("url", value, extra)
        else:
            extra[f"csl:{var}"] = value
    record.id = record_id(record.url, record.key)
    return record


def _text(var: str, value: Any, extra: dict[str, Any]) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        extra[f"csl:{var}"] = value  # processors print numbers as text; keep the number too
        return str(value)
    raise _ItemError(f"{var} must be text, found {_json_type(value)}")


def _set_text(attribute: str, var: str) -> Callable[[Record, Any, dict[str, Any]], None]:
    def reader(record: Record, value: Any, extra: dict[str, Any]) -> None:
        setattr(record, attribute, _text(var, value, extra))

    return reader


def _read_note(record: Record, value: Any, extra: dict[str, Any]) -> None:
    record.note = _unguarded_note(_text("note", value, extra))


def _unguarded_note(note: str) -> str:
    if note.startswith(_NOTE_GUARD) and _CHEATER_LINE.match(note, len(_NOTE_GUARD)):
        return note[len(_NOTE_GUARD) :]
    return note


def _read_authors(record: Record, value: Any, extra: dict[str, Any]) -> None:
    record.authors = _names(value)
    if _names_to_csl(record.authors) != value:
        extra["csl:author"] = value


def _names(value: Any) -> list[Name]:
    """CSL names, also a bare string or a single object as processors tolerate."""
    entries = value if isinstance(value, list) else [value]
    names = []
    for position, entry in enumerate(entries, start=1):
        if isinstance(entry, str):
            names.append(Name(literal=entry))
            continue
        if not isinstance(entry, dict):
            raise _ItemError(f"author {position} must be a name object, found {_json_type(entry)}")
        parts = {key: _name_part(entry[key]) for key in _NAME_TEXT_KEYS if key in entry}
        name = Name.from_dict(parts)
        # Zotero/citeproc-js mark organisations with `isInstitution` and put them in `family`.
        if entry.get("isInstitution") and name.family and not name.given and name.literal is None:
            name = Name(literal=name.family)
        names.append(name)
    return names


def _name_part(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise _ItemError(f"a name part must be text, found {_json_type(value)}")


def _date_reader(attribute: str) -> Callable[[Record, Any, dict[str, Any]], None]:
    def reader(record: Record, value: Any, extra: dict[str, Any]) -> None:
        parsed = _parse_date(value)
        setattr(record, attribute, parsed)
        if _date_to_csl(parsed) != value:
            extra[f"csl:{attribute}"] = value  # range, season, circa, literal, raw, text parts

    return reader


def _parse_date(value: Any) -> PartialDate | None:
    """The first (or only) calendar date a CSL date holds, as far as it is a calendar date."""
    if isinstance(value, str):
        return _parse_raw_date(value)
    if not isinstance(value, dict):
        return None
    date_parts = value.get("date-parts")
    if isinstance(date_parts, list) and date_parts and isinstance(date_parts[0], list):
        parsed = _date_from_parts(date_parts[0])
        if parsed is not None:
            return parsed
    raw = value.get("raw")
    return _parse_raw_date(raw) if isinstance(raw, str) else None


def _date_from_parts(parts: list[Any]) -> PartialDate | None:
    numbers: list[int] = []
    for part in parts[:3]:
        if isinstance(part, int) and not isinstance(part, bool):
            numbers.append(part)
        elif isinstance(part, str) and re.fullmatch(r"\s*-?\d+\s*", part):
            numbers.append(int(part))
        else:
            break
    if not numbers or all(n == 0 for n in numbers):  # all zeros: the open end of a range
        return None
    return _partial_date(*numbers)


def _parse_raw_date(text: str) -> PartialDate | None:
    match = _RAW_DATE.match(text)
    if not match:
        return None
    return _partial_date(*(int(g) for g in match.groups() if g is not None))


def _partial_date(year: int, month: int | None = None, day: int | None = None, *_: int) -> PartialDate:
    """As much of the date as is valid: months 13-24 are seasons in CSL, not months."""
    if month is None or not 1 <= month <= 12:
        return PartialDate(year)
    if day is None or not 1 <= day <= 31:
        return PartialDate(year, month)
    return PartialDate(year, month, day)


def _read_keyword(record: Record, value: Any, extra: dict[str, Any]) -> None:
    if isinstance(value, str):
        record.tags = _tags_from_keyword(value)
    if _keyword_from_tags(record.tags) != value:
        extra["csl:keyword"] = value


def _read_custom(record: Record, value: Any, extra: dict[str, Any]) -> None:
    if isinstance(value, dict):
        others = {k: v for k, v in value.items() if k != CUSTOM_KEY}
        if others:
            extra["csl:custom"] = others
    else:
        extra["csl:custom"] = value


_VARIABLE_READERS: dict[str, Callable[[Record, Any, dict[str, Any]], None]] = {
    "title": _set_text("title", "title"),
    "URL": _set_text("url", "URL"),
    "container-title": _set_text("container", "container-title"),
    "publisher": _set_text("publisher", "publisher"),
    "language": _set_text("language", "language"),
    "note": _read_note,
    "author": _read_authors,
    "issued": _date_reader("issued"),
    "accessed": _date_reader("accessed"),
    "keyword": _read_keyword,
    "custom": _read_custom,
}


# ---------------------------------------------------------------------------------------
# custom.refexport: the record fields CSL cannot hold, or not exactly


def _encode_field(field: str, value: Any) -> Any:
    if field == "authors":
        return [name.to_dict() for name in value]
    if field in ("issued", "accessed"):
        return value.parts() if value is not None else None
    if field == "source":
        return [source.to_dict() for source in value]
    if field == "also_in":
        return [list(path) for path in value]
    if isinstance(value, list):
        return list(value)
    return value


def _decode_field(field: str, value: Any) -> Any:
    if field in _TEXT_FIELDS:
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{field} must be text or null")
        return value
    if field == "authors":
        return [Name.from_dict(_mapping(name)) for name in value]
    if field in ("issued", "accessed"):
        return PartialDate(*value) if value is not None else None
    if field == "source":
        return [Source.from_dict(_mapping(source)) for source in value]
    if field == "also_in":
        return [_strings(path) for path in value]
    if field in ("tags", "collection"):
        return _strings(value)
    raise KeyError(field)


def _mapping(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"expected an object, found {_json_type(value)}")
    return value


def _strings(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError("expected a list of strings")
    return list(value)


_TEXT_FIELDS = ("id", "key", "type", "title", "url", "container", "publisher", "language", "note")
# Block order = Record field order; `id` and `tags` are always there (tags because CSL's
# `keyword` is a comma-joined string and Zotero drops it), the rest only when needed.
_BLOCK_FIELDS = tuple(f for f in RECORD_FIELDS if f != "extra")


def _apply_block(record: Record, block: Any) -> None:
    try:
        block = _mapping(block)
        for field in _BLOCK_FIELDS:
            if field in block:
                setattr(record, field, _decode_field(field, block[field]))
        if "extra" in block:
            record.extra.update(_mapping(block["extra"]))
        for key in _strings(block.get("extra-removed", [])):
            record.extra.pop(key, None)
    except (TypeError, ValueError, KeyError) as error:
        raise _ItemError(f"custom.{CUSTOM_KEY} is damaged: {error}") from None


def _block(record: Record, native: Record) -> dict[str, Any]:
    """What `custom.refexport` must say so that reading the item gives `record` exactly."""
    block: dict[str, Any] = {"id": record.id}
    for field in _BLOCK_FIELDS[1:]:
        value = getattr(record, field)
        if getattr(native, field) != value or (field == "tags" and value):
            block[field] = _encode_field(field, value)
    differing, removed = extra_delta(record.extra, native.extra)
    if differing:
        block["extra"] = differing
    if removed:
        block["extra-removed"] = removed
    return block


# ---------------------------------------------------------------------------------------
# Writing


def write(records: Sequence[Record]) -> str:
    """CSL-JSON: a top-level array, UTF-8 text, 2-space indent, trailing newline.
    Raises ValueError when two citation keys differ only in case (processors would merge them)."""
    # One variable per line; names, dates and refexport's block each on their line.
    return pretty_json(csl_items(records), levels=2)


def write_yaml(records: Sequence[Record]) -> str:
    """CSL YAML as pandoc reads it from Markdown metadata or a `.yaml` bibliography:
    `---\\nreferences:\\n- id: …\\n...\\n`. pandoc parses YAML strings as Markdown, so
    string values (outside `custom`) are backslash-escaped where Markdown would change them."""
    items = [_map_native_strings(item, _markdown_escape) for item in csl_items(records)]
    return yaml_document({"references": items})


def csl_items(records: Sequence[Record]) -> list[dict[str, Any]]:
    """The CSL items (JSON-ready dicts) for `records`, in order."""
    items = []
    seen: dict[str, str] = {}
    for index, record in enumerate(records, start=1):
        item = _item(record, record.key or record.id or f"item-{index}")
        folded = item["id"].casefold()
        if folded in seen:
            raise ValueError(
                f"citation keys {seen[folded]!r} and {item['id']!r} differ only in case; "
                "CSL processors treat them as one item"
            )
        seen[folded] = item["id"]
        items.append(item)
    return items


def _item(record: Record, item_id: str) -> dict[str, Any]:
    extra = record.extra
    item: dict[str, Any] = {"id": item_id, "type": record.type if record.type in CSL_TYPES else FALLBACK_TYPE}
    # An untitled link is cited by its URL (as the BibTeX writer does): a bibliography entry
    # with no title at all reads badly. The block below records that the title was absent.
    _put(item, "title", record.title if record.title is not None else record.url)
    _put(item, "author", _override(extra, "author", record.authors, _names) or _names_to_csl(record.authors))
    _put(item, "container-title", record.container)
    _put(item, "publisher", record.publisher)
    _put(
        item, "issued", _override(extra, "issued", record.issued, _parse_date) or _date_to_csl(record.issued)
    )
    _put(
        item,
        "accessed",
        _override(extra, "accessed", record.accessed, _parse_date) or _date_to_csl(record.accessed),
    )
    _put(item, "URL", record.url)
    item["language"] = record.language or _guessed_language(record)
    _put(item, "note", _guarded_note(record.note))
    _put(
        item,
        "keyword",
        _override(extra, "keyword", record.tags, _tags_from_keyword) or _keyword_from_tags(record.tags),
    )
    for key, value in extra.items():
        var = key[4:]
        if key.startswith("csl:") and var not in _MODEL_VARIABLES and _fits(var, value):
            item[var] = value
    custom = extra.get("csl:custom")
    if _fits("custom", custom) and CUSTOM_KEY not in custom:
        item["custom"] = dict(custom)
    block = _plain_block(record, item)
    if block is None:
        block = _block(record, _native_record(item, 0))
    item.setdefault("custom", {})[CUSTOM_KEY] = block
    return item


def _plain_block(record: Record, item: dict[str, Any]) -> dict[str, Any] | None:
    """`_block(record, _native_record(item, 0))` without reading the item back, for the usual
    record: no `csl:` extras (so every variable was written from a model field and the reader
    adds nothing to `extra`) and no year-0 date or keyword that reads back differently (those
    make the reader keep the written value in `extra`). Returns None for any other record; the
    caller then does the full self-check. Each test below is the reader's conversion of what
    `_item` wrote, reduced to the cases where it can differ from the model field."""
    extra = record.extra
    for name in extra:
        if name.startswith("csl:"):
            return None
    if (record.issued is not None and record.issued.parts() == [0]) or (
        record.accessed is not None and record.accessed.parts() == [0]
    ):
        return None  # written as `[[0]]`, which reads as the open end of a range: no date
    keyword = item.get("keyword")
    if keyword is not None and _keyword_from_tags(_tags_from_keyword(keyword)) != keyword:
        return None

    block: dict[str, Any] = {"id": record.id}
    if record.key != item["id"]:
        block["key"] = record.key
    if record.type != item["type"]:
        block["type"] = record.type
    # `_put` leaves out empty strings; those read back as None. A missing title went out as
    # the URL.
    if record.title == "":
        block["title"] = ""
    elif record.title is None and "title" in item:
        block["title"] = None
    if record.url == "":
        block["url"] = ""
    # names lose empty parts and all-empty names; a name reads back exactly iff every part
    # it has went out
    written_names = item.get("author", [])
    if len(written_names) != len(record.authors) or any(
        len(written) != len(name.to_dict())
        for written, name in zip(written_names, record.authors, strict=True)
    ):
        block["authors"] = _encode_field("authors", record.authors)
    for field in ("container", "publisher"):
        if getattr(record, field) == "":
            block[field] = ""
    if record.language != item["language"]:
        block["language"] = record.language
    # `issued` and `accessed` read back exactly: year 0 was excluded above
    written_note = item.get("note")
    if record.note != (_unguarded_note(written_note) if written_note is not None else None):
        block["note"] = record.note
    if record.tags:  # always: CSL's `keyword` cannot hold every tag list, and Zotero drops it
        block["tags"] = list(record.tags)
    # the reader has no CSL variable for these, so they always go into the block when set
    if record.collection:
        block["collection"] = list(record.collection)
    if record.also_in:
        block["also_in"] = [list(path) for path in record.also_in]
    if record.source:
        block["source"] = [source.to_dict() for source in record.source]
    if extra:
        block["extra"] = dict(extra)
    return block


def _put(item: dict[str, Any], var: str, value: Any) -> None:
    """Set a variable unless it is empty: processors print `null` and `""` literally."""
    if value is not None and value != "" and value != []:
        item[var] = value


def _override(extra: dict[str, Any], var: str, model_value: Any, parse: Callable[[Any], Any]) -> Any:
    """The original CSL form kept in `extra["csl:<var>"]`, when it is schema-valid and still
    says what the model field says (a date range whose first date is `issued`, a name list
    with `comma-suffix`); else None and the model field is written."""
    value = extra.get(f"csl:{var}")
    if var in DATE_VARIABLES and isinstance(value, dict) and value.get("date-parts") == []:
        # test-suite and pandoc output write `"date-parts": []` beside a literal; the schema
        # wants at least one date there, so the literal alone goes out
        value = {k: v for k, v in value.items() if k != "date-parts"}
    if value is None or not _fits(var, value):
        return None
    try:
        return value if parse(value) == model_value else None
    except _ItemError:
        return None


def _tags_from_keyword(value: Any) -> list[str]:
    """The tags the reader takes from a `keyword` value (none from a non-string)."""
    if not isinstance(value, str):
        return []
    return [tag.strip() for tag in value.split(",") if tag.strip()]


def _names_to_csl(names: list[Name]) -> list[dict[str, str]]:
    csl_names = [{k: v for k, v in name.to_dict().items() if v} for name in names]
    return [name for name in csl_names if name]


def _date_to_csl(value: PartialDate | None) -> dict[str, Any] | None:
    return {"date-parts": [value.parts()]} if value is not None else None


def _keyword_from_tags(tags: list[str]) -> str:
    return ", ".join(tags)


def _guarded_note(note: str | None) -> str | None:
    if note and _CHEATER_LINE.match(note.lstrip("\r\n")):
        return _NOTE_GUARD + note
    return note


def _guessed_language(record: Record) -> str:
    """For records without a language: the script of the title decides, because CSL styles
    title-case every item without a language as English (which mangles Chinese titles
    with Latin words)."""
    text = " ".join(t for t in (record.title, record.container) if t)
    return language_of_text(text) or "en"


def _fits(var: str, value: Any) -> bool:
    """Is `value` a schema-valid, non-empty value for CSL variable `var`?"""
    if var in STRING_VARIABLES:
        return isinstance(value, str) and value != ""
    if var in NUMBER_VARIABLES:
        return (isinstance(value, str) and value != "") or _is_number(value)
    if var in DATE_VARIABLES:
        return _is_csl_date(value)
    if var in NAME_VARIABLES:
        return isinstance(value, list) and bool(value) and all(_is_csl_name(n) for n in value)
    if var == "categories":
        return isinstance(value, list) and bool(value) and all(isinstance(v, str) and v for v in value)
    if var == "custom":
        return isinstance(value, dict) and bool(value)
    return False


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_csl_name(value: Any) -> bool:
    if not isinstance(value, dict) or not value:
        return False
    for key, part in value.items():
        if key in _NAME_TEXT_KEYS:
            if not isinstance(part, str) or part == "":
                return False
        elif key in _NAME_FLAG_KEYS:
            if not (isinstance(part, str | bool) or _is_number(part)):
                return False
        else:
            return False
    return True


def _is_csl_date(value: Any) -> bool:
    if not isinstance(value, dict) or not value or not set(value) <= _DATE_KEYS:
        return False
    date_parts = value.get("date-parts")
    if date_parts is not None and not (
        isinstance(date_parts, list)
        and 1 <= len(date_parts) <= 2
        and all(
            isinstance(d, list) and 1 <= len(d) <= 3 and all(isinstance(p, str) or _is_number(p) for p in d)
            for d in date_parts
        )
    ):
        return False
    for key in ("literal", "raw"):
        if key in value and not (isinstance(value[key], str) and value[key]):
            return False
    if "season" in value and not (isinstance(value["season"], str) or _is_number(value["season"])):
        return False
    circa = value.get("circa")
    return circa is None or isinstance(circa, str | bool) or _is_number(circa)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


# ---------------------------------------------------------------------------------------
# Markdown escaping for CSL YAML (pandoc parses YAML metadata strings as Markdown)

_ASCII_PUNCTUATION = r"!-/:-@\[-`{-~"
_MARKDOWN_SPECIAL = re.compile(
    rf"""(?m)^(?P<lead>[ \t]*)(?P<digits>\d+)(?P<marker>[.)])   # "2023. Title": an ordered list
    |^(?P<indent>[ \t]*)(?P<mark>[{_ASCII_PUNCTUATION}])        # any punctuation starting a line
    |[\\`*_{{}}\[\]<>#$^~@&'"|!]                                 # inline markup, smart quotes
    |-(?=-)|(?<=-)-|\.(?=\.)|(?<=\.)\.                           # smart dashes and ellipses
    |\n                                                          # a hard line break keeps it
    """,
    re.VERBOSE,
)
_MARKDOWN_ESCAPE = re.compile(rf"\\([{_ASCII_PUNCTUATION}]|\n)")


def _markdown_escape(text: str) -> str:
    def escape(match: re.Match[str]) -> str:
        if match.group("digits") is not None:
            return f"{match.group('lead')}{match.group('digits')}\\{match.group('marker')}"
        if match.group("mark") is not None:
            return f"{match.group('indent')}\\{match.group('mark')}"
        return "\\" + match.group(0)

    return _MARKDOWN_SPECIAL.sub(escape, text)


def _markdown_unescape(text: str) -> str:
    return _MARKDOWN_ESCAPE.sub(r"\1", text)


def _map_native_strings(value: Any, convert: Callable[[str], str], top: bool = True) -> Any:
    """Apply `convert` to every string an item holds, except inside `custom` (refexport's
    own data, which pandoc ignores) and the keys."""
    if isinstance(value, str):
        return convert(value)
    if isinstance(value, list):
        return [_map_native_strings(v, convert, False) for v in value]
    if isinstance(value, dict):
        return {
            k: v if top and k == "custom" else _map_native_strings(v, convert, False)
            for k, v in value.items()
        }
    return value
