"""The CommonMark layer: the post body through pulldown-cmark (pyromark), turned into leaf
blocks of inline tokens, a kind for every source line, and the link reference definitions.

pyromark was chosen by measurement (bench/bench_markdown_parsers.py): it parses the 810-post
blog corpus in 0.11 s where markdown-it-pyrs needs 0.20 s, mistune 1.2 s and markdown-it-py
1.6 s, it gives every event (inline links included) a byte range, so `file:line` stays exact,
it implements CommonMark with the GFM tables, task lists, strikethrough and footnotes, and it
ships wheels for Linux, macOS and Windows."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate
from typing import TYPE_CHECKING, Any

from refexport.errors import Problem
from refexport.formats.markdown.entries import Entry, strip_trailing
from refexport.formats.markdown.tokens import (
    BLANK,
    BREAK,
    CELL_LEAF,
    CODE,
    CODE_LINE,
    DEFINITION,
    DIRECTIVE,
    HEADING,
    HEADING_LEAF,
    HTML,
    HTML_LEAF,
    IMAGE,
    IMAGE_CLOSE,
    IMAGE_OPEN,
    LINK_CLOSE,
    LINK_OPEN,
    LIST,
    MATH,
    PARA,
    PARAGRAPH_LEAF,
    QUOTE,
    RULE,
    STRONG_CLOSE,
    STRONG_OPEN,
    TABLE,
    TEXT,
    Definition,
    Leaf,
    Token,
)

if TYPE_CHECKING:
    from refexport.formats.markdown.html import HtmlTokens

_PARAGRAPH_START = {"Start": "Paragraph"}
_PARAGRAPH_END = {"End": "Paragraph"}
# A URL alone on its line whose characters cannot be markup: no escapes, code, emphasis
# (an `_` followed by a letter or digit can close nothing), entities, HTML, links, math.
# Possessive (`++`): a plain `+` over the group makes the regex engine keep a backtracking
# frame per character, ~130 bytes each (a 10 MB URL took 1.3 GB), and the URL's characters
# never match the trailing whitespace, so giving some back could not help a match.
_SCHEMES = (b"http", b"HTTP", b"ftp", b"FTP")
_PLAIN_URL_LINE = re.compile(rb"((?:https?|ftp)://(?:[^\s\\`*_&<>\[\]!~$]|_(?=[A-Za-z0-9]))++)[ \t]*\n?")
_LOOKS = re.compile(rb"^[ \t]*(!\[|\$\$|\* toc[ \t]*$|\{:)", re.MULTILINE)
_NO_LINES = (0, -1)  # an empty run of lines
_FENCE_CLOSE = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*$")
_FENCE_OPEN = re.compile(r"^[ \t>]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)*(`{3,}|~{3,})")


@dataclass(slots=True)
class Parsed:
    kinds: list[int]  # kind of line n at index n - 1
    leaves: list[Leaf] = field(default_factory=list)
    definitions: list[Definition] = field(default_factory=list)
    used_labels: set[str] = field(default_factory=set)
    plain_spans: list[tuple[int, int]] = field(default_factory=list)  # paragraphs without links
    url_lines: list[Entry] = field(default_factory=list)  # paragraphs that are a URL alone
    plain_lines: dict[int, int] = field(default_factory=dict)
    starts: list[int] = field(default_factory=list)  # byte offset of each body line
    first: int = 1  # the file line of body line 0

    def line(self, offset: int) -> int:
        """The file line of a byte offset in the body."""
        return bisect_right(self.starts, offset) - 1 + self.first

    def plain_paragraphs(self) -> dict[int, int]:
        """First line -> last line of the paragraphs that hold no link (made once, on demand)."""
        if len(self.plain_lines) != len(self.plain_spans):
            self.plain_lines = {
                self.line(start): self.line(max(start, end - 1)) for start, end in self.plain_spans
            }
        return self.plain_lines

    problems: list[Problem] = field(default_factory=list)


def _markdown() -> Any:
    import pyromark  # lazy: the CLI starts without it

    options = pyromark.Options
    return pyromark.Markdown(
        options=options.ENABLE_TABLES
        | options.ENABLE_STRIKETHROUGH
        | options.ENABLE_TASKLISTS
        | options.ENABLE_FOOTNOTES
        | options.ENABLE_MATH
        | options.ENABLE_HEADING_ATTRIBUTES
        | options.ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS  # Hugo's TOML front matter
    )


_PARSER: list[Any] = []


def parse(text: str, raw_lines: list[str], body_start: int, name: str) -> Parsed:
    """Parse the body of `text` (its lines `raw_lines`, the body from line index
    `body_start`); front-matter lines are CODE lines."""
    if not _PARSER:
        _PARSER.append(_markdown())
    body = "\n".join(raw_lines[body_start:]) if body_start else text  # (no second copy)
    walker = _Walker(raw_lines, body_start, name, body.encode("utf-8"))
    on_event = walker.event
    skipping = False  # mirrors walker.skipping: inline events of a block without links
    for event, span in _PARSER[0].events_with_range(body):
        # Paragraphs are half of all events and most hold no link: their events take the
        # short way (the reader's hot loop).
        if event.__class__ is dict:
            if event == _PARAGRAPH_START:
                skipping = walker.start_paragraph(span["start"], span["end"])
                continue
            if event == _PARAGRAPH_END:
                walker.close_leaf()
                skipping = False
                continue
            if skipping and "Text" in event:
                continue
        elif skipping and event != "Rule":
            continue  # a line break
        on_event(event, span["start"], span["end"])
        skipping = walker.skipping
    walker.close_leaf()
    if "]:" in body:
        walker.definitions(_PARSER[0].reference_definitions(body))
    return walker.parsed


class _Occurrences:
    """Whether `needle` occurs inside a range of `body`, for ranges asked in source order:
    the next occurrence after the last range's start is remembered, so the ranges of nested
    list items, each of which reaches to the end of its list, do not search the rest of the
    body once each (200,000 nested `- ` took 30 s); the whole body is searched about once."""

    __slots__ = ("body", "needle", "next", "start")

    def __init__(self, body: bytes, needle: bytes) -> None:
        self.body = body
        self.needle = needle
        self.start = 0
        self.next = self._find(0)  # the first occurrence at or after `start`

    def _find(self, start: int) -> int:
        found = self.body.find(self.needle, start)
        return len(self.body) if found < 0 else found

    def within(self, start: int, end: int) -> bool:
        if not self.start <= start <= self.next:
            self.start, self.next = start, self._find(start)
        return self.next + len(self.needle) <= end


class _Walker:
    """Consumes the events in order; keeps the open containers and the leaf being filled."""

    def __init__(self, raw_lines: list[str], body_start: int, name: str, body: bytes) -> None:
        self.raw = raw_lines
        self.name = name
        self.body = body
        self.first = body_start + 1  # the file line of body line 0
        kinds = [CODE_LINE] * body_start
        kinds.extend([PARA if line.strip() else BLANK for line in raw_lines[body_start:]])
        self.starts = list(accumulate(map((1).__add__, map(len, body.split(b"\n"))), initial=0))
        self.parsed = Parsed(kinds, starts=self.starts, first=self.first)
        # Lines whose look matters to the layout rules: images, `$$` math, kramdown directives.
        for match in _LOOKS.finditer(body):
            number = self.line(match.start())
            look = match.group(1)
            kinds[number - 1] = IMAGE if look == b"![" else MATH if look == b"$$" else DIRECTIVE
        # Inside a paragraph or list item whose source holds no `://` and no `]` there is no
        # link: its inline events are skipped (most of a post's text; the reader's hot path).
        self.skipping = False
        self.schemes = _Occurrences(body, b"://")
        self.brackets = _Occurrences(body, b"]")
        self.quotes = 0
        self.quoted = _NO_LINES  # first, last line of a run of QUOTE (or blank) lines
        self.items: list[int] = []  # first line of each open list item
        self.leaf: Leaf | None = None
        self.more_text: list[str] = []  # more text of the leaf's last token, not joined yet
        self.text_chunks: list[str] = []  # (and before it, in chunks of 1,024 pieces)
        self.html: HtmlTokens | None = None
        self.html_block: list[str] | None = None
        self.html_line = 0
        self.in_code = False

    def line(self, offset: int) -> int:
        return bisect_right(self.starts, offset) - 1 + self.first

    def mark(self, start: int, end: int, kind: int) -> None:
        if kind == QUOTE:
            self.mark_quoted(start, end, keep_directives=False)
            return
        kinds = self.parsed.kinds
        for number in range(self.line(start), self.line(max(start, end - 1)) + 1):
            if kinds[number - 1] != BLANK:
                kinds[number - 1] = kind

    def mark_text(self, start: int, end: int) -> None:
        """Lines of a paragraph or list item keep their look (`_look`), except in a quote and on
        a list item's first line."""
        kinds = self.parsed.kinds
        if self.quotes:
            self.mark_quoted(start, end, keep_directives=True)
        elif self.items and kinds[self.items[-1] - 1] not in (BLANK, DIRECTIVE):
            kinds[self.items[-1] - 1] = LIST

    def mark_quoted(self, start: int, end: int, keep_directives: bool) -> None:
        """The lines of a range in a block quote become QUOTE lines (not blank lines, and with
        `keep_directives` not kramdown directives). A nested quote or list item reaches to the
        end of its container, so the run of lines known to be QUOTE or blank already,
        `self.quoted`, is skipped: painting it again at every level made 12,500 nested `>`
        with as many lazy continuation lines take 7 s."""
        first, last = self.line(start), self.line(max(start, end - 1))
        low, high = self.quoted
        extends = low <= first <= high + 1
        kinds = self.parsed.kinds
        clean = last  # the painted lines up to here hold no directive
        for number in range(max(first, high + 1) if extends else first, last + 1):
            kind = kinds[number - 1]
            if kind == BLANK:
                continue
            if keep_directives and kind == DIRECTIVE:
                clean = min(clean, number - 1)
                continue
            kinds[number - 1] = QUOTE
        if extends:
            self.quoted = (low, max(high, clean))
        else:
            self.quoted = (first, clean) if clean >= first else _NO_LINES

    def start_paragraph(self, start: int, end: int) -> bool:
        """Open a paragraph's leaf; True when its inline events need not be walked."""
        if self.leaf is not None:
            self.close_leaf()
        if self.quotes or self.items:
            self.mark_text(start, end)
        body = self.body
        simple = _PLAIN_URL_LINE.fullmatch(body, start, end) if body.startswith(_SCHEMES, start) else None
        if simple is not None:
            # The blog's usual paragraph, a URL alone in characters that are no markup: its
            # one text event is known, the events need not be walked.
            url = str(memoryview(body)[simple.start(1) : simple.end(1)], "utf-8")  # (no copy of the bytes)
            if url == strip_trailing(url):
                self.parsed.url_lines.append(Entry(url, self.line(start), None, None, True, False))
                self.skipping = True
            else:
                self.open_leaf(PARAGRAPH_LEAF, start, end)
        elif not self.may_link(start, end):
            self.parsed.plain_spans.append((start, end))
            self.skipping = True
        else:
            self.leaf = Leaf(
                PARAGRAPH_LEAF, self.line(start), self.line(max(start, end - 1)),
                in_quote=self.quotes > 0, in_item=bool(self.items),
            )  # fmt: skip
            self.skipping = False
        return self.skipping

    def may_link(self, start: int, end: int) -> bool:
        """Does the source range hold a `://` or a `]`?"""
        return self.schemes.within(start, end) or self.brackets.within(start, end)

    def open_leaf(self, kind: int, start: int, end: int, level: int = 0, check: bool = True) -> None:
        self.close_leaf()
        if check and kind != HEADING_LEAF and not self.may_link(start, end):
            self.skipping = True
            if kind == PARAGRAPH_LEAF:
                self.parsed.plain_spans.append((start, end))
            return
        self.leaf = Leaf(
            kind, self.line(start), self.line(max(start, end - 1)), level=level,
            in_quote=self.quotes > 0, in_item=bool(self.items),
        )  # fmt: skip

    def close_leaf(self) -> None:
        if self.leaf is not None:
            if self.more_text:
                self.join_text()
            if self.leaf.tokens:
                self.parsed.leaves.append(self.leaf)
            self.leaf = None
            self.html = None
        self.skipping = False

    def token(self, kind: int, text: str, start: int, extra: str = "") -> None:
        if self.in_code or self.skipping:
            return
        if self.leaf is None:  # the text of a tight list item comes without a paragraph
            self.open_leaf(PARAGRAPH_LEAF, start, start + 1, check=False)
        assert self.leaf is not None
        line = self.line(start)
        tokens = self.leaf.tokens
        if kind == TEXT and tokens and tokens[-1].kind == TEXT and tokens[-1].line == line:
            more = self.more_text
            more.append(text)
            if len(more) > 1024:  # in chunks: not an object per character of a long line
                self.text_chunks.append("".join(more[:-1]))
                del more[:-1]
        else:
            if self.more_text:
                self.join_text()
            tokens.append(Token(kind, text, line, extra))
        self.leaf.last_line = max(self.leaf.last_line, line)

    def join_text(self) -> None:
        """Add the text gathered for the leaf's last token to it, in one join: appending each
        piece to the token's text copied the whole text each time (a line of 1,000,000 `[`,
        each its own text event, took 21 s)."""
        assert self.leaf is not None
        last = self.leaf.tokens[-1]
        last.text = "".join((last.text, *self.text_chunks, *self.more_text))
        self.text_chunks.clear()
        self.more_text.clear()

    def event(self, event: Any, start: int, end: int) -> None:
        if type(event) is str:
            if event == "Rule":
                self.close_leaf()
                self.mark(start, end, QUOTE if self.quotes else RULE)
            elif not self.skipping:  # SoftBreak, HardBreak
                self.token(BREAK, "", start, "soft" if event == "SoftBreak" else "hard")
            return
        ((key, value),) = event.items()
        if key == "Text":
            if not self.skipping:
                self.token(TEXT, value, start)
        elif key == "Start":
            self.start(value, start, end)
        elif key == "End":
            self.end(value, start, end)
        elif key == "Code":
            self.token(CODE, value, start)
        elif key == "InlineMath":
            self.token(CODE, f"${value}$", start)
        elif key == "DisplayMath":
            self.display_math(value, start, end)
        elif key == "InlineHtml":
            self.inline_html(value, start)
        elif key == "Html" and self.html_block is not None:
            self.html_block.append(value)

    def display_math(self, math: str, start: int, end: int) -> None:
        """`$$…$$` is never a record; its lines are math lines unless it is inside a line
        of text (a caption such as `为什么$$sin(x^2)$$的图像…`), where it stays text."""
        self.token(CODE, f"$${math}$$", start)
        first = self.line(start)
        starts_line = self.raw[first - 1].lstrip(" \t>").startswith("$$")
        last = self.line(max(start, end - 1))
        first_math = first if starts_line else first + 1
        for number in range(first_math, last + 1):
            self.parsed.kinds[number - 1] = MATH
        low, high = self.quoted
        if first_math <= min(high, last) and last >= low:  # math lines are no longer QUOTE lines
            self.quoted = (low, first_math - 1) if first_math > low else _NO_LINES

    def inline_html(self, html: str, start: int) -> None:
        if self.skipping or self.in_code:
            return
        if self.leaf is None:
            self.open_leaf(PARAGRAPH_LEAF, start, start + 1, check=False)
        assert self.leaf is not None
        if self.more_text:
            self.join_text()  # the HTML parser appends its tokens to the leaf's
        if self.html is None:
            from refexport.formats.markdown.html import HtmlTokens  # lazy: most posts have no HTML

            self.html = HtmlTokens(self.leaf.tokens, 0)
        self.html.fixed_line = self.line(start)
        self.html.feed_tag(html)

    def start(self, tag: Any, start: int, end: int) -> None:
        if type(tag) is str:
            self.start_plain(tag, start, end)
            return
        ((key, value),) = tag.items()
        if key in ("Link", "Image"):
            if value["id"]:
                self.parsed.used_labels.add(label_key(value["id"]))
            if key == "Link":
                self.token(LINK_OPEN, value["dest_url"], start, str(value["link_type"]))
            else:
                self.token(IMAGE_OPEN, value["dest_url"], start)
            return
        self.close_leaf()
        if key == "Heading":
            self.mark(start, end, QUOTE if self.quotes else HEADING)
            self.open_leaf(HEADING_LEAF, start, end, int(value["level"][1]))
        elif key == "BlockQuote":
            self.quotes += 1
            self.mark(start, end, QUOTE)  # also the lines of a quote that hold only `>`
        elif key in ("CodeBlock", "MetadataBlock"):
            self.mark(start, end, QUOTE if self.quotes else CODE_LINE)
            self.in_code = True
            if key == "CodeBlock" and value != "Indented":
                self.check_fence(start, end)
        elif key == "Table":
            self.mark(start, end, QUOTE if self.quotes else TABLE)

    def start_plain(self, tag: str, start: int, end: int) -> None:
        if tag == "Strong":
            self.token(STRONG_OPEN, "", start)
        elif tag in ("Emphasis", "Strikethrough", "Superscript", "Subscript"):
            return
        elif tag == "Paragraph":
            self.skipping = self.start_paragraph(start, end)
        elif tag == "Item":
            self.close_leaf()
            self.items.append(self.line(start))
            self.mark_text(start, end)
            self.skipping = not self.may_link(start, end)
        elif tag == "TableCell":
            self.open_leaf(CELL_LEAF, start, end)
        elif tag == "HtmlBlock":
            self.close_leaf()
            self.mark(start, end, QUOTE if self.quotes else HTML)
            self.html_block = []
            self.html_line = self.line(start)
        else:
            self.close_leaf()

    def end(self, tag: Any, start: int, end: int) -> None:
        if tag == "Link":
            self.token(LINK_CLOSE, "", max(start, end - 1))
        elif tag == "Image":
            self.token(IMAGE_CLOSE, "", max(start, end - 1))
        elif tag == "Strong":
            self.token(STRONG_CLOSE, "", max(start, end - 1))
        elif tag in ("Emphasis", "Strikethrough", "Superscript", "Subscript"):
            return
        elif tag == "CodeBlock" or (type(tag) is dict and "MetadataBlock" in tag):
            self.in_code = False
        elif tag == "HtmlBlock":
            self.end_html_block()
        elif tag == "Item":
            self.close_leaf()
            self.items.pop()
        elif type(tag) is dict and "BlockQuote" in tag:
            self.close_leaf()
            self.quotes -= 1
            if not self.quotes:
                self.quoted = _NO_LINES
        else:
            self.close_leaf()

    def end_html_block(self) -> None:
        html = "".join(self.html_block or ())
        self.html_block = None
        if "://" not in html:
            return
        leaf = Leaf(HTML_LEAF, self.html_line, self.html_line + html.count("\n"), in_quote=self.quotes > 0)
        from refexport.formats.markdown.html import html_block_tokens  # lazy: most posts have no HTML

        leaf.tokens = html_block_tokens(html, self.html_line)
        self.parsed.leaves.append(leaf)

    def check_fence(self, start: int, end: int) -> None:
        """A fence that runs to the end of the post without a closing fence was never closed."""
        first, last = self.line(start), self.line(max(start, end - 1))
        raw = self.raw
        if any(raw[index].strip() for index in range(last, len(raw))):  # (not a copy of the rest)
            return  # something follows: a closing fence or the end of its container ended it
        opening = _FENCE_OPEN.match(self.raw[first - 1])
        closing = _FENCE_CLOSE.match(self.raw[last - 1].lstrip(" \t>")) if last > first else None
        if (
            opening
            and closing
            and closing.group(1)[0] == opening.group(1)[0]
            and len(closing.group(1)) >= len(opening.group(1))
        ):
            return
        message = "code fence is never closed; the URLs after it were skipped"
        self.parsed.problems.append(Problem(self.name, first, message))

    def definitions(self, found: dict[str, Any]) -> None:
        for label, definition in found.items():
            line = self.line(definition["span"]["start"])
            self.parsed.definitions.append(Definition(label, definition["dest"], line))
            if self.parsed.kinds[line - 1] != QUOTE:
                self.mark(definition["span"]["start"], definition["span"]["end"], DEFINITION)


def plain_text(markdown: str) -> str:
    """The text of a piece of Markdown, markup reduced, whitespace collapsed."""
    if not _PARSER:
        _PARSER.append(_markdown())
    parts = []
    for event in _PARSER[0].events(markdown):
        if type(event) is dict and ("Text" in event or "Code" in event):
            parts.append(event.get("Text") or event.get("Code") or "")
        elif event in ("SoftBreak", "HardBreak"):
            parts.append(" ")
    return " ".join("".join(parts).split())


def label_key(label: str) -> str:
    """Link labels match case-insensitively, with inner whitespace collapsed (CommonMark)."""
    return " ".join(label.split()).casefold()
