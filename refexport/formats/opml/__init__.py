"""OPML 2.0: the reading list (`write`), feed subscriptions (`write_feeds`) and a reader (`read`).

Reading list (`write`): folders follow each record's `collection` path, each record is one
`type="link"` outline with the standard `text`, `title`, `url`, `created` and `category`
attributes plus the outliner convention `_note`. Everything else sits in attributes of the
namespace `NAMESPACE` (prefix `refexport:`) on the record's outline, never in `<head>`:

- scalar fields (`id`, `key`, `type`, `language`, `container`, `publisher`, `issued`,
  `accessed`) as plain text; structured ones (`authors`, `tags`, `also-in`, `source`,
  `extra`) as JSON;
- a value holding characters XML 1.0 cannot carry (control characters, lone surrogates,
  U+FFFE/U+FFFF) is written visibly with those characters stripped, and exactly as JSON
  (with `\\u` escapes) in `refexport:<field>-json`, which wins on reading;
- `extra["opml:<attr>"]` strings (attributes a foreign OPML file had) are written back as
  native attributes, so a re-exported subscription list keeps its `type="rss"`/`xmlUrl`.

So `read(write(records)) == records` for every field. A record is written once, under its
`collection`; `also_in` is only stashed. Records keep their order: when the collection
changes and later changes back, the folder is opened again (importers merge same-named folders).
An empty record list gives one placeholder outline, because an empty `<body>` is invalid
(FreshRSS refuses it); the placeholder has no URL and reads back as no record.

Subscriptions (`write_feeds`): only records whose feed `refexport.feeds.derive_feed` can
derive, one `type="rss"` outline per distinct feed, grouped by the record's top heading
(`collection[1]`) as the single folder level; records with no heading are listed flat.

Reader (`read`): parses through defusedxml (DTDs, entities and external references refused).
Our own files (the root declares `NAMESPACE`) read back exactly. Foreign files: nested
folders give the `collection` path, starting with the head title; an outline with a URL
(`xmlUrl`, `url` or `htmlUrl`) is a record, text-only leaves are notes and skipped; every
attribute the model has no slot for is kept in `extra["opml:<attr>"]`; the same URL in
several folders gives one record with the further paths in `also_in`.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import lru_cache
from json.encoder import encode_basestring as _json_string  # the C version when available
from typing import Any
from xml.sax.handler import ContentHandler
from xml.sax.xmlreader import AttributesImpl, InputSource, Locator

from refexport.errors import InputError, Problem
from refexport.fileio import XML_ILLEGAL
from refexport.formats import ReadResult
from refexport.model import DEFAULT_TYPE, Name, PartialDate, Record, Source, record_id

# Stable namespace of refexport's outline attributes. `.invalid` is reserved (RFC 2606), so
# the URI can never be taken by anybody else; it names the contract, it is not fetched.
NAMESPACE = "https://refexport.invalid/ns/opml/1"
PREFIX = "refexport"

PLACEHOLDER_TEXT = "(no records)"
NO_FEEDS_TEXT = "(no feeds could be derived)"
UNTITLED_FOLDER = "(untitled)"
DEFAULT_TITLE = "Reading list"

# Characters outside the XML 1.0 `Char` production: they cannot appear even as references.
# Whitespace must be written as references in attributes, or parsers normalise it to spaces.
# (`&` first; chained str.replace is several times faster than str.translate with a dict.)
_ATTRIBUTE_ESCAPES = (
    ("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"),
    ("\t", "&#9;"), ("\n", "&#10;"), ("\r", "&#13;"),
)
_TEXT_ESCAPES = _ATTRIBUTE_ESCAPES[:3]
_NEEDS_ESCAPE = re.compile(r'[&<>"\t\n\r]')
# Every character an attribute value cannot hold as it is: the XML-illegal ones (stripped) and
# the ones written as references (all of \x00-\x1f is one or the other). Most values have
# none, so one search lets them through untouched.
_ATTRIBUTE_NEEDS_WORK = re.compile(r'[\x00-\x1f"&<>\ud800-\udfff\ufffe\uffff]')
# `json.dumps(value, ensure_ascii=False, separators=(",", ":"))` builds a new encoder per
# call; one shared encoder gives the same text without that cost.
_JSON_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
# A plain (un-prefixed) attribute name we may write back from `extra["opml:<name>"]`.
_PLAIN_ATTRIBUTE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9._-]*\Z")
# Outline attributes `write` derives from the record; foreign values equal to them are redundant.
_DERIVED = ("text", "type", "created", "category")
# Outline attributes that are record fields themselves (title, url, note).
_NATIVE_FIELDS = {"title": "title", "url": "url", "note": "_note"}
_NATIVE_ATTRIBUTES = frozenset(_NATIVE_FIELDS.values())
_SCALAR_FIELDS = ("id", "key", "type", "language", "container", "publisher")
_DATE_FIELDS = ("issued", "accessed")
# (attribute, field) pairs of the above, spelled out once instead of per record.
_SCALAR_ATTRIBUTES = tuple((f"{PREFIX}:{name}", name) for name in _SCALAR_FIELDS)
_DATE_ATTRIBUTES = tuple((f"{PREFIX}:{name}", name) for name in _DATE_FIELDS)
_DECLARED_ENCODING = re.compile(rb"""\A<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_EXPAT_ENCODINGS = {"utf-8", "utf_8", "utf8", "utf-16", "utf_16", "utf16"}


