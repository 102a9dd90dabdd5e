"""Records ↔ CSL items (JSON-ready dicts): the mapping CSL-JSON and CSL YAML share.

The model is CSL, so nearly everything maps 1:1: `id` is the citation key, every variable is
written natively in its CSL-JSON form, tags are `keyword`. What no consumer may see or CSL
cannot say goes into `custom.refexport` as a stash (`refexport.stash`), and only when the
item read back without it would differ from the record: the section path, the origin, other
formats' fields, a type the item had to change (see `write_type`), an id that is not the
digest of URL and key.

Reading is tolerant the way processors are: numeric ids, string names, `isInstitution`,
string or `raw` dates (EDTF), string `date-parts`, the legacy `journalAbbreviation` /
`shortTitle`, lower-case `url`. Keys that are no CSL variable of the model are kept in
`record.custom` as `csl:<key>` (written back natively where the schema has them).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from refexport import stash
from refexport.formats.csl.dates import normalised, parse_date
from refexport.formats.csl.note import guarded_note, read_note
from refexport.formats.csl.problems import HugeNumber, ItemError, json_type
from refexport.formats.csl.schema import SCHEMA_EXTRA_NUMBER, SCHEMA_EXTRA_TEXT
from refexport.model import (
    CSL_TYPES,
    DATE_VARIABLES,
    NAME_VARIABLES,
    NUMBER_VARIABLES,
    TEXT_VARIABLES,
    VARIABLE_ORDER,
    Date,
    Name,
    PartialDate,
    Record,
    record_id,
)

CUSTOM_PREFIX = "csl:"
UNKNOWN_TYPE = "document"  # what Zotero makes of an unknown type too


# Zotero's CSL JSON importer (its type list is CSL 1.0.1's) refuses a whole file with one
# `software` item ("No suitable translators found"). Software with a version is written as
# `book`: Zotero imports book+version as its own software type (computerProgram) and
# pandoc and citeproc-js print "Title (version X). Publisher." Without a version, as
# `webpage`: Zotero keeps the site (websiteTitle), the styles print it as a web page.
# The true type travels in the stash. Measured in tests/test_csljson.py (Zotero, pandoc).
def write_type(record: Record) -> str:
    if record.type == "software":
        return "book" if "version" in record.variables else "webpage"
    return record.type if record.type in CSL_TYPES else UNKNOWN_TYPE


# --- writing -------------------------------------------------------------------------------


def to_item(record: Record, *, guard_note: bool = True, with_stash: bool = True) -> dict[str, Any]:
    """The CSL item for `record`: the native variables, and `custom.refexport` with what the
    native form cannot say (nothing, usually). `guard_note` protects a note from the
    processors' `variable: value` syntax (CSL-JSON); CSL YAML does not need it."""
    item = native_item(record, guard_note)
    if with_stash:
        delta = own_delta(record, item)
        if delta is None:  # the general case: read the item back and compare
            delta = stash.delta(record, from_native(item, 0, guard_note))
        if delta:
            item.setdefault("custom", {})[stash.NAME] = delta
    return item


def own_delta(record: Record, item: dict[str, Any]) -> dict[str, Any] | None:
    """`stash.delta(record, from_native(item))` without reading the item back, for the
    records whose variables and tags provably read back as they are (every value written,
    no empty text, tags that `keyword` holds, no `csl:` fields of another CSL file): then
    only the record's own fields can differ, and the fields of other formats (`bibtex:…`),
    which an item never holds natively. None for any other record."""
    custom = record.custom
    if any(name.startswith(CUSTOM_PREFIX) for name in custom):
        return None
    if any(type(v) is str and not v for v in record.variables.values()):
        return None
    if any(not tag or tag != tag.strip() for tag in record.tags):
        return None
    delta: dict[str, Any] = {}
    url = record.variables.get("URL")
    if record.id != record_id(url if isinstance(url, str) else None, item["id"]):
        delta["id"] = record.id
    if record.key != item["id"]:
        delta["key"] = record.key
    if record.type != item["type"]:
        delta["type"] = record.type
    if record.collection:
        delta["collection"] = list(record.collection)
    if record.also_in:
        delta["also_in"] = [list(path) for path in record.also_in]
    if record.origin:
        delta["origin"] = [origin.to_dict() for origin in record.origin]
    if custom:
        delta["custom"] = dict(custom)
    return delta


