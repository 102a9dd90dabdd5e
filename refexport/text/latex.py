"""LaTeX text (as BibTeX fields hold it) ↔ CSL rich text.

`to_csl` reads the LaTeX found in .bib files: accents and special letters become Unicode,
`--`/`---` en and em dashes, ``…'' curly quotes, `~` a no-break space, `\\emph`/`\\textit`
`<i>`, `\\textbf` `<b>`, `\\textsc` small caps, `\\textsuperscript`/`\\textsubscript` (and
`^`/`_` in simple math: `Cu$_2$O` → `Cu<sub>2</sub>O`) `<sup>`/`<sub>`, and a brace group
(case protection, `{DNA}`) a `<span class="nocase">`. What cannot be converted is kept as
written (`$\\mathbb{R}^n$`, an unknown `\\macro{…}`) and the value is reported *lossy*, so that
the caller can keep the LaTeX it read.

`from_csl` writes CSL rich text as LaTeX: the characters LaTeX or BibTeX would misread are
escaped (BBT's "minimal" mode: Unicode is kept), the formatting tags become the commands
above and nocase spans braces. `to_csl(from_csl(x)) == x` for every text without control
characters whose blanks are single spaces (a test checks it); `from_csl` says when it had
to write something else.

Hand-written rather than pylatexenc (bibtexparser's decoder): pylatexenc costs about 1.7 ms
per entry (measured on 10,000 entries, see the BibTeX notes), keeps reference cycles that
cost a long garbage-collection pause, and gives plain text, not CSL's formatting tags.
"""

from __future__ import annotations

import re
import unicodedata

from refexport.text.latex_tables import (
    ACCENTS,
    CHAR_COMMANDS,
    DECLARATIONS,
    MARKUP,
    MATH_SYMBOLS,
    PLAIN_ARGUMENT,
    SYMBOLS,
)

__all__ = ["from_csl", "from_plain", "to_csl", "to_plain"]


# --------------------------------------------------------------------------- reading

# A value without any of these is plain text already (the common case).
_SPECIAL = re.compile(r"[\\{}$~`\n\t]")
_TOKEN = re.compile(
    r"\\(?:[A-Za-z]+|.)?|[{}~]|\$\$?|---?|``|''|`|[ \t\r]*\n[ \t\r\n]*|[ \t\r]+"
    r"|[^\\{}$~`'\-\s]+(?:[ \t\r]+[^\\{}$~`'\-\s]+)*|['\-]|\s",
    re.DOTALL,
)
_BLANKS_WITH_NEWLINE = re.compile(r"[ \t\r]*\n[ \t\r\n]*")


def to_csl(value: str) -> tuple[str, bool]:
    """CSL rich text of a LaTeX value, and whether anything was lost or re-spelt on the way
    that `from_csl` would not write back (unknown commands, math, `\\url`, font families)."""
    return _read(value, markup=True)


def to_plain(value: str) -> tuple[str, bool]:
    """Plain text (no formatting tags) of a LaTeX value: names, keywords, keys."""
    return _read(value, markup=False)


def _read(value: str, markup: bool) -> tuple[str, bool]:
    value = value.strip()
    if not _SPECIAL.search(value) and "--" not in value and "''" not in value:
        return value, False
    reader = _Reader(_TOKEN.findall(value), markup=markup)
    text = reader.group(top=True)
    return unicodedata.normalize("NFC", text) if reader.accented else text, reader.lossy


def _blanks(token: str) -> str:
    """A run of blanks with a line break: a wrapped line is one space, bare line breaks
    (without indentation around them) are kept."""
    return token if token.strip("\n") == "" else " "


