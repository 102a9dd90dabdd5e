"""Any-to-any: records survive every chain of writers and readers, and real clients read
our different formats to the same citations."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from refexport import bibtex, csljson, jsonlines, opml, zotero, zoterordf
from refexport.catalog import load
from refexport.model import Name, PartialDate, Record

from conftest import require_tool, sample_records
from strategies import record_lists

Step = tuple[str, Callable[[list[Record]], str], Callable[[bytes, str], object]]

STEPS: dict[str, Step] = {
    "csljson": ("refs.json", csljson.write, csljson.read),
    "csl-yaml": ("refs.yaml", csljson.write_yaml, csljson.read_yaml),
    "bibtex": ("refs.bib", lambda r: bibtex.write(r, "bibtex"), bibtex.read),
    "biblatex": ("refs.bib", lambda r: bibtex.write(r, "biblatex"), bibtex.read),
    "opml": ("refs.opml", opml.write, opml.read),
    "zotero": ("zotero.json", lambda r: zotero.export_json(r, "Top"), zotero.read),
    "zotero-rdf": ("zotero.rdf", lambda r: zoterordf.write_rdf(r, "Top"), zoterordf.read),
    "records": ("refs.jsonl", jsonlines.write, jsonlines.read),
}


def through(records: list[Record], chain: list[str]) -> list[Record]:
    for fmt in chain:
        name, write, read = STEPS[fmt]
        result = read(write(records).encode("utf-8"), name)
        assert result.problems == [], (fmt, result.problems)  # type: ignore[attr-defined]
        records = result.records  # type: ignore[attr-defined]
    return records


def test_markdown_csljson_bibtex_opml_chain_is_lossless() -> None:
    """The chain named in the issue, on the bundled catalog."""
    from_markdown = load().records
    assert through(from_markdown, ["csljson", "bibtex", "opml", "records"]) == from_markdown


def test_every_format_round_trips_the_bundled_catalog() -> None:
    from_markdown = load().records
    for fmt in STEPS:
        assert through(from_markdown, [fmt]) == from_markdown, fmt


@settings(max_examples=40, deadline=None)
@given(record_lists(max_size=4), st.permutations(sorted(STEPS)))
def test_any_chain_of_formats_is_lossless(records: list[Record], chain: list[str]) -> None:
    assert through(records, chain) == records


def _pandoc_citations(path: Path, fmt: str) -> dict[str, tuple[object, ...]]:
    done = subprocess.run(
        ["pandoc", "-f", fmt, "-t", "csljson", str(path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    )
    return {
        item["id"]: (item.get("title"), item.get("URL"), item.get("issued"), item.get("accessed"))
        for item in json.loads(done.stdout)
    }


def test_pandoc_reads_our_biblatex_and_our_csljson_to_the_same_citations(tmp_path: Path) -> None:
    require_tool("pandoc")
    dated = Record(
        id="5a5a5a5a5a5a5a5a",
        key="attention-2017",
        type="article",
        title="Attention Is All You Need",
        url="https://arxiv.org/abs/1706.03762",
        language="en",
        issued=PartialDate(2017, 6, 12),
        accessed=PartialDate(2024, 5, 1),
        authors=[Name(family="Vaswani", given="Ashish")],
        container="arXiv",
        collection=["Catalog"],
    )
    # Chinese and English titles, an untitled record, dates
    records = [*load().records, *sample_records()[2:], dated]
    (tmp_path / "refs.bib").write_text(bibtex.write(records, "biblatex"), encoding="utf-8")
    (tmp_path / "refs.json").write_text(csljson.write(records), encoding="utf-8")
    from_biblatex = _pandoc_citations(tmp_path / "refs.bib", "biblatex")
    from_csljson = _pandoc_citations(tmp_path / "refs.json", "csljson")
    assert set(from_biblatex) == {r.key for r in records}
    assert from_biblatex == from_csljson
