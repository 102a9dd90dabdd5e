"""exports/ holds what `refexport build` makes of the default catalog; stale exports fail."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from refexport import formats
from refexport.catalog import load
from refexport.exports import EXPORT_FILES, build

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