def native_item(record: Record, guard_note: bool = True) -> dict[str, Any]:
    key = record.key or record.id
    item: dict[str, Any] = {"id": key, "type": write_type(record)}
    variables = record.variables
    for name in sorted(variables, key=_rank) if len(variables) > 1 else variables:
        value = variables[name]
        if type(value) is str:
            if value:
                item[name] = guarded_note(value) if guard_note and name == "note" else value
        elif isinstance(value, Date):
            item[name] = value.to_csl()
        elif isinstance(value, list):
            item[name] = [n.to_dict() for n in value]
        else:
            item[name] = value
    if record.tags:
        item["keyword"] = keyword(record.tags)
    item["citation-key"] = key
    if record.custom:
        _native_custom(record.custom, item)
    return item


def _rank(name: str) -> int:
    return VARIABLE_ORDER.get(name, len(VARIABLE_ORDER))


def _native_custom(custom: dict[str, Any], item: dict[str, Any]) -> None:
    """The `csl:` keys read from another CSL file that the schema has, back in their place;
    a date the model holds differently (a range with two seasons, `raw` beside the parts)
    as it was read, while it still says the record's date."""
    for name, value in custom.items():
        if not name.startswith(CUSTOM_PREFIX):
            continue
        var = name[len(CUSTOM_PREFIX) :]
        if var in DATE_VARIABLES:
            if var in item and _valid_date(value) and _same_date(value, item[var]):
                item[var] = value
        elif var == "custom" and isinstance(value, dict) and stash.NAME not in value:
            item["custom"] = dict(value)
        elif _fits_schema(var, value):
            item[var] = value


def _valid_date(value: Any) -> bool:
    """A date object the schema accepts (1–2 rows of 1–3 parts, text fields as text)."""
    if not isinstance(value, dict) or not value or not _DATE_KEYS.issuperset(value):
        return False
    rows = value.get("date-parts", [[0]])
    if not isinstance(rows, list) or not 1 <= len(rows) <= 2:
        return False
    for row in rows:
        if not isinstance(row, list) or not 1 <= len(row) <= 3:
            return False
        if not all(isinstance(p, str) or _is_number(p) for p in row):
            return False
    return all(isinstance(value.get(k, ""), str) for k in ("literal", "raw"))


_DATE_KEYS = frozenset(("date-parts", "season", "circa", "literal", "raw"))


def _same_date(original: Any, written: dict[str, Any]) -> bool:
    try:
        date = parse_date(original)
    except ItemError:
        return False
    return date is not None and date.to_csl() == written


def _fits_schema(var: str, value: Any) -> bool:
    if var == "categories":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if var in SCHEMA_EXTRA_TEXT:
        return isinstance(value, str) and value != ""
    return var in SCHEMA_EXTRA_NUMBER and _is_number(value)


def keyword(tags: list[str]) -> str:
    """Tags as CSL's comma-separated `keyword`; a comma (or backslash) inside a tag is
    backslash-escaped (`C\\, C++`)."""
    return ", ".join(t.replace("\\", "\\\\").replace(",", "\\,") for t in tags)


_KEYWORD_PART = re.compile(r"(?:\\.?|[^\\,])+", re.DOTALL)
_KEYWORD_UNESCAPE = re.compile(r"\\([\\,])")