# ---------------------------------------------------------------- text helpers


def visible(text: str) -> str:
    """`text` without the characters XML 1.0 cannot hold (what outliners get to see)."""
    return XML_ILLEGAL.sub("", text)


def _escape(text: str, escapes: tuple[tuple[str, str], ...]) -> str:
    if _NEEDS_ESCAPE.search(text) is None:
        return text
    for character, reference in escapes:
        text = text.replace(character, reference)
    return text


def _attribute(value: str) -> str:
    """`value` as the text between an attribute's quotes: XML-illegal characters dropped,
    markup and whitespace characters as references."""
    if _ATTRIBUTE_NEEDS_WORK.search(value) is None:
        return value
    text = visible(value)
    for character, reference in _ATTRIBUTE_ESCAPES:
        text = text.replace(character, reference)
    return text


def _json(value: Any) -> str:
    """Compact JSON that stays XML-legal: characters XML cannot carry become `\\uXXXX` escapes
    (they can only occur inside JSON strings, where such escapes mean the same)."""
    return _xml_legal_json(_JSON_ENCODER.encode(value))


def _xml_legal_json(text: str) -> str:
    """JSON `text` with the characters XML cannot carry as `\\uXXXX` escapes (see `_json`)."""
    # isascii() is O(1) in CPython; ASCII JSON has no such characters (controls are escaped).
    if text.isascii() or XML_ILLEGAL.search(text) is None:
        return text
    return XML_ILLEGAL.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


# The two JSON fields every record has (`tags`, `source`) are spelled out below:
# `JSONEncoder.encode` costs microseconds of set-up per call, more than the encoding
# itself. They give the same text as `_json` (tested against it).
def _json_strings(strings: list[str]) -> str:
    """`_json(strings)` for a list of strings (`tags`)."""
    return _xml_legal_json(f"[{','.join(map(_json_string, strings))}]")


def _json_sources(sources: list[Source]) -> str:
    """`_json([source.to_dict() for source in sources])`."""
    items = [
        f'{{"file":{_json_string(source.file)},'
        f'"line":{"null" if source.line is None else source.line},'
        f'"url":{"null" if source.url is None else _json_string(source.url)}}}'
        for source in sources
    ]
    return _xml_legal_json(f"[{','.join(items)}]")


