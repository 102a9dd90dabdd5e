"""What survives Zotero, field by field, for every format refexport writes: shared by the
Zotero interop tests and by `tools/zotero_interop.py`, which prints the tables.

- into Zotero: our file → Zotero's own import → the items, compared with the items our
  zotero.json holds for the same records (the intended item type and fields);
- out of Zotero: our zotero.json items → Zotero's own export in a format → our reader of that
  format → compared with the records.

Every loss has its reason in `INTO_REASONS` / `OUT_REASONS` (data: format, field, which
records, why); a loss without one fails the tests.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from refexport import formats
from refexport.formats.zotero.dates import parse_date
from refexport.model import Record
from refexport.text.markup import plain

from conftest import ZoteroTranslate, ZoteroTranslateError

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

# The fields issue 9 asks about, in table order: into Zotero, as Zotero item fields.
INTO_FIELDS = ("type", "title", "URL", "container", "language", "tags", "creators", "date", "accessed", "key")
# out of Zotero, as the records' fields.
OUT_FIELDS = (
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

# Zotero's fields that name the container of an item (its base field publicationTitle and
# the fields mapped to it), and where a site lands when the item type has none.
_CONTAINERS = (
    "publicationTitle",
    "websiteTitle",
    "blogTitle",
    "forumTitle",
    "bookTitle",
    "proceedingsTitle",
    "encyclopediaTitle",
    "dictionaryTitle",
    "programTitle",
)
_KEY = re.compile(r"^Citation Key: (.+)$", re.MULTILINE)
_PUBLISHED = re.compile(r"^Published: (.+)$", re.MULTILINE)


@dataclass
class Cell:
    """How many records kept a field, of those that have it, and why the others did not."""

    kept: int = 0
    total: int = 0
    lost: dict[str, str | None] = field(default_factory=dict)  # record key -> reason (None: none)

    def text(self) -> str:
        if self.total == 0:
            return "–"
        return "✓" if self.kept == self.total else f"{self.kept}/{self.total}"


Table = dict[str, dict[str, Cell] | str]  # file or format -> field -> cell, or why refused
# (format or "*", field, which records, reason)
Reason = tuple[str, str, Callable[[Record], bool], str]


def _types(*names: str) -> Callable[[Record], bool]:
    return lambda record: record.type in names


def _keys(*names: str) -> Callable[[Record], bool]:
    return lambda record: record.key in names


def _every(record: Record) -> bool:
    return True


_WEB = ("webpage", "post-weblog", "post")
_NO_SITE = "a computerProgram or videoRecording has no site field"
_EXTRA_OUT = ": Zotero keeps it in Extra, which its BibTeX export writes into `note`, BibLaTeX and RIS drop"
INTO_REASONS: list[Reason] = [
    (
        "bookmarks.html",
        "*",
        _every,
        "a bookmark has a URL, a title, tags, an added date and a folder only: Zotero makes it a "
        "webpage with those",
    ),
    ("refs.bib", "type", _types(*_WEB, "software", "motion_picture"), "classic BibTeX's @misc: a `document`"),
    (
        "refs.bib",
        "container",
        lambda r: "publisher" in r.variables or len(str(r.variables.get("container-title"))) < 7,
        "a document has no site field: it lands in its publisher (counted as kept), but a document "
        "has one publisher (the record's own wins), and an Extra `Published:` line is made only "
        "from 7 characters",
    ),
    (
        "refs-biblatex.bib",
        "type",
        _types("post-weblog", "post"),
        "no BibLaTeX type for posts: @online, a webpage",
    ),
    (
        "refs-biblatex.bib",
        "type",
        _types("motion_picture"),
        "biber's data model gives @video no fields: a video is @misc, a document",
    ),
    (
        "refs-biblatex.bib",
        "container",
        _every,
        "Zotero's import reads a webpage's site only from journaltitle or booktitle, which "
        "biber's data model forbids on @online",
    ),
    (
        "refs-biblatex.bib",
        "date",
        _types("motion_picture"),
        "Zotero keeps the range `2022-07/2022-08` as written (our zotero.json: the start, the "
        "range in Extra)",
    ),
    (
        "refs-biblatex.bib",
        "creators",
        _keys("berg2020particles"),
        "an entry with both particle kinds writes one in biblatex's extended name format "
        "(`family=Berg, given=Anna, prefix=van der, useprefix=true`), which Zotero's import cannot read",
    ),
    (
        "refs.json",
        "creators",
        _keys("berg2020particles"),
        "Zotero's CSL JSON import keeps family and given only: particles and suffixes are dropped",
    ),
    ("refs.json", "type", _types("motion_picture"), "Zotero's CSL JSON import makes `motion_picture` a film"),
    ("refs.json", "tags", _every, "Zotero's CSL JSON import ignores `keyword`"),
    ("refs.ris", "type", _types("motion_picture"), "Zotero's RIS import makes VIDEO a film"),
    ("refs.ris", "type", _types("post"), "Zotero's RIS import takes ICOMM for an email"),
    ("refs.bib", "date", _keys("smith2020study"), "classic BibTeX's year/month say a range's start only"),
    (
        "*",
        "key",
        _every,
        "Zotero's BibTeX and CSL JSON imports drop the entry key and the id (Better BibTeX keeps them)",
    ),
    ("*", "creators", _keys("berg2020particles"), "Zotero has no particles: `van der` joins the last name"),
    ("*", "creators", _types("motion_picture"), "Zotero 7 has no video `creator` (Zotero 8 has)"),
    (
        "*",
        "creators",
        _types("software"),
        "Zotero's BibTeX import makes every `author` an author (a computerProgram's is a programmer)",
    ),
    ("*", "language", _types("software"), "Zotero's computerProgram has no language field (only in Extra)"),
    ("*", "container", _types("software", "motion_picture"), _NO_SITE + " (only in Extra)"),
    ("*", "date", _types("motion_picture"), "Zotero has no date ranges: the start arrives"),
    (
        "*",
        "type",
        _types("review-book"),
        "Zotero has no review type: our zotero.json has a document with `Type: review-book` in "
        "Extra; the .bib and RIS files say @article/JOUR (where reviews are published): a journalArticle",
    ),
    (
        "*",
        "title",
        _keys("smith2020study"),
        "Zotero's import keeps `\\textsubscript` (it reads only `$_{…}$`)",
    ),
    ("*", "title", _keys("meiyou_chun_sql-x9"), "Zotero's import cannot read LaTeX's escaped `$ ~ \\ ^`"),
]
OUT_REASONS: list[Reason] = [
    (
        "bibtex",
        "type",
        _types(*_WEB, "software", "motion_picture"),
        "Zotero's BibTeX export writes @misc (document)",
    ),
    ("biblatex", "type", _types("post-weblog", "post"), "Zotero's BibLaTeX export writes @online (webpage)"),
    (
        "*",
        "type",
        _types("review-book"),
        "Zotero has no review type (its exports drop the Extra `Type:` line)",
    ),
    (
        "ris",
        "type",
        _types("post"),
        "Zotero's RIS export writes a forum post as ICOMM (personal communication)",
    ),
    ("bibtex", "issued", _every, "Zotero's BibTeX export writes year and month only"),
    (
        "*",
        "issued",
        _types("motion_picture"),
        "Zotero has no date ranges: the start (its CSL export says the range)",
    ),
    (
        "*",
        "author",
        _keys("berg2020particles"),
        "BibTeX has one particle kind: `van der Berg, Anna` is biblatex's (useprefix=false) and "
        "pandoc's dropping particle",
    ),
    ("*", "author", _types("motion_picture"), "Zotero 7 has no video `creator` (Zotero 8 has)"),
    ("*", "container-title", _types("software", "motion_picture"), _NO_SITE + _EXTRA_OUT),
    ("*", "language", _types("software"), "a computerProgram has no language field" + _EXTRA_OUT),
    (
        "biblatex",
        "language",
        _every,
        "Zotero writes `langid = {english}` for `en`: babel's english is en-US (pandoc reads it so)",
    ),
    ("csljson", "tags", _every, "Zotero's CSL JSON export writes no tags (CSL has none)"),
    ("ris", "key", _every, "Zotero's RIS export writes no citation key"),
]


def reason(reasons: list[Reason], where: str, name: str, record: Record) -> str | None:
    return next(
        (
            why
            for fmt, fld, which, why in reasons
            if fmt in (where, "*") and fld in (name, "*") and which(record)
        ),
        None,
    )


def write(fmt: str, records: list[Record], title: str = "Catalog") -> str:
    return "".join(formats.get(fmt).write(records, formats.WriteOptions(title)))


def json_items(records: list[Record]) -> list[dict[str, Any]]:
    return json.loads(write("zotero", records))["items"]  # type: ignore[no-any-return]


# ------------------------------------------------------------------------------ into Zotero


def item_fields(item: dict[str, Any]) -> dict[str, Any]:
    """The fields of a Zotero item the table compares."""
    extra = item.get("extra") or ""
    key = _KEY.search(extra)
    return {
        "type": item["itemType"],
        "title": plain(item.get("title") or "") or None,
        "URL": item.get("url") or None,
        "container": next((item[f] for f in _CONTAINERS if item.get(f)), None),
        "language": item.get("language") or None,
        "tags": sorted(t["tag"] for t in item.get("tags", [])) or None,
        "creators": [{k: v for k, v in c.items() if k != "fieldMode"} for c in item.get("creators", [])]
        or None,
        "date": parse_date(item["date"]).to_csl() if item.get("date") else None,  # "May 1, 2020" too
        "accessed": (item.get("accessDate") or "")[:10] or None,
        "key": key.group(1) if key else None,
    }


def _site_elsewhere(got: dict[str, Any], item: dict[str, Any], wanted: Any) -> bool:
    """A site where a document keeps it: the publisher, or an Extra `Published:` line."""
    published = _PUBLISHED.search(item.get("extra") or "")
    return wanted in (item.get("publisher"), published.group(1) if published else None)


def into_cells(where: str, records: list[Record], items: list[dict[str, Any]]) -> dict[str, Cell]:
    """Zotero's items of our file `where` against the items our zotero.json has."""
    cells = {name: Cell() for name in INTO_FIELDS}
    by_url = {i.get("url"): i for i in items if i.get("url")}
    by_title = {plain(i.get("title") or ""): i for i in items}
    for record, intended in zip(records, json_items(records), strict=True):
        wanted = item_fields(intended)
        item = by_url.get(intended.get("url")) or by_title.get(plain(intended.get("title") or "")) or {}
        got = item_fields(item) if item else dict.fromkeys(INTO_FIELDS)
        for name in INTO_FIELDS:
            if wanted[name] is None:
                continue
            cell = cells[name]
            cell.total += 1
            if got[name] == wanted[name] or (
                name == "container" and _site_elsewhere(got, item, wanted[name])
            ):
                cell.kept += 1
            else:
                cell.lost[record.key] = reason(INTO_REASONS, where, name, record)
    return cells


