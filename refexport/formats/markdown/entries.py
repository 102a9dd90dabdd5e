"""The entries of one leaf block: every http/https/ftp link and bare URL with the title and the
description tail the block gives it (rules of issue 8, parts 2 and 3).

* Title of a link: its text, inline markup reduced to text (code spans kept, images dropped).
  A placeholder text (`pdf`, `code`, `[1]`, `链接` …, data/placeholder-link-texts.txt) gives way
  to the line's earlier real link title, else its leading bold text, else its leading text.
* A bare URL, an autolink or a link whose text is its URL takes the name written before it on
  its line (`* Airbnb https://…`) when the URL ends the line or a description follows it.
* Note: the description after the link on its line, after ` - `, ` — `, ` – `, `: `, `：` or
  `，` (in list items also after nothing but a space when the item starts with the link).
* Links whose content is only images (badges) and images themselves are not entries.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate

from refexport.formats.markdown.tokens import (
    BREAK,
    CELL_LEAF,
    CODE,
    HEADING_LEAF,
    HTML_LEAF,
    IMAGE_CLOSE,
    IMAGE_OPEN,
    LINK_CLOSE,
    LINK_OPEN,
    PARAGRAPH_LEAF,
    STRONG_CLOSE,
    STRONG_OPEN,
    TEXT,
    Leaf,
    Token,
)

# A URL starts with one of the record schemes, not glued to a longer scheme (`sftp://`,
# `git+https://`, the mangled `h1ttps://`); a glued enumerator (`1.http://…`) is no scheme.
URL_START = re.compile(r"(?:(?<![A-Za-z0-9+.\-])|(?<=[0-9]\.))(?:https?|ftp)://", re.IGNORECASE)
RECORD_SCHEME = re.compile(r"(?:https?|ftp)://", re.IGNORECASE)
# Bare URL body (notes rule 7): stops at whitespace (ideographic space included), `<`, `>`,
# `"`, a backtick, curly quotes, the ellipsis, full-width punctuation and any CJK character.
# The CJK stops are checked in Python, not in the regex: a character class with the CJK
# ranges takes 10-14 ms to compile, on every start-up.
_URL_RUN = re.compile(r"(?:https?|ftp)://[^\s<>\"`]*", re.IGNORECASE)
_CJK_STOP = (
    (0x2018, 0x201D), (0x2026, 0x2026), (0x2E80, 0x9FFF), (0xA000, 0xA4CF), (0xAC00, 0xD7AF),
    (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0x20000, 0x2FFFF),
)  # fmt: skip
_TRAILING_PUNCTUATION = ".,;:!'\"*"
_CLOSING = {")": "(", "]": "["}  # a closing bracket and its opener

# The separator between an entry and its description (checked on the text right after it).
_SEPARATOR = re.compile(r"^(?:\s+[-—–]{1,2}\s+|\s*[-—–]{1,2}\s+|\s*[:：，]\s*|\.\s+)")
_DASH = re.compile(r"\s[-—–]{1,2}\s")
_REMARK = re.compile(r"\([^()]*\)|（[^（）]*）|\[[^\[\]]*\]")
_PLAIN_TAIL = re.compile(r"^\s+(?=\w)")
# A role with a qualifier: `Paper-CVPR14`, `Paper-arXiv`, `code (official)`; not a name such
# as `pdf_oxide`, `pdf-lib` or `html-to-markdown-rs` (the qualifier has a capital or a digit).
_QUALIFIED = re.compile(
    r"^([A-Za-z]+)(?:-(?=[A-Za-z0-9.]*[A-Z0-9])[A-Za-z0-9.]{1,15}|\s*[(（][^()（）]{1,30}[)）])$"
)
_SHORTCODES = re.compile(r"^(?:\s*:[a-z0-9_+-]+:)+|(?::[a-z0-9_+-]+:\s*)+$")  # `:star:` markers
_MAX_TAIL = 4000
_NUMBERED = re.compile(r"^\[?\(?\d{1,4}\)?\]?$")
_EDGE_DECORATION = " \t\u3000-—–*•·:：,，;；|[(（【「《"
_END_DECORATION = " \t\u3000-—–*•·:：,，;；|[(（【「"
_LABEL_END = ("：", ":")


@dataclass(slots=True)
class Entry:
    url: str
    line: int
    title: str | None
    note: str | None
    bare: bool  # no link text: a bare URL or an autolink
    alone: bool  # the only entry of its block, with nothing but decoration around it


@dataclass(slots=True)
class _Piece:
    """Text, a line break, or an entry (with its link text) inside a leaf."""

    text: str
    line: int = 0
    entry: Entry | None = None
    is_break: bool = False
    hard: bool = False
    strong: bool = False
    glued: bool = False  # an entry whose URL text touches the text before it
    placeholder: bool = False
    link: bool = False  # an entry written as a link (not a bare URL in text)


def leaf_entries(leaf: Leaf, placeholders: frozenset[str]) -> list[Entry]:
    tokens = leaf.tokens
    if len(tokens) == 1 and tokens[0].kind == TEXT:  # the blog's usual block: a URL alone
        text = tokens[0].text
        if URL_START.match(text) and _bare_url(text, 0) == text and strip_trailing(text) == text:
            return [Entry(text, tokens[0].line, None, None, True, False)]
    pieces = _pieces(leaf.tokens, placeholders)
    entries: list[Entry] = []
    segment: list[_Piece] = []
    describes = leaf.kind not in (CELL_LEAF, HEADING_LEAF)
    plain_tails = leaf.in_item or leaf.kind == HTML_LEAF
    for index, piece in enumerate(pieces):
        if not piece.is_break:
            segment.append(piece)
        if piece.is_break or index == len(pieces) - 1:
            has_entry = any(piece.entry is not None for piece in segment)
            continuation = _continuation(pieces, index) if describes and has_entry else ""
            entries.extend(_segment_entries(segment, continuation, describes, plain_tails))
            segment = []
    if len(entries) == 1 and leaf.kind == PARAGRAPH_LEAF:
        entry = entries[0]
        linked = any(piece.link for piece in pieces)
        entry.alone = (linked or not entry.bare) and _alone(pieces)
    return entries


def text_of(tokens: list[Token], drop_anchors: bool = False) -> str:
    """The reduced text of inline tokens: text and code, no images, line breaks as spaces.
    `drop_anchors`: leave out the text of in-page links (`[TOC](#toc)`) unless nothing else
    is left. Whitespace is kept as written (a title may hold `&#10;`), but where an image was
    left out, the spaces on its two sides become one."""
    parts: list[str] = []
    anchor_parts: list[str] = []
    images = 0
    anchors = 0
    dropped = False  # an image was just left out
    for token in tokens:
        kind = token.kind
        if kind == IMAGE_OPEN:
            images += 1
            dropped = True
        elif kind == IMAGE_CLOSE:
            images = max(0, images - 1)
        elif kind == LINK_OPEN and drop_anchors and not RECORD_SCHEME.match(token.text):
            anchors += 1
        elif kind == LINK_CLOSE and anchors:
            anchors -= 1
        elif kind in (TEXT, CODE) and not images:
            target = anchor_parts if anchors else parts
            text = token.text
            if dropped and target and target[-1][-1:] == " ":
                text = text.lstrip(" ")
            target.append(text)
            dropped = False
        elif kind == BREAK:
            parts.append(" ")
    text = "".join(parts).strip()
    return text or "".join(anchor_parts).strip()


def _pieces(tokens: list[Token], placeholders: frozenset[str]) -> list[_Piece]:
    pieces: list[_Piece] = []
    index = 0
    strong = 0
    while index < len(tokens):
        token = tokens[index]
        kind = token.kind
        if kind == LINK_OPEN:
            end = _closing(tokens, index)
            pieces.append(_link_piece(token, tokens[index + 1 : end], placeholders))
            index = end + 1
            continue
        if kind == IMAGE_OPEN:
            index = _closing(tokens, index) + 1
            continue
        if kind == STRONG_OPEN:
            strong += 1
        elif kind == STRONG_CLOSE:
            strong = max(0, strong - 1)
        elif kind == BREAK:
            pieces.append(_Piece("", token.line, is_break=True, hard=token.extra == "hard"))
        elif kind == CODE:
            pieces.append(_Piece(token.text, token.line, strong=strong > 0))
        elif kind == TEXT:
            _text_pieces(token, strong > 0, pieces)
        index += 1
    return pieces


def _closing(tokens: list[Token], start: int) -> int:
    """Index of the token closing the link or image opened at `start` (or the last token)."""
    opening = tokens[start].kind
    closing = LINK_CLOSE if opening == LINK_OPEN else IMAGE_CLOSE
    depth = 0
    for index in range(start, len(tokens)):
        if tokens[index].kind == opening:
            depth += 1
        elif tokens[index].kind == closing:
            depth -= 1
            if depth == 0:
                return index
    return len(tokens) - 1


def _link_piece(opening: Token, inner: list[Token], placeholders: frozenset[str]) -> _Piece:
    text = text_of(inner)
    url = opening.text
    if not RECORD_SCHEME.match(url) or url[: url.index("://")].lower() not in ("http", "https", "ftp"):
        return _Piece(text, opening.line)  # a relative or in-page link: its text is text
    if not text and any(token.kind == IMAGE_OPEN for token in inner):
        return _Piece("", opening.line)  # a badge or an image-only link: not an entry
    bare = opening.extra == "Autolink" or text in ("", url)
    entry = Entry(url, opening.line, None if bare else text, None, bare, False)
    placeholder = not bare and _is_placeholder(text, placeholders)
    return _Piece(text or url, opening.line, entry, placeholder=placeholder, link=True)


def _text_pieces(token: Token, strong: bool, pieces: list[_Piece]) -> None:
    """Split a text token at its bare URLs (notes rule 7)."""
    text = token.text
    if "://" not in text:
        pieces.append(_Piece(text, token.line, strong=strong))
        return
    position = 0
    for start in URL_START.finditer(text):
        if start.start() < position:
            continue
        url = strip_trailing(_bare_url(text, start.start()))
        if len(url) <= len(start.group(0)):
            continue
        if start.start() > position:
            pieces.append(_Piece(text[position : start.start()], token.line, strong=strong))
        glued = start.start() > 0 and not text[start.start() - 1].isspace()
        entry = Entry(url, token.line, None, None, True, False)
        pieces.append(_Piece(url, token.line, entry, glued=glued))
        position = start.start() + len(url)
    if position < len(text):
        pieces.append(_Piece(text[position:], token.line, strong=strong))


def _bare_url(text: str, start: int) -> str:
    """The URL that starts at `start` (a scheme), up to the first stop character."""
    match = _URL_RUN.match(text, start)
    url = match.group(0) if match else ""
    if not url.isascii():
        for index, char in enumerate(url):
            code = ord(char)
            if code >= 0x2018 and any(low <= code <= high for low, high in _CJK_STOP):
                return url[:index]
    return url


def strip_trailing(url: str) -> str:
    """`url` without its trailing punctuation and unbalanced closing `)` or `]` (notes rule 7).
    The brackets are counted once and the count kept as they are stripped, and the URL is cut
    once: a URL followed by 100,000 `)` costs one pass, not one per `)`."""
    end = len(url)
    counts: dict[str, int] = {}  # "(" ")" "[" "]" in url[:end], counted when first needed
    while end:
        last = url[end - 1]
        if last in _CLOSING:
            if not counts:
                counts = {char: url.count(char, 0, end) for char in "()[]"}
            if counts[_CLOSING[last]] >= counts[last]:
                break  # balanced: part of the URL (`…/Foo_(bar)`)
            counts[last] -= 1
        elif last not in _TRAILING_PUNCTUATION:
            break
        end -= 1
    return url[:end] if end < len(url) else url


def _is_placeholder(text: str, placeholders: frozenset[str]) -> bool:
    """A role (`pdf`, `[Paper]`, `Paper-CVPR14`, `code (official)`) or a number (`[1]`)."""
    stripped = text.strip().strip("[]()（）【】<>《》").strip()
    core = stripped.casefold()
    if core in placeholders or _NUMBERED.match(core):
        return True
    qualified = _QUALIFIED.match(stripped) or _QUALIFIED.match(text.strip().strip("[]【】").strip())
    return qualified is not None and qualified.group(1).casefold() in placeholders


def _continuation(pieces: list[_Piece], index: int) -> str:
    """Lines after a line break that only continue the text (no entry, no hard break)."""
    if index >= len(pieces) or not pieces[index].is_break or pieces[index].hard:
        return ""
    parts: list[str] = [" "]
    size = 0
    for after in range(index + 1, len(pieces)):  # (no copy of the rest: once per line)
        piece = pieces[after]
        if piece.entry is not None or piece.hard:
            return ""
        parts.append(" " if piece.is_break else piece.text)
        size += len(piece.text)
        if size > _MAX_TAIL:
            break
    return "".join(parts)


def _segment_entries(
    segment: list[_Piece], continuation: str, describes: bool, plain_tails: bool
) -> list[Entry]:
    """The entries of one line of a block, titled and described."""
    positions = [i for i, piece in enumerate(segment) if piece.entry is not None]
    if not positions:
        return []
    line = _Line(segment)
    lead = _clean(line.text[: line.starts[positions[0]]])
    bold = _leading_bold(segment)
    found: list[Entry] = []
    previous_title: str | None = None  # the line's last real link title
    for n, index in enumerate(positions):
        piece = segment[index]
        entry = piece.entry
        assert entry is not None
        tail = line.tail(index) + continuation
        if piece.placeholder:
            entry.title = previous_title or bold or lead or entry.title
        elif not entry.bare:
            previous_title = entry.title
        elif describes and not piece.glued and index == positions[-1]:
            before = line.text[line.starts[positions[n - 1] + 1 if n else 0] : line.starts[index]]
            entry.title = _name_before(before, tail)
        if describes:
            entry.note = _entry_note(piece, tail, not lead, n == 0, in_item=plain_tails)
        found.append(entry)
    return found


class _Line:
    """The text of one line of a block (its pieces joined once) and where each piece starts
    in it, so that the text around each entry is one slice: a line of ten thousand links
    must not cost the square of its length."""

    __slots__ = ("starts", "text")

    def __init__(self, segment: list[_Piece]) -> None:
        self.text = "".join(piece.text for piece in segment)
        self.starts = list(accumulate((len(piece.text) for piece in segment), initial=0))

    def tail(self, index: int) -> str:
        """The text after the piece at `index`: whole pieces, up to the first that takes it
        past _MAX_TAIL characters."""
        start = self.starts[index + 1]
        end = self.starts[min(bisect_right(self.starts, start + _MAX_TAIL), len(self.starts) - 1)]
        return self.text[start:end]


def _entry_note(piece: _Piece, tail: str, entry_line: bool, first: bool, in_item: bool) -> str | None:
    """The description after an entry line (`[x](url) - desc`, `Name https://… - desc`): in a
    list item or HTML anywhere on the line, in a paragraph only on a line that starts with an
    entry (`[a], [b]: desc`) or names it. A bare URL in a sentence (`在http://…，下载…`) has none.
    `entry_line`: nothing but entries before this one on its line; `first`: the line's first."""
    entry = piece.entry
    assert entry is not None
    starts_line = entry_line and first
    if entry.bare and not entry.title and not starts_line:
        return None
    if not (in_item or entry_line or piece.placeholder or entry.bare):
        return None
    return _description(tail, plain=in_item and not entry.bare and starts_line)