def tags_of(value: str) -> list[str]:
    if "\\" not in value:
        return [tag for tag in (part.strip() for part in value.split(",")) if tag]
    tags = [_KEYWORD_UNESCAPE.sub(r"\1", part.strip()) for part in _KEYWORD_PART.findall(value)]
    return [tag for tag in tags if tag]


# --- reading -------------------------------------------------------------------------------


def from_item(item: dict[str, Any], index: int, guard_note: bool = True) -> Record:
    """The record a CSL item says, its stash applied. ItemError for a bad item."""
    record = from_native(item, index, guard_note)
    custom = item.get("custom")
    if isinstance(custom, dict) and stash.NAME in custom:
        try:
            saved = custom[stash.NAME]
            if not isinstance(saved, dict):
                saved = stash.decode(saved)
            return stash.apply(record, saved)
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise ItemError(f"custom.{stash.NAME} is damaged: {error}") from None
    return record


def from_native(item: dict[str, Any], index: int, guard_note: bool = True) -> Record:
    """The record an item's own CSL fields say (`custom.refexport` left aside)."""
    key = _key(item.get("id"), index)
    raw_type = item.get("type")
    record = Record(key=key, type=raw_type if isinstance(raw_type, str) and raw_type else UNKNOWN_TYPE)
    variables = record.variables
    for name, value in item.items():
        reader = _READERS.get(name)
        if reader is not None:
            reader(record, name, value)
        elif name not in _OWN_KEYS:
            _extra(record, name, value)
    if not _ALIASES.keys().isdisjoint(item):
        _aliases(record, item)
    if guard_note and "note" in variables:
        read_note(record, variables["note"])  # type: ignore[arg-type]
    url = variables.get("URL")
    record.id = record_id(url if isinstance(url, str) else None, key)
    return record


# Legacy and lower-case spellings, read after the item's own variables: the variable they
# stand for, unless the item has it too (then they are kept as they were).
_ALIASES = {"journalAbbreviation": "container-title-short", "shortTitle": "title-short", "url": "URL"}
_OWN_KEYS = frozenset(("id", "type", *_ALIASES))


def _key(value: Any, index: int) -> str:
    if isinstance(value, str) and value:
        return value
    if _is_number(value) and not isinstance(value, float):
        return str(value)
    if value is None or value == "":
        return f"item-{index}"
    raise ItemError(f"id must be a string or a number, found {json_type(value)}")


def _text(record: Record, name: str, value: Any) -> None:
    if isinstance(value, str):
        record.variables[name] = value
    elif _is_number(value):
        record.variables[name] = str(value)  # processors print numbers as text
    else:
        raise ItemError(f"{name} must be text, found {json_type(value)}")


def _number(record: Record, name: str, value: Any) -> None:
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        record.variables[name] = value
    elif isinstance(value, float):
        record.variables[name] = repr(value)
    elif isinstance(value, HugeNumber):
        raise ItemError(f"{name} is a number of {value.digits:,} digits")
    else:
        raise ItemError(f"{name} must be a number or text, found {json_type(value)}")


def _names(record: Record, name: str, value: Any) -> None:
    """CSL names; also a bare string or one object, as processors tolerate."""
    if type(value) is list and all(type(e) is dict and _PLAIN_NAME_KEYS.issuperset(e) for e in value):
        names = []
        for position, entry in enumerate(value, start=1):
            for part_value in entry.values():
                if type(part_value) is not str:
                    _name_part_error(name, position, entry)
            names.append(Name.from_dict(entry))
        record.variables[name] = names
        return
    _odd_names(record, name, value)


def _name_part_error(name: str, position: int, entry: dict[str, Any]) -> None:
    for part, part_value in entry.items():
        if part not in _NAME_FLAGS and not isinstance(part_value, str):
            raise ItemError(f"{name} {position}: {part} must be text, found {json_type(part_value)}")


