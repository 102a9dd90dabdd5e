"""RIS, the tagged format of EndNote, Mendeley, NoteExpress, CNKI and Zotero.

Parsing and writing the lines is rispy's (`parser.py`, with the wrapper's reasons); this
module maps entries to records and back with the tables in `tables.py`. Every value goes to
the tag Zotero's RIS importer files it under; tags refexport has no variable for are kept
as `custom["ris:XX"]` and written back. What RIS cannot hold (the record's section path and
origin, a name's dropping particle, a second date …) is the stash, one `ID  - refexport:{…}`
line after the key's: Zotero's importer drops every `ID` line, and readers that keep one ID
keep the first, the citation key.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from refexport import stash
from refexport.errors import InputError
from refexport.fileio import decode_guessing
from refexport.formats import WriteOptions
from refexport.formats.ris import tables
from refexport.formats.ris.parser import TAGS, Entry, entries, format_entries, value_lines
from refexport.formats.zotero.creators import split_name
from refexport.model import Date, Name, Origin, PartialDate, Problem, ReadResult, Record, Value, record_id
from refexport.text.markup import plain

_BATCH = 256  # entries per written piece
_VALID_TAGS = frozenset(TAGS)
# "YYYY/MM/DD/other" (RIS), "YYYY-MM-DD" (CNKI), "YYYY", each part but the year optional;
# the "other" part only as a time of day (Zotero writes `Y2  - 2023/06/15/00:00:00`).
_DATE = re.compile(r"^(\d{1,4})(?:[/-](\d{0,2})(?:[/-](\d{0,2})(?:/(?:\d{1,2}:\d{2}(?::\d{2})?)?)?)?)?$")


# --------------------------------------------------------------------------- tables per type


def _text_tags(csl_type: str) -> dict[str, str]:
    """CSL variable -> tag for a type (None entries removed)."""
    merged: dict[str, str | None] = {**tables.TEXT_TAGS, **tables.TYPE_TEXT_TAGS.get(csl_type, {})}
    return {variable: tag for variable, tag in merged.items() if tag is not None}


def _name_tags(csl_type: str) -> dict[str, str]:
    return {**tables.NAME_TAGS, **tables.TYPE_NAME_TAGS.get(csl_type, {})}


_TEXT_TAGS = {csl_type: _text_tags(csl_type) for csl_type in tables.TYPE_TO_RIS}
_NAME_TAGS_BY_TYPE = {csl_type: _name_tags(csl_type) for csl_type in tables.TYPE_TO_RIS}


# --------------------------------------------------------------------------- reader


def read(data: bytes, name: str) -> ReadResult:
    """Records of a RIS file (UTF-8 with or without BOM, UTF-16, GBK). A truncated last entry
    or an entry that cannot be read is reported and skipped; no entry at all refuses the file."""
    text = decode_guessing(data, name)
    result = ReadResult()
    found = False
    for located in entries(text):
        found = True
        if not located.complete:
            result.problems.append(
                Problem(name, located.line, "entry has no `ER  - ` line (truncated file?)")
            )
            continue
        try:
            result.records.append(entry_record(located.entry, name, located.line))
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            result.problems.append(Problem(name, located.line, f"bad entry: {error}"))
    if not found and text.strip():
        raise InputError(name, None, "no RIS entry (no `TY  - ` line)")
    return result


def entry_record(entry: Entry, name: str, line: int | None) -> Record:
    """One entry as a record: native tags mapped, the rest in `custom`, the stash applied
    (ValueError for a damaged stash)."""
    left = {tag: list(values) for tag, values in entry.items()}
    ris_type = left.pop("TY")[0]
    record = Record(type=tables.TYPE_FROM_RIS.get(ris_type.upper(), tables.UNKNOWN_TYPE))
    if ris_type.upper() not in tables.TYPE_FROM_RIS:
        record.custom["ris:TY"] = ris_type
    raw_url = left["UR"][0] if left.get("UR") else None
    kept = _take_stash(left)
    _read_texts(record, left)
    _read_names(record, left)
    _read_dates(record, left)
    _read_key_and_tags(record, left)
    for tag, values in left.items():
        if values:
            record.custom[f"ris:{tag}"] = values
    record.origin = [Origin(name, line, raw_url)]
    if record.url or record.key or record.title:  # else the catalog gives it a unique id
        record.id = record_id(record.url, record.key or record.title or "")
    return stash.apply(record, stash.decode(kept)) if kept is not None else record


def _take(left: Entry, tag: str) -> str | None:
    values = left.get(tag)
    if not values:
        return None
    value = values.pop(0)
    if not values:
        del left[tag]
    return value


def _take_stash(left: Entry) -> str | None:
    ids = left.get(tables.KEY_TAG, [])
    for index in range(len(ids) - 1, -1, -1):
        if ids[index].startswith(tables.STASH_PREFIX):
            return ids.pop(index)[len(tables.STASH_PREFIX) :]
    return None


def _read_texts(record: Record, left: Entry) -> None:
    variables = _TEXT_TAGS.get(record.type) or _text_tags(record.type)
    if "number-of-pages" not in variables:
        _read_pages(record, left)
    for variable, tag in variables.items():
        value = _take(left, tag)
        if value:
            record.variables[variable] = value
    for tag, variable in tables.TEXT_ALIASES.items():
        if variable not in record.variables and (value := _take(left, tag)):
            record.variables[variable] = value


def _read_pages(record: Record, left: Entry) -> None:
    if not left.get("SP"):
        return
    first = _take(left, "SP") or ""
    last = _take(left, "EP")
    record.put("page", f"{first}-{last}" if first and last else first)


def _read_names(record: Record, left: Entry) -> None:
    by_tag = {
        tag: variable
        for variable, tag in (_NAME_TAGS_BY_TYPE.get(record.type) or _name_tags(record.type)).items()
    }
    for tag, variable in [*by_tag.items(), *tables.NAME_ALIASES.items()]:
        names = [parse_name(value) for value in left.pop(tag, []) if value.strip()]
        if names:
            existing = record.variables.get(variable)
            record.variables[variable] = [*existing, *names] if isinstance(existing, list) else names


def parse_name(text: str) -> Name:
    """`Last, First, Suffix` (RIS); no comma (or nothing after it): one literal name (an
    organisation, a CJK name). Particles as Zotero, which writes RIS names from its creators,
    reads them: lower-case words that lead the last name or end the first name."""
    parts = [part.strip() for part in text.split(",")]
    if len(parts) == 1 or not any(parts[1:]):
        return Name(literal=parts[0] if len(parts) > 1 else text.strip())
    last, given, suffix = parts[0], parts[1], ", ".join(parts[2:])
    return split_name(last, f"{given}, {suffix}" if suffix else given)


def _read_dates(record: Record, left: Entry) -> None:
    issued: Date | None = None
    for tag in tables.ISSUED_TAGS:  # DA, then PY, then Y1: the first that reads wins
        values = left.get(tag)
        date = parse_date(values[0]) if values else None
        if date is not None and (issued is None or date == Date.of(issued.parts[0].year)):
            issued = issued or date  # a later PY restating the year is consumed too
            _take(left, tag)
    if issued is None:  # no tag reads as a date: the first one is a literal date
        first = next((tag for tag in tables.ISSUED_TAGS if left.get(tag)), None)
        issued = Date(literal=_take(left, first) or "") if first else None
    record.put("issued", issued)
    accessed = left.get(tables.ACCESSED_TAG)
    if accessed and (date := parse_date(accessed[0])) is not None:
        _take(left, tables.ACCESSED_TAG)
        record.put("accessed", date)


def parse_date(text: str) -> Date | None:
    """A RIS date (`2018`, `2018/03//`, `2018/03/15/`, `2018-03-15`), or None."""
    match = _DATE.match(text.strip())
    if not match:
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    if year is None or year == 0:
        return None
    if month is None or month == 0:
        return Date.of(year)
    try:
        return Date.of(year, month, day or None)
    except ValueError:
        return None


def _read_key_and_tags(record: Record, left: Entry) -> None:
    record.key = _take(left, tables.KEY_TAG) or ""
    extras = left.get(tables.KEY_EXTRA_TAG, [])
    for index, value in enumerate(extras):
        if value.startswith(tables.KEY_EXTRA_PREFIX):
            key = value[len(tables.KEY_EXTRA_PREFIX) :].strip()
            if key and record.key in ("", key):
                record.key = key
                del extras[index]
            break
    if not extras:
        left.pop(tables.KEY_EXTRA_TAG, None)
    for value in left.pop(tables.TAGS_TAG, []):
        record.tags.extend(tag.strip() for tag in re.split(r"[;\n]", value) if tag.strip())


# --------------------------------------------------------------------------- writer


def write(records: Sequence[Record], options: WriteOptions) -> Iterator[str]:
    """RIS entries, in pieces of a few hundred; each with its stash only when the native
    tags do not say the whole record."""
    batch: list[Entry] = []
    separator = ""
    for record in records:
        batch.append(record_entry(record))
        if len(batch) == _BATCH:
            yield separator + format_entries(batch)
            separator, batch = "\n", []
    if batch:
        yield separator + format_entries(batch)


def record_entry(record: Record) -> Entry:
    """The entry for a record, the stash included when the native tags fall short."""
    entry = native_entry(record)
    if all(_reads_as_written(value) for values in entry.values() for value in values):
        read_back = entry_record(entry, "", 1)  # one line per value: it reads back as it is
    else:
        read_back = entry_record(next(entries(format_entries([entry]))).entry, "", 1)
    kept = stash.delta(record, read_back)
    if kept:
        entry.setdefault(tables.KEY_TAG, []).append(tables.STASH_PREFIX + stash.encode(kept))
    return entry


def _reads_as_written(value: str) -> bool:
    """A value that rispy reads back unchanged from `XX  - value` (one line, nothing the
    parser strips): the writer can skip formatting and parsing it to know the read-back."""
    return "\n" not in value and value == value.strip()


def native_entry(record: Record) -> Entry:
    """What RIS holds of a record natively, in Zotero's tag order."""
    fields: dict[str, list[str]] = {}
    _write_texts(record, fields)
    _write_names(record, fields)
    _write_dates(record, fields)
    if record.tags:
        fields[tables.TAGS_TAG] = list(record.tags)
    if record.key:
        fields[tables.KEY_TAG] = [record.key]
        fields[tables.KEY_EXTRA_TAG] = [tables.KEY_EXTRA_PREFIX + record.key]
    custom_type = record.custom.get("ris:TY")
    ris_type = custom_type if isinstance(custom_type, str) and custom_type.strip() else None
    entry: Entry = {"TY": [ris_type or tables.TYPE_TO_RIS.get(record.type, tables.FALLBACK_RIS_TYPE)]}
    rank = {tag: index for index, tag in enumerate(tables.ORDER)}
    for tag in sorted(fields, key=lambda tag: rank.get(tag, len(rank))):
        entry[tag] = [value_lines(value) for value in fields[tag] if value]
    for tag, values in _custom_tags(record):
        entry.setdefault(tag, []).extend(value_lines(value) for value in values)
    return {tag: values for tag, values in entry.items() if values}


