"""Real clients read what we write: bibtex + plain.bst, biber's data model, pandoc, and
Zotero's own BibTeX import (issue 9's table, and no bookkeeping in what Zotero exports)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from refexport.catalog import load
from refexport.model import Record
from refexport.text.markup import plain
from tests.conftest import ZoteroTranslate, require_tool, sample_records
from tests.test_bibtex import hostile_records, wechat_record, write_text

DIALECTS = ("bibtex", "biblatex")
RECORD_SETS = {
    "samples": sample_records,
    "hostile": hostile_records,
    "wechat": lambda: [wechat_record()],
    "catalog": lambda: load().records,
}


@pytest.mark.parametrize("name", RECORD_SETS)
def test_bibtex_and_plain_bst_print_every_entry_without_a_warning(name: str, tmp_path: Path) -> None:
    bibtex_program = require_tool("bibtex")
    records = RECORD_SETS[name]()
    (tmp_path / "refs.bib").write_text(write_text(records, "bibtex"), encoding="utf-8")
    (tmp_path / "doc.aux").write_text("\\citation{*}\n\\bibdata{refs}\n\\bibstyle{plain}\n", encoding="utf-8")
    run = subprocess.run([bibtex_program, "doc"], cwd=tmp_path, capture_output=True, text=True, check=False)
    log = (tmp_path / "doc.blg").read_text(encoding="utf-8", errors="replace")
    assert run.returncode == 0, log
    assert not re.search(r"^Warning--|error message|\(There w[ae]re \d+ warnings?\)", log, re.MULTILINE), log
    bbl = (tmp_path / "doc.bbl").read_text(encoding="utf-8", errors="replace")
    assert bbl.count("\\bibitem") == len(records)


@pytest.mark.parametrize("name", RECORD_SETS)
def test_biber_finds_our_biblatex_in_its_data_model(name: str, tmp_path: Path) -> None:
    """Clean, but for two things the records say themselves: a work without a date (biber
    wants one; `date = {XXXX}` would become the date "XXXX" in Zotero), and a field of
    another tool the record brought along (JabRef's `groups`), written back as it was."""
    biber = require_tool("biber")
    records = RECORD_SETS[name]()
    (tmp_path / "refs.bib").write_text(write_text(records, "biblatex"), encoding="utf-8")
    run = subprocess.run(
        [biber, "--tool", "--validate-datamodel", "--output-file", str(tmp_path / "out.bib"), "refs.bib"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    undated = {r.key for r in records if r.issued is None}
    foreign = {
        (r.key, k.removeprefix("bibtex:")) for r in records for k in r.custom if k.startswith("bibtex:")
    }
    for line in re.findall(r"^(?:WARN|ERROR) - .*$", output, re.MULTILINE):
        missing_date = re.search(r"Entry '(.*)' .*Missing mandatory field - one of 'date, year'", line)
        foreign_field = re.search(r"Entry '(.*)' .*Field '(.*)' invalid in data model", line)
        if missing_date:
            assert missing_date.group(1) in undated, line
        elif foreign_field:
            assert (foreign_field.group(1), foreign_field.group(2)) in foreign, line
        else:
            pytest.fail(line)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_pandoc_reads_titles_urls_and_dates(dialect: str, tmp_path: Path) -> None:
    pandoc = require_tool("pandoc")
    records = [wechat_record(), *sample_records(), *hostile_records()]
    path = tmp_path / "refs.bib"
    path.write_text(write_text(records, dialect), encoding="utf-8")
    run = subprocess.run([pandoc, "-f", dialect, "-t", "csljson", str(path)], capture_output=True, check=True)
    items = {item["id"]: item for item in json.loads(run.stdout)}
    assert set(items) == {r.key for r in records}
    for record in records[:6]:
        item = items[record.key]
        assert item.get("URL") == record.url
        if record.title and record.language != "en":
            assert item["title"] == record.title
        for field, date in (("issued", record.issued), ("accessed", record.accessed)):
            if date is not None and dialect == "biblatex":
                assert item[field]["date-parts"] == date.to_csl()["date-parts"]
            elif date is not None:  # classic BibTeX's year and month: a range's start (the stash: the rest)
                assert item[field]["date-parts"][0] == date.to_csl()["date-parts"][0]
            else:
                assert field not in item


# --------------------------------------------------------------------------- Zotero


def _expected(record: Record, dialect: str) -> dict[str, Any]:
    """What Zotero should hold for `record` imported from our .bib, per table field."""
    creators = []
    for name in record.authors:
        creators.append({"name": name.literal} if name.literal else name.family)
    return {
        "type": _ZOTERO_TYPES[dialect].get(record.type, "document"),
        "title": plain(record.title or "") or (record.url if dialect == "biblatex" else ""),
        "URL": record.url,
        "container": record.container,
        "language": record.language,
        "tags": record.tags,
        "creators": creators,
        "dates": (
            record.issued.iso() if record.issued else None,
            record.accessed.iso() if record.accessed else None,
        ),
        "citation key": record.key,
    }


# The Zotero item type our entries should arrive as: classic BibTeX's web pages are `@misc`
# (a document in Zotero), BibLaTeX's `@online` (webpage) and `@software`.
_ZOTERO_TYPES: dict[str, dict[str, str]] = {
    "bibtex": {"article-journal": "journalArticle"},
    "biblatex": {
        "article-journal": "journalArticle",
        "webpage": "webpage",
        "post": "webpage",
        "post-weblog": "webpage",
        "software": "computerProgram",
    },
}
_CONTAINER_FIELDS = ("websiteTitle", "publicationTitle", "company", "publisher")


def _found(item: dict[str, Any], record: Record) -> dict[str, Any]:
    extra = item.get("extra", "")
    container = next((item[f] for f in _CONTAINER_FIELDS if item.get(f)), None)
    if record.container and f"Published: {record.container}" in extra:
        container = record.container  # Zotero keeps a long howpublished as an Extra line
    creators = [
        {"name": c["name"]} if c.get("name") else c.get("lastName")
        for c in item["creators"]
        if c["creatorType"] == "author"
    ]
    return {
        "type": item["itemType"],
        "title": item.get("title", ""),
        "URL": item.get("url"),
        "container": container,
        "language": item.get("language"),
        "tags": [t["tag"] for t in item["tags"]],
        "creators": creators,
        "dates": (item.get("date"), item.get("accessDate")),
        "citation key": item.get("citationKey"),
    }


# Every ✗ of issue 9's table for our .bib files, with its reason: (dialect, field, record key or
# "*") -> reason. Any other difference fails the test.
ZOTERO_CANNOT: dict[tuple[str, str, str], str] = {
    ("*", "citation key", "*"): "Zotero's BibTeX import (translator of 2024-03-25) drops the entry key; "
    "Better BibTeX's import keeps it",
    ("biblatex", "container", "*"): "Zotero's import reads a webpage's site only from journaltitle or "
    "booktitle, which biber's data model forbids on @online; organization is dropped for webpages",
    ("*", "title", "smith2020study"): "Zotero's import reads sub-/superscripts only as `$_{…}$` math and "
    "keeps `\\textsubscript`; the title arrives as `Cu\\textsubscript2O`",
    ("*", "title", "meiyou_chun_sql-x9"): "Zotero's import cannot read LaTeX's escaped `$`, `~`, `\\`, `^` "
    "(it strips `$…$` pairs even when escaped)",
    ("bibtex", "container", "meiyou_chun_sql-x9"): "a document has one publisher: the record's own "
    "publisher wins; the site arrives as an Extra `Published:` line only from 7 characters",
    ("*", "creators", "meiyou_chun_sql-x9"): "Zotero reads `van Gogh, Jr., Vincent` as the family name "
    "`van Gogh` (no particles in Zotero)",
    ("*", "creators", "smith2020study"): "Zotero has no particles: `van den Heuvel` is the family name",
    ("biblatex", "language", "github_iovisor_bcc-7q"): "Zotero's computerProgram (our @software) has no "
    "language field, only programmingLanguage",
    ("bibtex", "dates", "smith2020study"): "classic BibTeX's `year`/`month` say a range's start only "
    "(the stash keeps the range)",
}


def zotero_table(records: list[Record], dialect: str, zotero: ZoteroTranslate) -> dict[str, dict[str, str]]:
    """field -> record key -> "✓" or the reason of the ✗."""
    items = [i for i in zotero.import_items(write_text(records, dialect)) if i["itemType"] != "note"]
    assert len(items) == len(records)
    table: dict[str, dict[str, str]] = {}
    for record, item in zip(records, items, strict=True):
        expected, found = _expected(record, dialect), _found(item, record)
        for field, want in expected.items():
            ok = found[field] == want or (field == "title" and found[field] == want.replace("  ", " "))
            reason = next(
                (
                    ZOTERO_CANNOT[k]
                    for k in (
                        (dialect, field, record.key),
                        ("*", field, record.key),
                        (dialect, field, "*"),
                        ("*", field, "*"),
                    )
                    if k in ZOTERO_CANNOT
                ),
                None,
            )
            table.setdefault(field, {})[record.key] = (
                "✓" if ok else (reason or f"✗ {found[field]!r} != {want!r}")
            )
    return table


@pytest.mark.parametrize("dialect", DIALECTS)
def test_zotero_imports_what_issue_9_asks(dialect: str, zotero_translate: ZoteroTranslate) -> None:
    records = [*load().records, *sample_records()]
    table = zotero_table(records, dialect, zotero_translate)
    unexplained = {(f, k, v) for f, cells in table.items() for k, v in cells.items() if v.startswith("✗")}
    assert unexplained == set()
    catalog_keys = {r.key for r in load().records}
    # the catalog: site (BibTeX), language, tags, URL and dates arrive for every item
    for field in ("type", "title", "URL", "language", "tags", "creators", "dates"):
        assert {table[field][k] for k in catalog_keys} == {"✓"}, field
    if dialect == "bibtex":
        assert {table["container"][k] for k in catalog_keys} == {"✓"}


@pytest.mark.parametrize("dialect", DIALECTS)
def test_zotero_types_of_our_entries(dialect: str, zotero_translate: ZoteroTranslate) -> None:
    records = sample_records()
    items = [
        i for i in zotero_translate.import_items(write_text(records, dialect)) if i["itemType"] != "note"
    ]
    web = "webpage" if dialect == "biblatex" else "document"  # classic BibTeX's web pages are @misc
    software = "computerProgram" if dialect == "biblatex" else "document"
    assert [i["itemType"] for i in items] == [web, web, web, software, "journalArticle"]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_nothing_of_ours_in_zotero_or_in_what_it_exports(
    dialect: str, zotero_translate: ZoteroTranslate
) -> None:
    records = [*load().records, *sample_records()]
    items = zotero_translate.import_items(write_text(records, dialect))
    bookkeeping = re.compile(r"refexport|verba|\"origin\"|\"collection\"|000_88bfb627b2fe08e3|parallel_5\.md")
    assert not bookkeeping.search(json.dumps(items, ensure_ascii=False))
    for fmt in ("bibtex", "biblatex", "csljson", "ris"):
        exported = zotero_translate.export(fmt, items)
        assert not bookkeeping.search(exported), fmt
        assert "XXXX" not in exported