class _Reader:
    """A recursive reading of one value's tokens."""

    __slots__ = ("accented", "lossy", "markup", "pos", "tokens")

    def __init__(self, tokens: list[str], *, markup: bool) -> None:
        self.tokens = tokens
        self.pos = 0
        self.markup = markup
        self.lossy = False
        self.accented = False

    def group(self, top: bool = False) -> str:
        """Tokens up to the `}` closing the current group (or the end)."""
        out: list[str] = []
        tokens = self.tokens
        while self.pos < len(tokens):
            token = tokens[self.pos]
            self.pos += 1
            first = token[0]
            if first == "}":
                if top:  # a stray closing brace: kept as text
                    out.append("}")
                    self.lossy = True
                    continue
                return "".join(out)
            if first == "{":
                out.append(self.braced())
            elif first == "\\":
                if token[1:] in DECLARATIONS:  # `\em …`: the rest of this group
                    self.skip_terminator()
                    out.append(self.declared(token[1:], self.group(top)))
                    return "".join(out)
                out.append(self.command(token))
            elif first == "$":
                out.append(self.math(token))
            elif "\n" in token:
                out.append(_blanks(token))
            else:
                out.append(_SIMPLE_TOKENS.get(token, token))
        if not top:
            self.lossy = True  # an unclosed group
        return "".join(out)

    def declared(self, name: str, inner: str) -> str:
        tag = DECLARATIONS[name]
        if not tag:
            self.lossy = True
        return self.tagged(tag, inner)

    def braced(self) -> str:
        """A `{…}` group: case protection, unless it starts with a command (`{\\"u}`, `{\\em x}`)."""
        tokens = self.tokens
        if self.pos < len(tokens) and tokens[self.pos][0] == "\\":
            return self.group()
        inner = self.group()
        if not inner:
            return ""
        return self.tagged("nocase", inner)

    def tagged(self, tag: str, inner: str) -> str:
        if not tag or not self.markup:
            return inner
        if tag == "nocase":
            return f'<span class="nocase">{inner}</span>'
        if tag == "sc":
            return f'<span style="font-variant:small-caps;">{inner}</span>'
        return f"<{tag}>{inner}</{tag}>"

    def argument(self) -> str | None:
        """The next argument: a group's text, or one character; None at the end."""
        tokens = self.tokens
        while self.pos < len(tokens) and tokens[self.pos].isspace():
            self.pos += 1
        if self.pos >= len(tokens):
            return None
        token = tokens[self.pos]
        if token == "{":
            self.pos += 1
            return self.group()
        if token[0] == "\\":
            self.pos += 1
            return self.command(token)
        if token[0] in "}$":
            return None
        # one character of a text token; the rest stays for later
        if len(token) > 1:
            tokens[self.pos] = token[1:]
        else:
            self.pos += 1
        return token[0]

    def raw_argument(self) -> str:
        """The next `{…}` group as written (for `\\url`, unknown commands)."""
        tokens = self.tokens
        if self.pos >= len(tokens) or tokens[self.pos] != "{":
            return ""
        depth, start = 0, self.pos
        while self.pos < len(tokens):
            token = tokens[self.pos]
            self.pos += 1
            if token == "{":
                depth += 1
            elif token == "}":
                depth -= 1
                if depth == 0:
                    break
        return "".join(tokens[start + 1 : self.pos - 1])

    def command(self, token: str) -> str:
        name = token[1:]
        if not name:  # a lone backslash at the end
            self.lossy = True
            return "\\"
        if len(name) == 1 and not name.isalpha():
            if name in ACCENTS:
                return self.accent(name)
            if name == "\\":
                self.lossy = True
                return "\n"
            if name in CHAR_COMMANDS:
                if name not in "&%$#_{} ":
                    self.lossy = True
                return CHAR_COMMANDS[name]
            self.lossy = True
            return token
        self.skip_terminator()
        return self.named_command(name, token)

    def skip_terminator(self) -> None:
        """After a command name, a following `{}` or one run of spaces ends it."""
        tokens = self.tokens
        if self.pos < len(tokens):
            following = tokens[self.pos]
            if following == "{" and self.pos + 1 < len(tokens) and tokens[self.pos + 1] == "}":
                return  # `\\ss{}`: left for the caller, an empty group reads as nothing
            if following.isspace() and "\n\n" not in following:
                self.pos += 1

    def named_command(self, name: str, token: str) -> str:
        if name in ACCENTS:
            return self.accent(name)
        if name in SYMBOLS:
            if self.pos < len(self.tokens) and self.tokens[self.pos] == "{":
                self.empty_group()
            return SYMBOLS[name]
        if name in MARKUP:
            argument = self.argument()
            return self.tagged(MARKUP[name], argument or "")
        if name in PLAIN_ARGUMENT:
            self.lossy = True
            argument = self.argument() or ""
            return f"“{argument}”" if name in ("mkbibquote", "enquote") else argument
        if name == "url":
            self.lossy = True
            return self.raw_argument()
        if name in ("relax", "protect", "vphantom", "phantom", "hspace", "vspace", "null"):
            self.lossy = True  # spacing and grouping commands: nothing to read
            if name not in ("relax", "protect", "null"):
                self.raw_argument()
            return ""
        if name == "href":
            self.lossy = True
            self.raw_argument()
            return self.argument() or ""
        # unknown: kept as written, with its braced arguments
        self.lossy = True
        arguments = []
        while self.pos < len(self.tokens) and self.tokens[self.pos] == "{":
            arguments.append("{" + self.raw_argument() + "}")
        return token + "".join(arguments)

    def empty_group(self) -> None:
        if self.pos + 1 < len(self.tokens) and self.tokens[self.pos + 1] == "}":
            self.pos += 2

    def accent(self, name: str) -> str:
        argument = self.argument()
        if argument is None:
            self.lossy = True
            return "\\" + name
        if argument == "ı":  # `\'{\i}`: the dotless i was only there to take the accent
            argument = "i"
        elif argument == "ȷ":
            argument = "j"
        if not argument:
            return ACCENTS[name]
        self.accented = True
        return argument[0] + ACCENTS[name] + argument[1:]

    def math(self, token: str) -> str:
        """`$…$`: simple math as text, the rest as written."""
        tokens = self.tokens
        start = self.pos
        while self.pos < len(tokens) and tokens[self.pos] != token:
            self.pos += 1
        inner = "".join(tokens[start : self.pos])
        closed = self.pos < len(tokens)
        self.pos += 1
        self.lossy = True
        converted = _math_text(inner) if closed and token == "$" and self.markup else None
        if converted is None:
            return token + inner + (token if closed else "")
        return converted


