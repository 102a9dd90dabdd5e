"""The reading list as OPML 2.0: folders for each record's collection path, one outline per
record with the native attributes of `outline.attributes`, and what they cannot hold in one
`refexport:stash` attribute (only where there is something to hold).

A record is written once, under its `collection` (`also_in` is stashed), in input order:
when the collection changes and later changes back, the folder is opened again (importers
merge same-named folders). An empty record list gives one placeholder outline, because an
empty `<body>` is invalid (FreshRSS refuses it); it has no address and reads back as nothing.
Deterministic: the head's `dateCreated` is the newest day-precise `accessed` date, or absent.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from refexport import stash
from refexport.formats import WriteOptions
from refexport.formats.opml.outline import (
    NAMESPACE,
    PREFIX,
    STASH,
    UNTITLED,
    attributes,
    kind_of,
    plain_read_back,
    record,
    rfc822,
    visible,
    xml_legal_json,
)
from refexport.model import Record
from refexport.text.xml import escape_attribute, escape_text

PLACEHOLDER_TEXT = "(no records)"
DEFAULT_TITLE = "Reading list"
_CHUNK = 500  # outlines per piece of output
_STASH_ATTRIBUTE = f"{PREFIX}:{STASH}"


def default_title(records: Sequence[Record]) -> str:
    """The catalog title all records share as their first folder, else `DEFAULT_TITLE`."""
    firsts = {r.collection[0] if r.collection else None for r in records}
    if len(firsts) == 1 and (only := firsts.pop()):
        return only
    return DEFAULT_TITLE


def document_head(title: str, date_created: str | None, namespace: bool) -> str:
    root = f'<opml version="2.0" xmlns:{PREFIX}="{NAMESPACE}">' if namespace else '<opml version="2.0">'
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        root,
        "  <head>",
        f"    <title>{escape_text(title)}</title>",
    ]
    if date_created:
        lines.append(f"    <dateCreated>{date_created}</dateCreated>")
    lines += ["  </head>", "  <body>", ""]
    return "\n".join(lines)


DOCUMENT_END = "  </body>\n</opml>\n"


def outline_line(depth: int, values: dict[str, str], close: bool = True) -> str:
    joined = "".join(values.values())
    if escape_attribute(joined) == joined:  # nothing to escape: one scan instead of one per value
        text = " ".join([f'{name}="{value}"' for name, value in values.items()])
    else:
        text = " ".join([f'{name}="{escape_attribute(value)}"' for name, value in values.items()])
    return f"{'  ' * depth}<outline {text}{'/>' if close else '>'}"


def folder_name(name: str) -> str:
    """A folder's `text`/`title`, and the collection part the reader gets back."""
    return visible(name) or UNTITLED


def record_outline(item: Record, depth: int, collection: list[str]) -> str:
    """The record's `<outline .../>` line; `collection` is the folder path a reader sees."""
    values = attributes(item)
    native = plain_read_back(item, collection)
    kind: str | None = "link"
    if native is None:
        kind, address = kind_of(values, leaf=True)
        native = record(values, "link" if kind == "include" else kind, address, collection, None)
    delta = stash.delta(item, native)
    line = outline_line(depth, values, close=False)[:-1]
    # Without an address the outline is a record only through its stash: write one even if empty.
    if delta or kind is None:
        # JSON is full of double quotes: between single quotes it needs no `&quot;`.
        line += (
            f" {_STASH_ATTRIBUTE}='{escape_attribute(xml_legal_json(stash.encode(delta)), quote=chr(39))}'"
        )
    return line + "/>"


def write(records: Sequence[Record], options: WriteOptions) -> Iterator[str]:
    """The reading list (see the module docstring), in pieces."""
    title = options.title if options.title is not None else default_title(records)
    days = [date for date in (r.accessed for r in records) if date is not None and rfc822(date)]
    newest = max(days, key=lambda date: date.parts[0].parts(), default=None)
    yield document_head(title, rfc822(newest), namespace=True)
    lines: list[str] = []
    open_path: list[str] = []  # the collection path of the open folders
    shown: list[str] = []  # the same, as a reader gets it back
    for item in records:
        if item.collection != open_path:
            _move_to(item.collection, open_path, shown, lines)
        lines.append(record_outline(item, len(open_path) + 2, list(shown)))
        if len(lines) >= _CHUNK:
            yield "\n".join(lines) + "\n"
            lines.clear()
    _move_to([], open_path, shown, lines)
    if not records:
        lines.append(outline_line(2, {"text": PLACEHOLDER_TEXT, "title": PLACEHOLDER_TEXT}))
    if lines:
        yield "\n".join(lines) + "\n"
    yield DOCUMENT_END


def _move_to(path: list[str], open_path: list[str], shown: list[str], lines: list[str]) -> None:
    """Close the open folders `path` does not share, then open the rest of `path`."""
    shared = 0
    while shared < min(len(open_path), len(path)) and open_path[shared] == path[shared]:
        shared += 1
    while len(open_path) > shared:
        open_path.pop()
        shown.pop()
        lines.append(f"{'  ' * (len(open_path) + 2)}</outline>")
    for name in path[shared:]:
        text = folder_name(name)
        lines.append(outline_line(len(open_path) + 2, {"text": text, "title": text}, close=False))
        open_path.append(name)
        shown.append(text)