def _json_attribute(text: str) -> str:
    """`_attribute(text)` for the output of `_json` with less work: JSON has no raw control
    characters and `_json` leaves no XML-illegal ones, so only markup characters need references."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


# Cached: a catalog has few distinct dates (one per post) and email.utils formatting is slow.
@lru_cache(maxsize=4096)
def _rfc822(date: PartialDate | None) -> str | None:
    """RFC 822 date-time at midnight UTC; None unless the day is known and the date exists."""
    if date is None or date.day is None or date.month is None:
        return None
    try:
        moment = datetime(date.year, date.month, date.day, tzinfo=UTC)
    except ValueError:
        return None
    return format_datetime(moment, usegmt=True)


# Cached like `_rfc822`: records of one post share their dates.
_iso = lru_cache(maxsize=4096)(PartialDate.iso)


def _outline(depth: int, attributes: Iterable[tuple[str, str]], close: bool) -> str:
    text = " ".join(f'{name}="{_attribute(value)}"' for name, value in attributes)
    return f"{'  ' * depth}<outline {text}{'/>' if close else '>'}"


def _document(title: str, date_created: str | None, body: list[str], namespace: bool) -> str:
    root = f'<opml version="2.0" xmlns:{PREFIX}="{NAMESPACE}">' if namespace else '<opml version="2.0">'
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', root, "  <head>"]
    lines.append(f"    <title>{_escape(visible(title), _TEXT_ESCAPES)}</title>")
    if date_created:
        lines.append(f"    <dateCreated>{date_created}</dateCreated>")
    lines += ["  </head>", "  <body>", *body, "  </body>", "</opml>", ""]
    return "\n".join(lines)


def _default_title(records: Sequence[Record]) -> str:
    firsts = {record.collection[0] if record.collection else None for record in records}
    if len(firsts) == 1 and (only := firsts.pop()):
        return only
    return DEFAULT_TITLE


# ---------------------------------------------------------------- reading list writer


def _derived_attributes(record: Record) -> dict[str, str | None]:
    """The standard outline attributes `write` computes from a record (`_DERIVED`)."""
    text = visible(record.title or "") or visible(record.url or "") or visible(record.key) or "(untitled)"
    tags = [visible(tag) for tag in record.tags if "," not in tag and visible(tag)]
    return {
        "text": text,
        "type": "link" if record.url else None,
        "created": _rfc822(record.accessed) or _rfc822(record.issued),
        "category": ",".join(tags) or None,
    }


def _add_scalar(parts: list[str], name: str, field_name: str, value: str | None) -> None:
    """`name="visible value"`, plus `refexport:<field>-json` when the visible form is not exact."""
    if value is None:
        return
    if _ATTRIBUTE_NEEDS_WORK.search(value) is None:  # the common case: written as it is
        parts.append(f'{name}="{value}"')
        return
    shown = visible(value)
    parts.append(f'{name}="{_attribute(shown)}"')
    if shown != value:
        parts.append(f'{PREFIX}:{field_name}-json="{_json_attribute(_json(value))}"')


def _native_extra(record: Record, derived: dict[str, str | None]) -> tuple[dict[str, str], dict[str, Any]]:
    """Split `extra` into attributes written natively on the outline and the rest (stashed as JSON).
    Natively only what reads back unambiguously: a plain name that is not a field of its own,
    an exact XML-legal string, and for derived attributes a value that differs from the derived one."""
    native: dict[str, str] = {}
    stashed: dict[str, Any] = {}
    for key, value in record.extra.items():
        name = key[5:] if key.startswith("opml:") else ""
        writable = (
            isinstance(value, str)
            and _PLAIN_ATTRIBUTE_NAME.match(name) is not None
            and not name.startswith("xmlns")
            and name not in _NATIVE_FIELDS.values()
            and visible(value) == value
            and (name not in derived or (value != derived[name] and (name != "text" or value != "")))
        )
        if writable:
            native[name] = value
        else:
            stashed[key] = value
    return native, stashed


def _record_outline(record: Record, depth: int) -> str:
    """The record's self-closing `<outline .../>` line. Attribute order: the standard ones
    (`text`, `title`, `type`, `url`, `created`, `category`, `_note`), native `extra` ones,
    then refexport's scalars, dates and JSON fields."""
    derived = _derived_attributes(record)
    if record.extra:
        native_extra, stashed_extra = _native_extra(record, derived)
        # A foreign value of a derived attribute replaces the derived one (`_native_extra`
        # only lets through values that differ from it).
        standard = {name: native_extra.pop(name, value) for name, value in derived.items()}
    else:
        native_extra, stashed_extra, standard = {}, {}, derived
    parts = [f'text="{_attribute(standard["text"] or "")}"']
    _add_scalar(parts, "title", "title", record.title)
    if standard["type"] is not None:
        parts.append(f'type="{_attribute(standard["type"])}"')
    _add_scalar(parts, "url", "url", record.url)
    for name in ("created", "category"):
        if (value := standard[name]) is not None:
            parts.append(f'{name}="{_attribute(value)}"')
    _add_scalar(parts, "_note", "note", record.note)
    parts += [f'{name}="{_attribute(value)}"' for name, value in native_extra.items()]
    for attribute, field_name in _SCALAR_ATTRIBUTES:
        _add_scalar(parts, attribute, field_name, getattr(record, field_name))
    for attribute, field_name in _DATE_ATTRIBUTES:
        date: PartialDate | None = getattr(record, field_name)
        if date is not None:
            parts.append(f'{attribute}="{_iso(date)}"')  # digits and dashes: nothing to escape
    if record.authors:
        authors = [name.to_dict() for name in record.authors]
        parts.append(f'{PREFIX}:authors="{_json_attribute(_json(authors))}"')
    if record.tags:
        parts.append(f'{PREFIX}:tags="{_json_attribute(_json_strings(record.tags))}"')
    if record.also_in:
        parts.append(f'{PREFIX}:also-in="{_json_attribute(_json(record.also_in))}"')
    if record.source:
        parts.append(f'{PREFIX}:source="{_json_attribute(_json_sources(record.source))}"')
    if stashed_extra:
        parts.append(f'{PREFIX}:extra="{_json_attribute(_json(stashed_extra))}"')
    return f"{'  ' * depth}<outline {' '.join(parts)}/>"