def _leading_bold(segment: list[_Piece]) -> str:
    parts: list[str] = []
    for piece in segment:
        if piece.strong and piece.entry is None:
            parts.append(piece.text)
        elif parts or piece.text.strip(_EDGE_DECORATION):
            break
    return _clean("".join(parts))


def _clean(text: str) -> str:
    """Leading text as a title: decoration (bullets, emoji, separators, brackets) trimmed."""
    text = _SHORTCODES.sub("", " ".join(text.split()))
    start = 0
    while start < len(text) and (text[start] in _EDGE_DECORATION or _is_symbol(text[start])):
        start += 1
    text = text[start:].rstrip(_END_DECORATION)
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1].rstrip()
    return text


def _is_symbol(char: str) -> bool:
    """Emoji and other pictographs, and the invisible selectors that follow them."""
    return unicodedata.category(char) in ("So", "Sk", "Cf", "Mn") or char == "\ufe0f"


def _name_before(before: str, tail: str) -> str | None:
    """The name written before a bare URL (`* Airbnb https://…`), when the URL ends its line
    or a description follows; a label (`官网：`) or a sentence the URL continues is no name."""
    if before.rstrip().endswith(_LABEL_END) or not before[-1:].isspace():
        return None
    if tail.strip() and not _SEPARATOR.match(tail):
        return None
    name = _clean(before)
    if not name or len(name) > 80 or not any(char.isalpha() for char in name):
        return None
    return name


def _description(tail: str, plain: bool) -> str | None:
    match = _SEPARATOR.match(tail) or (_PLAIN_TAIL.match(tail) if plain else None)
    if match:
        start = match.end()
    else:  # a dash after a remark (`[x](url) `⚠` - desc`, `[x](url) ([Permalink](…)) - desc`)
        dash = _DASH.search(tail, 0, 120)
        if dash is None or any(char.isalnum() for char in _REMARK.sub("", tail[: dash.start()])):
            return None
        start = dash.end()
    note = tail[start:].strip()
    return note if any(char.isalnum() for char in note) else None


def _alone(pieces: list[_Piece]) -> bool:
    """Nothing but decoration or a short bracketed remark (`（英文）`) beside the block's entry."""
    rest = "".join(piece.text for piece in pieces if piece.entry is None and not piece.is_break)
    rest = rest.strip(_EDGE_DECORATION + "0123456789.、)）】]」》")
    return not rest or (len(rest) <= 12 and rest[0] in "(（[【")
