"""CSL rich text ↔ the pandoc Markdown that CSL YAML strings are.

pandoc parses every string of a YAML bibliography as Markdown: `*i*`, `**b**`, `^sup^`,
`~sub~`, `[x]{.nocase}` and `[x]{.smallcaps}` are its forms of CSL's `<i>`, `<b>`,
`<sup>`, `<sub>`, `<span class="nocase">` and small caps; backslash escapes and HTML
entities stand for characters; runs of white space are one space, and a backslash at
the end of a line is a line break.

Hand-written, on purpose: the inline forms above are pandoc extensions (superscript,
subscript, bracketed spans) that the CommonMark parsers on PyPI do not read, and only
this small part of Markdown is needed. tests/test_csljson.py checks both directions
against pandoc itself.

`to_markdown` escapes only what pandoc would otherwise read as Markdown (or turn into
typography: quotes, dashes, ellipses); `from_markdown` reads pandoc's inline forms back.
Smart typography is not applied when reading: a straight quote stays straight.
"""

from __future__ import annotations

import html
import re
from array import array

from refexport.text.markup import TAG

# --- rich text → Markdown ------------------------------------------------------------------

_OPEN_MARK = {
    "<i>": ("*", "*"),
    "<b>": ("**", "**"),
    "<sup>": ("^", "^"),
    "<sub>": ("~", "~"),
    "<sc>": ("[", "]{.smallcaps}"),
    '<span class="nocase">': ("[", "]{.nocase}"),
}
_CLOSE_FOR = {"<i>": "</i>", "<b>": "</b>", "<sup>": "</sup>", "<sub>": "</sub>", "<sc>": "</sc>"}

# Characters that are Markdown wherever they stand (escaped piece by piece, between tags) …
_INLINE = re.compile(
    r"""[\\*`\[\]<^~$@'"]
    |_(?!(?<=[^\W_]_)[^\W_])            # `_` except inside a word (snake_case stays)
    |&(?=\#?\w+;)                       # what would read as an entity
    |(?<=-)-|(?<=\.)\.                  # smart dashes and ellipses
    """,
    re.VERBOSE,
)
# … and what is Markdown only at a line start or as white space (on the whole string).
_LINES = re.compile(
    r"""(?:^|(?<=\n))(?:\x20+|[>]|[#+\-](?=\x20|$|\n)|\d+(?=[.)](?:\x20|$|\n)))
    |\x20+(?=\n|$)|(?<=\x20)\x20+       # trailing and repeated spaces
    |[\t\r\f\v\n]
    """,
    re.VERBOSE,
)
_QUICK = re.compile(r"""[\\*`\[\]<^~$@'"_&\n\t\r\f\v>]|--|\.\.|^[\d#+\- ]|\s$|\s\s""")


def to_markdown(text: str) -> str:
    """`text` (CSL rich text) as pandoc Markdown that reads back as the same text."""
    if not _QUICK.search(text):
        return text
    tagged = "<" in text and TAG.search(text) is not None
    marked = "".join(_marked(text)) if tagged else _INLINE.sub(_backslash, text)
    return _LINES.sub(_line_escape, marked)


def _backslash(match: re.Match[str]) -> str:
    return "\\" + match.group()


def _line_escape(match: re.Match[str]) -> str:
    found = match.group()
    if found == "\n":
        text = match.string
        if text[match.end() :].strip() and text[: match.start()].strip():
            return "\\\n"  # a hard line break
        return "&#10;"  # pandoc drops breaks at the start or the end
    if found[0] == " ":
        return "&#32;" * len(found)
    if found in "\t\r\f\v":
        return f"&#{ord(found)};"
    if found[0].isdigit():
        return found + "\\"  # `1984. ` at a line start: the escape goes before the dot
    return "\\" + found


def _escape(text: str) -> str:
    return _INLINE.sub(_backslash, text) if text else text


def _marked(text: str) -> list[str]:
    """Tags that pair up become Markdown markers; the rest of the text is escaped."""
    pieces = TAG.split(text)
    tags = TAG.findall(text)
    closers = _pairs(tags)
    out = [_escape(pieces[0])]
    stack: list[str] = []
    for position, tag in enumerate(tags):
        if position in closers.values():
            out.append(stack.pop())
        elif position in closers:
            opening, closing = _OPEN_MARK.get(tag) or ("[", "]{.smallcaps}")
            if tag == "<i>" and _next_to_star(out, pieces[position + 1], tags[position + 1 :]):
                opening = closing = "_"  # `**_x_**`: `***x***` would read as bold-italic
            out.append(opening)
            stack.append(closing)
        else:
            out.append(_escape(tag))
        out.append(_escape(pieces[position + 1]))
    return out


