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

from refexport.model import Record
from refexport.text.json import compact_json

NAME = "refexport"  # the stash's name wherever a format lets us choose one
_DROPPED = "-"
_MISSING = object()


def delta(record: Record, read_back: Record) -> dict[str, Any]:
    """The fields of `record` that `read_back` lacks or has wrong (JSON form), and under `"-"`
    the fields `read_back` has that `record` lacks. Empty when they are equal."""
    if record == read_back:
        return {}
    wanted = record.to_dict()
    got = read_back.to_dict()
    out = {k: v for k, v in wanted.items() if got.get(k, _MISSING) != v}
    dropped = [k for k in got if k not in wanted]
    if dropped:
        out[_DROPPED] = dropped
    return out


def apply(read_back: Record, stash: dict[str, Any]) -> Record:
    """`read_back` with a stash applied (the inverse of `delta`). ValueError, TypeError,
    KeyError or AttributeError when the stash has a bad shape."""
    if not stash:
        return read_back
    data = read_back.to_dict()
    for name in stash.get(_DROPPED, ()):
        data.pop(name, None)
    data.update((k, v) for k, v in stash.items() if k != _DROPPED)
    return Record.from_dict(data)


def encode(stash: dict[str, Any]) -> str:
    """One line of compact JSON (non-ASCII kept)."""
    try:
        return compact_json(stash)  # orjson: the same text, five times faster
    except TypeError:  # an integer beyond 64 bits
        return json.dumps(stash, ensure_ascii=False, separators=(",", ":"))


def decode(text: str) -> dict[str, Any]:
    """Inverse of `encode`; ValueError when it is not a JSON object."""
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("the stash is not a JSON object")
    return value