def _odd_names(record: Record, name: str, value: Any) -> None:
    """Names with flags, strings, or not in a list (the original is kept in `custom`)."""
    entries = value if isinstance(value, list) else [value]
    names = []
    for position, entry in enumerate(entries, start=1):
        if isinstance(entry, str):
            names.append(Name(literal=entry))
            continue
        if not isinstance(entry, dict):
            raise ItemError(f"{name} {position} must be a name object, found {json_type(entry)}")
        _name_part_error(name, position, entry)
        parsed = Name.from_dict(entry)
        # Zotero and citeproc-js mark organisations with `isInstitution`, the name in `family`
        if entry.get("isInstitution") and parsed.family and not parsed.given and parsed.literal is None:
            parsed = Name(literal=parsed.family)
        names.append(parsed)
    record.variables[name] = names
    if value is not entries or any(isinstance(e, dict) and not _NAME_KEYS.issuperset(e) for e in entries):
        record.custom[CUSTOM_PREFIX + name] = value  # the original shape (parse-names …)


_NAME_FLAGS = frozenset(("comma-suffix", "static-ordering", "parse-names", "isInstitution"))
_NAME_KEYS = frozenset(
    "family given literal non-dropping-particle dropping-particle suffix comma-suffix static-ordering".split()
)
_PLAIN_NAME_KEYS = frozenset("family given literal non-dropping-particle dropping-particle suffix".split())


def _date(record: Record, name: str, value: Any) -> None:
    if type(value) is dict and len(value) == 1:  # the common case: `{"date-parts": [[2020, 5]]}`
        rows = value.get("date-parts")
        if type(rows) is list and len(rows) == 1 and type(rows[0]) is list and 1 <= len(rows[0]) <= 3:
            row = rows[0]
            if all(type(p) is int for p in row) and (len(row) == 1 or 1 <= row[1] <= 12) and row[-1]:
                try:
                    record.variables[name] = Date((PartialDate(*row),))
                    return
                except ValueError:
                    pass  # said below, with the item
    date = parse_date(value)
    if date is None:
        record.custom[CUSTOM_PREFIX + name] = value  # e.g. `{"date-parts": []}`: nothing to say
        return
    record.variables[name] = date
    if not isinstance(value, dict) or date.to_csl() != normalised(value):
        record.custom[CUSTOM_PREFIX + name] = value  # what the model cannot hold (season ranges, raw)


def _aliases(record: Record, item: dict[str, Any]) -> None:
    for name, target in _ALIASES.items():
        if name in item:
            value = item[name]
            if isinstance(value, str) and target not in record.variables:
                record.variables[target] = value
            else:
                _extra(record, name, value)


def _keyword(record: Record, name: str, value: Any) -> None:
    if not isinstance(value, str):
        _extra(record, name, value)
        return
    record.tags = tags_of(value)
    if keyword(record.tags) != value:
        record.custom[CUSTOM_PREFIX + name] = value  # another spelling ("a,b"); keep it


def _citation_key(record: Record, name: str, value: Any) -> None:
    if value != record.key:
        _extra(record, name, value)


def _custom(record: Record, name: str, value: Any) -> None:
    if isinstance(value, dict):
        rest = {k: v for k, v in value.items() if k != stash.NAME}
        if rest:
            record.custom[CUSTOM_PREFIX + name] = rest
    else:
        _extra(record, name, value)


def _extra(record: Record, name: str, value: Any) -> None:
    if isinstance(value, HugeNumber):
        raise ItemError(f"{name} is a number of {value.digits:,} digits")
    record.custom[CUSTOM_PREFIX + name] = value


_READERS: dict[str, Callable[[Record, str, Any], None]] = {
    **dict.fromkeys(TEXT_VARIABLES, _text),
    **dict.fromkeys(NUMBER_VARIABLES, _number),
    **dict.fromkeys(NAME_VARIABLES, _names),
    **dict.fromkeys(DATE_VARIABLES, _date),
    "keyword": _keyword,
    "citation-key": _citation_key,
    "custom": _custom,
}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