def imported_items(zotero: ZoteroTranslate, fmt: str, records: list[Record]) -> list[dict[str, Any]]:
    """The (parent) items Zotero's import makes of our file in `fmt` (ZoteroTranslateError
    when Zotero refuses the file)."""
    return [
        i
        for i in zotero.import_items(write(fmt, records))
        if "parentItem" not in i and i["itemType"] != "note"
    ]


def into_table(zotero: ZoteroTranslate, records: list[Record]) -> Table:
    table: Table = {}
    for file, fmt in IMPORTS.items():
        try:
            table[file] = into_cells(file, records, imported_items(zotero, fmt, records))
        except ZoteroTranslateError as error:
            table[file] = f"refused: {str(error).splitlines()[0][:80]}"
    return table


# ------------------------------------------------------------------------------ out of Zotero


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


def out_cells(where: str, records: list[Record], back: list[Record]) -> dict[str, Cell]:
    cells = {name: Cell() for name in OUT_FIELDS}
    for record in records:
        got = _match(record, back)
        for name in OUT_FIELDS:
            wanted = value(record, name)
            if wanted in (None, [], ""):
                continue
            cell = cells[name]
            cell.total += 1
            if got is not None and value(got, name) == wanted:
                cell.kept += 1
            else:
                cell.lost[record.key] = reason(OUT_REASONS, where, name, record)
    return cells


