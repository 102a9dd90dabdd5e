"""File input/output shared by every format: decoding and atomic writes."""

from __future__ import annotations

import functools
import gc
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from json.encoder import c_make_encoder  # type: ignore[attr-defined]
from json.encoder import encode_basestring as _encode_string  # the C version when available
from pathlib import Path
from typing import Any

from refexport.errors import InputError


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a bulk conversion (a context manager or a
    decorator).

    Reading or writing builds a dozen objects per entry that all stay alive (fields, entries,
    records), and every few hundred of them the collector walks the survivors, which costs about
    a fifth of the time of a large file. Nothing built here is cyclic garbage, so there is
    nothing for it to find; reference counting still frees everything as usual. The previous
    state is restored on the way out, errors included."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# Characters XML 1.0 cannot hold at all, not even as references (both XML writers strip them).
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def decode_text(data: bytes, name: str, encoding: str = "utf-8-sig") -> str:
    """`data` as text (a UTF-8 BOM dropped by the default codec); bytes that do not decode
    refuse the whole input with the line of the first bad byte."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        bad = data[error.start : error.start + 1].hex()
        label = "UTF-8" if encoding.lower().replace("_", "-").startswith("utf-8") else encoding
        raise InputError(name, line, f"not {label} text (byte 0x{bad}); save the file as UTF-8") from None


def atomic_write(path: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 `text` to `path` through a temporary file in the same folder and a rename,
    so a reader never sees half a file and a failure leaves the old file untouched."""
    target = Path(path)
    handle, temp_name = tempfile.mkstemp(dir=target.parent or ".", prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        # mkstemp makes the file private (0600); give it the mode a plain open() would:
        # the existing file's, else 0666 less the umask.
        os.chmod(temp_name, _mode_for(target))
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def _mode_for(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def load_yaml_file(path: str | os.PathLike[str]) -> Any:
    """A YAML data file (the site and feed registries), parsed once per content.

    PyYAML takes 40–70 ms to import, a quarter of a small `refexport bibtex` run, so the
    parsed data is kept as JSON in the cache folder under a digest of the file's bytes: an
    edited file is parsed afresh, an unchanged one is read back with the json module.
    Raises OSError, UnicodeDecodeError, or ValueError for YAML that does not parse."""
    from refexport.resources import cache_dir

    data = Path(path).read_bytes()
    memo = cache_dir() / "yaml" / f"{Path(path).stem}-{hashlib.sha256(data).hexdigest()[:16]}.json"
    try:
        return json.loads(memo.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass  # not cached yet (or damaged): parse
    import yaml

    try:
        document = load_yaml(data.decode("utf-8"))
    except yaml.YAMLError as error:
        raise ValueError(f"not valid YAML: {error}") from None
    try:
        memo.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(memo, json.dumps(document, ensure_ascii=False))
    except (OSError, TypeError, ValueError):
        pass  # read-only cache, or data JSON cannot hold (dates): parse again next time
    return document


def load_yaml(text: str) -> Any:
    """yaml.safe_load through libyaml when PyYAML has it (same safe semantics, ~10x faster);
    raises yaml.YAMLError. PyYAML is imported here, lazily: the CLI starts without it."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def pretty_json(value: Any, levels: int | None = None) -> str:
    """`json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False) + "\\n"`, about
    twice as fast (with `indent` the standard library falls back to its pure-Python encoder).

    With `levels`, only the outer `levels` containers are laid out over lines; what lies
    deeper is written on one line by the C encoder (`"author": [{"literal": "机器之心"}]`):
    still easy to read and diff, and several times faster for big exports."""
    parts: list[str] = []
    _encode_json(value, "\n", parts, -1 if levels is None else levels)
    parts.append("\n")
    return "".join(parts)


def _refuse(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


# The one-line form for values below `levels`, with json.dumps's default separators.
# `JSONEncoder.encode` builds a new C encoder on every call, which for the tens of thousands
# of small values of a big export costs as much as the encoding; one encoder made once
# halves that. (Python builds without the C accelerator fall back to the public API.)
if c_make_encoder is not None:
    _one_line_encoder = c_make_encoder(None, _refuse, _encode_string, None, ": ", ", ", False, False, False)

    def _encode_compact(value: Any) -> str:
        return "".join(_one_line_encoder(value, 0))

else:  # pragma: no cover - CPython always has the accelerator
    _encode_compact = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode


def _encode_json(value: Any, newline: str, out: list[str], levels: int) -> None:
    if isinstance(value, str):
        out.append(_encode_string(value))
    elif levels == 0:
        out.append(_encode_compact(value))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        separator = "{" + inner
        for key, item in value.items():
            out.append(separator)
            out.append(_encode_string(key if isinstance(key, str) else json.dumps(key)))
            out.append(": ")
            _encode_json(item, inner, out, levels - 1)
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
            _encode_json(item, inner, out, levels - 1)
            separator = "," + inner
        out.append(newline + "]")
    elif type(value) is int:
        out.append(int.__repr__(value))
    else:
        out.append(json.dumps(value, allow_nan=False))  # floats, booleans, null (and TypeErrors)


def yaml_document(value: dict[str, Any]) -> str:
    """A YAML document (`---` … `...`) for JSON-like data, in block style, strings plain when
    that is unambiguous and double-quoted otherwise: what PyYAML's dumper would write, ~20x
    faster (PyYAML's representer is pure Python: 9 s for the blog corpus's 25,000 items).
    Lists of scalars are written in flow style (`[2023, 6, 15]`)."""
    return "---" + _yaml_node(value, "") + "\n...\n"


# YAML double-quoted scalars may hold any printable character; everything else, and the
# characters YAML 1.1 treats as line breaks (NEL, LS, PS) or a BOM, is escaped.
# (Spelled as the characters it matches, not as the negation of the printable ranges: the
# negated class with its astral range takes 7 ms to compile, on every start-up.)
_YAML_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
_YAML_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_YAML_RESERVED = frozenset(["y", "n", "yes", "no", "on", "off", "true", "false", "null"])


def _yaml_node(value: Any, indent: str) -> str:
    """`value` as it follows `key:` or `-` (a leading space or a new line)."""
    if type(value) is str:  # the common case first
        return " " + _yaml_scalar(value)
    if isinstance(value, dict):
        if not value:
            return " {}"
        # a list under a key starts at the key's own column (`key:` ⏎ `- item`), as pandoc writes
        return "".join(
            f"\n{indent}{_yaml_key(k)}:{_yaml_node(v, indent if isinstance(v, list) else indent + '  ')}"
            for k, v in value.items()
        )
    if isinstance(value, list | tuple):
        if not value:
            return " []"
        if not any(isinstance(item, dict | list | tuple) for item in value):
            return " [" + ", ".join(_yaml_scalar(item) for item in value) + "]"
        lines = []
        for item in value:
            if isinstance(item, dict) and item:
                # the mapping's first key shares the line with the dash
                lines.append(f"\n{indent}- " + _yaml_node(item, indent + "  ")[len(indent) + 3 :])
            else:
                lines.append(f"\n{indent}-{_yaml_node(item, indent + '  ')}")
        return "".join(lines)
    return " " + _yaml_scalar(value)


@functools.lru_cache(maxsize=1024)
def _yaml_key(key: Any) -> str:
    """A mapping key (the same few keys recur in every item, hence the cache)."""
    if isinstance(key, str) and _YAML_PLAIN_KEY.fullmatch(key) and key.lower() not in _YAML_RESERVED:
        return key
    return _yaml_scalar(key if isinstance(key, str) else json.dumps(key))


# A string is written plain (unquoted) only when no YAML reader could take it for anything
# else: it starts with a letter (so it is no number, date or indicator), is no reserved
# word, holds single-spaced words without flow indicators (`,[]{}`: lists of scalars are
# written in flow style), no `: ` or ` #`, and nothing that needs escaping.
_YAML_PLAIN = re.compile(r"[^\s,\[\]{}]+(?: [^\s,\[\]{}]+)*")


def is_plain_yaml_string(value: str) -> bool:
    """Whether `value` may stand unquoted: every YAML reader reads it as this very string."""
    return (
        value[:1].isalpha()
        and ": " not in value
        and " #" not in value
        and not value.endswith(":")
        and _YAML_PLAIN.fullmatch(value) is not None
        and _YAML_UNSAFE.search(value) is None
        and (len(value) > 5 or value.lower() not in _YAML_RESERVED)
    )


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, str):
        if is_plain_yaml_string(value):
            return value
        return _YAML_UNSAFE.sub(_yaml_escape, _encode_string(value))
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = json.dumps(value, allow_nan=False)
        # YAML 1.1 reads `1e+20` as a string: a float needs its dot
        return text.replace("e", ".0e") if "e" in text and "." not in text else text
    if isinstance(value, int):
        return int.__repr__(value)
    raise TypeError(f"cannot write {type(value).__name__} as YAML")


def _yaml_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