def _next_to_star(out: list[str], text: str, following: list[str]) -> bool:
    return (bool(out) and out[-1].endswith("*")) or (not text and bool(following) and "b>" in following[0])


def _pairs(tags: list[str]) -> dict[int, int]:
    """Opening tag position → its closing tag position, for the tags that nest properly."""
    pairs: dict[int, int] = {}
    stack: list[tuple[int, str]] = []
    for position, tag in enumerate(tags):
        if not tag.startswith("</"):
            stack.append((position, tag))
            continue
        if stack and _closes(stack[-1][1], tag):
            opened, _ = stack.pop()
            pairs[opened] = position
    return pairs


def _closes(opening: str, closing: str) -> bool:
    return _CLOSE_FOR.get(opening, "</span>") == closing


# --- Markdown → rich text ------------------------------------------------------------------

_TOKEN = re.compile(
    r"""(?P<esc>\\[!-/:-@\[-`{-~])
    |(?P<hard>\\\n[ \t]*)
    |(?P<nbsp>\\\x20)
    |(?P<entity>&(?:\#[0-9]{1,7}|\#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});)
    |(?P<space>[ \t\n]+)
    |(?P<emph>\*+|_+)
    |(?P<sup>\^)
    |(?P<sub>~+)
    |(?P<open>\[)
    |(?P<close>\](?:\{[^}\n]*\}|\([^)\n]*\))?)
    |(?P<code>`+)
    |(?P<text>[^\\&\s*_^~\[\]`]+|.)
    """,
    re.VERBOSE | re.DOTALL,
)
_READ_QUICK = re.compile(r"[\\&*_^~\[\]`\n\t]|\s\s|^\s|\s$")


def from_markdown(text: str) -> str:
    """pandoc Markdown (one YAML string) as CSL rich text."""
    if not _READ_QUICK.search(text):
        return text
    return _Inline(text).render()


class _Delimiter:
    """A run of `*` or `_`: how much of it is left, and the tags it became."""

    __slots__ = ("can_close", "can_open", "char", "closing", "count", "index", "opening")

    def __init__(self, index: int, char: str, count: int, can_open: bool, can_close: bool) -> None:
        self.index, self.char, self.count = index, char, count
        self.can_open, self.can_close = can_open, can_close
        self.closing: list[str] = []  # tags before what is left of the run
        self.opening: list[str] = []  # tags after it

    def text(self) -> str:
        return "".join(self.closing) + self.char * self.count + "".join(self.opening)


