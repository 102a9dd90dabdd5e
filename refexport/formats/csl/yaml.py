"""CSL YAML: the `references:` list pandoc reads from a document's metadata or a `.yaml`
bibliography (and writes itself with `pandoc -f csljson -t markdown -s`).

The items are CSL-JSON's, with pandoc's conventions: every string is Markdown (see
`markdown.py`), so rich text becomes `*i*`, `^sup^`, `[x]{.nocase}` … and what Markdown
would change is escaped; simple dates and ranges are EDTF strings (`2023-06-15`,
`2019/2020`), the rest CSL date objects. pandoc does not read "cheater" lines from YAML
notes, so notes are written as they are.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from refexport import stash
from refexport.errors import InputError
from refexport.fileio import decode_text
from refexport.formats import WriteOptions, where
from refexport.formats.csl.dates import parse_date
from refexport.formats.csl.json import read_items
from refexport.formats.csl.mapping import from_native, native_item, own_delta
from refexport.formats.csl.markdown import from_markdown, to_markdown
from refexport.model import DATE_VARIABLES, ReadResult, Record
from refexport.text.yaml import YAMLError, load_yaml, yaml_document

_HEADER = "---\nreferences:"


def write_yaml(records: Sequence[Record], options: WriteOptions) -> Iterator[str]:
    """`---` / `references:` / one item per record / `...`, yielded item by item."""
    yield _HEADER
    written = 0
    for record in records:
        try:
            document = yaml_document({"references": [yaml_item(record)]})
        except (TypeError, ValueError) as error:
            options.skipped.append(where(record, f"cannot write CSL YAML: {error}"))
            continue
        written += 1
        yield document[len(_HEADER) : -len("\n...\n")]
    yield (" []" if not written else "") + "\n...\n"


def yaml_item(record: Record) -> dict[str, Any]:
    """The CSL YAML item for `record` (strings as pandoc Markdown), with the stash of what
    it cannot say."""
    native = native_item(record, guard_note=False)
    exact: list[bool] = []
    item = _to_yaml(native, exact)
    delta = own_delta(record, native) if not exact else None  # every string reads back as it was
    if delta is None:
        delta = stash.delta(record, from_native(_from_yaml(item), 0, guard_note=False))
    if delta:
        item.setdefault("custom", {})[stash.NAME] = delta
    return item


def _to_yaml(item: dict[str, Any], inexact: list[bool]) -> dict[str, Any]:
    """The item with its strings as Markdown; appends to `inexact` when one of them would not
    read back as it was (then the writer reads the whole item back to find the stash)."""

    def convert(text: str) -> str:
        markdown = to_markdown(text)
        if markdown is not text and not inexact and from_markdown(markdown) != text:
            inexact.append(True)
        return markdown

    out: dict[str, Any] = {}
    for name, value in item.items():
        if name == "custom":
            out[name] = value  # ours (and pandoc ignores it): no Markdown
        elif name in DATE_VARIABLES and isinstance(value, dict):
            out[name] = _date_to_yaml(value, convert)
        else:
            out[name] = _strings(value, convert)
    return out


def _date_to_yaml(value: dict[str, Any], convert: Callable[[str], str]) -> Any:
    """An EDTF string, as pandoc writes dates, where pandoc reads it back as this date
    (positive four-digit years, no season, circa, literal or open end); else the object."""
    date = parse_date(value)
    if date is None or date.to_csl() != value:  # kept as read (a range with two seasons …)
        return _strings(value, convert)
    rows = date.parts
    plain = date.season is None and not date.circa and date.literal is None
    if plain and rows and all(1000 <= row.year <= 9999 for row in rows):
        return "/".join(row.iso() for row in rows)
    return _strings(value, convert)


def _strings(value: Any, convert: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return convert(value)
    if isinstance(value, list):
        return [_strings(v, convert) for v in value]
    if isinstance(value, dict):
        return {k: _strings(v, convert) for k, v in value.items()}
    return value


def _from_yaml(item: dict[str, Any]) -> dict[str, Any]:
    """A YAML item as a CSL-JSON item: Markdown strings as rich text, YAML dates as text."""
    out: dict[str, Any] = {}
    for name, value in item.items():
        if name == "custom":
            out[name] = value
        elif name in DATE_VARIABLES:
            out[name] = _date_from_yaml(value)
        else:
            out[name] = _strings(_plain(value), from_markdown)
    return out


def _date_from_yaml(value: Any) -> Any:
    value = _plain(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return {"date-parts": [[value]]}
    if isinstance(value, str):
        text = from_markdown(value)
        date = parse_date(text)
        return date.to_csl() if date is not None else text
    return _strings(value, from_markdown)


def _plain(value: Any) -> Any:
    """YAML reads unquoted `2023-06-15` as a date; CSL means the text."""
    if isinstance(value, datetime.date):
        return value.isoformat()[:10] if not isinstance(value, datetime.datetime) else value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k.isoformat() if isinstance(k, datetime.date) else k: _plain(v) for k, v in value.items()}
    return value


def read_yaml(data: bytes, name: str) -> ReadResult:
    """Read CSL YAML as pandoc does: a `references:` mapping, a bare list of items, or a
    Markdown file whose YAML front matter holds `references`. A bad item is reported with
    its index; YAML that does not parse (or whose aliases would explode) refuses the file."""
    text = decode_text(data, name)
    body, first_line = _front_matter(text)
    try:
        parsed = load_yaml(body)
    except YAMLError as error:
        line = error.line + first_line - 1 if error.line is not None else None
        raise InputError(name, line, str(error)) from None
    if isinstance(parsed, dict) and "references" in parsed:
        parsed = parsed["references"]
    elif isinstance(parsed, dict) and "id" in parsed:
        parsed = [parsed]
    elif not isinstance(parsed, list):
        raise InputError(name, None, "no `references:` list in the YAML")
    if not isinstance(parsed, list):
        raise InputError(name, None, "`references:` is not a list of items")
    items = [_from_yaml(item) if isinstance(item, dict) else item for item in parsed]
    return read_items(items, name, guard_note=False)


def _front_matter(text: str) -> tuple[str, int]:
    """The YAML of a Markdown file's front matter (or the whole text) and its first line."""
    if not text.startswith("---"):
        return text, 1
    first, _, rest = text.partition("\n")
    if first.rstrip() != "---":
        return text, 1
    lines = rest.split("\n")
    for number, line in enumerate(lines):
        if line.rstrip() in ("---", "..."):
            return "\n".join(lines[:number]), 2
    return rest, 2
