"""Markdown writer: a catalog as a reading-list post, so Zotero, a .bib or an OPML list can
become a post again.

* `post`: Jekyll front matter (`layout`, `title`, `category` from the tags), `* toc`/`{:toc}`,
  headings from the section path, then per record the seed's layout: the URL alone on its
  line, the title on the next paragraph line, the note as a `>` quote.
* `list`: the same front matter (no layout), headings, and `- [title](url) — note` items.

Both read back (refexport.formats.markdown.read) to the same URL, title, note, section and tags, up to
the whitespace at the ends of a title or of a note's lines, which Markdown does not keep.
Where the post layout cannot carry a title verbatim (a line break, a leading `#`, a label
colon, a URL inside …), that record is written as an inline link whose text is escaped
instead. Markdown has no per-record tags: the post's category is the union of all tags. Records
without an http/https/ftp URL become plain list items, which are not records when read back.
A record found in several sections (`also_in`) is written under each of them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from refexport.model import Record
from refexport.text.yaml import yaml_document

STYLES = ("post", "list")

# What would be markup inside a line of text (emphasis, code, links, raw HTML, entities,
# math, strikethrough), backslash-escaped; in a heading also a closing `#` sequence and an
# attribute block `{…}` at its end.
_MARKUP = re.compile(r"([\\`*_\[\]$~]|<(?=[A-Za-z/!?])|&(?=#?[0-9A-Za-z]+;))")
_HEADING_END = re.compile(r"([#}])$")
# Characters that end a line for CommonMark or Python, written as character references.
_LINE_BREAKS = re.compile("[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_DESTINATION_ESCAPES = re.compile(r"[\\<>]|&(?=#?[0-9A-Za-z]+;)")
_PLAIN_DESTINATION = re.compile(r"[^\s<>\x00-\x1f\x7f]+")
_SAFE_URL = re.compile(r"(?:https?|ftp)://[^\s<>`\\\[\]]{2,}", re.IGNORECASE)
_RECORD_URL = re.compile(r"(?:https?|ftp)://", re.IGNORECASE)
# A caption line must read as a plain paragraph line of the catalog format: none of these.
_NOT_A_CAPTION = re.compile(
    r"^(?:[#>|<!$`~=]|[-*+](?:\s|$)|\d{1,9}[.)](?:\s|$)|\d{1,3}(?:[、)）]|\.(?!\d))|\{:|[-*_](?:\s*[-*_]){2,}\s*$"
    r"|\[[^\]]*\]:)"
)


def write(records: Sequence[Record], title: str | None = None, style: str = "post") -> str:
    """The records as a Markdown reading list in `style` (`post` or `list`)."""
    if style not in STYLES:
        raise ValueError(f"unknown Markdown style {style!r} (choose post or list)")
    name = title or next((r.collection[0] for r in records if r.collection), None) or "Reading list"
    tags: list[str] = []
    for record in records:
        tags.extend(tag for tag in record.tags if tag not in tags)
    front: dict[str, object] = {"layout": "post"} if style == "post" else {}
    front["title"] = name
    if tags:
        front["category"] = tags[0] if len(tags) == 1 else tags
    out = [yaml_document(front), "\n"]
    if style == "post":
        out.append("* toc\n{:toc}\n\n")
    previous: list[str] = []
    for path, entries in _sections(records, name):
        out.append(_headings(previous, path))
        previous = path
        for record, with_note in entries:
            out.append(_post_entry(record, with_note) if style == "post" else _list_entry(record, with_note))
    return "".join(out).rstrip("\n") + "\n"


def _sections(records: Sequence[Record], name: str) -> list[tuple[list[str], list[tuple[Record, bool]]]]:
    """Records grouped by section (headings under the post's title) in order of first
    appearance, the post's own section first; a record is listed again (without its note)
    under each further section it was found in."""
    groups: dict[tuple[str, ...], list[tuple[Record, bool]]] = {(): []}
    for record in records:
        for n, path in enumerate([record.collection, *record.also_in]):
            key = tuple(path[1:] if path[:1] == [name] else path)
            groups.setdefault(key, []).append((record, n == 0))
    return [(list(path), entries) for path, entries in groups.items() if entries]


def _headings(previous: list[str], path: list[str]) -> str:
    """The headings that lead from section `previous` to section `path`."""
    common = 0
    while common < min(len(previous), len(path)) and previous[common] == path[common]:
        common += 1
    if common == len(path) and path != previous:
        common -= 1  # back up to an enclosing section: repeat its heading
    return "".join(
        f"{'#' * min(level + 1, 6)} {_heading_text(path[level])}\n\n" for level in range(common, len(path))
    )


def _heading_text(text: str) -> str:
    return _HEADING_END.sub(r"\\\1", _inline(text))


def _inline(text: str) -> str:
    """Text that CommonMark reads back as exactly this text (ends stripped)."""
    escaped = _MARKUP.sub(r"\\\1", text.strip())
    return _LINE_BREAKS.sub(lambda match: f"&#{ord(match.group())};", escaped)


def _destination(url: str) -> str:
    """A link destination that reads back as `url` (backslashes, brackets and entity-like `&`
    escaped); in `<…>` when it holds spaces or unbalanced parentheses."""
    escaped = _DESTINATION_ESCAPES.sub(r"\\\g<0>", url)
    if _PLAIN_DESTINATION.fullmatch(url) and _balanced(url):
        return escaped
    return f"<{escaped}>"


def _balanced(url: str) -> bool:
    depth = 0
    for char in url:
        depth += 1 if char == "(" else -1 if char == ")" else 0
        if depth < 0:
            return False
    return depth == 0


def _link(text: str, url: str) -> str:
    return f"[{_inline(text)}]({_destination(url)})"


def _is_record_url(url: str | None) -> bool:
    return bool(url) and _RECORD_URL.match(url or "") is not None and not _LINE_BREAKS.search(url or "")


def _note_lines(note: str) -> str:
    # One `>` marker is what the reader removes; a line that starts with `>` keeps its own.
    return "".join(f">{line.strip()}\n" for line in note.replace("\r\n", "\n").split("\n")) + "\n"


def _is_caption(title: str) -> bool:
    """Whether `title` survives as the caption line after a URL (read verbatim, stripped)."""
    stripped = title.strip()
    return (
        bool(stripped)
        and "://" not in stripped
        and not _LINE_BREAKS.search(stripped)
        and not stripped.endswith((":", "："))
        and _NOT_A_CAPTION.match(stripped) is None
        and "\t" not in stripped
    )


def _post_entry(record: Record, with_note: bool) -> str:
    url, title = record.url or "", (record.title or "").strip()
    note = record.note if with_note and record.note and record.note.strip() else None
    if not _is_record_url(url):
        return f"- {_inline(title or url or '(untitled)')}\n\n"
    if title and (not _is_caption(title) or not _SAFE_URL.fullmatch(url)):
        line = _link(title, url) + "\n\n"
    elif title:
        line = f"{url}\n\n{title}\n\n"
    elif note and _SAFE_URL.fullmatch(url):
        line = f"{url}\n\n"
    elif note:
        return _list_entry(record, with_note) + "\n"
    else:
        # A URL line without caption or note could take the line before it as its title (X4).
        line = f"{_link(url, url)}\n\n"
    return line + (_note_lines(note) if note else "")


def _list_entry(record: Record, with_note: bool) -> str:
    url, title = record.url or "", (record.title or "").strip()
    note = record.note.strip() if with_note and record.note and record.note.strip() else ""
    if not _is_record_url(url):
        return f"- {_inline(title or url or '(untitled)')}\n"
    item = f"- {_link(title or url, url)}"
    if note and any(char.isalnum() for char in note):
        return f"{item} — {_inline(note)}\n"
    # The reader takes no tail without a letter or digit for a description (a rating, a
    # stray bracket): such a note follows the item as a quote.
    return f"{item}\n\n{_note_lines(note)}" if note else f"{item}\n"
