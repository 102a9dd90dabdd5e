"""Zotero item JSON: records <-> Zotero Web API item objects, the offline export, and its reader.

Mapping (record -> item):
- item type from the CSL type through the Zotero schema's CSL table (`webpage`, `blogPost`
  for `post-weblog`, `forumPost` for `post`, `computerProgram` for `software`, ...);
- title, url, `date` (issued), `accessDate` (ISO date), `abstractNote` (note), `language`,
  the type's container field (`websiteTitle`, `blogTitle`, `forumTitle`, `publicationTitle`,
  ...: whichever field of the type has base field `publicationTitle`) and publisher field;
- creators with the type's primary creator type: literal names (organisations, unsplit CJK
  names) as single-field `name`, others as `lastName`/`firstName`;
- tags, plus the marker tag `refexport` that lets a sync find its items again;
- collections (deterministic keys from the collection path);
- `extra`: `Citation Key: <key>`, `refexport-id: <id>`, and, only when the native fields
  cannot hold something exactly, one `refexport-data: {json}` line with those record fields.

Only fields valid for the item type (per the shipped part of the Zotero schema,
`data/zotero-fields.json`) are written; anything else the record has goes into the stash
line. Fields a foreign Zotero item has that the model lacks are read into
`Record.extra["zotero:<field>"]` and written back natively.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from refexport.errors import InputError, Problem
from refexport.fileio import decode_text, pretty_json
from refexport.formats import ReadResult
from refexport.model import Name, PartialDate, Record, record_id

MARKER_TAG = "refexport"
KEY_ALPHABET = "23456789ABCDEFGHIJKLMNPQRSTUVWXYZ"
CITATION_KEY_LABEL = "Citation Key"
ID_LABEL = "refexport-id"
STASH_LABEL = "refexport-data"
OUR_EXTRA_LABELS = (CITATION_KEY_LABEL, ID_LABEL, STASH_LABEL)

# Preferred Zotero type for CSL types the schema maps to several Zotero types or to none.
_PREFERRED_ZOTERO_TYPE = {"motion_picture": "videoRecording", "broadcast": "podcast"}
_FALLBACK_ZOTERO_TYPE = "webpage"
# Item-data properties that are not fields of an item type.
_STRUCTURAL = frozenset(
    {"key", "version", "itemType", "creators", "tags", "collections", "relations", "deleted"}
    | {"dateAdded", "dateModified", "parentItem", "extra"}
)
# Record fields, in `Record.to_dict()` order, that the stash may carry.
_RECORD_FIELDS = tuple(Record().to_dict())


@dataclass(frozen=True, slots=True)
class ItemType:
    name: str
    fields: tuple[str, ...]
    base_fields: dict[str, str]  # type-specific field -> base field
    creator_types: tuple[str, ...]  # primary first

    def field_for(self, base: str) -> str | None:
        """The type's field for a base field (`publicationTitle` -> `websiteTitle`), or None."""
        if base in self.fields:
            return base
        for field_name, field_base in self.base_fields.items():
            if field_base == base:
                return field_name
        return None

    @property
    def primary_creator(self) -> str:
        return self.creator_types[0] if self.creator_types else "author"


@dataclass(frozen=True, slots=True)
class ZoteroSchema:
    version: int
    item_types: dict[str, ItemType]
    csl_to_zotero: dict[str, str]
    zotero_to_csl: dict[str, str]

    @property
    def all_fields(self) -> frozenset[str]:
        return frozenset(f for t in self.item_types.values() for f in t.fields)


@functools.cache
def schema() -> ZoteroSchema:
    """The shipped subset of the Zotero schema (item types, fields, creator types, CSL types)."""
    from refexport.resources import data_dir

    raw = json.loads((data_dir() / "zotero-fields.json").read_text(encoding="utf-8"))
    item_types = {
        name: ItemType(
            name=name,
            fields=tuple(f for f, _ in entry["fields"]),
            base_fields={f: base for f, base in entry["fields"] if base},
            creator_types=tuple(entry["creatorTypes"]),
        )
        for name, entry in raw["itemTypes"].items()
    }
    csl_to_zotero: dict[str, str] = {}
    zotero_to_csl: dict[str, str] = {}
    for csl, zotero_types in raw["cslTypes"].items():
        usable = [t for t in zotero_types if t in item_types]
        if not usable:
            continue
        preferred = _PREFERRED_ZOTERO_TYPE.get(csl)
        csl_to_zotero[csl] = preferred if preferred in usable else usable[0]
        for zotero_type in usable:
            zotero_to_csl.setdefault(zotero_type, csl)
    return ZoteroSchema(raw["schemaVersion"], item_types, csl_to_zotero, zotero_to_csl)


