"""Browser bookmarks: the Netscape bookmark file every browser imports and exports.

Reading goes through the standard library's HTML parser (browsers write tag soup: `<DT>` and
`<p>` are never closed), which reacts to the few elements that carry meaning: `<H3>` opens a
folder (its name joins the collection path of what follows, up to its `</DL>`), `<A HREF>` is
a bookmark (`ADD_DATE` -> accessed, `TAGS` -> tags, `LAST_MODIFIED` and `SHORTCUTURL` kept in
`custom`), a `<DD>` after it is its description (-> note). Favicons (`ICON`, `ICON_URI`) are a
browser's cache and dropped; `place:` queries (Firefox's smart folders) are not pages.

Writing makes the file Chrome, Firefox and Zotero's Bookmarks importer read: one bookmark per
line (Chrome's importer reads lines), folders as nested `<DL><p>`, and the stash in a
`REFEXPORT` attribute, which browsers ignore and Zotero's importer does not read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from html.entities import html5
from html.parser import HTMLParser

from refexport import stash
from refexport.errors import InputError
from refexport.fileio import decode_guessing
from refexport.formats import WriteOptions, where
from refexport.model import Date, Origin, Problem, ReadResult, Record, record_id
from refexport.text.markup import plain
from refexport.text.xml import escape_attribute, escape_text

MAX_DEPTH = 256  # folders deeper than this refuse the file (browsers stop far earlier)
_STASH = stash.NAME  # attribute names are case-insensitive: read back lower-cased
_MIDNIGHT = "T00:00:00"
_BATCH = 512


# --------------------------------------------------------------------------- reader


class _Reader(HTMLParser):
    """Bookmarks and folders of one file; `problems` for bookmarks it cannot keep."""

    def __init__(self, name: str) -> None:
        super().__init__(convert_charrefs=True)
        self.name = name
        self.folders: list[str | None] = []  # None: a <DL> that is no folder's
        self.records: list[Record] = []
        self.problems: list[Problem] = []
        self.title: str | None = None
        self._text: list[str] | None = None  # text of the open <A>, <H3>, <H1> or <DD>
        self._open: str | None = None
        self._folder_name: str | None = None
        self._pending: Record | None = None  # a bookmark whose <DD> may still follow
        self._stash: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("a", "h3", "h1", "dd", "dt", "dl", "hr"):
            return
        self._finish_text()
        if tag == "dd":
            if self._pending is not None:
                self._begin("dd")
            return
        self._complete()
        if tag == "a":
            self._start_bookmark(dict(attrs))
        elif tag in ("h3", "h1"):
            self._begin(tag)
        elif tag == "dl":
            if len(self.folders) >= MAX_DEPTH:
                raise InputError(
                    self.name, self.getpos()[0], f"folders nested deeper than {MAX_DEPTH} levels"
                )
            self.folders.append(self._folder_name)
            self._folder_name = None

    def handle_endtag(self, tag: str) -> None:
        if tag in ("a", "h3", "h1", "dl") or (tag == "dd" and self._open == "dd"):
            self._finish_text()
        if tag == "dl":
            self._complete()
            if self.folders:
                self.folders.pop()

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def _begin(self, element: str) -> None:
        self._open, self._text = element, []

    def _finish_text(self) -> None:
        element, text = self._open, "".join(self._text or ())
        self._open, self._text = None, None
        if element == "a" and self._pending is not None:
            self._pending.title = text or None
        elif element == "h3":
            self._folder_name = text
        elif element == "h1" and self.title is None:
            self.title = text.strip() or None
        elif element == "dd" and self._pending is not None:
            self._pending.note = text.strip() or None
            self._complete()

    def _start_bookmark(self, attrs: dict[str, str | None]) -> None:
        line = self.getpos()[0]
        href = attrs.get("href")
        if href is None:
            self.problems.append(Problem(self.name, line, "a link without HREF"))
            return
        if href.startswith("place:"):
            return  # Firefox's saved queries: no page to cite
        record = Record(origin=[Origin(self.name, line, href)])
        record.url = href
        record.collection = [name for name in self.folders if name is not None]
        _read_attributes(record, attrs)
        self._pending, self._stash = record, attrs.get(_STASH)
        self._begin("a")

    def _complete(self) -> None:
        record, kept = self._pending, self._stash
        self._pending = self._stash = None
        if record is None:
            return
        record.id = record_id(record.url, record.title or "")
        if kept is None:
            self.records.append(record)
            return
        try:
            self.records.append(stash.apply(record, stash.decode(kept)))
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            self.problems.append(
                Problem(self.name, record.origin[0].line, f"damaged refexport data: {error}")
            )

    def close(self) -> None:
        super().close()
        if self._open == "a" and self._pending is not None:  # the file ends inside a link
            line = self._pending.origin[0].line
            self.problems.append(Problem(self.name, line, "the file ends inside this bookmark (truncated?)"))
            self._open = self._text = self._pending = None
        self._finish_text()
        self._complete()


def _read_attributes(record: Record, attrs: dict[str, str | None]) -> None:
    added = attrs.get("add_date")
    if added:
        accessed, exact = _date_of(added)
        record.accessed = accessed
        if not exact:
            record.custom["bookmarks:add_date"] = added
    tags = attrs.get("tags")
    if tags:
        record.tags = [tag.strip() for tag in tags.split(",") if tag.strip()]
    for name in ("last_modified", "shortcuturl"):
        value = attrs.get(name)
        if value:
            record.custom[f"bookmarks:{name}"] = value
    description = attrs.get("description")
    if description:
        record.note = description


def _date_of(text: str) -> tuple[Date | None, bool]:
    """The day of a Unix time (seconds; browsers that write milli- or microseconds too),
    and whether that day's midnight says it exactly (else the raw value is kept)."""
    try:
        seconds = int(text.strip())
        while abs(seconds) >= 100_000_000_000:  # ms or µs: no bookmark is from year 5138
            seconds //= 1000
        moment = datetime.fromtimestamp(seconds, UTC)
    except (ValueError, OverflowError, OSError):
        return None, False
    date = Date.of(moment.year, moment.month, moment.day)
    return date, str(seconds) == text.strip() and moment.isoformat().endswith(_MIDNIGHT + "+00:00")


