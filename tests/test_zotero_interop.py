"""Zotero itself as the client of every file we write: its own import translators read our
files (zotero.rdf with the collection tree, .bib, CSL JSON, RIS, bookmarks), its own exporters
read our zotero.json items, nothing of refexport's bookkeeping reaches what Zotero exports, and
what Zotero exports reads back into refexport. Each loss on the way has its reason in
tests/zotero_fields.py (the table `tools/zotero_interop.py` prints for the README)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from refexport.catalog import load
from refexport.formats.zotero.schema import schema
from refexport.model import Date, Record

import zotero_fields
from conftest import ZoteroTranslate
from zotero_fields import exported, json_items, write
from zotero_server import synthetic_records

# Everything of refexport's own that must never reach a library or what Zotero exports.
LEAKS = re.compile(r'refexport|\u200b|\u200c|\u200d|\u2060|\ufeff|XXXX|\{"[a-z_-]+":')
# What the schema refexport follows (41, Zotero 8) has and the Zotero of these translators
# (schema 29, Zotero 7) drops on import: a webpage's DOI (schema 34) and a video's `creator`
# creator type (schema 38; Zotero 7 has no creator type that means the uploader).
ZOTERO_7_LACKS = {("webpage", "DOI"), ("videoRecording", "creators")}


ZOTERO_CSL_NAMES = {"container-title-short": "journalAbbreviation", "part": "part-number"}


@pytest.fixture(scope="module")
def records() -> list[Record]:
    catalog = load()
    return [*catalog.records, *synthetic_records()]


def citation_key(item: dict[str, Any]) -> str | None:
    match = re.match(r"Citation Key: (.+)", item.get("extra") or "")
    return match.group(1) if match else None


@pytest.fixture(scope="module")
def imported(zotero_translate: ZoteroTranslate, records: list[Record]) -> dict[str, dict[str, Any]]:
    """The items Zotero's import makes of our zotero.rdf, by citation key."""
    items = zotero_translate.import_items(write("zotero-rdf", records))
    return {citation_key(i) or "?": i for i in items if "parentItem" not in i}


def test_zotero_imports_our_rdf_with_every_field(
    records: list[Record], imported: dict[str, dict[str, Any]]
) -> None:
    assert set(imported) == {r.key for r in records}
    ours = {item["key"]: item for item in json_items(records)}
    for record, wanted in zip(records, ours.values(), strict=True):
        got = imported[record.key]
        assert got["itemType"] == wanted["itemType"], record.key
        assert got.get("extra") == wanted.get("extra"), record.key  # key, Extra lines, note
        assert sorted(t["tag"] for t in got["tags"]) == sorted(record.tags), record.key
        if "accessDate" in wanted:
            assert got["accessDate"][:10] == wanted["accessDate"], record.key
        assert got.get("date") == wanted.get("date"), record.key  # no access date taken for a date
        creators = [{k: v for k, v in c.items() if k != "fieldMode"} for c in got["creators"]]
        fields = set(wanted) - {"key", "version", "tags", "collections", "accessDate", "date"}
        missing = {f for f in fields if (creators if f == "creators" else got.get(f)) != wanted[f]}
        assert {(wanted["itemType"], f) for f in missing} <= ZOTERO_7_LACKS, (record.key, missing)


def test_zotero_imports_our_collection_tree(zotero_translate: ZoteroTranslate, records: list[Record]) -> None:
    text = write("zotero-rdf", records)
    tree = zotero_translate.collections(text)
    expected: dict[tuple[str, ...], set[str]] = {}
    for item, record in zip(json_items(records), records, strict=True):
        for path in [record.collection, *record.also_in]:
            expected.setdefault(("Catalog", *path[1:]), set()).add(f"#item_{item['key']}")
    found: dict[tuple[str, ...], set[str]] = {}

    def walk(node: dict[str, Any], path: tuple[str, ...]) -> None:
        here = (*path, node["name"])
        found.setdefault(here, set())
        for child in node.get("children", []):
            if child.get("type") == "item":
                found[here].add(child["id"])
            else:
                walk(child, here)

    for top in tree["collections"]:
        walk(top, ())
    assert {k: v for k, v in found.items() if v} == expected
    assert set(found) >= set(expected)


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex", "csljson", "ris"])
def test_nothing_of_ours_reaches_what_zotero_exports(
    zotero_translate: ZoteroTranslate, records: list[Record], imported: dict[str, dict[str, Any]], fmt: str
) -> None:
    """Neither from our zotero.json items nor from what Zotero imported of our zotero.rdf."""
    for items in (json_items(records), list(imported.values())):
        text = zotero_translate.export(fmt, items)
        assert LEAKS.search(text) is None, LEAKS.search(text)
        if fmt in ("bibtex", "biblatex"):  # the citation keys are ours
            keys = set(re.findall(r"^@\w+\{([^,]+),", text, re.MULTILINE))
            assert keys == {r.key for r in records}