class _Inline:
    """One pass over the tokens; emphasis by CommonMark's delimiter rules (which pandoc's
    Markdown follows for these cases), spans and scripts by pairing."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.out: list[str] = []
        self.delims: list[_Delimiter] = []
        self.brackets: list[int] = []

    def render(self) -> str:
        self.text = self.text.strip(" \t\n")
        tokens = _Tokens(self.text)
        position = 0
        while position < len(tokens):
            position = self._token(tokens, position)
        self._emphasis()
        for delim in self.delims:
            self.out[delim.index] = delim.text()
        return "".join(self.out)

    def _token(self, tokens: _Tokens, position: int) -> int:
        kind, found = tokens.kinds[position], tokens.group(position)
        if kind == "esc":
            self.out.append(found[1])
        elif kind == "hard":
            self.out.append("\n")
        elif kind == "nbsp":
            self.out.append("\u00a0")
        elif kind == "entity":
            self.out.append(html.unescape(found))
        elif kind == "space":
            self.out.append(" ")
        elif kind == "emph":
            self._delimiter(found, tokens.starts[position], tokens.ends[position])
        elif kind in ("sup", "sub"):
            return self._script(tokens, position)
        elif kind == "open":
            self.brackets.append(len(self.out))
            self.out.append("[")
        elif kind == "close":
            self._close(found)
        elif kind == "code":
            return self._code(tokens, position)
        else:
            self.out.append(found)
        return position + 1

    def _delimiter(self, found: str, start: int, end: int) -> None:
        before = self.text[start - 1] if start else " "
        after = self.text[end] if end < len(self.text) else " "
        left = not after.isspace() and (not _punct(after) or before.isspace() or _punct(before))
        right = not before.isspace() and (not _punct(before) or after.isspace() or _punct(after))
        if found[0] == "_":  # intraword underscores are text
            can_open = left and (not right or _punct(before))
            can_close = right and (not left or _punct(after))
        else:
            can_open, can_close = left, right
        self.delims.append(_Delimiter(len(self.out), found[0], len(found), can_open, can_close))
        self.out.append(found)

    def _emphasis(self) -> None:
        """CommonMark's "process emphasis" for `*` and `_` (`***x***` as pandoc reads it:
        bold around italic)."""
        delims = self.delims
        closer = 0
        while closer < len(delims):
            current = delims[closer]
            opener = self._opener(closer) if current.can_close and current.count else None
            if opener is None:
                closer += 1
                continue
            first = delims[opener]
            if first.count == current.count == 3 and not first.opening:
                used = 1
            else:
                used = 2 if first.count >= 2 and current.count >= 2 else 1
            tag = "b" if used == 2 else "i"
            first.count -= used
            current.count -= used
            first.opening.insert(0, f"<{tag}>")
            current.closing.append(f"</{tag}>")
            for between in delims[opener + 1 : closer]:
                between.can_open = between.can_close = False
            if not current.count:
                closer += 1

    def _opener(self, closer: int) -> int | None:
        current = self.delims[closer]
        for index in range(closer - 1, -1, -1):
            first = self.delims[index]
            if first.char != current.char or not first.can_open or not first.count:
                continue
            both = (first.can_open and first.can_close) or (current.can_open and current.can_close)
            total = first.count + current.count
            if both and total % 3 == 0 and not (first.count % 3 == 0 and current.count % 3 == 0):
                continue  # CommonMark's "multiple of 3" rule
            return index
        return None

    def _script(self, tokens: _Tokens, position: int) -> int:
        """`^sup^` and `~sub~`: no unescaped white space inside (pandoc's rule)."""
        char = tokens.group(position)
        if char not in ("^", "~"):
            self.out.append(char)
            return position + 1
        for end in range(position + 1, len(tokens)):
            if tokens.kinds[end] == "space":
                break
            if tokens.group(end) == char:
                if end == position + 1:
                    break
                tag = "sup" if char == "^" else "sub"
                inner = _Inline(self.text[tokens.ends[position] : tokens.starts[end]]).render()
                self.out.append(f"<{tag}>{inner}</{tag}>")
                return end + 1
        self.out.append(char)
        return position + 1

    def _close(self, found: str) -> None:
        if not self.brackets:
            self.out.append(found)
            return
        start = self.brackets.pop()
        if found == "]":
            self.out.append("]")
            return
        if found.startswith("]("):
            self.out[start] = ""  # a link: its text
            return
        classes = found[2:-1].split()
        if ".nocase" in classes:
            self.out[start], closing = '<span class="nocase">', "</span>"
        elif ".smallcaps" in classes:
            self.out[start], closing = '<span style="font-variant:small-caps;">', "</span>"
        else:
            self.out[start], closing = "", ""
        self.out.append(closing)

    def _code(self, tokens: _Tokens, position: int) -> int:
        fence = tokens.group(position)
        end = tokens.next_same(position)
        if end is not None:
            body = self.text[tokens.ends[position] : tokens.starts[end]]
            body = re.sub(r"[ \t\n]+", " ", body)
            if body.startswith(" ") and body.endswith(" ") and body.strip():
                body = body[1:-1]
            self.out.append(body)
            return end + 1
        self.out.append(fence)
        return position + 1


class _Tokens:
    """The tokens of a text as three flat columns (kind, start, end) rather than a list of
    match objects: a 5 MB note made 1.6 million of those, 586 MiB at once."""

    __slots__ = ("ends", "kinds", "starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.kinds: list[str] = []
        self.starts = array("q")
        self.ends = array("q")
        for match in _TOKEN.finditer(text):
            self.kinds.append(match.lastgroup or "text")
            self.starts.append(match.start())
            self.ends.append(match.end())

    def __len__(self) -> int:
        return len(self.kinds)

    def group(self, position: int) -> str:
        return self.text[self.starts[position] : self.ends[position]]

    def next_same(self, position: int) -> int | None:
        """The next token after `position` that is the same text (a code span's closing fence)."""
        found = self.group(position)
        return next((end for end in range(position + 1, len(self)) if self.group(end) == found), None)


def _punct(char: str) -> bool:
    return not char.isalnum() and not char.isspace()
