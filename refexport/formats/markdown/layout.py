"""The blog's layout rules (notes on Markdown reading lists, §2), a layer over the parser's
line kinds: a URL alone on its line takes the next plain paragraph line as its title, the `>`
quote after the entry is its note, and three heuristics for the irregular cases.

* X2 (the URL splits a sentence): the previous line is prose that is not itself a caption and
  ends mid-sentence (a comma, or a word such as `到`, `除了`, `访问`); then the next line is the
  sentence's continuation, not a title.
* X3 (numbered step): a next line that starts with a glued enumerator (`2.修改gem的源`) is a
  step of the surrounding procedure, not a title.
* X4 (title before URL): a run `label/heading ⏎ T1 ⏎ U1 ⏎ T2 ⏎ U2 … ⏎ heading/rule/EOF`
  that starts with a text line right after a boundary and whose last URL has no caption is
  read title-first: each URL takes the line before it.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from refexport.formats.markdown.entries import RECORD_SCHEME
from refexport.formats.markdown.tokens import BLANK, DIRECTIVE, HEADING, LIST, PARA, QUOTE, RULE

_BULLET = re.compile(r"^(?:[-*+]|\d{1,9}[.)])[ \t]+")
_GLUED_ENUMERATOR = re.compile(r"^\d{1,3}[.、)）]")
# X3: a numbered step (`2.修改gem的源`, `3、`), not a decimal number such as `1.5亿`.
_NUMBERED_STEP = re.compile(r"^\d{1,3}(?:[、)）]|\.(?!\d))")
_WHITESPACE = re.compile(r"\s")

# X2: a line ending like this is an unfinished sentence that the URL continues.
_OPEN_ENDINGS = ("，", ",", "到", "在", "从", "除了", "去", "往", "向", "由", "于")
# X4: a line ending like this introduces the URL (a label without its colon), it is no title.
_LEAD_IN_ENDINGS = ("见", "参见", "参考", "详见", "如下", "以下", "访问", "，", ",", "、")
# What may follow the last URL of an X4 run (title-before-URL layout).
_X4_AFTER = frozenset({HEADING, RULE})


@dataclass(slots=True)
class _Line:
    kind: int
    text: str  # the raw line without its line ending
    url_alone: str | None = None  # the URL of a URL-alone line (rule 5)


def url_alone(kind: int, raw: str) -> str | None:
    """The URL of a URL-alone line (rule 5): after a `>` marker, a list bullet or a glued
    enumerator (`1.`), the line is one URL token, taken verbatim. Else None."""
    if kind not in (PARA, LIST, QUOTE):
        return None
    content = raw.strip()
    if kind == QUOTE:
        content = content.lstrip("> \t")
    bullet = _BULLET.match(content)
    if bullet:
        content = content[bullet.end() :]
    enumerator = _GLUED_ENUMERATOR.match(content)
    if enumerator and RECORD_SCHEME.match(content, enumerator.end()):
        content = content[enumerator.end() :]
    if content.startswith("<") and content.endswith(">"):
        content = content[1:-1]
    if len(content) > 8 and RECORD_SCHEME.match(content) and not _WHITESPACE.search(content):
        return content
    return None


def captions(kinds: list[int], raw: list[str], alone: dict[int, str]) -> dict[int, int]:
    """URL-alone line number -> line number of its title (absent: no title). `alone` maps the
    URL-alone lines to their URL."""
    if not alone:
        return {}
    return {index + 1: title + 1 for index, title in _titles(_Blocks(kinds, raw, alone)).items()}


def quote_note(kinds: list[int], raw: list[str], after: int) -> str | None:
    """Rule 13: the `>` lines of the blockquote that is the next block after line `after`."""
    index = after  # 0-based index of the line after `after`
    while index < len(kinds) and kinds[index] == BLANK:
        index += 1
    parts: list[str] = []
    while index < len(kinds) and kinds[index] == QUOTE:
        line = raw[index].strip()
        parts.append(line[1:].strip() if line.startswith(">") else line)  # one marker: `>>x` is `>x`
        index += 1
    return "\n".join(parts) if parts else None


def is_numbered_step(line: str) -> bool:
    """X3: `2.修改gem的源`, `3、…`, `5)…` (not a decimal such as `1.5亿`)."""
    return _NUMBERED_STEP.match(line) is not None


def next_block(kinds: list[int], after: int) -> int | None:
    """Line number of the first non-blank line after line `after`."""
    index = after
    while index < len(kinds) and kinds[index] == BLANK:
        index += 1
    return index + 1 if index < len(kinds) else None


def _is_caption_candidate(line: _Line) -> bool:
    """Rule 9: a plain paragraph line that is not a URL-alone line and not a label."""
    if line.kind != PARA or line.url_alone is not None:
        return False
    return not line.text.rstrip().endswith(("：", ":"))


class _Blocks:
    """The non-blank lines of a post, numbered in order (block n), for looking around a URL."""

    def __init__(self, kinds: list[int], raw: list[str], alone: dict[int, str]) -> None:
        self.kinds = kinds
        self.raw = raw
        self.alone = alone
        self.index = [i for i, kind in enumerate(kinds) if kind != BLANK]
        self.made: dict[int, _Line] = {}

    def position(self, index: int) -> int:
        return bisect_left(self.index, index)

    def __call__(self, n: int) -> _Line | None:
        if not 0 <= n < len(self.index):
            return None
        line = self.made.get(n)
        if line is None:
            index = self.index[n]
            line = self.made[n] = _Line(self.kinds[index], self.raw[index], self.alone.get(index + 1))
        return line

    def is_url_alone(self, n: int) -> bool:
        candidate = self(n)
        return candidate is not None and candidate.url_alone is not None and candidate.kind != QUOTE


def _titles(block: _Blocks) -> dict[int, int]:
    """URL-alone line index -> index of its title line (absent: no title)."""
    urls = sorted(line - 1 for line in block.alone if block.kinds[line - 1] != QUOTE)
    titles: dict[int, int] = {}
    for index in urls:
        n = block.position(index)
        following = block(n + 1)
        if following is None or not _is_caption_candidate(following):
            continue
        if _NUMBERED_STEP.match(following.text.strip()):
            continue  # X3
        if _splits_sentence(block(n - 1), block(n - 2)):
            continue  # X2
        titles[index] = block.index[n + 1]
    for index in urls:
        if index not in titles:
            titles.update(_title_first_run(block, block.position(index)))
    _single_title_before(block, urls, titles)
    return titles


def _title_first_run(block: _Blocks, n: int) -> dict[int, int]:
    """X4: a title-before-URL run ending in a heading, rule or EOF, as {URL line: title line}."""
    following = block(n + 1)
    if following is not None and following.kind not in _X4_AFTER:
        return {}
    pairs: list[tuple[int, int]] = []  # (url block, title block)
    m = n
    while block.is_url_alone(m) and _is_title_before(block(m - 1)):
        pairs.append((m, m - 1))
        m -= 2
    # The run must begin with its first title, right after a boundary (start of body,
    # heading, rule, label line, directive); a run that begins with a URL is the ordinary
    # caption-after layout, and after prose the layout is ambiguous.
    if not pairs or block.is_url_alone(m):
        return {}
    start = block(m)
    if start is not None and _is_caption_candidate(start):
        return {}
    return {block.index[url]: block.index[title] for url, title in pairs}


def _single_title_before(block: _Blocks, urls: list[int], titles: dict[int, int]) -> None:
    """X4, single URL: no caption follows (a boundary, a label, or a numbered step of a list
    written title-first such as `1.ircd-hybrid` ⏎ URL ⏎ `2.unrealircd` ⏎ URL), and the line
    before is a describing line that is nobody's caption."""
    used = set(titles.values())
    for index in urls:
        if index in titles:
            continue
        n = block.position(index)
        following = block(n + 1)
        if following is not None and following.kind not in _X4_AFTER and following.kind != DIRECTIVE:
            stripped = following.text.strip()
            is_label = following.kind == PARA and stripped.endswith(("：", ":"))
            is_step = _is_caption_candidate(following) and _NUMBERED_STEP.match(stripped)
            if not (is_label or is_step):
                continue
        if n - 1 < 0 or block.index[n - 1] in used or not _is_title_before(block(n - 1)):
            continue
        titles[index] = block.index[n - 1]
        used.add(block.index[n - 1])


def _is_title_before(line: _Line | None) -> bool:
    """X4: could this line, standing before a URL, be the URL's title?"""
    if line is None or not _is_caption_candidate(line):
        return False
    stripped = line.text.strip()
    if stripped.startswith("`") and stripped.endswith("`"):
        return False  # a command, not a title
    return not stripped.endswith(_LEAD_IN_ENDINGS)


def _splits_sentence(previous: _Line | None, before_previous: _Line | None) -> bool:
    """X2: the line before the URL is an unfinished sentence that is not itself a caption."""
    if previous is None or previous.kind != PARA or previous.url_alone is not None:
        return False
    if before_previous is not None and before_previous.url_alone is not None:
        return False  # it is the previous URL's caption
    return previous.text.rstrip().endswith(_OPEN_ENDINGS)