def test_zotero_cites_our_json_items_as_the_records_say(
    zotero_translate: ZoteroTranslate, records: list[Record]
) -> None:
    """Zotero's own CSL export (itemToCSLJSON) of our items gives the records' variables:
    names with their particles, identifiers, numbers, places, dates; a variable the item type
    has no field for comes as the `variable: value` line citeproc-js reads from `note`."""
    cited = {c["id"]: c for c in json.loads(zotero_translate.export("csljson", json_items(records)))}
    assert set(cited) == {r.key for r in records}
    for record in records:
        csl = cited[record.key]
        assert csl["type"] == (record.type if record.type != "review-book" else "document"), record.key
        for variable, value in record.variables.items():
            assert _cited(csl, record, variable, value), (record.key, variable, csl)


def _cited(csl: dict[str, Any], record: Record, variable: str, value: Any) -> bool:
    note_lines = csl.get("note", "").split("\n")
    spec = schema().item_types[schema().zotero_type(record.type)]
    if variable == "note":
        return csl.get("note", "").endswith(value)  # after the Extra lines
    if variable not in spec.variable_field and variable not in spec.name_creator and variable != "author":
        return f"{variable}: {value.iso() if isinstance(value, Date) else value}" in note_lines
    if isinstance(value, Date):
        date = csl.get(variable)
        parts = [[int(p) for p in row] for row in date.get("date-parts", [])] if date else None
        return not value.is_simple() or parts == [value.parts[0].parts()]
    if isinstance(value, list):
        if (spec.name, "creators") in ZOTERO_7_LACKS:
            return True
        return csl.get(variable) == [n.to_dict() for n in value]
    return csl.get(ZOTERO_CSL_NAMES.get(variable, variable)) == value


def test_what_zotero_exports_as_rdf_reads_back(
    zotero_translate: ZoteroTranslate, records: list[Record]
) -> None:
    back = {r.key: r for r in exported(zotero_translate, "rdf_zotero", records)}
    assert set(back) == {r.key for r in records}
    for record in records:
        got = back[record.key]
        assert got.type == record.type, record.key
        for variable in (
            "title",
            "URL",
            "container-title",
            "language",
            "issued",
            "accessed",
            "author",
            "editor",
        ):
            assert got.variables.get(variable) == record.variables.get(variable), (record.key, variable)
        assert got.tags == record.tags, record.key
        natives = set(record.variables) - {"note"}
        assert {v: got.variables.get(v) for v in natives} == {v: record.variables[v] for v in natives}, (
            record.key
        )


def _unexplained(cells: dict[str, zotero_fields.Cell]) -> dict[str, list[str]]:
    return {
        name: [k for k, why in cell.lost.items() if why is None]
        for name, cell in cells.items()
        if None in cell.lost.values()
    }


@pytest.mark.parametrize("file", [f for f, fmt in zotero_fields.IMPORTS.items() if fmt != "csl-yaml"])
def test_what_zotero_imports_of_our_files(
    zotero_translate: ZoteroTranslate, records: list[Record], file: str
) -> None:
    """Issue 9's table, into Zotero: every item arrives with its intended type and fields, or
    the loss has its reason (zotero_fields.INTO_REASONS)."""
    items = zotero_fields.imported_items(zotero_translate, zotero_fields.IMPORTS[file], records)
    assert len(items) == len([r for r in records if r.url or file != "bookmarks.html"])  # a bookmark is a URL
    cells = zotero_fields.into_cells(file, records, items)
    assert _unexplained(cells) == {}
    latex = {"smith2020study", "meiyou_chun_sql-x9"}  # LaTeX Zotero's import cannot read
    unbookmarked = {r.key for r in records if not r.url} if file == "bookmarks.html" else set()
    for name in ("title", "URL", "accessed"):  # what every format says, Zotero keeps
        assert cells[name].lost.keys() <= latex | unbookmarked, name
    catalog = {r.key for r in load().records}
    if file != "bookmarks.html":  # the catalog's site and language arrive from every file
        assert not catalog & cells["language"].lost.keys()
        assert not catalog & cells["container"].lost.keys() or file == "refs-biblatex.bib"


@pytest.mark.parametrize("zotero_format", list(zotero_fields.EXPORTS))
def test_what_zotero_exports_reads_back(
    zotero_translate: ZoteroTranslate, records: list[Record], zotero_format: str
) -> None:
    """Issue 9 part 4: Zotero's own export of our items, read by refexport, has the records'
    titles, URLs, types, creators, dates, containers, languages, tags and keys, or the loss
    has its reason (zotero_fields.OUT_REASONS)."""
    back = exported(zotero_translate, zotero_format, records)
    assert len(back) == len(records)
    cells = zotero_fields.out_cells(zotero_format, records, back)
    assert _unexplained(cells) == {}
    for name in ("title", "URL", "accessed"):
        assert cells[name].lost == {}, name
