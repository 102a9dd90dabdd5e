"""Zotero Web API JSON: the offline export (`refexport zotero export`, exports/zotero.json)
and its reader; the record <-> item mapping it shares with Zotero RDF and the sync is in
`items.py`.

The file is `{"collections": [...], "items": [...]}`, each object the editable JSON the
Zotero Web API takes in a `POST` (keys included, `version: 0`: new objects), one per line.
Items carry only native Zotero data (fields, creators, tags, collections, and Extra lines
in Zotero's own conventions). What an item cannot hold exactly (where a record was read,
ids that are not derived from the URL, values no field or Extra line can say) is the
stash: a third member `"refexport": {"<item key>": {...}}` beside the items. Zotero never
sees it: the API takes items one by one, and nothing of it reaches a library or what
Zotero exports from one. The reader also takes a bare JSON array of items or of API
envelopes (`{"key", "version", "data", ...}`), as the API returns them.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Sequence
from typing import Any

from refexport import stash
from refexport.errors import InputError
from refexport.fileio import decode_text
from refexport.formats import WriteOptions, where
from refexport.formats.zotero.items import (
    api_problems,
    collection_data,
    collection_key,
    collection_problems,
    collection_tree,
    item_of,
    record_of,
    record_paths,
)
from refexport.model import Problem, ReadResult, Record
from refexport.text.json import JSONError, compact_json, parse_json
from refexport.workers import mapped

NOT_CITATIONS = ("note", "attachment", "annotation")


def top_collection(options: WriteOptions) -> str:
    return str(options.get("collection") or options.title or "refexport")


def stash_of(record: Record, item: dict[str, Any], path_by_key: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    """What `item` cannot say of `record`: `stash.delta` of the record and what the reader
    makes of the item (empty for most records but their origin, which no Zotero field holds)."""
    return stash_delta(record, record_of(item, path_by_key))


def stash_delta(record: Record, back: Record) -> dict[str, Any]:
    """`stash.delta(record, back)`, faster: the record's own fields (origin, sections …) are
    compared one by one, so that `stash.delta` meets equal records in the common case."""
    own: dict[str, Any] = {}
    for name in _OWN_FIELDS:
        value = getattr(record, name)
        if value != getattr(back, name):
            own[name] = value
            setattr(back, name, value)
    delta = stash.delta(record, back)
    if own:
        as_json = Record(**own).to_dict()
        delta.update((name, as_json[name]) for name in own)
    return delta


_OWN_FIELDS = ("id", "key", "type", "tags", "collection", "also_in", "origin", "custom")


def write(records: Sequence[Record], options: WriteOptions, *, workers: int | None = None) -> Iterator[str]:
    """The offline export, in pieces (see the module docstring). A record the Zotero API
    would refuse is written all the same, with a notice naming where it was read.
    `workers` (see `refexport.workers.mapped`; by default, from PARALLEL_RECORDS records on,
    one per idle core): processes that make items, this one among them; the text is the
    same either way."""
    top = top_collection(options)
    specs = collection_tree(records, top)
    options.notices.extend(Problem(top, None, message) for message in collection_problems(specs))
    path_by_key = {spec.key: spec.path for spec in specs}
    collections = (compact_json({**collection_data(spec), "version": 0}) for spec in specs)
    yield '{\n  "collections": [\n    ' + ",\n    ".join(collections) + "\n  ],\n"
    stashes: dict[str, dict[str, Any]] = {}
    seen: set[str] = set()
    separator = '  "items": [\n    '
    made = mapped(
        functools.partial(_item, top=top, path_by_key=path_by_key),
        records,
        len(records) >= PARALLEL_RECORDS,
        workers,
    )
    for record, (key, text, delta, problems) in zip(records, made, strict=True):
        if key in seen:
            options.notices.append(where(record, f"Zotero item key {key} is used twice"))
        seen.add(key)
        if delta:
            stashes[key] = delta
        options.notices.extend(where(record, message) for message in problems)
        yield separator + text
        separator = ",\n    "
    yield "\n  ]" if separator != '  "items": [\n    ' else '  "items": []'
    if stashes:
        entries = (f"{json.dumps(key)}: {compact_json(value)}" for key, value in stashes.items())
        yield f',\n  "{stash.NAME}": {{\n    ' + ",\n    ".join(entries) + "\n  }"
    yield "\n}\n"


# From this many records on, one worker process makes items too, beside this one (the blog
# corpus's first records on two cores: 1,000 take 0.064 s alone, 0.068 s so; 2,000 take
# 0.128 s and 0.107 s; all 24,765, 1.46 s and 1.06 s; see `refexport.workers`).
PARALLEL_RECORDS = 2_000


def _item(
    record: Record, top: str, path_by_key: dict[str, tuple[str, ...]]
) -> tuple[str, str, dict[str, Any], list[str]]:
    """The item of `record` as the file has it: (key, text, stash, what the API would refuse)."""
    item = item_of(record, [collection_key(p) for p in record_paths(record, top)])
    delta = stash_of(record, item, path_by_key)
    return item["key"], compact_json({**item, "version": 0}), delta, api_problems(record, item)


def read(data: bytes, name: str) -> ReadResult:
    """Read Zotero API JSON: our export, a JSON array of items, or API envelopes. Items that
    are not citations (notes, attachments) and bad items become problems."""
    text = decode_text(data, name)
    try:
        document = parse_json(text)
    except JSONError as error:
        raise InputError(name, error.line, str(error)) from None
    raw_collections: Any = []
    stashes: Any = {}
    if isinstance(document, list):
        raw_items = document
    elif isinstance(document, dict) and isinstance(document.get("items"), list):
        raw_items, raw_collections = document["items"], document.get("collections") or []
        stashes = document.get(stash.NAME) or {}
    else:
        raise InputError(name, None, 'expected a JSON array of Zotero items or {"items": [...]}')
    result = ReadResult()
    path_by_key = collection_paths(raw_collections, name, result.problems)
    if not isinstance(stashes, dict):
        result.problems.append(Problem(name, stash.NAME, "not an object; ignored"))
        stashes = {}
    for index, raw in enumerate(raw_items, start=1):
        record = _read_item(raw, f"item {index}", name, path_by_key, stashes, result.problems)
        if record is not None:
            result.records.append(record)
    result.title = _single_top(raw_collections)
    return result


def _read_item(
    raw: Any,
    label: str,
    name: str,
    path_by_key: dict[str, tuple[str, ...]],
    stashes: dict[str, Any],
    problems: list[Problem],
) -> Record | None:
    entry = raw.get("data", raw) if isinstance(raw, dict) else raw
    if not isinstance(entry, dict) or "itemType" not in entry:
        problems.append(Problem(name, label, "not a Zotero item (no itemType)"))
        return None
    if entry["itemType"] in NOT_CITATIONS:
        problems.append(Problem(name, label, f"skipped a {entry['itemType']} (not a citation)"))
        return None
    try:
        record = record_of(entry, path_by_key)
        key = entry.get("key")
        kept = stashes.get(key) if isinstance(key, str) else None
        return stash.apply(record, kept) if kept else record
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as error:
        problems.append(Problem(name, f"{label} ({entry.get('key', '?')})", f"bad item: {error}"))
        return None


def collection_paths(raw: Any, name: str, problems: list[Problem]) -> dict[str, tuple[str, ...]]:
    """Collection key -> path of names from the top collection down."""
    if not isinstance(raw, list):
        problems.append(Problem(name, "collections", "not a list; collection paths ignored"))
        return {}
    by_key: dict[str, dict[str, Any]] = {}
    for index, entry in enumerate(raw, start=1):
        data = entry.get("data", entry) if isinstance(entry, dict) else entry
        if isinstance(data, dict) and isinstance(data.get("key"), str) and isinstance(data.get("name"), str):
            by_key[data["key"]] = data
        else:
            problems.append(Problem(name, f"collection {index}", "not a collection (needs key and name)"))
    paths: dict[str, tuple[str, ...]] = {}
    for key in by_key:
        path: list[str] = []
        visited: set[str] = set()
        current: str | None = key
        while current in by_key and current not in visited:
            visited.add(current)
            path.insert(0, by_key[current]["name"])
            parent = by_key[current].get("parentCollection")
            current = parent if isinstance(parent, str) else None
        paths[key] = tuple(path)
    return paths


def _single_top(raw: Any) -> str | None:
    if not isinstance(raw, list):
        return None
    datas = [entry.get("data", entry) for entry in raw if isinstance(entry, dict)]
    tops = [d for d in datas if isinstance(d, dict) and not d.get("parentCollection")]
    return tops[0]["name"] if len(tops) == 1 and isinstance(tops[0].get("name"), str) else None
