"""The OPML reader: any OPML document, ours exactly.

Parsed by defusedxml's expat reader (a DTD, entity declarations and external references are
refused: no billion laughs, no XXE), streaming: each outline is mapped as it is read
(`outline.record`), so memory follows the records, not the document tree. Folders give the
collection path, starting with the head title in a foreign file; our own files (the root
binds `NAMESPACE`) write the whole path as folders. A record of a foreign file was read at
its outline's line (`origin`); one of ours carries the origin it had in its stash, and an
outline with our stash attribute is a record even without an address (the stash is applied
to what its native attributes say). `type="include"` outlines point at another OPML file, which is not fetched:
each is reported as skipped (its children, if any, are read as a folder's). A repeated
address stays a repeated record here; the catalog merges records without a key that share
a URL, as it merges a Markdown catalog's.
"""

from __future__ import annotations

import io
import re
from xml.sax.handler import ContentHandler
from xml.sax.xmlreader import AttributesImpl, InputSource, Locator

from refexport import stash
from refexport.errors import InputError
from refexport.formats.opml.outline import NAMESPACE, STASH, kind_of, record
from refexport.model import Origin, Problem, ReadResult

# Deeper nesting is refused: every record copies its folder path.
MAX_DEPTH = 1000
# The XML declaration is ASCII: anything else before `encoding=` means there is none.
_DECLARED_ENCODING = re.compile(
    rb"""\A<\?xml[\t\n\r\x20-\x3d\x3f-\x7e]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']"""
)
# Encodings expat decodes itself; others are transcoded to UTF-8 first.
_EXPAT_ENCODINGS = {"utf-8", "utf_8", "utf8", "utf-16", "utf_16", "utf16"}


class _Outline:
    """An open `<outline>` element: whether it names a folder (for its children) and, for an
    `htmlUrl` outline, what makes it a record if it turns out to be a leaf."""

    __slots__ = ("has_children", "line", "named", "pending")

    def __init__(self, named: bool, line: int, pending: dict[str, str] | None) -> None:
        self.named = named  # its name is the last part of the open folder path
        self.line = line
        self.pending = pending
        self.has_children = False


