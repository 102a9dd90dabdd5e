"""HTML inside Markdown (raw HTML blocks and inline tags) through the standard library's
HTML parser, turned into the same inline tokens the Markdown events give: `<a href>` opens and
closes a link, `<img>` is an image (never a title), `<b>`/`<strong>` is bold, block tags and
`<br>` end a line, comments, scripts and styles are dropped. html.parser was measured fast
enough here: the 639 HTML-block lines of the blog corpus cost a few milliseconds."""

from __future__ import annotations

from html import unescape
from html.parser import HTMLParser

from refexport.formats.markdown.tokens import (
    BREAK,
    IMAGE_CLOSE,
    IMAGE_OPEN,
    LINK_CLOSE,
    LINK_OPEN,
    STRONG_CLOSE,
    STRONG_OPEN,
    TEXT,
    Token,
)

# Tags that start or end a line of text as a browser lays it out.
_LINE_TAGS_TEXT = (
    "address article aside blockquote br center dd details div dl dt figcaption figure footer h1 h2 h3 "
    "h4 h5 h6 header hr li main nav ol p pre section summary table tbody td tfoot th thead tr ul"
)
_LINE_TAGS = frozenset(_LINE_TAGS_TEXT.split())
_BOLD_TAGS = frozenset(("b", "strong"))
_SKIPPED_TAGS = frozenset(("script", "style", "template"))


class HtmlTokens(HTMLParser):
    """Feed HTML; the tokens accumulate in `tokens`. `line_base` + the parser's own line count
    gives the source line (HTML blocks); `fixed_line` overrides it (one inline tag at a time)."""

    def __init__(self, tokens: list[Token], line_base: int) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens = tokens
        self.line_base = line_base
        self.fixed_line: int | None = None
        self._anchors: list[bool] = []  # per open <a>: did it open a link token?
        self._skipping = 0

    def _line(self) -> int:
        if self.fixed_line is not None:
            return self.fixed_line
        return self.line_base + self.getpos()[0] - 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self._line()
        if tag == "a":
            href = next((value for name, value in attrs if name == "href" and value), None)
            if href is not None:
                self.tokens.append(Token(LINK_OPEN, href.strip(), line, "Html"))
            self._anchors.append(href is not None)
        elif tag == "img":
            self.tokens.append(Token(IMAGE_OPEN, "", line))
            self.tokens.append(Token(IMAGE_CLOSE, "", line))
        elif tag in _BOLD_TAGS:
            self.tokens.append(Token(STRONG_OPEN, "", line))
        elif tag in _LINE_TAGS:
            self.tokens.append(Token(BREAK, "", line, "hard"))
        elif tag in _SKIPPED_TAGS:
            self._skipping += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "a":
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        line = self._line()
        if tag == "a":
            if self._anchors and self._anchors.pop():
                self.tokens.append(Token(LINK_CLOSE, "", line))
        elif tag in _BOLD_TAGS:
            self.tokens.append(Token(STRONG_CLOSE, "", line))
        elif tag in _LINE_TAGS:
            self.tokens.append(Token(BREAK, "", line, "hard"))
        elif tag in _SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)

    def handle_data(self, data: str) -> None:
        if self._skipping:
            return
        # A newline inside an HTML block is a line of the source: keep the lines apart so a
        # URL's record names its own line.
        line = self._line()
        for offset, part in enumerate(data.split("\n")):
            if offset:
                self.tokens.append(Token(BREAK, "", line + offset, "soft"))
            if part:
                self.tokens.append(Token(TEXT, part, line + offset))

    def feed_tag(self, html: str) -> None:
        """Feed one inline tag (the parser's state carries over from the tags before it).
        Inside an element whose content is dropped (`<script>`, `<style>`), the parser holds
        back what it has not matched to the end tag; every inline tag is whole, so that holds
        no end tag and is let go: else every tag after an unclosed inline `<script>` made the
        parser search all the tags before it again."""
        if self.cdata_elem and self._skipping:
            self.rawdata = ""
        self.feed(html)

    def parse_marked_section(self, i: int, report: bool = True) -> int:
        """`<![…` outside SVG and MathML is a bogus comment up to the next `>` (HTML5), where
        Python's parser raises AssertionError for a keyword other than CDATA and the like."""
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            return self.parse_bogus_comment(i, report)

    def finish(self, text: str = "") -> None:
        """Flush buffered text, read `text` (which holds no markup) as text, and close the
        anchors left open."""
        self.close()
        if text:
            self.handle_data(unescape(text))
        for opened in reversed(self._anchors):
            if opened:
                self.tokens.append(Token(LINK_CLOSE, "", self._line()))
        self._anchors.clear()


def html_block_tokens(html: str, first_line: int) -> list[Token]:
    """The tokens of a raw HTML block that starts on `first_line`. What follows the block's
    last `>` cannot be a tag, a comment or a declaration: it is read as text, not given to
    html.parser, which searched the rest of the block for a `>` at each `<` there (a block
    of 100,000 unclosed `<a` took 20 s)."""
    tokens: list[Token] = []
    parser = HtmlTokens(tokens, first_line)
    end = html.rfind(">") + 1
    parser.feed(html[:end])
    parser.finish(html[end:])
    return tokens
