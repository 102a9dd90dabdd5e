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
from refexport.text.xml import XML_ILLEGAL, escape_attribute, escape_text

_QUERY = "place:"
_CHARSET = re.compile(rb"charset=[\"']?([A-Za-z0-9_.:-]{1,40})", re.IGNORECASE)
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
        if href.startswith(_QUERY):
            return  # Firefox's saved queries: no page to cite
        path = [name for name in self.folders if name is not None]
        self._pending, self._stash = _bookmark(self.name, line, href, attrs, path), attrs.get(_STASH)
        self._begin("a")

    def _complete(self) -> None:
        record, kept = self._pending, self._stash
        self._pending = self._stash = None
        if record is None:
            return
        _identify(record)
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


def _bookmark(name: str, line: int, href: str, attrs: dict[str, str | None], path: list[str]) -> Record:
    """A bookmark's record from its link's attributes (title and note come later)."""
    record = Record(origin=[Origin(name, line, href)], collection=path)
    record.url = href
    _read_attributes(record, attrs)
    return record


def _identify(record: Record) -> None:
    record.id = record_id(record.url, record.title or "")


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
    declared = _CHARSET.search(data[:4096])  # old IE exports were saved in the system code page
    legacy = (declared.group(1).decode("ascii"),) if declared else ()
    try:
        text = decode_guessing(data, name, legacy=legacy)
    except LookupError:  # a charset Python does not know: UTF-8 or the first bad line
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
        if not record.url or record.url.startswith(_QUERY):
            reason = "a bookmark needs a URL" if not record.url else "a Firefox query (place:), not a page"
            options.skipped.append(where(record, reason))
            continue
        target = record.collection[: MAX_DEPTH - 1]
        lines.extend(_move(path, target))
        path = list(target)
        lines.append(_bookmark_lines(record, path))
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


def _bookmark_lines(record: Record, path: list[str]) -> str:
    """A bookmark's lines, with the stash attribute when the native ones fall short."""
    native = _Native(record, "    " * (len(path) + 1))
    if native.exact and all(_is_exact(name) for name in path):
        read_back = _bookmark("", 2 * len(path) + 1, native.url, dict(native.read), list(path))
        read_back.title, read_back.note = native.title or None, native.note
        _identify(read_back)  # what the reader makes of these lines, without parsing them
    else:
        reader = _Reader("")
        reader.feed("".join(_move([], path)) + native.text)
        reader.close()
        if not reader.records:
            return native.text
        read_back = reader.records[0]
    kept = stash.delta(record, read_back)
    if not kept:
        return native.text
    end = native.text.index(">", native.text.index("<A "))  # attribute values hold no raw ">"
    value = _STASH_SPECIAL.sub(_stash_entity, stash.encode(kept))
    return f"{native.text[:end]} {_STASH.upper()}='{value}'{native.text[end:]}"


# The stash is JSON in single quotes: its many `"` need no reference (parsing a reference per
# quote tripled the reader's time), and `'` as `&#39;` keeps Zotero's attribute pattern
# (`\s(HREF|TAGS|…)=(['"])`) from ever matching inside it.
_STASH_SPECIAL = re.compile("[&'<>]")
_STASH_ENTITIES = {"&": "&amp;", "'": "&#39;", "<": "&lt;", ">": "&gt;"}


def _stash_entity(match: re.Match[str]) -> str:
    return _STASH_ENTITIES[match.group()]


def _is_exact(text: str) -> bool:
    """Text that escaping and the parser give back unchanged (no character XML cannot hold,
    no line break that `_one_line` turns into a space)."""
    return "\n" not in text and "\r" not in text and not XML_ILLEGAL.search(text)


class _Native:
    """The native lines of a bookmark, and the values a reader gets back from them (`read`:
    the attributes; `exact`: False when escaping changed a value, so only parsing tells)."""

    def __init__(self, record: Record, indent: str) -> None:
        self.url = record.url or ""
        self.read: list[tuple[str, str | None]] = []
        self.exact = not _URL_SPECIAL_RE.search(self.url)
        attributes = [f'HREF="{_href(self.url)}"']
        for name, value in _attributes(record):
            self.read.append((name.lower(), value))
            self.exact = self.exact and _is_exact(value)
            attributes.append(f'{name}="{escape_attribute(value)}"')
        self.title = plain(record.title) if record.title else self.url
        self.exact = self.exact and _is_exact(self.title)
        line = f"{indent}<DT><A {' '.join(attributes)}>{_one_line(self.title)}</A>\n"
        self.note = record.note.strip() or None if record.note else None
        if record.note:
            self.exact = self.exact and _is_exact(record.note.replace("\n", " ")) and self.note == record.note
            line += f"{indent}<DD>{escape_text(record.note)}\n"
        self.text = line


def _attributes(record: Record) -> Iterator[tuple[str, str]]:
    """The attributes after HREF, as (name, value before escaping)."""
    raw = record.custom.get("bookmarks:add_date")
    accessed = record.accessed
    if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
        yield "ADD_DATE", raw.strip()
    elif accessed is not None and accessed.is_simple() and accessed.start is not None:
        yield "ADD_DATE", _timestamp(accessed)
    for name in ("last_modified", "shortcuturl"):
        value = record.custom.get(f"bookmarks:{name}")
        if isinstance(value, str) and value:
            yield name.upper(), value
    if record.tags:
        yield "TAGS", ",".join(record.tags)


def _timestamp(date: Date) -> str:
    start = date.start
    assert start is not None
    try:
        moment = datetime(start.year, start.month or 1, start.day or 1, tzinfo=UTC)
    except ValueError:
        return "0"
    return str(int(moment.timestamp()))