_SIMPLE_TOKENS = {"~": "\u00a0", "--": "–", "---": "—", "``": "“", "''": "”", "`": "‘"}

_MATH_TOKEN = re.compile(r"\\(?:[A-Za-z]+|.)|[{}^_]|\s+|[^\\{}^_\s]")


def _math_text(math: str) -> str | None:
    """Text (with `<sub>`/`<sup>`) of simple math, or None when it cannot be said in text."""
    tokens: list[str] = _MATH_TOKEN.findall(math)
    out: list[str] = []
    position = 0

    def atom() -> str | None:
        nonlocal position
        if position >= len(tokens):
            return None
        token = tokens[position]
        position += 1
        if token == "{":
            depth, start = 1, position
            while position < len(tokens) and depth:
                depth += {"{": 1, "}": -1}.get(tokens[position], 0)
                position += 1
            return _math_text("".join(tokens[start : position - 1])) if depth == 0 else None
        if token[0] == "\\":
            name = token[1:]
            if name not in MATH_SYMBOLS:
                return None
            symbol = MATH_SYMBOLS[name]
            if symbol is None:  # a command whose argument is the text
                return atom()
            return symbol
        if token in "}^_":
            return None
        return token

    while position < len(tokens):
        token = tokens[position]
        if token in ("^", "_"):
            position += 1
            inner = atom()
            if inner is None:
                return None
            out.append(f"<sup>{inner}</sup>" if token == "^" else f"<sub>{inner}</sub>")
            continue
        piece = atom()
        if piece is None:
            return None
        out.append(piece)
    return "".join(out)


# --------------------------------------------------------------------------- writing

