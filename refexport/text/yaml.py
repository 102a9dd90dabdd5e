"""YAML: the safe loader (aliases bounded) and a fast emitter for JSON-like data."""

from __future__ import annotations

import functools
import json
import re
from json.encoder import encode_basestring as _encode_string
from typing import Any


class YAMLError(ValueError):
    """YAML that does not parse, or whose aliases would expand beyond the bound. `line` is
    1-based within the text given (None when unknown)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


# Aliases let 345 bytes stand for billions of nodes: PyYAML shares them, but every walk of
# the result (ours, or a writer's) expands them. Documents are refused when expanding their
# aliases would give more than this many nodes (the blog's largest front matter has ~60).
MAX_EXPANDED_NODES = 1_000_000
# An anchor (`&name` after a blank or an indicator); aliases can only refer to one. Text
# such as "Blog & Co" or "AT&T" does not match, a rare `&x` inside a quoted string costs a walk.
_ANCHOR = re.compile(r"(?:^|[\s\[\]{},:-])&[^\s\[\]{},]")


def load_yaml(text: str) -> Any:
    """yaml.safe_load through libyaml when PyYAML has it (same safe semantics, ~10x faster),
    refusing alias bombs and recursive aliases before anything is expanded. Raises YAMLError.
    PyYAML is imported here, lazily: the CLI starts without it."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _ANCHOR.search(text):  # no anchor, no alias: nothing to expand
            _check_expansion(node)
        return loader.construct_document(node)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise YAMLError(f"not valid YAML: {problem}", mark.line + 1 if mark is not None else None) from None
    finally:
        loader.dispose()


def _check_expansion(root: Any) -> None:
    """Count the nodes `root` expands to, each shared node once per reference (memoised, so
    this costs one visit per distinct node); YAMLError past MAX_EXPANDED_NODES or on a cycle."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] > MAX_EXPANDED_NODES:
                raise YAMLError(f"YAML aliases expand to more than {MAX_EXPANDED_NODES:,} nodes", _line(node))
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise YAMLError("recursive YAML alias", _line(node))
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)


def _children(node: Any) -> list[Any]:
    value = node.value
    if not isinstance(value, list):
        return []
    if value and isinstance(value[0], tuple):  # a mapping: (key, value) pairs
        return [part for pair in value for part in pair]
    return value


def _line(node: Any) -> int | None:
    mark = getattr(node, "start_mark", None)
    return mark.line + 1 if mark is not None else None


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