def object_key(kind: str, identity: str) -> str:
    """A Zotero object key (8 chars of Zotero's key alphabet) derived from a stable identity,
    so a retried create can never mint a second object: the server refuses `version: 0`
    for a key that already exists."""
    number = int.from_bytes(hashlib.sha256(f"refexport:{kind}:{identity}".encode()).digest()[:8], "big")
    chars = []
    for _ in range(8):
        number, index = divmod(number, len(KEY_ALPHABET))
        chars.append(KEY_ALPHABET[index])
    return "".join(chars)


def item_key(rec_id: str) -> str:
    return object_key("item", rec_id)


def collection_key(path: Sequence[str]) -> str:
    return _collection_key(tuple(path))


@functools.lru_cache(maxsize=4096)
def _collection_key(path: tuple[str, ...]) -> str:
    # cached: an export asks for the same few section paths once or twice per record
    return object_key("collection", json.dumps(list(path), ensure_ascii=False))


def zotero_type(csl_type: str) -> str:
    return schema().csl_to_zotero.get(csl_type, _FALLBACK_ZOTERO_TYPE)


def csl_type(item_type: str) -> str:
    return schema().zotero_to_csl.get(item_type, "document")


# --- collections -----------------------------------------------------------------------


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


# --- extra -------------------------------------------------------------------------------


def split_extra(text: str) -> tuple[dict[str, str], str]:
    """refexport's own `Label: value` lines (first occurrence of each label) and the rest,
    which belongs to the user."""
    ours: dict[str, str] = {}
    rest: list[str] = []
    for line in text.split("\n") if text else []:
        label, sep, value = line.partition(": ")
        if sep and label in OUR_EXTRA_LABELS and label not in ours:
            ours[label] = value
        else:
            rest.append(line)
    return ours, "\n".join(rest)


def join_extra(ours: dict[str, str], user_text: str) -> str:
    lines = [f"{label}: {ours[label]}" for label in OUR_EXTRA_LABELS if label in ours]
    if user_text:
        lines.append(user_text)
    return "\n".join(lines)


def _single_line(value: str) -> bool:
    return bool(value) and value == value.strip() and "\n" not in value and "\r" not in value


# --- record -> item ----------------------------------------------------------------------


