"""What survives Zotero, field by field, for every format refexport writes: shared by the
Zotero interop tests and by `tools/zotero_interop.py`, which prints the tables.

- into Zotero: our file → Zotero's own import → the items, read as records (our Zotero JSON
  reader) → compared with the records we wrote;
- out of Zotero: our zotero.json items → Zotero's own export in a format → our reader of that
  format → compared with the records.

Records are matched by citation key where the file carries one, else by URL, else by title.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from refexport import formats
from refexport.model import Record
from refexport.text.markup import plain

from conftest import ZoteroTranslate, ZoteroTranslateError

# The fields issue 9 asks about, in table order.
FIELDS = (
    "type",
    "title",
    "URL",
    "container-title",
    "language",
    "tags",
    "author",
    "issued",
    "accessed",
    "key",
)

# Our files, in the order of the table: file name -> refexport format.
IMPORTS = {
    "zotero.rdf": "zotero-rdf",
    "refs.bib": "bibtex",
    "refs-biblatex.bib": "biblatex",
    "refs.json": "csljson",
    "refs.yaml": "csl-yaml",
    "refs.ris": "ris",
    "bookmarks.html": "bookmarks",
}
# Zotero's exporters -> (our reader, a file name for it).
EXPORTS = {
    "rdf_zotero": ("zotero-rdf", "zotero.rdf"),
    "bibtex": ("bibtex", "zotero.bib"),
    "biblatex": ("bibtex", "zotero-biblatex.bib"),
    "csljson": ("csljson", "zotero.json"),
    "ris": ("ris", "zotero.ris"),
}


@dataclass
class Cell:
    """How many records kept a field, of those that have it."""

    kept: int = 0
    total: int = 0
    lost: list[str] = field(default_factory=list)  # keys of the records that did not

    def text(self) -> str:
        if self.total == 0:
            return "–"
        return "✓" if self.kept == self.total else f"{self.kept}/{self.total}"


def write(fmt: str, records: list[Record], title: str = "Catalog") -> str:
    return "".join(formats.get(fmt).write(records, formats.WriteOptions(title)))


def value(record: Record, name: str) -> Any:
    """A field in the form compared: titles as people read them (Zotero keeps no CSL markup
    in every format), tags as a set."""
    if name == "type":
        return record.type
    if name == "key":
        return record.key
    if name == "tags":
        return sorted(record.tags)
    got = record.variables.get(name)
    return plain(got) if name == "title" and isinstance(got, str) else got


def _match(wanted: Record, back: list[Record]) -> Record | None:
    for attribute in ("key", "url", "title"):
        mine = getattr(wanted, attribute)
        found = [r for r in back if mine and getattr(r, attribute) == mine]
        if len(found) == 1:
            return found[0]
    return None


def compare(records: list[Record], back: list[Record]) -> dict[str, Cell]:
    cells = {name: Cell() for name in FIELDS}
    for record in records:
        got = _match(record, back)
        for name in FIELDS:
            wanted = value(record, name)
            if wanted in (None, [], ""):
                continue
            cell = cells[name]
            cell.total += 1
            if got is not None and value(got, name) == wanted:
                cell.kept += 1
            else:
                cell.lost.append(record.key)
    return cells


def imported(zotero: ZoteroTranslate, fmt: str, records: list[Record]) -> list[Record]:
    """What Zotero's import makes of our file in `fmt`, read back as records (ZoteroTranslateError
    when Zotero refuses the file)."""
    items = zotero.import_items(write(fmt, records))
    parents = [item for item in items if "parentItem" not in item]
    return formats.get("zotero").read(json.dumps(parents).encode("utf-8"), "imported.json").records


def exported(zotero: ZoteroTranslate, zotero_format: str, records: list[Record]) -> list[Record]:
    """What refexport reads of Zotero's export in `zotero_format` of our zotero.json items."""
    items = json.loads(write("zotero", records))["items"]
    reader, name = EXPORTS[zotero_format]
    return formats.get(reader).read(zotero.export(zotero_format, items).encode("utf-8"), name).records


def import_table(zotero: ZoteroTranslate, records: list[Record]) -> dict[str, dict[str, Cell] | str]:
    table: dict[str, dict[str, Cell] | str] = {}
    for file, fmt in IMPORTS.items():
        try:
            table[file] = compare(records, imported(zotero, fmt, records))
        except ZoteroTranslateError as error:
            table[file] = f"refused: {str(error).splitlines()[0][:80]}"
    return table


def export_table(zotero: ZoteroTranslate, records: list[Record]) -> dict[str, dict[str, Cell] | str]:
    return {fmt: compare(records, exported(zotero, fmt, records)) for fmt in EXPORTS}


def markdown(table: dict[str, dict[str, Cell] | str]) -> str:
    """The table with one column per file or format and one row per field."""
    heads = list(table)
    lines = ["| field | " + " | ".join(heads) + " |", "|---|" + "---|" * len(heads)]
    for name in FIELDS:
        cells = [c if isinstance(c, str) else c[name].text() for c in table.values()]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
