"""Zotero's Extra field: the CSL `note`, and where Zotero itself reads `Label: value` lines.

Three kinds of lines are Zotero's own conventions, and refexport writes them first:
- `Citation Key: <key>` (Better BibTeX, Zotero's exporters, Zotero 8's field migration);
- `Type: <CSL type>` for a CSL type Zotero has no item type for (Zotero's type override);
- `<CSL Variable>: <value>` for a variable the item type has no field for ("Citing Fields
  from Extra": `Original Date: 1824`, `DOI: 10.1/x`, `Editor: Doe || Jane`), only for the
  variables Zotero's CSL export reads (`EXTRA_VARIABLES`).
The rest of Extra is the record's note. The previous version's bookkeeping lines
(`refexport-id:`, `refexport-data:`) are recognised so that they are never read as a note.
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass, field

from refexport.model import CSL_TYPES, VARIABLES

CITATION_KEY = "Citation Key"
TYPE = "Type"
LEGACY_ID = "refexport-id"
LEGACY_DATA = "refexport-data"
LEGACY_LABELS = (LEGACY_ID, LEGACY_DATA)

# The CSL variables Zotero reads from Extra lines: the list of `extraToCSL` in
# zotero/utilities `utilities_item.js` (translation-server's copy), in the model's names;
# `note` is Extra itself.
EXTRA_VARIABLES: frozenset[str] = (
    frozenset(
        "abstract accessed annote archive archive-place author authority call-number chapter-number "
        "collection-editor collection-number collection-title composer container-author "
        "container-title container-title-short dimensions director edition editor editorial-director "
        "event event-date event-place genre illustrator interviewer issue issued jurisdiction language "
        "medium number number-of-pages number-of-volumes original-author original-date "
        "original-publisher original-publisher-place original-title page page-first publisher "
        "publisher-place recipient references reviewed-author reviewed-title scale section source "
        "status submitted title title-short translator version volume "
        "DOI ISBN ISSN PMCID PMID URL archive_location".split()
    )
    & VARIABLES
)
_UPPER = {v.lower(): v for v in ("DOI", "ISBN", "ISSN", "PMCID", "PMID", "URL")}
# Zotero's `extraToCSL` line pattern: letters, spaces and hyphens, a colon, a value.
_LINE = re.compile(r"([A-Za-z \-]+):\s*(.+)$")
_KEY_LINE = f"{CITATION_KEY}: "


def label(variable: str) -> str:
    """The Extra label of a CSL variable: `Original Date`, `DOI`, `Archive Location`."""
    if variable in _UPPER.values():
        return variable
    return " ".join(word.capitalize() for word in variable.replace("_", "-").split("-"))


def _target(text: str) -> str:
    """What a label names, normalised as Zotero does (`Original Date` -> `original-date`)."""
    name = text.strip().lower().replace(" ", "-")
    if name in _UPPER:
        return _UPPER[name]
    return "archive_location" if name == "archive-location" else name


def fits_line(value: str) -> bool:
    """A value an Extra line gives back exactly: one line, no surrounding blanks."""
    return bool(value) and value == value.strip() and "\n" not in value and "\r" not in value


@dataclass(slots=True)
class Extra:
    key: str | None = None
    csl_type: str | None = None
    values: dict[str, list[str]] = field(default_factory=dict)  # variable -> line values
    note: str | None = None
    legacy: dict[str, str] = field(default_factory=dict)  # the previous version's lines


def parse_extra(text: str, taken: Container[str] = (), names: Container[str] = ()) -> Extra:
    """Split Extra into the lines Zotero reads as fields and the note. A variable in `taken`
    (already set from a field) is not read from Extra; its line stays in the note. Name
    variables (`names`) take every line of their label, other variables the first."""
    extra = Extra()
    if text.startswith(_KEY_LINE) and "\n" not in text:  # the common Extra: the key alone
        value = text[len(_KEY_LINE) :]
        if value and not value[0].isspace():
            extra.key = value
            return extra
    note: list[str] = []
    for line in text.split("\n"):
        match = _LINE.match(line)
        if match is None or not match.group(2).strip() or not _take(extra, match, taken, names):
            note.append(line)
    if note:
        extra.note = "\n".join(note)
    return extra


def _take(extra: Extra, match: re.Match[str], taken: Container[str], names: Container[str]) -> bool:
    raw_label, value = match.groups()
    if raw_label in LEGACY_LABELS:
        return extra.legacy.setdefault(raw_label, value) == value
    target = _target(raw_label)
    if target == "citation-key":
        if extra.key is not None:
            return False
        extra.key = value
        return True
    if target == "type":
        if extra.csl_type is not None or value not in CSL_TYPES:
            return False
        extra.csl_type = value
        return True
    if target not in EXTRA_VARIABLES or target in taken:
        return False
    if target in extra.values and target not in names:
        return False
    extra.values.setdefault(target, []).append(value)
    return True


def compose_extra(
    key: str | None, csl_type: str | None, lines: list[tuple[str, str]], note: str | None
) -> str:
    """Extra from refexport's lines and the note (the lines first: Zotero reads them anywhere,
    people read the note after them)."""
    head = [f"{CITATION_KEY}: {key}"] if key else []
    if csl_type:
        head.append(f"{TYPE}: {csl_type}")
    head.extend(f"{label(variable)}: {value}" for variable, value in lines)
    if note is not None:
        head.append(note)
    return "\n".join(head)