def read(data: bytes, name: str) -> ReadResult:
    """Bookmarks of a Netscape bookmark file; a bookmark that cannot be read is reported and
    skipped; folders deeper than MAX_DEPTH refuse the file."""
    text = decode_guessing(data, name, legacy=())
    reader = _Reader(name)
    reader.feed(text)
    reader.close()
    return ReadResult(reader.records, reader.problems, reader.title)


# --------------------------------------------------------------------------- writer


_HEADER = """<!DOCTYPE NETSCAPE-Bookmark-file-1>
<!-- This is an automatically generated file.
     It will be read and overwritten.
     DO NOT EDIT! -->
<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">
<TITLE>Bookmarks</TITLE>
<H1>{title}</H1>
<DL><p>
"""
# An `&` in a URL is left as it is (Zotero's importer does not decode HREF) unless an HTML
# parser would read a character reference there: `&#…`, `&name;`, or a legacy name such as
# `&para` that HTML decodes even without `;`.
_LEGACY = "|".join(sorted((re.escape(k) for k in html5 if not k.endswith(";")), key=len, reverse=True))
_AMPERSAND = re.compile(rf"&(?=#|[A-Za-z0-9]+;|(?:{_LEGACY}))")
_URL_SPECIAL = {'"': "%22", "<": "%3C", ">": "%3E", "\n": "%0A", "\r": "%0D", "\t": "%09"}
_URL_SPECIAL_RE = re.compile('["<>\n\r\t]')


def write(records: Sequence[Record], options: WriteOptions) -> Iterator[str]:
    """The bookmark file: folders from the collection paths, in the records' order (a path
    met again later opens a folder of the same name again, so the order survives)."""
    yield _HEADER.format(title=escape_text(options.title or "Bookmarks"))
    path: list[str] = []
    lines: list[str] = []
    for record in records:
        if not record.url:
            options.skipped.append(where(record, "a bookmark needs a URL"))
            continue
        target = record.collection[: MAX_DEPTH - 1]
        lines.extend(_move(path, target))
        path = list(target)
        lines.append(_bookmark_lines(record, "    " * (len(path) + 1)))
        if len(lines) >= _BATCH:
            yield "".join(lines)
            lines = []
    lines.extend(_move(path, []))
    lines.append("</DL><p>\n")
    yield "".join(lines)


def _move(path: list[str], target: Sequence[str]) -> Iterator[str]:
    """Close the folders of `path` that `target` does not share, open the rest of `target`."""
    common = 0
    while common < min(len(path), len(target)) and path[common] == target[common]:
        common += 1
    for depth in range(len(path), common, -1):
        yield "    " * depth + "</DL><p>\n"
    for depth in range(common, len(target)):
        indent = "    " * (depth + 1)
        yield f"{indent}<DT><H3>{_one_line(target[depth])}</H3>\n{indent}<DL><p>\n"


def _one_line(text: str) -> str:
    return escape_text(text.replace("\r", " ").replace("\n", " "))


def _href(url: str) -> str:
    return _AMPERSAND.sub("&amp;", _URL_SPECIAL_RE.sub(lambda m: _URL_SPECIAL[m.group()], url))


def _bookmark_lines(record: Record, indent: str) -> str:
    native = _native(record, indent)
    read_back = _Reader("")
    read_back.feed("".join(_move([], record.collection[: MAX_DEPTH - 1])) + native)
    read_back.close()
    kept = stash.delta(record, read_back.records[0]) if read_back.records else {}
    if not kept:
        return native
    end = native.index(">", native.index("<A "))  # attribute values hold no raw ">"
    value = escape_attribute(stash.encode(kept)).replace("'", "&#39;")
    return f'{native[:end]} {_STASH.upper()}="{value}"{native[end:]}'


def _native(record: Record, indent: str) -> str:
    url = record.url or ""
    attributes = [f'HREF="{_href(url)}"']
    accessed = record.accessed
    raw = record.custom.get("bookmarks:add_date")
    if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
        attributes.append(f'ADD_DATE="{raw.strip()}"')
    elif accessed is not None and accessed.is_simple() and accessed.start is not None:
        attributes.append(f'ADD_DATE="{_timestamp(accessed)}"')
    for name in ("last_modified", "shortcuturl"):
        value = record.custom.get(f"bookmarks:{name}")
        if isinstance(value, str) and value:
            attributes.append(f'{name.upper()}="{escape_attribute(value)}"')
    if record.tags:
        attributes.append(f'TAGS="{escape_attribute(",".join(record.tags))}"')
    title = _one_line(plain(record.title)) if record.title else escape_text(url)
    line = f"{indent}<DT><A {' '.join(attributes)}>{title}</A>\n"
    if record.note:
        line += f"{indent}<DD>{escape_text(record.note)}\n"
    return line


def _timestamp(date: Date) -> str:
    start = date.start
    assert start is not None
    try:
        moment = datetime(start.year, start.month or 1, start.day or 1, tzinfo=UTC)
    except ValueError:
        return "0"
    return str(int(moment.timestamp()))
