"""The command as a user runs it: a real process, real files, exit statuses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from refexport.model import DOCUMENTED_FIELDS

REFEXPORT = [sys.executable, "-m", "refexport"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*REFEXPORT, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env={**__import__("os").environ, "REFEXPORT_NO_CACHE": "1"},
    )


def test_bibtex_works_from_any_directory_with_the_bundled_catalog(tmp_path: Path) -> None:
    done = run("bibtex", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("@misc{") == 53
    assert "高效大规模机器学习训练" in done.stdout


def test_biblatex_command_and_dialect_option_agree() -> None:
    assert run("biblatex").stdout == run("bibtex", "--dialect", "biblatex").stdout


def test_records_prints_one_object_per_record_with_the_documented_fields() -> None:
    done = run("records")
    lines = done.stdout.splitlines()
    assert len(lines) == 53
    first = json.loads(lines[0])
    assert tuple(first)[:13] == DOCUMENTED_FIELDS
    assert set(first["source"][0]) == {"file", "line", "url"}


def test_output_file_and_options_after_the_command(tmp_path: Path) -> None:
    out = tmp_path / "refs.bib"
    done = run("bibtex", "-o", str(out))
    assert done.returncode == 0 and done.stdout == ""
    assert out.read_text(encoding="utf-8") == run("bibtex").stdout


def test_bad_input_is_one_line_exit_2_and_no_output_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('[{"id": "a", "type": "book",\n  "title": }]', encoding="utf-8")
    out = tmp_path / "out.bib"
    done = run("--catalog", str(bad), "bibtex", "-o", str(out))
    assert done.returncode == 2
    assert done.stderr.startswith(f"{bad}:2:") and done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr
    assert not out.exists()


def test_missing_catalog_is_refused(tmp_path: Path) -> None:
    done = run("--catalog", str(tmp_path / "none.md"), "records")
    assert done.returncode == 2 and "cannot read" in done.stderr and "Traceback" not in done.stderr


def test_skipped_entries_are_reported_and_the_rest_converted(tmp_path: Path) -> None:
    lines = run("records").stdout.splitlines()
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text("\n".join([lines[0], "{broken", lines[1]]) + "\n", encoding="utf-8")
    done = run("--catalog", str(mixed), "records")
    assert done.returncode == 1
    assert (
        done.stderr.strip() == f"{mixed}:2: bad record: Expecting property name enclosed in double quotes: "
        "line 1 column 2 (char 1) (skipped)"
    )
    assert len(done.stdout.splitlines()) == 2
    strict = run("--catalog", str(mixed), "--strict", "records")
    assert strict.returncode == 2 and strict.stdout == ""


def test_help_has_examples_and_version_is_printed() -> None:
    assert "Examples:" in run("--help").stdout
    assert run("--version").stdout.strip().startswith("refexport, version ")


@pytest.mark.parametrize(
    "fmt", ["bibtex", "biblatex", "csljson", "csl-yaml", "opml", "records", "zotero", "zotero-rdf"]
)
def test_convert_between_formats_keeps_every_record(tmp_path: Path, fmt: str) -> None:
    source = tmp_path / "refs.jsonl"
    source.write_text(run("records").stdout, encoding="utf-8")
    converted = tmp_path / f"out.{fmt}"
    assert run("convert", str(source), "--to", fmt, "-o", str(converted)).returncode == 0
    back = run("convert", str(converted), "--from", fmt, "--to", "records")
    assert back.returncode == 0, back.stderr
    assert back.stdout == source.read_text(encoding="utf-8")


def test_build_writes_every_export(tmp_path: Path) -> None:
    done = run("build", "--out", str(tmp_path / "x"))
    assert done.returncode == 0, done.stderr
    assert {p.name for p in (tmp_path / "x").iterdir()} >= {"refs.bib", "refs-biblatex.bib", "refs.json"}


@pytest.mark.parametrize("style", ["post", "list"])
def test_markdown_command_writes_a_post_that_reads_back(tmp_path: Path, style: str) -> None:
    out = tmp_path / "refs.md"
    done = run("markdown", "--style", style, "-o", str(out))
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("---\n") and "# 并行 & 框架 & 优化\n" in text
    original = [json.loads(line) for line in run("records").stdout.splitlines()]
    again = [json.loads(line) for line in run("--catalog", str(out), "records").stdout.splitlines()]
    fields = ("url", "title", "note", "collection")
    assert [[r[f] for f in fields] for r in again] == [[r[f] for f in fields] for r in original]