class _Handler(ContentHandler):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.result = ReadResult()
        self.root_seen = False
        self.root_closed = False
        self.body_seen = False
        self._elements: list[str] = []  # names of the open elements
        self._outlines: list[_Outline] = []
        # The collection of a record here: the head title (in a foreign file), then the
        # names of the open outlines (nameless ones are skipped).
        self._collection: list[str] = []
        self._stash_name: str | None = None  # `<prefix>:stash` when the file is ours
        self._title: list[str] | None = None  # text of <head><title> while it is open
        self._locator: Locator | None = None

    def setDocumentLocator(self, locator: Locator) -> None:  # noqa: N802 (SAX API name)
        self._locator = locator

    def _line(self) -> int:
        return (self._locator.getLineNumber() or 0) if self._locator is not None else 0

    def startElement(self, name: str, attrs: AttributesImpl) -> None:  # noqa: N802
        elements = self._elements
        if name == "outline" and len(elements) >= 2 and elements[1] == "body":
            self._start_outline(dict(attrs.items()))
        elif not elements:
            self._start_root(name, attrs)
        elif len(elements) == 1 and name == "body":
            self.body_seen = True
            if self._stash_name is None and self.result.title:  # a foreign file: the head title first
                self._collection = [self.result.title]
        elif len(elements) == 2 and name == "title" and elements[1] == "head" and self._title is None:
            self._title = []
        elements.append(name)

    def _start_root(self, name: str, attrs: AttributesImpl) -> None:
        if name != "opml":
            raise InputError(self.name, self._line(), f"not OPML: the root element is <{name}>, not <opml>")
        self.root_seen = True
        for attribute, value in attrs.items():
            if attribute.startswith("xmlns:") and value == NAMESPACE:
                self._stash_name = f"{attribute[6:]}:{STASH}"

    def endElement(self, name: str) -> None:  # noqa: N802
        elements = self._elements
        elements.pop()
        if name == "outline" and len(elements) >= 2 and elements[1] == "body":
            self._end_outline()
        elif name == "title" and self._title is not None and len(elements) == 2:
            self.result.title = "".join(self._title).strip() or None
            self._title = None
        self.root_closed = not elements

    def characters(self, content: str) -> None:
        if self._title is not None:
            self._title.append(content)

    def _start_outline(self, attributes: dict[str, str]) -> None:
        line = self._line()
        if self._outlines:
            self._outlines[-1].has_children = True
        if len(self._outlines) >= MAX_DEPTH:
            raise InputError(self.name, line, f"outlines are nested more than {MAX_DEPTH} deep")
        delta = attributes.pop(self._stash_name, None) if self._stash_name is not None else None
        pending = None
        if delta is not None:  # a record of ours, whatever its attributes say
            kind, address = kind_of(attributes, leaf=True)
            self._add(attributes, "link" if kind == "include" else kind, address, line, delta)
        else:
            kind, address = kind_of(attributes, leaf=False)
            if kind == "include":
                where = attributes.get("url", "").strip() or "no url"
                self.result.problems.append(
                    Problem(
                        self.name, line, f"include outline skipped: its OPML file is not fetched ({where})"
                    )
                )
            elif kind is not None:
                self._add(attributes, kind, address, line, None)
            elif attributes.get("htmlUrl", "").strip():
                pending = attributes  # a record if it has no child outlines (else a folder)
        folder = attributes.get("title") or attributes.get("text")
        self._outlines.append(_Outline(bool(folder), line, pending))
        if folder:
            self._collection.append(folder)

    def _end_outline(self) -> None:
        closed = self._outlines.pop()
        if closed.named:
            self._collection.pop()
        if closed.pending is not None and not closed.has_children:
            kind, address = kind_of(closed.pending, leaf=True)
            self._add(closed.pending, kind, address, closed.line, None)

    def _add(
        self, attributes: dict[str, str], kind: str | None, address: str | None, line: int, delta: str | None
    ) -> None:
        """A record for the outline, in the open folders."""
        collection = list(self._collection)
        origin = None
        if self._stash_name is None:
            origin = Origin(self.name, line, attributes[address].strip() if address is not None else None)
        native = record(attributes, kind, address, collection, origin)
        if delta is None:
            self.result.records.append(native)
            return
        try:
            self.result.records.append(stash.apply(native, stash.decode(delta)))
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            self.result.problems.append(
                Problem(self.name, line, f"outline skipped: bad {STASH} attribute: {error}")
            )


def _as_utf8(data: bytes, name: str) -> bytes:
    """expat decodes UTF-8/16, ASCII and Latin-1 only: a document declaring another encoding
    (GBK, Shift_JIS, windows-1252 …) is decoded with Python's codecs and handed over as UTF-8.
    The declaration stays on line 1, so line numbers do not move."""
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


def read(data: bytes, name: str) -> ReadResult:
    """Read an OPML document. One that is not well-formed, unsafe or not OPML refuses the
    input (InputError with its line); an outline of ours whose stash is damaged, and an
    `include` outline, are reported and skipped."""
    from xml.sax import SAXParseException

    import defusedxml.sax
    from defusedxml import DefusedXmlException

    handler = _Handler(name)
    parser = defusedxml.sax.make_parser()
    parser.forbid_dtd = True
    parser.setContentHandler(handler)
    source = InputSource(name)
    source.setByteStream(io.BytesIO(_as_utf8(data, name)))
    try:
        parser.parse(source)
    except DefusedXmlException as error:
        raise InputError(
            name, None, f"refused: XML with a DTD, entity declarations or external references ({error})"
        ) from None
    except SAXParseException as error:
        line, message = error.getLineNumber(), error.getMessage()
        # Text after a complete document (a Feedly export ends with a second `</opml>`):
        # everything is read already, so keep it and report the junk.
        if not handler.root_closed:
            hint = "" if _is_utf8(data) else " (the file is not UTF-8 and declares no other encoding)"
            raise InputError(name, line, f"not well-formed XML: {message}{hint}") from None
        handler.result.problems.insert(
            0, Problem(name, line, "ignored text after the end of the document (</opml>)")
        )
    except ValueError as error:  # expat refusing an encoding, e.g. a BOM contradicting the declaration
        raise InputError(name, 1, f"unreadable XML: {error}") from None
    if not handler.root_seen:
        raise InputError(name, None, "empty document, not OPML")
    if not handler.body_seen:
        raise InputError(name, 1, "not OPML: there is no <body>")
    return handler.result
