"""Reader for Markdown reading lists (Jekyll posts): one record per absolute URL occurrence.

The extraction rules are those of `/work/shared/notes/markdown-reading-lists.md` §2:

* a record is every `http`/`https`/`ftp` URL in the body, outside fenced code, inline code
  spans, display math, images and the front matter; repeats are kept (one per line);
* a URL alone on its line (after a `>` marker, a list bullet or a glued enumerator such as
  `1.`) takes the next non-blank line as its title when that line is a plain paragraph line
  that does not end with a colon (a label such as `参考：` introduces what follows instead);
  in a group of URL-alone lines only the last one gets the caption;
* a `>` blockquote right after the title (or after the URL when there is no title) is the note;
* inline links `[text](url)` take the link text as title; bare URLs in prose, tables, list
  items and HTML blocks have no title;
* the collection is the post title followed by the enclosing ATX headings.

Heuristics for the irregular cases (rule 11), chosen to be conservative:

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

import datetime
import re
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from refexport.errors import Problem
from refexport.fileio import decode_text
from refexport.text.yaml import YAMLError, is_plain_yaml_string, load_yaml
from refexport.formats import ReadResult
from refexport.model import Date, PartialDate, Record, Origin

# A URL starts with one of the record schemes, not glued to a longer scheme (`sftp://`,
# `git+https://`, the mangled `h1ttps://`).
_URL_START = re.compile(r"(?<![A-Za-z0-9+.\-])(?:https?|ftp)://", re.IGNORECASE)
_SCHEME_ONLY = re.compile(r"(?:https?|ftp)://", re.IGNORECASE)

# Bare URL body (rule 7): stops at whitespace (ideographic space included), `<`, `>`, `"`, a
# backtick, curly quotes, the ellipsis, full-width punctuation and any CJK character.
_CJK_STOP = (
    "\u2018-\u201d\u2026\u2e80-\u9fff\ua000-\ua4cf\uac00-\ud7af\uf900-\ufaff"
    "\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0002ffff"
)
_BARE_URL = re.compile(r"(?:https?|ftp)://[^\s<>\"`" + _CJK_STOP + r"]*", re.IGNORECASE)
_TRAILING_PUNCTUATION = ".,;:!'\"*"

# `[text](` or `![alt](`, one level of nested brackets allowed in the text; the alternatives
# start with disjoint characters so the match is linear.
_INLINE_LINK_OPEN = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(")
_CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)")
_INLINE_MATH = re.compile(r"\$\$.*?\$\$")

_HEADING = re.compile(r"^(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
_HEADING_CLOSE = re.compile(r"[ \t]+#+$")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_BULLET = re.compile(r"^(?:[-*+]|\d{1,9}[.)])[ \t]+")
_GLUED_ENUMERATOR = re.compile(r"^\d{1,3}[.、)）]")
# X3: a numbered step (`2.修改gem的源`, `3、`), not a decimal number such as `1.5亿`.
_NUMBERED_STEP = re.compile(r"^\d{1,3}(?:[、)）]|\.(?!\d))")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_POST_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})-")
_HTML_START = re.compile(r"^<(/?)([A-Za-z][A-Za-z0-9]*|!--)")

# Block-level HTML tags: a raw HTML block opened by one of them runs to the next blank line.
_HTML_BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "center",
        "details",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "iframe",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "script",
        "style",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
        "video",
        "audio",
        "object",
        "!--",
    ]
)

# X2: a line ending like this is an unfinished sentence that the URL continues.
_OPEN_ENDINGS = ("，", ",", "到", "在", "从", "除了", "去", "往", "向", "由", "于")
# X4: a line ending like this introduces the URL (a label without its colon), it is no title.
_LEAD_IN_ENDINGS = ("见", "参见", "参考", "详见", "如下", "以下", "访问", "，", ",", "、")

# Line kinds.
BLANK, CODE, MATH, HEADING, RULE, DIRECTIVE, QUOTE, IMAGE, HTML, TABLE, LIST, PARA = range(12)
# What may follow the last URL of an X4 run (title-before-URL layout).
_X4_AFTER = frozenset({HEADING, RULE})


@dataclass(slots=True)
class _Line:
    kind: int
    text: str  # the raw line without its line ending
    url_alone: str | None = None  # the URL of a URL-alone line (rule 5)


def read(data: bytes, name: str) -> ReadResult:
    """Read one Markdown post. `name` is used verbatim as `Origin.file`."""
    text = decode_text(data, name)
    raw_lines = [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]
    body_start, front = _front_matter(raw_lines)
    file_stem = PurePath(name).stem
    post_title = _scalar_text(front.get("title"))
    category = front.get("category")
    tags = [tag for tag in (_scalar_text(c) for c in _as_list(category)) if tag]
    accessed = _post_date(PurePath(name).name)

    problems: list[Problem] = []
    lines = _classify(raw_lines, body_start, name, problems)
    titles = _titles(lines)

    records: list[Record] = []
    headings: list[tuple[int, str]] = []
    catalog_name = post_title if post_title else file_stem
    for index in range(body_start, len(lines)):
        line = lines[index]
        if line.kind == HEADING:
            level, heading_text = _heading(line.text)
            while headings and headings[-1][0] >= level:
                headings.pop()
            headings.append((level, heading_text))
            continue
        if line.kind in (BLANK, CODE, MATH) or "://" not in line.text:
            continue
        found: list[tuple[str, str | None, str | None]] = []  # (url, title, note)
        if line.url_alone is not None and line.kind == QUOTE:
            found.append((line.url_alone, None, None))
        elif line.url_alone is not None:
            title_index = titles.get(index)
            title = lines[title_index].text.strip() if title_index is not None else None
            note_after = title_index if title_index is not None and title_index > index else index
            found.append((line.url_alone, title, _note(lines, note_after)))
        else:
            found.extend((url, link_title, None) for url, link_title in _urls_in_text(line.text))
        collection = [catalog_name, *(heading for _, heading in headings)]
        records.extend(
            _record(url, title, note, collection, accessed, tags, Origin(name, index + 1, url))
            for url, title, note in found
        )
    return ReadResult(records=records, problems=problems, title=post_title)


def _front_matter(lines: list[str]) -> tuple[int, dict[str, Any]]:
    """(index of the first body line, front-matter mapping). No closing `---`: no front matter."""
    if not lines or lines[0].strip() != "---":
        return 0, {}
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            return end + 1, _parse_front_matter(lines[1:end])
    return 0, {}


def _record(
    url: str,
    title: str | None,
    note: str | None,
    collection: list[str],
    accessed: PartialDate | None,
    tags: list[str],
    source: Origin,
) -> Record:
    record = Record(collection=list(collection), tags=list(tags), origin=[source])
    record.url = url
    record.title = title
    record.note = note
    record.accessed = Date((accessed,)) if accessed else None
    return record


def _parse_front_matter(lines: list[str]) -> dict[str, Any]:
    simple = _simple_front_matter(lines)
    # Jekyll front matter is mostly `key: plain words`; when every line is that, YAML would
    # read exactly these strings, and PyYAML (40–70 ms to import) is not needed.
    content = [line for line in lines if line.strip()]
    if len(simple) == len(content) and all(
        is_plain_yaml_string(key) and is_plain_yaml_string(str(value)) for key, value in simple.items()
    ):
        return simple
    try:
        parsed = load_yaml("\n".join(lines))
    except YAMLError:
        return simple
    if not isinstance(parsed, dict):
        return simple
    # A value YAML turns into a mapping (`title: a: b` style quirks) is better read as written.
    return {
        str(key): simple.get(str(key), value) if isinstance(value, dict) else value
        for key, value in parsed.items()
    }


def _simple_front_matter(lines: list[str]) -> dict[str, Any]:
    """`key: value` lines, for front matter that is not valid YAML."""
    values: dict[str, Any] = {}
    for line in lines:
        key, colon, value = line.partition(":")
        if colon and key.strip() and not key.startswith((" ", "\t", "#")):
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            values[key.strip()] = value
    return values


def _scalar_text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip()
    return text or None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _post_date(file_name: str) -> PartialDate | None:
    match = _POST_DATE.match(file_name)
    if not match:
        return None
    year, month, day = (int(part) for part in match.groups())
    try:
        datetime.date(year, month, day)
    except ValueError:
        return None
    return PartialDate(year, month, day)


def _classify(raw_lines: list[str], body_start: int, name: str, problems: list[Problem]) -> list[_Line]:
    lines = [_Line(CODE, raw) for raw in raw_lines[:body_start]]  # front matter: never records
    fence: str | None = None
    fence_line = 0
    in_math = False
    in_html = False
    for number, raw in enumerate(raw_lines[body_start:], start=body_start + 1):
        stripped = raw.strip()
        if fence is not None:
            lines.append(_Line(CODE, raw))
            marker = _FENCE.match(raw)
            if (
                marker
                and marker.group(1)[0] == fence[0]
                and len(marker.group(1)) >= len(fence)
                and (not raw.strip().strip(fence[0]))
            ):
                fence = None
            continue
        if in_math:
            lines.append(_Line(MATH, raw))
            in_math = "$$" not in stripped
            continue
        if not stripped:
            lines.append(_Line(BLANK, raw))
            in_html = False
            continue
        marker = _FENCE.match(raw)
        if marker:
            fence, fence_line = marker.group(1), number
            lines.append(_Line(CODE, raw))
            continue
        if stripped.startswith("$$"):
            in_math = stripped.count("$$") % 2 == 1
            lines.append(_Line(MATH, raw))
            continue
        html = _HTML_START.match(stripped)
        if in_html or html:
            if html and html.group(2).lower() in _HTML_BLOCK_TAGS:
                in_html = True
            lines.append(_Line(HTML, raw))
            continue
        kind, url_alone = _kind(raw, stripped)
        lines.append(_Line(kind, raw, url_alone))
    if fence is not None:
        message = "code fence is never closed; the URLs after it were skipped"
        problems.append(Problem(name, fence_line, message))
    return lines


def _kind(raw: str, stripped: str) -> tuple[int, str | None]:
    first = stripped[0]
    if first == "#" and raw.startswith("#") and _HEADING.match(stripped):
        return HEADING, None
    if first in "-*_" and _RULE.match(raw):
        return RULE, None
    if stripped.startswith("{:") or stripped == "* toc":
        return DIRECTIVE, None
    if first == ">":
        return QUOTE, _url_alone(stripped.lstrip("> \t"))
    if stripped.startswith("!["):
        return IMAGE, None
    if first == "|":
        return TABLE, None
    bullet = _BULLET.match(stripped)
    if bullet:
        return LIST, _url_alone(stripped[bullet.end() :])
    return PARA, _url_alone(stripped)


_WHITESPACE = re.compile(r"\s")


def _url_alone(content: str) -> str | None:
    """The URL of a URL-alone line's content (rule 5), else None."""
    enumerator = _GLUED_ENUMERATOR.match(content)
    if enumerator and _SCHEME_ONLY.match(content, enumerator.end()):
        content = content[enumerator.end() :]
    if content.startswith("<") and content.endswith(">"):
        content = content[1:-1]
    if len(content) > 8 and _SCHEME_ONLY.match(content) and not _WHITESPACE.search(content):
        return content
    return None