def record_to_item(
    record: Record,
    top: str,
    *,
    always_stash: frozenset[str] = frozenset(),
    never_stash: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Zotero item data (editable JSON, with `key`, without `version`) for a record.

    Record fields the native item cannot hold exactly go into the `refexport-data` line;
    `always_stash` forces fields into it (the sync keeps `tags` there to know which tags are
    its own), `never_stash` keeps fields out (the sync leaves `source` positions out).
    """
    paths = record_paths(record, top)
    keys = [collection_key(p) for p in paths]
    data = _native_item(record, keys)
    path_by_key = dict(zip(keys, paths, strict=True))
    native = _native_record(data, path_by_key).to_dict()
    wanted = record.to_dict()
    stash = {
        name: wanted[name]
        for name in _RECORD_FIELDS
        if name not in never_stash and (name in always_stash or native[name] != wanted[name])
    }
    if stash:
        ours, user_text = split_extra(data["extra"])
        ours[STASH_LABEL] = json.dumps(stash, ensure_ascii=False, sort_keys=True)
        data["extra"] = join_extra(ours, user_text)
    return data


def _native_item(record: Record, collection_keys: list[str]) -> dict[str, Any]:
    item_type = _item_type_for(record)
    spec = schema().item_types[item_type]
    data: dict[str, Any] = {"key": item_key(record.id), "itemType": item_type}

    def put(field_name: str | None, value: str | None) -> None:
        if field_name and field_name in spec.fields:
            data[field_name] = value or ""

    put("title", record.title)
    put("abstractNote", record.note)
    put(spec.field_for("publicationTitle"), record.container)
    put(spec.field_for("publisher"), record.publisher)
    put("date", record.issued.iso() if record.issued else None)
    put("url", record.url)
    put("accessDate", record.accessed.iso() if record.accessed else None)
    put("language", record.language)
    data["creators"] = [_creator(name, spec.primary_creator) for name in record.authors]
    tags: list[str] = []
    for tag in [*record.tags, MARKER_TAG]:
        if tag not in tags:
            tags.append(tag)
    data["tags"] = [{"tag": tag} for tag in tags]
    data["collections"] = collection_keys
    for name, value in record.extra.items():
        field_name = name.removeprefix("zotero:")
        if field_name == name or not isinstance(value, str):
            if name == "zotero:creators" and isinstance(value, list):
                data["creators"] = value
            continue
        if field_name in spec.fields and field_name not in _STRUCTURAL:
            data[field_name] = value
    ours: dict[str, str] = {}
    if _single_line(record.key):
        ours[CITATION_KEY_LABEL] = record.key
    if _single_line(record.id):
        ours[ID_LABEL] = record.id
    user_text = record.extra.get("zotero:extra")
    data["extra"] = join_extra(ours, user_text if isinstance(user_text, str) else "")
    return data


def _item_type_for(record: Record) -> str:
    wanted = record.extra.get("zotero:itemType")
    if isinstance(wanted, str) and wanted in schema().item_types and csl_type(wanted) == record.type:
        return wanted
    return zotero_type(record.type)


def _creator(name: Name, creator_type: str) -> dict[str, str]:
    if name.literal is not None:
        return {"creatorType": creator_type, "name": name.literal}
    return {"creatorType": creator_type, "firstName": name.given or "", "lastName": name.family or ""}


# --- item -> record ----------------------------------------------------------------------


def item_to_record(data: dict[str, Any], path_by_key: dict[str, tuple[str, ...]] | None = None) -> Record:
    """A record from Zotero item data; the `refexport-data` line, when present, restores
    exactly what the native fields could not hold. Raises ValueError/TypeError/KeyError on
    malformed items."""
    record = _native_record(data, path_by_key or {})
    ours, _ = split_extra(data.get("extra") or "")
    if STASH_LABEL in ours:
        stash = json.loads(ours[STASH_LABEL])
        if not isinstance(stash, dict):
            raise ValueError("refexport-data is not a JSON object")
        record = Record.from_dict({**record.to_dict(), **stash})
    return record


def _native_record(data: dict[str, Any], path_by_key: dict[str, tuple[str, ...]]) -> Record:
    item_type = data["itemType"]
    if not isinstance(item_type, str):
        raise TypeError("itemType is not a string")
    spec = schema().item_types.get(item_type)
    record = Record(type=csl_type(item_type))
    extra: dict[str, Any] = {}
    if spec is None:
        extra["zotero:itemType"] = item_type
        spec = ItemType(item_type, (), {}, ())
    elif zotero_type(record.type) != item_type:
        extra["zotero:itemType"] = item_type

    def text(field_name: str | None) -> str | None:
        value = data.get(field_name) if field_name else None
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{field_name} is not a string")
        return value or None

    container_field = spec.field_for("publicationTitle")
    publisher_field = spec.field_for("publisher")
    record.title = text("title")
    record.note = text("abstractNote")
    record.container = text(container_field)
    record.publisher = text(publisher_field)
    record.url = text("url")
    record.language = text("language")
    handled = {"title", "abstractNote", container_field, publisher_field, "url", "language"}
    for field_name, attr in (("date", "issued"), ("accessDate", "accessed")):
        raw = text(field_name)
        handled.add(field_name)
        if raw is None:
            continue
        try:
            setattr(record, attr, PartialDate.parse(raw))
        except ValueError:
            parsed = _date_prefix(raw)
            if parsed is not None:
                setattr(record, attr, parsed)
            extra[f"zotero:{field_name}"] = raw
        else:
            if PartialDate.parse(raw).iso() != raw:
                extra[f"zotero:{field_name}"] = raw

    creators = data.get("creators") or []
    if not isinstance(creators, list):
        raise TypeError("creators is not a list")
    author_types = {spec.primary_creator, "author"}
    for creator in creators:
        if not isinstance(creator, dict):
            raise TypeError("a creator is not an object")
        if creator.get("creatorType") in author_types:
            if "name" in creator:
                record.authors.append(Name(literal=creator["name"]))
            else:
                record.authors.append(
                    Name(family=creator.get("lastName") or None, given=creator.get("firstName") or None)
                )
    if any(
        not isinstance(c, dict) or c.get("creatorType") not in author_types or set(c) - _CREATOR_KEYS
        for c in creators
    ):
        extra["zotero:creators"] = creators

    tags = data.get("tags") or []
    if not isinstance(tags, list):
        raise TypeError("tags is not a list")
    record.tags = [t["tag"] for t in tags if isinstance(t, dict) and t.get("tag") != MARKER_TAG]
    paths = [path_by_key[k] for k in data.get("collections") or [] if k in path_by_key]
    if paths:
        record.collection = list(paths[0])
        record.also_in = [list(p) for p in paths[1:]]

    ours, user_text = split_extra(data.get("extra") or "")
    if user_text:
        extra["zotero:extra"] = user_text
    native_key = text("citationKey")
    record.key = ours.get(CITATION_KEY_LABEL) or native_key or ""
    if native_key == record.key:
        handled.add("citationKey")
    record.id = ours.get(ID_LABEL) or record_id(record.url, record.key)
    for field_name, value in data.items():
        if field_name in handled or field_name in _STRUCTURAL or value in ("", None, [], {}):
            continue
        extra[f"zotero:{field_name}"] = value
    relations = data.get("relations")
    if relations:
        extra["zotero:relations"] = relations
    record.extra = extra
    return record


_CREATOR_KEYS = frozenset({"creatorType", "name", "firstName", "lastName"})


def _date_prefix(raw: str) -> PartialDate | None:
    """`2023-06-15` from `2023-06-15T12:00:00Z` / `2023-06-15 12:00:00`."""
    head = raw[:10]
    try:
        return PartialDate.parse(head) if len(head) == 10 else None
    except ValueError:
        return None


# --- offline export and reader -----------------------------------------------------------


def export_objects(records: Sequence[Record], top_collection: str) -> dict[str, Any]:
    """Collections and items as Zotero API editable JSON (`version: 0`: new objects)."""
    collections = [
        {**collection_data(spec), "version": 0} for spec in collection_tree(records, top_collection)
    ]
    items = [{**record_to_item(record, top_collection), "version": 0} for record in records]
    return {"collections": collections, "items": items}


def export_json(records: Sequence[Record], top_collection: str) -> str:
    """The offline export: `{"collections": [...], "items": [...]}`, each object the editable
    JSON the Zotero Web API accepts in a `POST` (keys included, `version: 0`).

    One object per line: a diff of two exports shows the items that changed."""
    return pretty_json(export_objects(records, top_collection), levels=2)


def read(data: bytes, name: str) -> ReadResult:
    """Read Zotero API JSON: our export (`{"collections", "items"}`), a JSON array of item
    data, or API envelopes (`{"key", "version", "data", ...}`). Bad items become problems."""
    text = decode_text(data, name)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(name, error.lineno, f"not JSON: {error.msg} (column {error.colno})") from None
    if isinstance(document, list):
        raw_items, raw_collections = document, []
    elif isinstance(document, dict) and isinstance(document.get("items"), list):
        raw_items, raw_collections = document["items"], document.get("collections") or []
    else:
        raise InputError(name, None, 'expected a JSON array of Zotero items or {"items": [...]}')
    result = ReadResult()
    path_by_key = _collection_paths(raw_collections, name, result.problems)
    for index, raw in enumerate(raw_items, start=1):
        entry = raw.get("data", raw) if isinstance(raw, dict) else raw
        where = f"item {index}"
        if not isinstance(entry, dict) or "itemType" not in entry:
            result.problems.append(Problem(name, where, "not a Zotero item (no itemType)"))
            continue
        if entry["itemType"] in ("note", "attachment", "annotation"):
            result.problems.append(Problem(name, where, f"skipped a {entry['itemType']} (not a citation)"))
            continue
        try:
            result.records.append(item_to_record(entry, path_by_key))
        except (ValueError, TypeError, KeyError) as error:
            result.problems.append(Problem(name, f"{where} ({entry.get('key', '?')})", f"bad item: {error}"))
    if len(raw_collections) and isinstance(raw_collections[0], dict):
        tops = [c for c in raw_collections if isinstance(c, dict) and not c.get("parentCollection")]
        if len(tops) == 1 and isinstance(tops[0].get("name"), str):
            result.title = tops[0]["name"]
    return result


def _collection_paths(raw: Any, name: str, problems: list[Problem]) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, list):
        problems.append(Problem(name, "collections", "not a list; collection paths ignored"))
        return {}
    by_key: dict[str, dict[str, Any]] = {}
    for index, entry in enumerate(raw, start=1):
        data = entry.get("data", entry) if isinstance(entry, dict) else entry
        if not (
            isinstance(data, dict) and isinstance(data.get("key"), str) and isinstance(data.get("name"), str)
        ):
            problems.append(Problem(name, f"collection {index}", "not a collection (needs key and name)"))
            continue
        by_key[data["key"]] = data
    paths: dict[str, tuple[str, ...]] = {}
    for key in by_key:
        path: list[str] = []
        seen: set[str] = set()
        current: str | None = key
        while current and current in by_key and current not in seen:
            seen.add(current)
            path.insert(0, by_key[current]["name"])
            parent = by_key[current].get("parentCollection")
            current = parent if isinstance(parent, str) else None
        paths[key] = tuple(path)
    return paths
