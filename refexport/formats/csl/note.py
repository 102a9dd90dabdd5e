"""A CSL note's `variable: value` lines: the guard refexport writes against them, and the
variables they give when someone else wrote them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from refexport.formats.csl.dates import parse_edtf
from refexport.formats.csl.schema import SCHEMA_EXTRA_NUMBER, SCHEMA_EXTRA_TEXT
from refexport.model import (
    DATE_VARIABLES,
    NAME_VARIABLES,
    NUMBER_VARIABLES,
    TEXT_VARIABLES,
    Date,
    Name,
    Record,
)

# --- the note guard ------------------------------------------------------------------------
# pandoc and citeproc-js read `variable: value` lines at the top of `note` as variables
# ("cheater syntax"): a note starting "publisher: 新浪博客" changes the printed publisher.
# pandoc reads lines from the first while they look like `name:`; citeproc-js reads the
# first line if it does, else goes on with the next non-blank line, and on while lines do.
# Such a line naming a real CSL variable gets one leading space, which neither reads as a
# variable; the reader takes exactly that space away again. Zotero trims the note it puts
# into Extra, so the first line's space never shows there. Lines naming no variable
# ("http://…", "TODO: …") are left alone: they change no printed variable.
_FIELD_LINE = re.compile(r" *(?:\{:)?((?:[^\W\d]|-)+):")
_VARIABLE_NAMES = frozenset(
    n.lower()
    for n in (
        *TEXT_VARIABLES,
        *NUMBER_VARIABLES,
        *NAME_VARIABLES,
        *DATE_VARIABLES,
        *SCHEMA_EXTRA_TEXT,
        *SCHEMA_EXTRA_NUMBER,
        *"id type categories custom container editor-translator license part-number printing-number "
        "supplement-number".split(),
    )
)


def _leading_lines(lines: list[str], pattern: re.Pattern[str]) -> Iterator[tuple[int, re.Match[str]]]:
    """(index, match) of the lines citeproc-js reads as `name: value`: the first line if it
    matches, then the next non-blank lines while they do."""
    for index, line in enumerate(lines):
        if index and not line.strip():
            continue
        match = pattern.match(line)
        if match is None:
            if index == 0:
                continue  # citeproc-js reads on after a first line of prose
            return
        yield index, match


def _guarded_lines(lines: list[str]) -> list[int]:
    """Indexes of the lines a processor would read as a CSL variable."""
    found = []
    for index, match in _leading_lines(lines, _FIELD_LINE):
        if match.group(1).lower() in _VARIABLE_NAMES:
            found.append(index)
            if index:
                break  # a guarded line ends citeproc-js's scan (the first one does not)
    return found


def guarded_note(note: str) -> str:
    if ":" not in note:
        return note
    lines = note.split("\n")
    for index in _guarded_lines(lines):
        lines[index] = " " + lines[index]
    return "\n".join(lines)


# A `variable: value` line as citeproc-js reads it from a note, also in its `{:variable: value}`
# form; no leading blank (that is the guard).
_NOTE_VARIABLE = re.compile(r"(\{:)?((?:[^\W\d]|-)+):\s*(.*?)(?(1)\})\s*$")
_NOTE_NAMES = {n.lower(): n for n in (*TEXT_VARIABLES, *NUMBER_VARIABLES, *NAME_VARIABLES, *DATE_VARIABLES)}


def read_note(record: Record, note: str) -> None:
    """The note without its guard, and the variables its unguarded `variable: value` lines
    give, as citeproc-js and pandoc print them: Zotero's CSL export writes so what an item
    type has no field for (`container-title: GitHub`, `issued: 2022-07/2022-08`). A line
    naming a variable the item has already stays in the note."""
    variables = record.variables
    if ":" not in note:
        return
    written = note.split("\n")
    found = _note_variables(written)  # a guarded line is no variable: read before unguarding
    lines = list(written)
    for index in _guarded_lines(lines):
        if lines[index].startswith(" "):
            lines[index] = lines[index][1:]
    absent = {v for _, v, _ in found if v in NAME_VARIABLES and v not in variables}
    taken = {index for index, variable, value in found if _take(record, variable, value, absent)}
    if taken:
        kept = [line for index, line in enumerate(lines) if index not in taken]
        note = "\n".join(kept).strip("\n")
    else:
        note = "\n".join(lines)
    if note:
        variables["note"] = note
    else:
        del variables["note"]


def _note_variables(lines: list[str]) -> list[tuple[int, str, str]]:
    """(line index, variable, value) of the lines citeproc-js reads as variables (a line
    like `TODO: …` is read on, naming nothing)."""
    found = []
    for index, match in _leading_lines(lines, _NOTE_VARIABLE):
        variable = _NOTE_NAMES.get(match.group(2).lower())
        if variable is not None:
            found.append((index, variable, match.group(3)))
    return found


def _refines(date: Date, got: Any) -> bool:
    """A range in the note that starts with the item's date (Zotero's CSL export writes a
    range's start as the date and the range as a note line)."""
    return (
        isinstance(got, Date)
        and len(got.parts) == 1
        and len(date.parts) == 2
        and date.parts[0] == got.parts[0]
    )


def _take(record: Record, variable: str, value: str, absent_names: set[str]) -> bool:
    """Set `variable` from a note line's text; False if the record has it or the text says
    nothing. Names are `Family || Given` (Zotero's form) or one literal name, a line each:
    every line of a name variable the item lacks adds a name."""
    if not value:
        return False
    got = record.variables.get(variable)
    if variable in NAME_VARIABLES:
        if variable not in absent_names:
            return False
        family, bar, given = value.partition("||")
        names = got if isinstance(got, list) else []
        names.append(Name(family=family.strip(), given=given.strip()) if bar else Name(literal=value))
        record.variables[variable] = names
        return True
    if variable in DATE_VARIABLES:
        date = parse_edtf(value)
        if date is None or (got is not None and not _refines(date, got)):
            return False
        record.variables[variable] = date
    elif got is not None:
        return False
    else:
        record.variables[variable] = value
    return True