def _heading(text: str) -> tuple[int, str]:
    stripped = text.strip()
    level = len(stripped) - len(stripped.lstrip("#"))
    content = stripped[level:].strip()
    if content and set(content) == {"#"}:
        content = ""
    content = _HEADING_CLOSE.sub("", content)
    return level, content.strip()


def _is_caption_candidate(line: _Line) -> bool:
    """Rule 9: a plain paragraph line that is not a URL-alone line and not a label."""
    if line.kind != PARA or line.url_alone is not None:
        return False
    return not line.text.rstrip().endswith(("：", ":"))


def _titles(lines: list[_Line]) -> dict[int, int]:
    """URL-alone line index -> index of its title line (absent: no title)."""
    blocks = [i for i, line in enumerate(lines) if line.kind != BLANK]
    position = {index: n for n, index in enumerate(blocks)}

    def block(n: int) -> _Line | None:
        return lines[blocks[n]] if 0 <= n < len(blocks) else None

    def is_url_alone(n: int) -> bool:
        candidate = block(n)
        return candidate is not None and candidate.url_alone is not None and candidate.kind != QUOTE

    titles: dict[int, int] = {}
    for index, line in enumerate(lines):
        if line.url_alone is None or line.kind == QUOTE:
            continue
        n = position[index]
        following = block(n + 1)
        if following is None or not _is_caption_candidate(following):
            continue
        if _NUMBERED_STEP.match(following.text.strip()):
            continue  # X3
        if _splits_sentence(block(n - 1), block(n - 2)):
            continue  # X2
        titles[index] = blocks[n + 1]

    # X4: title-before-URL runs ending in a heading, rule or EOF.
    for index, line in enumerate(lines):
        if line.url_alone is None or line.kind == QUOTE or index in titles:
            continue
        n = position[index]
        following = block(n + 1)
        if following is not None and following.kind not in _X4_AFTER:
            continue
        pairs: list[tuple[int, int]] = []  # (url block, title block)
        m = n
        while is_url_alone(m) and _is_title_before(block(m - 1)):
            pairs.append((m, m - 1))
            m -= 2
        # The run must begin with its first title, right after a boundary (start of body,
        # heading, rule, label line, directive); a run that begins with a URL is the ordinary
        # caption-after layout, and after prose the layout is ambiguous.
        if not pairs or is_url_alone(m):
            continue
        start = block(m)
        if start is not None and _is_caption_candidate(start):
            continue
        for url_block, title_block in pairs:
            titles[blocks[url_block]] = blocks[title_block]

    # X4, single URL: no caption follows (a boundary, a label, or a numbered step of a list
    # written title-first such as `1.ircd-hybrid` ⏎ URL ⏎ `2.unrealircd` ⏎ URL), and the line
    # before is a describing line that is nobody's caption.
    used = set(titles.values())
    for index, line in enumerate(lines):
        if line.url_alone is None or line.kind == QUOTE or index in titles:
            continue
        n = position[index]
        following = block(n + 1)
        if following is not None and following.kind not in _X4_AFTER and following.kind != DIRECTIVE:
            stripped = following.text.strip()
            is_label = following.kind == PARA and stripped.endswith(("：", ":"))
            is_step = _is_caption_candidate(following) and _NUMBERED_STEP.match(stripped)
            if not (is_label or is_step):
                continue
        if n - 1 < 0 or blocks[n - 1] in used or not _is_title_before(block(n - 1)):
            continue
        titles[index] = blocks[n - 1]
        used.add(blocks[n - 1])
    return titles


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


