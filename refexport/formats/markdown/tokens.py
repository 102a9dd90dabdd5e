"""The reader's intermediate form: each leaf block of the post (paragraph, list item text,
heading, table cell, raw HTML block) as a flat list of inline tokens, and each source line's
kind. Built from the parser's events (`refexport.formats.markdown.events`); read by the rules
(`refexport.formats.markdown.entries`, `refexport.formats.markdown.layout`)."""

from __future__ import annotations

from dataclasses import dataclass, field

# Inline token kinds.
TEXT, CODE, BREAK, LINK_OPEN, LINK_CLOSE, IMAGE_OPEN, IMAGE_CLOSE, STRONG_OPEN, STRONG_CLOSE = range(9)

# Line kinds (one per source line).
BLANK, CODE_LINE, MATH, HEADING, RULE, DIRECTIVE, QUOTE, IMAGE, HTML, TABLE, LIST, PARA, DEFINITION = range(
    13
)

# Leaf block kinds.
PARAGRAPH_LEAF, HEADING_LEAF, CELL_LEAF, HTML_LEAF = range(4)


@dataclass(slots=True)
class Token:
    """`text`: the text (TEXT, CODE) or the destination (LINK_OPEN); `extra`: the link type
    (`Inline`, `Reference`, `Autolink`, `Html` …) or, for a BREAK, `soft`/`hard`."""

    kind: int
    text: str
    line: int  # 1-based line in the file
    extra: str = ""


@dataclass(slots=True)
class Leaf:
    kind: int
    first_line: int
    last_line: int
    tokens: list[Token] = field(default_factory=list)
    level: int = 0  # headings
    in_quote: bool = False
    in_item: bool = False


@dataclass(slots=True)
class Definition:
    """A link reference definition `[label]: url`."""

    label: str
    url: str
    line: int