def _folder_attributes(name: str) -> list[tuple[str, str]]:
    text = visible(name) or UNTITLED_FOLDER
    attributes = [("text", text), ("title", text)]
    if text != name:
        attributes.append((f"{PREFIX}:name-json", _json(name)))
    return attributes


def write(records: Sequence[Record], title: str | None = None) -> str:
    """The reading list as OPML 2.0 text (see the module docstring). Deterministic: the head's
    `dateCreated` is the newest day-precise `accessed` date of the records, or absent."""
    body: list[str] = []
    open_path: list[str] = []
    for record in records:
        if record.collection == open_path:  # most records follow one of the same section
            body.append(_record_outline(record, len(open_path) + 2))
            continue
        shared = 0
        while shared < min(len(open_path), len(record.collection)) and (
            open_path[shared] == record.collection[shared]
        ):
            shared += 1
        while len(open_path) > shared:
            open_path.pop()
            body.append(f"{'  ' * (len(open_path) + 2)}</outline>")
        for name in record.collection[shared:]:
            body.append(_outline(len(open_path) + 2, _folder_attributes(name), close=False))
            open_path.append(name)
        body.append(_record_outline(record, len(open_path) + 2))
    while open_path:
        open_path.pop()
        body.append(f"{'  ' * (len(open_path) + 2)}</outline>")
    if not body:
        body.append(_outline(2, [("text", PLACEHOLDER_TEXT), ("title", PLACEHOLDER_TEXT)], close=True))
    accessed = [record.accessed for record in records if _rfc822(record.accessed)]
    # Only day-precise dates are left, so (year, month, day) orders them as `parts()` would.
    newest = max(accessed, key=lambda date: (date.year, date.month, date.day), default=None)
    return _document(title if title is not None else _default_title(records), _rfc822(newest), body, True)


# ---------------------------------------------------------------- subscriptions writer


