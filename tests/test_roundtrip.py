"""Any-to-any: records survive every chain of writers and readers, and real clients read our
different formats to the same citations."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from refexport import formats
from refexport.catalog import load
from refexport.model import Record

from conftest import require_tool, sample_records
from strategies import record_lists

# Every format that reads back what it writes, with the file name it is read as. Bookmarks
# hold only records with a URL; Markdown keeps what a reading list says (its own tests).
LOSSLESS = {
    "records": "refs.jsonl",
    "csljson": "refs.json",
    "csl-yaml": "refs.yaml",
    "bibtex": "refs.bib",
    "biblatex": "refs.bib",
    "opml": "refs.opml",
    "zotero": "zotero.json",
    "zotero-rdf": "zotero.rdf",
    "ris": "refs.ris",
    "bookmarks": "bookmarks.html",
}


def through(records: list[Record], chain: list[str]) -> list[Record]:
    for name in chain:
        fmt = formats.get(name)
        options = formats.WriteOptions("Top")
        text = "".join(fmt.write(records, options))
        assert options.skipped == [], (name, options.skipped)
        result = formats.read_input(
            text.encode("utf-8"), LOSSLESS[name], "bibtex" if name == "biblatex" else name
        )
        assert result.problems == [], (name, result.problems)
        records = result.records
    return records


def test_every_format_round_trips_the_bundled_catalog_and_the_samples() -> None:
    for records in (load().records, sample_records()):
        for name in LOSSLESS:
            assert through(records, [name]) == records, name


def test_the_markdown_csljson_bibtex_opml_chain_is_lossless() -> None:
    """The chain named in the first issue, on the bundled catalog."""
    from_markdown = load().records
    assert through(from_markdown, ["csljson", "bibtex", "opml", "records"]) == from_markdown


@settings(max_examples=40, deadline=None)
@given(record_lists(max_size=4), st.permutations(sorted(LOSSLESS)))
def test_any_chain_of_formats_is_lossless(records: list[Record], chain: list[str]) -> None:
    records = [r for r in records if r.url]  # bookmarks are links
    if records:
        assert through(records, chain) == records


def _pandoc_citations(path: Path, fmt: str) -> dict[str, tuple[object, ...]]:
    done = subprocess.run(
        [require_tool("pandoc"), "-f", fmt, "-t", "csljson", str(path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    )
    fields = ("URL", "issued", "accessed", "author", "volume", "page", "DOI")
    return {
        # pandoc reads BibLaTeX's organization (the site of an @online, where biber allows
        # no journaltitle) as the publisher, and sentence-cases English titles: compared
        # as the site, whichever variable holds it, and without case.
        item["id"]: (
            str(item.get("title", "")).casefold(),
            item.get("container-title") or item.get("publisher"),
            *(item.get(f) for f in fields),
        )
        for item in json.loads(done.stdout)
    }


def test_pandoc_reads_our_biblatex_and_our_csljson_to_the_same_citations(tmp_path: Path) -> None:
    records = [*load().records, *sample_records()]
    for name, file in (("biblatex", "refs.bib"), ("csljson", "refs.json")):
        (tmp_path / file).write_text("".join(formats.get(name).write(records)), encoding="utf-8")
    from_biblatex = _pandoc_citations(tmp_path / "refs.bib", "biblatex")
    from_csljson = _pandoc_citations(tmp_path / "refs.json", "csljson")
    assert set(from_biblatex) == {r.key for r in records}
    # biber requires a title: an untitled record is titled by its URL in BibLaTeX only
    untitled = {r.key for r in records if not r.title}
    assert {k: v[1:] if k in untitled else v for k, v in from_biblatex.items()} == {
        k: v[1:] if k in untitled else v for k, v in from_csljson.items()
    }
