"""The stash: what a format cannot hold natively, kept beside the native fields so that a
round trip through that format loses nothing.

A writer maps every field it can natively, then asks `delta(record, read_back)`, where
`read_back` is the record its own reader makes of those native fields: the answer holds
only the fields that came back different or missing, plus the names of the fields that came
back although the record lacks them (`"-"`). It is empty for a record the format holds
exactly, which is the common case. The reader applies it with `apply()`. One encoding for
every format: a compact JSON object of `Record.to_dict()` fields (`encode`/`decode`); each
format chooses only where it lives (a BibTeX field, CSL `custom`, an OPML attribute, …).
"""

from __future__ import annotations

import json
from typing import Any

from refexport.model import DEFAULT_TYPE, VARIABLE_ORDER, VARIABLES, Record, value_to_json
from refexport.text.json import compact_json

NAME = "refexport"  # the stash's name wherever a format lets us choose one
_DROPPED = "-"
_MISSING = object()
# What `Record.from_dict` gives an own field that is absent.
_OWN_DEFAULTS: dict[str, Any] = {
    "id": str,
    "key": str,
    "type": lambda: DEFAULT_TYPE,
    "tags": list,
    "collection": list,
    "also_in": list,
    "origin": list,
    "custom": dict,
}


def _variable_rank(name: str) -> int:
    return VARIABLE_ORDER.get(name, len(VARIABLE_ORDER))


def delta(record: Record, read_back: Record) -> dict[str, Any]:
    """The fields of `record` that `read_back` lacks or has wrong (JSON form), and under `"-"`
    the fields `read_back` has that `record` lacks. Empty when they are equal."""
    if record == read_back:
        return {}
    # Field by field, so that only what differs is converted to its JSON form (a writer
    # calls this once per record). The same answer as comparing the two `to_dict()` forms.
    out: dict[str, Any] = {}
    for name in ("id", "key", "type"):
        if getattr(record, name) != getattr(read_back, name):
            out[name] = getattr(record, name)
    wanted = record.variables
    got = read_back.variables
    differing = [name for name, value in wanted.items() if got.get(name, _MISSING) != value]
    if len(differing) > 1:
        differing.sort(key=_variable_rank)
    for name in differing:
        out[name] = value_to_json(wanted[name])
    if record.tags != read_back.tags:
        out["tags"] = list(record.tags)
    if record.collection != read_back.collection:
        out["collection"] = list(record.collection)
    if record.also_in != read_back.also_in:
        out["also_in"] = [list(path) for path in record.also_in]
    if record.origin != read_back.origin:
        out["origin"] = [origin.to_dict() for origin in record.origin]
    if record.custom != read_back.custom:
        out["custom"] = dict(record.custom)
    dropped = [name for name in got if name not in wanted]
    if dropped:
        out[_DROPPED] = sorted(dropped, key=_variable_rank)
    return out


def apply(read_back: Record, stash: dict[str, Any]) -> Record:
    """`read_back` with a stash applied (the inverse of `delta`): the caller gives
    `read_back` up, which may be changed and returned. ValueError, TypeError, KeyError or
    AttributeError when the stash has a bad shape."""
    if not stash:
        return read_back
    if _OWN_DEFAULTS.keys() >= stash.keys():
        # The common stash (section path, origin, an id): the record's own fields only, set
        # on `read_back` itself (a copy cost 12 µs a record: 0.3 s for the blog's CSL-JSON)
        for name, value in Record.own_fields(stash).items():
            setattr(read_back, name, value)
        return read_back
    # Only the stashed fields are converted from JSON (and checked, by `from_dict`).
    changes = {name: value for name, value in stash.items() if name != _DROPPED}
    given = Record.from_dict(changes)
    result = Record(
        read_back.id,
        read_back.key,
        read_back.type,
        dict(read_back.variables),
        list(read_back.tags),
        list(read_back.collection),
        list(read_back.also_in),
        list(read_back.origin),
        dict(read_back.custom),
    )
    for name in stash.get(_DROPPED, ()):
        if name in VARIABLES:
            result.variables.pop(name, None)
        elif name in _OWN_DEFAULTS:
            setattr(result, name, _OWN_DEFAULTS[name]())
    for name in changes:
        if name in VARIABLES:
            result.variables[name] = given.variables[name]
        else:
            setattr(result, name, getattr(given, name))
    return result


def encode(stash: dict[str, Any]) -> str:
    """One line of compact JSON (non-ASCII kept). orjson writes the same text 12× faster;
    the standard library takes what it refuses (lone surrogates, integers beyond 64 bits)."""
    try:
        return compact_json(stash)
    except TypeError:
        return json.dumps(stash, ensure_ascii=False, separators=(",", ":"))


def decode(text: str) -> dict[str, Any]:
    """Inverse of `encode`; ValueError when it is not a JSON object. (json, not orjson: a
    stash keeps lone surrogates and integers beyond 64 bits; a stash comes from foreign
    files, so json's recursion on deep nesting is a ValueError too.)"""
    try:
        value = json.loads(text)
    except RecursionError:
        raise ValueError("the stash is nested too deeply") from None
    if not isinstance(value, dict):
        raise ValueError("the stash is not a JSON object")
    return value
