"""exports/ holds what `refexport build` makes of the default catalog; stale exports fail."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from refexport import formats
from refexport.catalog import assemble, load
from refexport.exports import EXPORT_FILES, build
from refexport.model import ReadResult
from refexport.workers import count

from conftest import make_record

EXPORTS = Path(__file__).resolve().parent.parent / "exports"


def test_committed_exports_are_fresh(tmp_path: Path) -> None:
    build(load(), tmp_path)
    for name in EXPORT_FILES:
        assert (EXPORTS / name).read_bytes() == (tmp_path / name).read_bytes(), (
            f"exports/{name} is stale: run `refexport build`"
        )
    assert sorted(p.name for p in EXPORTS.iterdir()) == sorted(EXPORT_FILES)


def test_build_writes_nothing_when_a_writer_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = load()
    real_get = formats.get

    def get(name: str) -> Any:  # the RIS writer fails (the BibTeX writer takes any citation key)
        if name != "ris":
            return real_get(name)
        return SimpleNamespace(write=lambda *_: iter([1 / 0]))

    monkeypatch.setattr(formats, "get", get)
    (tmp_path / "refs.bib").write_text("old", encoding="utf-8")
    with pytest.raises(ZeroDivisionError):
        build(catalog, tmp_path)
    assert (tmp_path / "refs.bib").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["refs.bib"]


def test_a_large_catalog_built_by_workers_gives_the_same_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From 5,000 records on, forked workers render the exports (on idle cores): the files
    are the ones this process alone writes."""
    records = [
        make_record(
            url=f"https://a.example/{n}",
            title=f"Title {n} 标题{n % 50}",
            tags=["t"],
            collection=["Section", f"part {n % 7}"],
        )
        for n in range(5_000)
    ]
    catalog = assemble([ReadResult(records)])
    monkeypatch.setattr(os, "getloadavg", lambda: (9.0, 9.0, 9.0))  # every core busy: alone
    assert count(True, None) == 0
    build(catalog, tmp_path / "alone")
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("one core: the exports are rendered by this process alone")
    assert count(True, None) >= 2, "worker processes cannot start in this test process"
    build(catalog, tmp_path / "workers")
    for name in EXPORT_FILES:
        assert (tmp_path / "workers" / name).read_bytes() == (tmp_path / "alone" / name).read_bytes(), name