def write_feeds(records: Sequence[Record], title: str | None = None, feed_base: str | None = None) -> str:
    """Feed subscriptions as OPML 2.0: one `type="rss"` outline per distinct derivable feed,
    in the folder of the record's top heading (`collection[1]`) where it first occurs.
    RSSHub-style routes are only used when `feed_base` (the instance URL) is given."""
    from refexport.feeds import Feed, derive_feed

    folders: dict[str | None, list[Feed]] = {}
    seen: set[str] = set()
    for record in records:
        feed = derive_feed(record.url, feed_base) if record.url else None
        if feed is None or feed.xml_url in seen:
            continue
        seen.add(feed.xml_url)
        folder = record.collection[1] if len(record.collection) > 1 else None
        folders.setdefault(folder, []).append(feed)
    body: list[str] = []
    for folder, feeds in folders.items():
        depth = 2
        if folder is not None:
            body.append(_outline(2, _folder_attributes(folder)[:2], close=False))
            depth = 3
        for feed in feeds:
            text = visible(feed.title) or feed.xml_url
            attributes = [("type", "rss"), ("text", text), ("title", text), ("xmlUrl", feed.xml_url)]
            attributes.append(("htmlUrl", feed.html_url))
            body.append(_outline(depth, attributes, close=True))
        if folder is not None:
            body.append("    </outline>")
    if not body:
        body.append(_outline(2, [("text", NO_FEEDS_TEXT), ("title", NO_FEEDS_TEXT)], close=True))
    return _document(title if title is not None else _default_title(records), None, body, False)


# ---------------------------------------------------------------- reader


@dataclass(slots=True)
class _Element:
    name: str
    attributes: dict[str, str]
    line: int | None
    children: list[_Element] = field(default_factory=list)
    text: str = ""


class _TreeBuilder(ContentHandler):
    """Keeps elements with their line numbers (ElementTree drops them); text only for <title>."""

    def __init__(self) -> None:
        super().__init__()
        self.root: _Element | None = None
        self.root_closed = False
        self._stack: list[_Element] = []
        self._locator: Locator | None = None

    def setDocumentLocator(self, locator: Locator) -> None:  # noqa: N802 (SAX API name)
        self._locator = locator

    def startElement(self, name: str, attrs: AttributesImpl) -> None:  # noqa: N802
        line = self._locator.getLineNumber() if self._locator else None
        element = _Element(name, dict(attrs.items()), line)
        if self._stack:
            self._stack[-1].children.append(element)
        else:
            self.root = element
        self._stack.append(element)

    def endElement(self, name: str) -> None:  # noqa: N802
        self._stack.pop()
        self.root_closed = not self._stack

    def characters(self, content: str) -> None:
        if self._stack and self._stack[-1].name == "title":
            self._stack[-1].text += content


def _as_utf8(data: bytes, name: str) -> bytes:
    """expat reads only UTF-8/16, ASCII and single-byte encodings; transcode everything else
    that the XML declaration names (GBK, Shift_JIS, ...) with Python's codecs. The declaration
    stays on line 1, so line numbers do not move."""
    match = _DECLARED_ENCODING.match(data)
    if match is None:
        return data
    declared = match.group(1).decode("ascii")
    if declared.lower() in _EXPAT_ENCODINGS:
        return data
    try:
        text = data.decode(declared)
    except LookupError:
        raise InputError(name, 1, f"unknown encoding {declared!r} in the XML declaration") from None
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(name, line, f"not valid {declared} text: {error.reason}") from None
    before = data[: match.start(1)].decode("ascii")
    if not text.startswith(before + declared):
        raise InputError(name, 1, f"the XML declaration is not readable as {declared}")
    return (before + "UTF-8" + text[len(before) + len(declared) :]).encode("utf-8")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _parse(data: bytes, name: str) -> tuple[_Element, list[Problem]]:
    from xml.sax import SAXParseException

    import defusedxml.sax
    from defusedxml import DefusedXmlException

    builder = _TreeBuilder()
    parser = defusedxml.sax.make_parser()
    parser.forbid_dtd = True  # type: ignore[attr-defined]
    parser.setContentHandler(builder)
    source = InputSource(name)
    source.setByteStream(io.BytesIO(_as_utf8(data, name)))
    problems: list[Problem] = []
    try:
        parser.parse(source)
    except DefusedXmlException as error:
        raise InputError(
            name, None, f"refused: XML with a DTD, entity declarations or external references ({error})"
        ) from None
    except SAXParseException as error:
        line, message = error.getLineNumber(), error.getMessage()
        # Trailing junk after a complete document (a Feedly export ends with a second
        # `</opml>`): everything is read already, so keep it and report the junk.
        if builder.root is not None and builder.root_closed:
            problems.append(Problem(name, line, "ignored text after the end of the document (</opml>)"))
        else:
            hint = "" if _is_utf8(data) else " (the file is not UTF-8 and declares no other encoding)"
            raise InputError(name, line, f"not well-formed XML: {message}{hint}") from None
    except ValueError as error:  # expat refusing an encoding, e.g. a BOM contradicting the declaration
        raise InputError(name, 1, f"unreadable XML: {error}") from None
    root = builder.root
    if root is None:
        raise InputError(name, None, "empty document, not OPML")
    if root.name != "opml":
        raise InputError(name, root.line, f"not OPML: the root element is <{root.name}>, not <opml>")
    return root, problems


