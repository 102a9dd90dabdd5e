"""Records <-> Zotero item data (the Web API's editable JSON), native fields only.

Writing (`item_of`): the item type from the record's CSL type (`schema.py`); every variable
the type has a field for goes into that field; creators by role; a variable the type has no
field for goes into an Extra line where Zotero reads it (`extra.py`); tags; collections;
the record's `zotero:<field>` custom fields (a Zotero item read earlier) back into their
fields. Nothing of refexport's own is written: what the item cannot hold is the format's
stash, kept by the file format outside the item (see `__init__.py` and `rdf.py`).

Reading (`record_of`) is the inverse, and reads any Zotero item: fields with no CSL
variable (`rights`, `seriesText` …) become `zotero:<field>` custom fields, so they are
written back natively.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from refexport.formats.zotero.creators import creator, name_line, name_of, parse_name_line
from refexport.formats.zotero.dates import access_date_text, date_text, parse_access_date, parse_date
from refexport.formats.zotero.extra import EXTRA_VARIABLES, Extra, compose_extra, fits_line, parse_extra
from refexport.formats.zotero.schema import ItemType, schema
from refexport.model import (
    DATE_VARIABLES,
    NAME_VARIABLES,
    VARIABLE_ORDER,
    Date,
    Name,
    Record,
    Value,
    record_id,
)

KEY_ALPHABET = "23456789ABCDEFGHIJKLMNPQRSTUVWXYZ"
KEY_PATTERN = re.compile(f"[{KEY_ALPHABET}]{{8}}")
# Item-data properties that are not fields of an item type, and server bookkeeping.
STRUCTURAL = frozenset(
    {"key", "version", "itemType", "creators", "tags", "collections", "relations", "deleted"}
    | {"dateAdded", "dateModified", "parentItem", "extra"}
)
# Fields read on their own (`_read_access_date`, `_read_extra`), not through the CSL table.
_OWN_READING = STRUCTURAL | {"accessDate", "citationKey"}
# The legacy marker tag the previous version put on every item it synced.
LEGACY_TAG = "refexport"
_OWN_WRITING = STRUCTURAL | {"accessDate"}
_CREATOR_KEYS = frozenset({"creatorType", "name", "firstName", "lastName"})


def object_key(kind: str, identity: str) -> str:
    """A Zotero object key (8 characters of Zotero's key alphabet) derived from a stable
    identity, so a retried create can never mint a second object: the server refuses
    `version: 0` for a key that already exists."""
    number = int.from_bytes(hashlib.sha256(f"refexport:{kind}:{identity}".encode()).digest()[:8], "big")
    chars = []
    for _ in range(8):
        number, index = divmod(number, len(KEY_ALPHABET))
        chars.append(KEY_ALPHABET[index])
    return "".join(chars)


@functools.lru_cache(maxsize=65536)
def item_key(rec_id: str) -> str:
    # cached: a writer derives the key of every record twice (writing it, and checking that
    # the key read back is the derived one)
    return object_key("item", rec_id)


def record_item_key(record: Record) -> str:
    """The item's key: the one it had in Zotero (a record read from a library), else the one
    derived from the record id."""
    own = record.custom.get("zotero:key")
    return own if isinstance(own, str) and KEY_PATTERN.fullmatch(own) else item_key(record.id)


def collection_key(path: Sequence[str]) -> str:
    return _collection_key(tuple(path))


@functools.lru_cache(maxsize=4096)
def _collection_key(path: tuple[str, ...]) -> str:
    # cached: an export asks for the same few section paths once or twice per record
    return object_key("collection", json.dumps(list(path), ensure_ascii=False))


# --- collections -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CollectionSpec:
    key: str
    name: str
    parent: str | None  # parent collection key; None for the top collection
    path: tuple[str, ...]


def record_paths(record: Record, top: str) -> list[tuple[str, ...]]:
    """The Zotero collection paths of a record: its section path (`collection`) and every
    `also_in` path, each with the catalog title replaced by the top collection name."""
    paths: list[tuple[str, ...]] = []
    for path in [record.collection, *record.also_in]:
        zotero_path = (top, *path[1:])
        if zotero_path not in paths:
            paths.append(zotero_path)
    return paths


def collection_tree(records: Iterable[Record], top: str) -> list[CollectionSpec]:
    """Every collection the records need, parents before children."""
    specs: dict[tuple[str, ...], CollectionSpec] = {}
    for record in records:
        for path in record_paths(record, top):
            for depth in range(1, len(path) + 1):
                prefix = path[:depth]
                if prefix not in specs:
                    parent = collection_key(prefix[:-1]) if depth > 1 else None
                    specs[prefix] = CollectionSpec(collection_key(prefix), prefix[-1], parent, prefix)
    if not specs:
        specs[(top,)] = CollectionSpec(collection_key((top,)), top, None, (top,))
    return sorted(specs.values(), key=lambda spec: len(spec.path))


def collection_data(spec: CollectionSpec) -> dict[str, Any]:
    return {"key": spec.key, "name": spec.name, "parentCollection": spec.parent or False}


# --- record -> item ----------------------------------------------------------------------


def item_type_of(record: Record) -> ItemType:
    """The record's Zotero item type: the one it had in Zotero, when that still fits its CSL
    type, else the schema's type for the CSL type."""
    types = schema()
    wanted = record.custom.get("zotero:itemType")
    if isinstance(wanted, str) and wanted in types.item_types and types.csl_type(wanted) == record.type:
        return types.item_types[wanted]
    return types.item_types[types.zotero_type(record.type)]


def item_of(record: Record, collection_keys: list[str]) -> dict[str, Any]:
    """The Zotero item data for a record (editable JSON with `key`, without `version`)."""
    spec = item_type_of(record)
    fields: dict[str, str] = {}
    lines: list[tuple[str, str]] = []
    names = _fields(record, spec, fields, lines)
    creators = _creators(record, spec, names, lines)
    for name, value in record.custom.items():
        field_name = name.removeprefix("zotero:")
        ok = field_name != name and isinstance(value, str) and field_name not in _OWN_WRITING
        if ok and field_name in spec.fields and field_name not in fields:
            fields[field_name] = value
    wrong_type = schema().csl_type(spec.name) != record.type
    key = record.key if fits_line(record.key) else None
    extra = compose_extra(key, record.type if wrong_type else None, lines, record.note)
    if extra:
        fields["extra"] = extra
    data: dict[str, Any] = {"key": record_item_key(record), "itemType": spec.name}
    for position, field_name in enumerate(spec.fields):
        if field_name in fields:
            data[field_name] = fields[field_name]
        if position == 0:
            data["creators"] = creators
    data["tags"] = [{"tag": tag} for tag in record.tags]
    data["collections"] = collection_keys
    relations = record.custom.get("zotero:relations")
    if isinstance(relations, dict) and relations:
        data["relations"] = relations
    return data


def _fields(
    record: Record, spec: ItemType, fields: dict[str, str], lines: list[tuple[str, str]]
) -> list[str]:
    """Fill in the fields and Extra lines of the record's text, number and date variables;
    the name variables it has, in order."""
    variables = record.variables
    field_of = spec.variable_field
    names = []
    for variable in sorted(variables, key=VARIABLE_ORDER.__getitem__):
        value = variables[variable]
        if type(value) is str:  # most variables: one text, one field
            field_name = field_of.get(variable)
            if field_name is not None and variable != "note":
                fields[field_name] = value
            elif variable in EXTRA_VARIABLES and fits_line(value):
                lines.append((variable, value))
        elif variable in NAME_VARIABLES:
            names.append(variable)
        elif variable == "accessed" and isinstance(value, Date):
            _put_access_date(record, value, fields, lines)
        else:
            _put_value(spec, variable, value, fields, lines)
    return names


def value_text(value: Value) -> str | None:
    """A text, number or date variable as Zotero text."""
    if isinstance(value, Date):
        return date_text(value)
    if isinstance(value, str | int):
        return str(value)
    return None


def _put_value(
    spec: ItemType, variable: str, value: Value, fields: dict[str, str], lines: list[tuple[str, str]]
) -> None:
    text = value_text(value)
    if text is None:
        return
    field_name = spec.variable_field.get(variable)
    if isinstance(value, Date) and not _plain_date(value):
        # Zotero's date fields are read as one day at most (a range becomes a "season"): the
        # field gets the first day, an Extra line (which overrides the field) all of it.
        start = value.start
        if field_name is not None and start is not None and start.year >= 1:
            fields[field_name] = start.iso()
        field_name = None
    if field_name is not None:
        fields[field_name] = text
    elif variable in EXTRA_VARIABLES and fits_line(text):
        lines.append((variable, text))


def _plain_date(date: Date) -> bool:
    """A date Zotero's date parser reads as meant: one day, month or year AD, or a text."""
    start = date.start
    return date.literal is not None or (date.is_simple() and start is not None and start.year >= 1)


def _put_access_date(
    record: Record, accessed: Date, fields: dict[str, str], lines: list[tuple[str, str]]
) -> None:
    """`accessDate` takes only a calendar day; other access dates become an Extra line
    (`Accessed: 2023-06`, which Zotero's CSL export reads)."""
    raw = record.custom.get("zotero:accessDate")
    if isinstance(raw, str) and parse_access_date(raw)[0] == accessed:
        fields["accessDate"] = raw  # the time of day a Zotero item had
        return
    text = access_date_text(accessed)
    if text is not None:
        fields["accessDate"] = text
        return
    line = date_text(accessed)
    if line is not None and fits_line(line):
        lines.append(("accessed", line))


def extra_access_line(record: Record) -> str | None:
    """The `Accessed:` Extra value for an access date `accessDate` cannot take, else None."""
    accessed = record.accessed
    if accessed is None or access_date_text(accessed) is not None:
        return None
    text = date_text(accessed)
    return text if text is not None and fits_line(text) else None


def _creators(
    record: Record, spec: ItemType, variables: list[str], lines: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for variable in variables:
        names = record.variables[variable]
        if not isinstance(names, list):
            continue
        creator_type = spec.creator_for(variable)
        if creator_type is not None:
            out.extend(creator(name, creator_type) for name in names)
        elif variable in EXTRA_VARIABLES and all(fits_line(name_line(n)) for n in names):
            lines.extend((variable, name_line(n)) for n in names)
    foreign = record.custom.get("zotero:creators")
    if isinstance(foreign, list):
        out.extend(c for c in foreign if isinstance(c, dict))
    return out


# --- item -> record ----------------------------------------------------------------------


def record_of(data: dict[str, Any], path_by_key: dict[str, tuple[str, ...]]) -> Record:
    """The record a Zotero item stands for. ValueError/TypeError/KeyError for malformed items."""
    types = schema()
    item_type = data["itemType"]
    if not isinstance(item_type, str):
        raise TypeError("itemType is not text")
    record = Record(type=types.csl_type(item_type))
    spec = types.item_types.get(item_type) or ItemType(item_type, (), {}, ())
    if spec.name not in types.item_types or types.zotero_type(record.type) != item_type:
        record.custom["zotero:itemType"] = item_type
    _read_fields(record, spec, data)
    _read_access_date(record, data.get("accessDate"))
    _read_creators(record, spec, data.get("creators") or [])
    legacy = _read_extra(record, data)
    record.tags = _tags(data.get("tags") or [], legacy)
    paths = [path_by_key[k] for k in data.get("collections") or [] if k in path_by_key]
    if paths:
        record.collection = list(paths[0])
        record.also_in = [list(p) for p in paths[1:]]
    record.id = record_id(record.url, record.key)
    key = data.get("key")
    if isinstance(key, str) and key != item_key(record.id):
        record.custom["zotero:key"] = key
    if data.get("relations"):
        record.custom["zotero:relations"] = data["relations"]
    return record


def _read_fields(record: Record, spec: ItemType, data: dict[str, Any]) -> None:
    variables = record.variables
    field_variable = spec.field_variable
    for field_name, value in data.items():
        if field_name in _OWN_READING or not value:
            continue
        variable = field_variable.get(field_name)
        if type(value) is str and variable is not None and variable not in variables:
            variables[variable] = parse_date(value) if variable in DATE_VARIABLES else value
        else:
            _read_field(record, spec, field_name, value)


def _read_field(record: Record, spec: ItemType, field_name: str, value: Any) -> None:
    variable = spec.field_variable.get(field_name)
    if variable is None or variable in record.variables:
        record.custom[f"zotero:{field_name}"] = value  # no CSL variable, or a second field for one
        return
    if not isinstance(value, str):
        raise TypeError(f"{field_name} is not text")
    record.variables[variable] = parse_date(value) if variable in DATE_VARIABLES else value


def _read_access_date(record: Record, raw: Any) -> None:
    if raw in ("", None):
        return
    if not isinstance(raw, str):
        raise TypeError("accessDate is not text")
    date, exact = parse_access_date(raw)
    record.variables["accessed"] = date
    if not exact:
        record.custom["zotero:accessDate"] = raw


def _read_creators(record: Record, spec: ItemType, creators: Any) -> None:
    if not isinstance(creators, list):
        raise TypeError("creators is not a list")
    foreign = []
    for data in creators:
        if not isinstance(data, dict):
            raise TypeError("a creator is not an object")
        variable = spec.name_of(data.get("creatorType") or "")
        if variable is None or set(data) - _CREATOR_KEYS:
            foreign.append(data)
            continue
        names = record.variables.setdefault(variable, [])
        assert isinstance(names, list)
        names.append(name_of(data))
    if foreign:
        record.custom["zotero:creators"] = foreign


def _read_extra(record: Record, data: dict[str, Any]) -> bool:
    """Key, CSL-in-Extra variables and note from Extra (and the native citationKey field);
    True when Extra has the previous version's bookkeeping lines."""
    text = data.get("extra") or ""
    native_key = data.get("citationKey") or None
    if not isinstance(text, str) or not (native_key is None or isinstance(native_key, str)):
        raise TypeError("extra or citationKey is not text")
    # Zotero: an Extra line never overrides a field, except a date's (`Issued: 2020-05/2020-06`)
    taken = {v for v in record.variables if v not in DATE_VARIABLES}
    parsed = parse_extra(text, taken, NAME_VARIABLES) if text else Extra()
    record.key = native_key or parsed.key or ""
    if native_key and parsed.key and parsed.key != native_key:
        record.custom["zotero:citationKey"] = native_key  # both, and different: keep the line's
        record.key = parsed.key
    if parsed.csl_type:
        record.type = parsed.csl_type
    for variable, values in parsed.values.items():
        record.variables[variable] = _extra_value(variable, values)
    record.note = parsed.note
    return bool(parsed.legacy)


def _extra_value(variable: str, values: list[str]) -> Value:
    if variable in NAME_VARIABLES:
        names: list[Name] = [parse_name_line(v) for v in values]
        return names
    if variable in DATE_VARIABLES:
        return parse_date(values[0])
    return values[0]


def _tags(tags: Any, legacy: bool) -> list[str]:
    if not isinstance(tags, list):
        raise TypeError("tags is not a list")
    names = [t["tag"] for t in tags if isinstance(t, dict) and isinstance(t.get("tag"), str)]
    return [t for t in names if t != LEGACY_TAG] if legacy else names


# --- what the Zotero API will refuse ------------------------------------------------------

MAX_FIELD_BYTES = 65535
MAX_TAG = 255
MAX_COLLECTION_NAME = 255


def api_problems(record: Record, item: dict[str, Any]) -> list[str]:
    """What the Zotero Web API will refuse in this item (each a 413 for the whole item), and
    the access date it cannot take as such; one line each."""
    problems = [
        f"tag {_shorten(tag)} has {len(tag)} characters: the Zotero API refuses tags over {MAX_TAG}"
        for tag in record.tags
        if len(tag) > MAX_TAG
    ]
    for field_name, value in item.items():
        # a character is 1 to 4 bytes in UTF-8: only long values need counting
        long = isinstance(value, str) and len(value) * 4 > MAX_FIELD_BYTES
        size = len(value.encode("utf-8")) if long else 0
        if size > MAX_FIELD_BYTES:
            problems.append(
                f"{field_name} has {size:,} bytes: the Zotero API refuses fields over {MAX_FIELD_BYTES:,}"
            )
    if record.accessed is not None and "accessDate" not in item:
        shown = date_text(record.accessed) or "(a season)"
        where = "an Extra 'Accessed:' line" if extra_access_line(record) else "the stash only"
        problems.append(f"access date {shown} is not a day the Zotero API takes as accessDate: in {where}")
    return problems


def collection_problems(specs: Iterable[CollectionSpec]) -> list[str]:
    return [
        f"collection name {_shorten(spec.name)} has {len(spec.name)} characters: "
        f"the Zotero API refuses names over {MAX_COLLECTION_NAME}"
        for spec in specs
        if len(spec.name) > MAX_COLLECTION_NAME
    ]


def _shorten(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "…")