def _note(lines: list[_Line], after: int) -> str | None:
    """Rule 13: the `>` lines of the blockquote that is the next block after line `after`."""
    index = after + 1
    while index < len(lines) and lines[index].kind == BLANK:
        index += 1
    parts: list[str] = []
    while index < len(lines) and lines[index].kind == QUOTE:
        parts.append(lines[index].text.strip().lstrip(">").strip())
        index += 1
    return "\n".join(parts) if parts else None


def _blank_out(text: str, pattern: re.Pattern[str]) -> str:
    """Replace the matches of `pattern` with spaces (offsets stay put)."""
    return pattern.sub(lambda match: " " * len(match.group(0)), text)


def _urls_in_text(text: str) -> list[tuple[str, str | None]]:
    """(URL, title) of the inline links and bare URLs of one line, in order of appearance."""
    if "`" in text:
        text = _blank_out(text, _CODE_SPAN)
    if "$$" in text:
        text = _blank_out(text, _INLINE_MATH)
    found: list[tuple[int, str, str | None]] = []
    consumed: list[tuple[int, int]] = []
    if "](" in text:
        for link in _INLINE_LINK_OPEN.finditer(text):
            href_start = link.end()
            while href_start < len(text) and text[href_start] in " \t<":
                href_start += 1
            href_end = _href_end(text, href_start)
            close = text.find(")", href_end)
            consumed.append((link.start(), close + 1 if close >= 0 else href_end))
            href = text[href_start:href_end].rstrip(">")
            if link.group(1) or not _SCHEME_ONLY.match(href):
                continue  # images and relative links are not records
            label = link.group(2).strip()
            found.append((link.start(), href, None if label in ("", href) else label))
    for start in _URL_START.finditer(text):
        position = start.start()
        if any(begin <= position < end for begin, end in consumed):
            continue
        match = _BARE_URL.match(text, position)
        if match is None:
            continue
        url = _strip_trailing(match.group(0))
        if len(url) > len(start.group(0)):
            found.append((position, url, None))
    found.sort(key=lambda item: item[0])
    return [(url, title) for _, url, title in found]


def _href_end(text: str, start: int) -> int:
    """End of an inline link's href: whitespace or the `)` that closes the link (rule 6)."""
    depth = 0
    index = start
    while index < len(text):
        char = text[index]
        if char.isspace():
            break
        if char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                break
            depth -= 1
        index += 1
    return index


def _strip_trailing(url: str) -> str:
    while url:
        last = url[-1]
        unbalanced = (last == ")" and url.count("(") < url.count(")")) or (
            last == "]" and url.count("[") < url.count("]")
        )
        if last not in _TRAILING_PUNCTUATION and not unbalanced:
            break
        url = url[:-1]
    return url
