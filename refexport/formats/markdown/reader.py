"""Reader for Markdown reading lists: one record per http/https/ftp URL occurrence.

The post body goes through a CommonMark parser (`events`); each leaf block's links and bare
URLs become entries with their titles and descriptions (`entries`); the blog's own layout
rules — a URL alone on its line captioned by the next line, the `>` note, X2–X4 — are a layer
over the parser's line kinds (`layout`). Sections are the ATX and setext headings outside
block quotes, reduced to their text.

Reference-style links are recorded where they are used. A definition no link uses is still a
record, on its own line, titled by its label unless the label is a number (`[1]: url`);
definitions of images (badge SVGs, PNGs …) are not.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import PurePath

from refexport.fileio import decode_text
from refexport.formats.markdown.entries import RECORD_SCHEME, URL_START, Entry, leaf_entries, text_of
from refexport.formats.markdown.events import Parsed, label_key, parse, plain_text
from refexport.formats.markdown.frontmatter import front_matter, post_date, scalar_text, tags_of
from refexport.formats.markdown.layout import captions, is_numbered_step, next_block, quote_note, url_alone
from refexport.formats.markdown.tokens import (
    HEADING_LEAF,
    LINK_OPEN,
    LIST,
    PARA,
    PARAGRAPH_LEAF,
    QUOTE,
    TEXT,
    Leaf,
)
from refexport.model import Date, Origin, PartialDate, ReadResult, Record
from refexport.resources import data_dir

_IMAGE_URL = re.compile(r"\.(?:svg|png|jpe?g|gif|webp)(?:[?#].*)?$|//img\.shields\.io/", re.IGNORECASE)
_NUMBER = re.compile(r"^\d+$")
_PLACEHOLDERS: list[frozenset[str]] = []


@dataclass(slots=True)
class _Post:
    file: str
    name: str  # the catalog's name: the front-matter title, else the file stem
    tags: list[str]
    accessed: PartialDate | None


def read(data: bytes, name: str) -> ReadResult:
    """Read one Markdown post or list. `name` is used verbatim as `Origin.file`."""
    text = decode_text(data, name)
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    raw = text.split("\n")
    body_start, front = front_matter(raw)
    title = scalar_text(front.get("title"))
    post = _Post(name, title or PurePath(name).stem, tags_of(front), post_date(PurePath(name).name))
    parsed = parse(text, raw, body_start, name)
    entries = _entries(parsed, raw)
    headings = [
        (leaf.first_line, leaf.level, text_of(leaf.tokens, drop_anchors=True))
        for leaf in parsed.leaves
        if leaf.kind == HEADING_LEAF and not leaf.in_quote
    ]
    records: list[Record] = []
    open_headings: list[tuple[int, str]] = []
    next_heading = 0
    for entry in entries:
        while next_heading < len(headings) and headings[next_heading][0] <= entry.line:
            _, level, heading = headings[next_heading]
            while open_headings and open_headings[-1][0] >= level:
                open_headings.pop()
            open_headings.append((level, heading))
            next_heading += 1
        section = [post.name, *(heading for _, heading in open_headings if heading)]
        records.append(_record(entry, section, post))
    return ReadResult(records=records, problems=parsed.problems, title=title)


def _record(entry: Entry, section: list[str], post: _Post) -> Record:
    """The one place records are made."""
    record = Record(
        collection=section, tags=list(post.tags), origin=[Origin(post.file, entry.line, entry.url)]
    )
    record.url = entry.url
    record.title = entry.title
    record.note = entry.note
    record.accessed = Date((post.accessed,)) if post.accessed else None
    return record


def _placeholders() -> frozenset[str]:
    if not _PLACEHOLDERS:
        lines = (data_dir() / "placeholder-link-texts.txt").read_text(encoding="utf-8").splitlines()
        _PLACEHOLDERS.append(
            frozenset(line.strip().casefold() for line in lines if line.strip()[:1] not in ("", "#"))
        )
    return _PLACEHOLDERS[0]


def _entries(parsed: Parsed, raw: list[str]) -> list[Entry]:
    """Every entry in reading order, the layout rules applied."""
    placeholders = _placeholders()
    entries: list[Entry] = []
    blocks: list[tuple[list[Entry], Leaf]] = []  # paragraphs and list items with entries
    paragraphs: dict[int, Leaf] = {}
    for leaf in parsed.leaves:
        found = leaf_entries(leaf, placeholders)
        entries.extend(found)
        if leaf.kind == PARAGRAPH_LEAF:
            paragraphs.setdefault(leaf.first_line, leaf)
            if found:
                blocks.append((found, leaf))
    entries.extend(parsed.url_lines)
    entries.extend(_unused_definitions(parsed))
    entries.sort(key=lambda entry: entry.line)

    kinds = parsed.kinds
    per_line = Counter(entry.line for entry in entries)
    alone: dict[int, str] = {}
    for line, count in per_line.items():
        url = url_alone(kinds[line - 1], raw[line - 1]) if count == 1 else None
        if url is not None:
            alone[line] = url
    titles = captions(kinds, raw, alone)
    for entry in entries:
        url = alone.get(entry.line)
        if url is None:
            continue
        entry.url = url
        if kinds[entry.line - 1] == QUOTE:
            entry.title, entry.note = None, None
            continue
        title_line = titles.get(entry.line)
        entry.title = raw[title_line - 1].strip() if title_line is not None else None
        after = title_line if title_line is not None and title_line > entry.line else entry.line
        entry.note = quote_note(kinds, raw, after)
    used = set(titles.values()) | set(alone)
    for found, leaf in blocks:
        if not any(entry.note is not None or entry.line in alone for entry in found):
            _block_note(found, leaf, parsed, raw, paragraphs, used)
    return entries


def _block_note(
    found: list[Entry],
    leaf: Leaf,
    parsed: Parsed,
    raw: list[str],
    paragraphs: dict[int, Leaf],
    used: set[int],
) -> None:
    """Notes from the blocks after a paragraph or list item whose entries have none."""
    if len(found) == 1 and found[0].alone:
        found[0].note = _following_note(parsed, raw, leaf.last_line, paragraphs, used)
    elif leaf.in_item:
        note = _nested_note(parsed, raw, leaf, paragraphs)
        for entry in found:
            entry.note = note


def _unused_definitions(parsed: Parsed) -> list[Entry]:
    found = []
    for definition in parsed.definitions:
        url = definition.url
        if label_key(definition.label) in parsed.used_labels or not RECORD_SCHEME.match(url):
            continue
        if url[: url.index("://")].lower() not in ("http", "https", "ftp") or _IMAGE_URL.search(url):
            continue
        label = " ".join(definition.label.split())
        found.append(Entry(url, definition.line, None if _NUMBER.match(label) else label, None, False, False))
    return found


def _following_note(
    parsed: Parsed, raw: list[str], last_line: int, paragraphs: dict[int, Leaf], used: set[int]
) -> str | None:
    """The note of an entry that stands alone in its block (`* [《Title》](url)`): the `>`
    quote after it, or the plain paragraph after it (`介绍:…`) unless that paragraph is an
    entry, a label or a caption of its own."""
    kinds = parsed.kinds
    following = next_block(kinds, last_line)
    if following is None:
        return None
    if kinds[following - 1] == QUOTE:
        return quote_note(kinds, raw, last_line)
    line = raw[following - 1].strip()
    if kinds[following - 1] != PARA or following in used or line.endswith((":", "：")):
        return None
    if line[:2] in ("**", "__") and line[-2:] == line[:2]:
        return None  # a bold line is a label or a pseudo-heading (`**圖片**`), not a description
    if is_numbered_step(line):
        return None  # the next step of a procedure (`5)csope中的…`)
    plain = parsed.plain_paragraphs()
    if following in plain:
        return plain_text("\n".join(raw[following - 1 : plain[following]])) or None
    leaf = paragraphs.get(following)
    if leaf is None or _starts_with_entry(leaf):
        return None
    return text_of(leaf.tokens) or None


def _nested_note(parsed: Parsed, raw: list[str], leaf: Leaf, paragraphs: dict[int, Leaf]) -> str | None:
    """The note of a list item's entries that have none: a nested item right below it that
    is plain text (`* Title, Venue [[pdf](…)]` ⏎ `  * Easily one of the most influential …`);
    a nested item that starts with an entry is an entry of its own, one with items of its own
    a subsection (`* SQL [[sql](…)]` ⏎ `  * Generic` ⏎ `    * [sqlx](…)`)."""
    kinds = parsed.kinds
    following = next_block(kinds, leaf.last_line)
    if following is None or kinds[following - 1] != LIST or not _deeper(raw, following, leaf.first_line):
        return None
    end = following
    while end < len(raw) and kinds[end] == PARA:  # the nested item's continuation lines
        end += 1
    after = next_block(kinds, end)
    if after is not None and kinds[after - 1] == LIST and _deeper(raw, after, following):
        return None
    nested = paragraphs.get(following)
    if nested is not None:
        return None if _starts_with_entry(nested) else text_of(nested.tokens) or None
    return plain_text("\n".join(raw[following - 1 : end])) or None


def _deeper(raw: list[str], line: int, than: int) -> bool:
    """Is list item line `line` indented deeper than line `than`?"""
    return len(raw[line - 1]) - len(raw[line - 1].lstrip()) > len(raw[than - 1]) - len(raw[than - 1].lstrip())


def _starts_with_entry(leaf: Leaf) -> bool:
    for token in leaf.tokens:
        if token.kind == LINK_OPEN:
            return True
        if token.kind == TEXT and token.text.strip():
            return URL_START.match(token.text.lstrip()) is not None
    return False