def _custom_tags(record: Record) -> Iterator[tuple[str, list[str]]]:
    for name, values in record.custom.items():
        tag = name[4:]
        if name.startswith("ris:") and tag in _VALID_TAGS and tag != "TY" and _strings(values):
            yield tag, values


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v for v in value)


def _text(value: Value) -> str | None:
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else None


def _write_texts(record: Record, fields: dict[str, list[str]]) -> None:
    variables = _TEXT_TAGS.get(record.type) or _text_tags(record.type)
    for variable, tag in variables.items():
        value = record.variables.get(variable)
        if value is not None and (text := _text(value)):
            fields[tag] = [plain(text)]  # CSL markup is for CSL processors: RIS readers show it raw
    page = _text(record.variables.get("page", ""))
    if page and "number-of-pages" not in variables:
        first, dash, last = page.partition("-")
        if dash and first and last:
            fields["SP"], fields["EP"] = [first], [last]
        else:
            fields["SP"] = [page]


def _write_names(record: Record, fields: dict[str, list[str]]) -> None:
    for variable, tag in (_NAME_TAGS_BY_TYPE.get(record.type) or _name_tags(record.type)).items():
        names = record.variables.get(variable)
        if isinstance(names, list) and names:
            fields.setdefault(tag, []).extend(format_name(name) for name in names)