def exported(zotero: ZoteroTranslate, zotero_format: str, records: list[Record]) -> list[Record]:
    """What refexport reads of Zotero's export in `zotero_format` of our zotero.json items."""
    reader, name = EXPORTS[zotero_format]
    text = zotero.export(zotero_format, json_items(records))
    return formats.get(reader).read(text.encode("utf-8"), name).records


def out_table(zotero: ZoteroTranslate, records: list[Record]) -> Table:
    return {fmt: out_cells(fmt, records, exported(zotero, fmt, records)) for fmt in EXPORTS}


# Our files and the Zotero exporter of the same format, for the round trip through Zotero.
ROUND_TRIPS = {
    "zotero.rdf": "rdf_zotero",
    "refs.bib": "bibtex",
    "refs-biblatex.bib": "biblatex",
    "refs.json": "csljson",
    "refs.ris": "ris",
}


def round_trip_table(zotero: ZoteroTranslate, records: list[Record]) -> Table:
    """Our file → Zotero's import → Zotero's export in the same format → our reader."""
    table: Table = {}
    for file, zotero_format in ROUND_TRIPS.items():
        items = imported_items(zotero, IMPORTS[file], records)
        reader, name = EXPORTS[zotero_format]
        text = zotero.export(zotero_format, items)
        back = formats.get(reader).read(text.encode("utf-8"), name).records
        table[file] = out_cells(zotero_format, records, back)
    return table


# ------------------------------------------------------------------------------ printing


def markdown(table: Table, fields: tuple[str, ...], reasons: bool = True) -> str:
    """The table with one column per file or format and one row per field; then the reasons
    of the cells that are not ✓."""
    heads = list(table)
    lines = ["| field | " + " | ".join(heads) + " |", "|---|" + "---|" * len(heads)]
    for name in fields:
        cells = [c if isinstance(c, str) else c[name].text() for c in table.values()]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    notes = sorted(
        {
            f"- {head}, {name}: {why or 'UNEXPLAINED: ' + key}"
            for head, cells in table.items()
            if not isinstance(cells, str)
            for name, cell in cells.items()
            for key, why in cell.lost.items()
        }
    )
    return "\n".join([*lines, "", *notes] if reasons else lines)


def bars(table: Table, fields: tuple[str, ...]) -> str:
    """Kept/total per field over all columns, as bars."""
    lines = []
    for name in fields:
        cells = [c[name] for c in table.values() if not isinstance(c, str)]
        kept, total = sum(c.kept for c in cells), sum(c.total for c in cells)
        if total:
            filled = round(20 * kept / total)
            lines.append(
                f"{name:16} {'█' * filled}{'░' * (20 - filled)} {kept}/{total} ({100 * kept / total:.0f} %)"
            )
    return "\n".join(lines)