# Anything `from_csl` would change: the fast test before the real work.
_NEEDS_ESCAPE = re.compile("[\\\\{}$&%#_^~<`\n\r\u00a0\u2009\u2013\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def _plain_as_latex(text: str) -> bool:
    """Whether `text` is its own LaTeX (the common case: one scan for a character class)."""
    if _NEEDS_ESCAPE.search(text) or "--" in text or "''" in text:
        return False
    return not text or not (text[0].isspace() or text[-1].isspace())


# Characters that cannot be written at all (control characters; line separators that
# BibTeX tools disagree about).
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
# The braced forms (`{\\textbackslash}`) are what Zotero's own BibTeX export writes and its
# import reads back; `<`, `>`, `|` are written as they are (Zotero's import keeps no escaped
# form of them, and T1/Unicode LaTeX prints them).
_ESCAPES = {
    "\\": r"{\textbackslash}",
    "$": r"\$",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "^": r"{\textasciicircum}",
    "~": r"{\textasciitilde}",
    "`": r"{\textasciigrave}",
    "-": "-{}",  # before another `-`: `--` would be read as a dash
    "–": "--",  # the en dash as BibTeX files write it
    "'": "'{}",  # before another `'`: `''` would be a closing quote
    "\u00a0": "~",
    "\u2009": r"\,",
}
_ESCAPED = re.compile(r"[\\$&%#_^~`\u00a0\u2009{}]|-(?=[-\u2013])|\u2013(?=[-\u2013])|\u2013|'(?=')")
_CSL_TAG = re.compile(
    r'<(/?)(i|b|sup|sub|sc)>|<span (?:class="(nocase)"|style="font-variant: ?(small-caps);?")>|(</span>)'
)
_LATEX_OF_TAG = {
    "i": "\\textit{",  # what Zotero's import reads (not `\\emph`)
    "b": "\\textbf{",
    "sup": "\\textsuperscript{",
    "sub": "\\textsubscript{",
    "sc": "\\textsc{",
    "nocase": "{",
}
_LINE_START_AT = re.compile(r"(\n[ \t]*)@")


def from_csl(text: str) -> tuple[str, bool]:
    """LaTeX for CSL rich text, and whether `to_csl` will read exactly `text` back from it
    (False when characters had to be dropped or blanks will be read differently)."""
    if _plain_as_latex(text):
        return text, True
    if "<" not in text or not _CSL_TAG.search(text):
        return from_plain(text)
    pieces = _markup_pieces(text)
    braces_nest = _braces_nest("".join(p for kind, p in pieces if kind == "text"))
    out: list[str] = []
    exact = text == text.strip()
    previous = ""
    for kind, piece in pieces:
        if kind == "text":
            escaped, piece_exact = _escape(piece, braces_nest)
            out.append(escaped)
            exact = exact and piece_exact
        else:
            if piece == "}" and previous == "{":
                exact = False  # an empty nocase span is read as nothing
            out.append(piece)
        previous = piece if kind == "latex" else ""
    return _LINE_START_AT.sub(r"\1{}@", "".join(out)), exact


def from_plain(text: str) -> tuple[str, bool]:
    """LaTeX for plain text (no formatting tags), and whether it reads back exactly."""
    if _plain_as_latex(text):
        return text, True
    escaped, exact = _escape(text, _braces_nest(text))
    return _LINE_START_AT.sub(r"\1{}@", escaped), exact and text == text.strip()


def _escape(text: str, braces_nest: bool) -> tuple[str, bool]:
    exact = True
    if _UNWRITABLE.search(text):
        text = _UNWRITABLE.sub("", text)
        exact = False
    if "\n" in text or "\r" in text:
        # a line break with blanks beside it is read as one space (a wrapped line)
        exact = exact and all(m.group().strip("\n") == "" for m in _BLANKS_WITH_NEWLINE.finditer(text))
        exact = exact and "\r" not in text
    left, right = ("\\{", "\\}") if braces_nest else ("{\\textbraceleft}", "{\\textbraceright}")

    def replace(match: re.Match[str]) -> str:
        token = match.group()
        if token == "{":
            return left
        if token == "}":
            return right
        if token == "–" and text[match.end() : match.end() + 1] in ("-", "–"):
            return "--{}"
        return _ESCAPES[token]

    return _ESCAPED.sub(replace, text), exact


def _braces_nest(text: str) -> bool:
    """Whether `{`/`}` in `text` pair up (then `\\{`/`\\}` keep BibTeX's brace count right)."""
    if "{" not in text and "}" not in text:
        return True
    depth = 0
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _markup_pieces(text: str) -> list[tuple[str, str]]:
    """`text` as ("text", …) and ("latex", …) pieces: properly nested CSL tags become LaTeX
    commands, any other `<…>` stays text."""
    tags = list(_CSL_TAG.finditer(text))
    latex = _matching_tags(tags)
    pieces: list[tuple[str, str]] = []
    position = 0
    for index, match in enumerate(tags):
        if index not in latex:
            continue
        pieces.append(("text", text[position : match.start()]))
        pieces.append(("latex", latex[index]))
        position = match.end()
    pieces.append(("text", text[position:]))
    return [(kind, piece) for kind, piece in pieces if piece]


def _matching_tags(tags: list[re.Match[str]]) -> dict[int, str]:
    """Tag index -> the LaTeX it becomes, for the tags that open and close properly."""
    stack: list[tuple[int, str]] = []
    latex: dict[int, str] = {}
    for index, match in enumerate(tags):
        slash, name, nocase, small_caps, span_end = match.groups()
        kind = "nocase" if nocase else "sc" if small_caps else name
        if not (span_end or slash):
            stack.append((index, "span" if nocase or small_caps else kind))
            latex_kind = kind
            latex[index] = _LATEX_OF_TAG[latex_kind]
            continue
        closes = "span" if span_end else name
        if stack and stack[-1][1] == closes:
            stack.pop()
            latex[index] = "}"
        else:  # improperly nested: this tag and every open one stay text
            for opener, _ in stack:
                latex.pop(opener, None)
            stack.clear()
    for opener, _ in stack:  # never closed
        latex.pop(opener, None)
    return latex