def format_name(name: Name) -> str:
    """`Last, First, Suffix` (particles with the part they print with); a literal as it is."""
    if name.literal is not None:
        return name.literal
    last = " ".join(p for p in (name.non_dropping_particle, name.family) if p)
    first = " ".join(p for p in (name.given, name.dropping_particle) if p)
    parts = [last, first, name.suffix] if name.suffix else [last, first] if first else [last]
    return ", ".join(p or "" for p in parts)


def format_date(date: Date) -> tuple[str | None, str | None]:
    """(PY, DA) for a date: the year, and the date as `YYYY/MM/DD/` (only with a month). A
    literal goes to DA; ranges, seasons and the like give their first date (the stash keeps
    the rest)."""
    if date.literal is not None and not date.parts:
        return None, date.literal
    start = date.start
    if start is None or start.year <= 0:
        return None, None
    year = f"{start.year:04d}"
    if start.month is None:
        return year, None
    day = f"{start.day:02d}" if start.day else ""
    return year, f"{year}/{start.month:02d}/{day}/"


def _write_dates(record: Record, fields: dict[str, list[str]]) -> None:
    issued = record.issued
    if issued is not None:
        year, full = format_date(issued)
        if year:
            fields["PY"] = [year]
        if full and "ris:DA" not in record.custom:
            fields["DA"] = [full]
    accessed = record.accessed
    if accessed is not None and accessed.start is not None and accessed.start.year > 0:
        start = accessed.start
        month = f"{start.month:02d}" if start.month else ""
        day = f"{start.day:02d}" if start.day else ""
        fields[tables.ACCESSED_TAG] = [f"{start.year:04d}/{month}/{day}/"]


__all__ = ["PartialDate", "read", "write"]
