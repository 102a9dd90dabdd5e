"""The command as a user runs it: options, exit statuses, one-line errors. Most tests run the
real entry point in-process; a few start real processes (installation-like smoke tests)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_cli

REFEXPORT = [sys.executable, "-m", "refexport"]


def run_process(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*REFEXPORT, *args], capture_output=True, text=True, encoding="utf-8", cwd=cwd, env=dict(os.environ)
    )


def test_records_works_from_any_directory_as_a_process(tmp_path: Path) -> None:
    done = run_process("records", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 53
    assert "高效大规模机器学习训练" in done.stdout


def test_records_prints_one_object_per_record_in_csl_terms() -> None:
    done = run_cli("records")
    lines = done.stdout.splitlines()
    assert done.code == 0 and len(lines) == 53
    first = json.loads(lines[0])
    assert list(first)[:4] == ["id", "key", "type", "title"]
    assert first["URL"].startswith("https://")
    assert set(first["origin"][0]) == {"file", "line", "url"}


def test_output_file_and_options_after_the_command(tmp_path: Path) -> None:
    out = tmp_path / "refs.jsonl"
    done = run_cli("records", "-o", str(out))
    assert done.code == 0 and done.stdout == ""
    assert out.read_text(encoding="utf-8") == run_cli("records").stdout
    assert run_cli("-o", str(out), "records").code == 0


def test_bad_input_is_one_line_exit_2_and_no_output_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"id": "a"}\n\xff\xfe\n')
    out = tmp_path / "out.jsonl"
    done = run_cli("--catalog", str(bad), "records", "-o", str(out))
    assert done.code == 2
    assert done.stderr == f"{bad}:2: not UTF-8 text (byte 0xff); save the file as UTF-8\n"
    assert not out.exists()


def test_missing_catalog_is_refused(tmp_path: Path) -> None:
    done = run_cli("--catalog", str(tmp_path / "none.md"), "records")
    assert done.code == 2
    assert done.stderr == f"{tmp_path / 'none.md'}: cannot read: No such file or directory\n"


def test_skipped_entries_are_reported_and_the_rest_converted(tmp_path: Path) -> None:
    lines = run_cli("records").stdout.splitlines()
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text("\n".join([lines[0], "{broken", lines[1]]) + "\n", encoding="utf-8")
    done = run_cli("--catalog", str(mixed), "records")
    assert done.code == 1
    assert done.stderr.startswith(f"{mixed}:2: bad record: ") and done.stderr.endswith(" (skipped)\n")
    assert len(done.stdout.splitlines()) == 2
    strict = run_cli("--catalog", str(mixed), "--strict", "records")
    assert strict.code == 2 and strict.stdout == ""
    assert strict.stderr.endswith("(--strict: nothing written)\n")


def test_help_has_examples_and_version_is_printed() -> None:
    assert "Examples:" in run_cli("--help").stdout
    assert run_cli("--version").stdout.strip().startswith("refexport, version ")


def test_options_a_command_cannot_use_are_errors(tmp_path: Path) -> None:
    build = run_cli("build", "-o", str(tmp_path / "x"), "--out", str(tmp_path / "y"))
    assert build.code == 2 and "use --out FOLDER" in build.stderr
    convert = run_cli("convert", "--catalog", "a.md", "b.md", "--to", "records")
    assert convert.code == 2 and "--catalog is for the other commands" in convert.stderr


def test_convert_reads_standard_input() -> None:
    records = run_cli("records").stdout
    done = run_cli("convert", "-", "--from", "records", "--to", "records", stdin=records)
    assert done.code == 0 and done.stdout == records


def test_build_writes_every_export(tmp_path: Path) -> None:
    done = run_cli("build", "--out", str(tmp_path / "x"))
    assert done.code == 0, done.stderr
    assert {p.name for p in (tmp_path / "x").iterdir()} >= {"refs.bib", "refs-biblatex.bib", "refs.json"}


@pytest.mark.parametrize(
    "fmt", ["bibtex", "biblatex", "csljson", "csl-yaml", "opml", "records", "zotero", "zotero-rdf"]
)
def test_convert_between_formats_keeps_every_record(tmp_path: Path, fmt: str) -> None:
    source = tmp_path / "refs.jsonl"
    source.write_text(run_cli("records").stdout, encoding="utf-8")
    converted = tmp_path / f"out.{fmt}"
    assert run_cli("convert", str(source), "--to", fmt, "-o", str(converted)).code == 0
    back = run_cli("convert", str(converted), "--from", fmt, "--to", "records")
    assert back.code == 0, back.stderr
    assert back.stdout == source.read_text(encoding="utf-8")


@pytest.mark.parametrize("style", ["post", "list"])
def test_markdown_command_writes_a_post_that_reads_back(tmp_path: Path, style: str) -> None:
    out = tmp_path / "refs.md"
    done = run_cli("markdown", "--style", style, "-o", str(out))
    assert done.code == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("---\n") and "# 并行 & 框架 & 优化\n" in text
    original = [json.loads(line) for line in run_cli("records").stdout.splitlines()]
    again = [json.loads(line) for line in run_cli("--catalog", str(out), "records").stdout.splitlines()]
    fields = ("URL", "title", "note", "collection")
    assert [[r.get(f) for f in fields] for r in again] == [[r.get(f) for f in fields] for r in original]