def _own_prefix(root: _Element) -> str | None:
    """The prefix the root binds to refexport's namespace: the file is one of ours."""
    for attribute, value in root.attributes.items():
        if attribute.startswith("xmlns:") and value == NAMESPACE:
            return attribute[6:]
    return None


def _prefixed_names(prefix: str) -> dict[str, str]:
    """`{name: "<prefix>:<name>"}` for every attribute name of ours a record outline can have."""
    exact_fields = [*_SCALAR_FIELDS, *_NATIVE_FIELDS]  # the ones with a `-json` stash
    structured = ["authors", "tags", "also-in", "source", "extra"]
    names = [*exact_fields, *(f"{name}-json" for name in exact_fields), *_DATE_FIELDS, *structured]
    return {name: f"{prefix}:{name}" for name in names}


# Cached: records of one post share their dates. PartialDate is immutable, so sharing is safe.
_parse_date = lru_cache(maxsize=4096)(PartialDate.parse)


class _Reader:
    def __init__(self, name: str, prefix: str | None, head_title: str | None) -> None:
        self.name = name
        self.prefix = prefix
        self.records: list[Record] = []
        self.problems: list[Problem] = []
        self._by_identity: dict[str, Record] = {}
        # Our files write the whole collection as folders; foreign ones start at the head title.
        self.root_path = [] if prefix is not None or not head_title else [head_title]
        # `<prefix>:<name>` for each of our attribute names, spelled out once per file.
        self._own_names = _prefixed_names(prefix) if prefix is not None else {}

    def walk(self, outlines: list[_Element], path: list[str]) -> None:
        for outline in outlines:
            if outline.name != "outline":
                continue
            attributes = outline.attributes
            if self.prefix is not None and f"{self.prefix}:id" in attributes:
                self._add_own(outline, path)
                continue
            self._add_foreign(outline, path)
            children = [child for child in outline.children if child.name == "outline"]
            if children:
                folder = self._folder_name(attributes)
                self.walk(children, [*path, folder] if folder is not None else path)

    def _folder_name(self, attributes: dict[str, str]) -> str | None:
        if self.prefix is not None and (stash := attributes.get(f"{self.prefix}:name-json")) is not None:
            try:
                return str(json.loads(stash))
            except ValueError:
                pass
        name = attributes.get("title") or attributes.get("text")
        return name if name else None

    def _add_own(self, outline: _Element, path: list[str]) -> None:
        try:
            record = self._own_record(outline.attributes, path)
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            self.problems.append(Problem(self.name, outline.line, f"outline skipped: {error}"))
            return
        self.records.append(record)

    def _own_record(self, attributes: dict[str, str], path: list[str]) -> Record:
        names = self._own_names

        def scalar(field_name: str, attribute: str) -> Any:
            stash_name = names[f"{field_name}-json"]
            stash = attributes.get(stash_name)
            if stash is not None:
                value = json.loads(stash)
                if value is not None and not isinstance(value, str):
                    raise ValueError(f"{stash_name} is not a string")
                return value
            return attributes.get(attribute)

        def structured(field_name: str, kind: type) -> Any:
            stash = attributes.get(names[field_name])
            if stash is None:
                return kind()
            value = json.loads(stash)
            if not isinstance(value, kind):
                raise ValueError(f"{names[field_name]} is not a JSON {kind.__name__}")
            return value

        def date(field_name: str) -> PartialDate | None:
            text = attributes.get(names[field_name])
            return _parse_date(text) if text is not None else None

        record_type = scalar("type", names["type"])
        record = Record(
            id=scalar("id", names["id"]) or "",
            key=scalar("key", names["key"]) or "",
            type=DEFAULT_TYPE if record_type is None else record_type,
            title=scalar("title", "title"),
            url=scalar("url", "url"),
            authors=[Name.from_dict(author) for author in structured("authors", list)],
            container=scalar("container", names["container"]),
            publisher=scalar("publisher", names["publisher"]),
            language=scalar("language", names["language"]),
            issued=date("issued"),
            accessed=date("accessed"),
            note=scalar("note", "_note"),
            tags=[str(tag) for tag in structured("tags", list)],
            collection=[*self.root_path, *path],
            also_in=[[str(part) for part in path] for path in structured("also-in", list)],
            source=[Source.from_dict(source) for source in structured("source", list)],
            extra=structured("extra", dict),
        )
        # Native attributes that are not the record's own (a foreign file's `xmlUrl`, ...).
        derived = _derived_attributes(record)
        for attribute, value in attributes.items():
            if ":" in attribute or attribute.startswith("xmlns") or attribute in _NATIVE_ATTRIBUTES:
                continue
            if attribute not in derived or derived[attribute] != value:
                record.extra[f"opml:{attribute}"] = value
        return record

    def _add_foreign(self, outline: _Element, path: list[str]) -> str | None:
        """A record for an outline with a URL (merged into an earlier one with the same URL)."""
        attributes = outline.attributes
        by_lower = {attribute.lower(): attribute for attribute in attributes}
        xml_url = attributes.get(by_lower.get("xmlurl", ""), "").strip()
        html_url = attributes.get(by_lower.get("htmlurl", ""), "").strip()
        link_url = attributes.get("url", "").strip()
        if xml_url:
            url, consumed = html_url or xml_url, set()
        elif link_url:
            url, consumed = link_url, {"url"}
        elif html_url and not any(child.name == "outline" for child in outline.children):
            url, consumed = html_url, set()
        else:
            return None
        collection = [*self.root_path, *path]
        # A feed is its xmlUrl: several feeds of one site share the htmlUrl.
        identity = xml_url or url
        earlier = self._by_identity.get(identity)
        if earlier is not None:
            if collection != earlier.collection and collection not in earlier.also_in:
                earlier.also_in.append(collection)
            earlier.source.append(Source(self.name, outline.line, url))
            return url
        title = attributes.get("title") or attributes.get("text") or None
        category = attributes.get("category")
        record = Record(
            id=record_id(url),
            title=title,
            url=url,
            language=attributes.get("language") or None,
            note=attributes.get("_note"),
            tags=[tag.strip() for tag in category.split(",") if tag.strip()] if category else [],
            collection=collection,
            source=[Source(self.name, outline.line, url)],
        )
        consumed |= {"title", "_note"} | ({"language"} if record.language else set())
        derived = _derived_attributes(record)
        for attribute, value in attributes.items():
            if attribute not in consumed and not (attribute in derived and derived[attribute] == value):
                record.extra[f"opml:{attribute}"] = value
        self._by_identity[identity] = record
        self.records.append(record)
        return url


def read(data: bytes, name: str) -> ReadResult:
    """Read an OPML document (ours exactly, anybody's as well as the model allows).
    A document that is not well-formed, unsafe or not OPML raises `InputError`; an outline of
    ours whose stashed fields are damaged becomes a `Problem` and is skipped."""
    root, problems = _parse(data, name)
    head = next((child for child in root.children if child.name == "head"), None)
    title_element = next((child for child in head.children if child.name == "title"), None) if head else None
    head_title = title_element.text.strip() or None if title_element is not None else None
    body = next((child for child in root.children if child.name == "body"), None)
    if body is None:
        raise InputError(name, root.line, "not OPML: there is no <body>")
    reader = _Reader(name, _own_prefix(root), head_title)
    try:
        reader.walk(body.children, [])
    except RecursionError:
        raise InputError(name, None, "outlines are nested too deeply to read") from None
    return ReadResult(records=reader.records, problems=problems + reader.problems, title=head_title)
