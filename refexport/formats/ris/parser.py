"""RIS text <-> entries through rispy, with the few things refexport needs that rispy does
not do, each measured on real files and kept here, outside the mapping:

- Every tag is kept, as a list of its values in order (rispy's mapping and list tags are
  set to "all two-character tags"), so nothing of another program's file is lost.
- A value's continuation lines are joined with a newline (rispy joins with a space, or makes
  a continuation of a list tag a new value), so a note's lines survive a round trip.
- Entries are located first (each `TY` line up to the next), so that every entry knows its
  line and a truncated last entry (rispy drops it silently) is reported.
- `XX - value` with one space (Zotero reads it; rispy does not) is given its second space.
- The writer never lets a continuation line read as a tag (a note line `ER  - x` would end
  the entry in every reader): such a line gets a leading space, which readers strip.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import rispy  # type: ignore[import-untyped]

Entry = dict[str, list[str]]  # tag -> values, in reading order; "TY" -> [type]

# Every syntactically valid tag (RIS: an upper-case letter, then a letter or digit).
TAGS: tuple[str, ...] = tuple(
    a + b for a in string.ascii_uppercase for b in string.ascii_uppercase + string.digits
)
_MAPPING = {tag: tag.lower() for tag in TAGS} | {"TY": "type_of_reference", "UK": "unknown_tag"}
_TAG_OF = {name: tag for tag, name in _MAPPING.items()}
_LIST_TAGS = frozenset(TAGS) - {"TY"}
# A line every reader takes for a tag: Zotero `^[A-Z][A-Z0-9] {1,2}-( |$)`, rispy `XX  -`.
LOOKS_LIKE_TAG = re.compile(r"[A-Z][A-Z0-9] {1,2}-(?: |$)")
_ONE_SPACE_TAG = re.compile(r"^([A-Z][A-Z0-9]) -( |\r?$)", re.MULTILINE)


class _Parser(rispy.RisParser):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(mapping=_MAPPING, list_tags=_LIST_TAGS, delimiter_tags_mapping={})

    def _add_tag(
        self, record: dict[str, Any], tag: str | None, content: str, extend_multiline: bool = False
    ) -> None:
        if extend_multiline:
            if tag is not None and tag != "TY":
                values = record[self.mapping[tag]]
                last = values[-1]  # a list of lines, joined in `_entry` (str += str is quadratic)
                if isinstance(last, list):
                    last.append(content)
                else:
                    values[-1] = [last, content]
            return  # a continuation line before the first tag: rispy would raise
        super()._add_tag(record, tag, content)


class _Writer(rispy.RisWriter):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(mapping=_MAPPING, list_tags=_LIST_TAGS, delimiter_tags_mapping={})

    def set_header(self, count: int) -> str:
        return ""  # rispy numbers entries ("1."); other programs do not


_PARSER = _Parser()
_WRITER = _Writer()


@dataclass(slots=True)
class Located:
    """One entry and the line its `TY` is on; `complete` is False when the file ends before
    its `ER` line (a truncated file)."""

    entry: Entry
    line: int
    complete: bool


def entries(text: str) -> Iterator[Located]:
    """The entries of a RIS text, in order. Lines outside entries are ignored (as Zotero and
    rispy do); an entry whose `ER` is missing before the next `TY` ends there."""
    if _ONE_SPACE_TAG.search(text):
        text = _ONE_SPACE_TAG.sub(r"\1  -\2", text)
    lines = text.split("\n")  # only "\n": a value may hold U+2028 and the like
    starts = [
        n for n, line in enumerate(lines) if line.startswith("TY") and _PARSER.parse_line(line)[0] == "TY"
    ]
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(lines)
        chunk = lines[start:end]
        complete = any(line.startswith("ER") and _PARSER.parse_line(line)[0] == "ER" for line in chunk)
        if not complete:
            chunk.append("ER  - ")
        for record in _PARSER.parse_lines(iter(chunk)):
            yield Located(_entry(record), start + 1, complete or index + 1 < len(starts))


def _entry(record: dict[str, Any]) -> Entry:
    out: Entry = {"TY": [record.pop("type_of_reference").strip()]}
    for name, values in record.items():
        out[_TAG_OF[name]] = [v if isinstance(v, str) else "\n".join(v) for v in values]
    return out


def value_lines(value: str) -> str:
    """A value as it is written: continuation lines that would read as a tag get a leading
    space (every reader strips it)."""
    if "\n" not in value:
        return value
    first, *rest = value.split("\n")
    return "\n".join([first, *((" " + line) if LOOKS_LIKE_TAG.match(line) else line for line in rest)])


def format_entries(batch: Sequence[Entry]) -> str:
    """RIS text of entries (values already passed through `value_lines`), each ended by
    `ER  - ` and a blank line."""
    references: list[dict[str, Any]] = [
        {_MAPPING[tag]: values for tag, values in entry.items() if tag != "TY"} for entry in batch
    ]
    for reference, entry in zip(references, batch, strict=True):
        reference["type_of_reference"] = entry["TY"][0]
    return str(_WRITER.formats(references))
