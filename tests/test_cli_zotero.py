"""`refexport zotero export|sync`, in-process through the real entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from refexport import formats
from refexport.model import Origin, Record

from conftest import run_cli
from zotero_server import ZoteroServer, make_records


@pytest.fixture
def server() -> Iterator[ZoteroServer]:
    running = ZoteroServer(api_key="clikey").start()
    yield running
    running.stop()


@pytest.fixture
def api_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("ZOTERO_API_KEY", "clikey")
    monkeypatch.delenv("ZOTERO_LIBRARY_ID", raising=False)
    return "clikey"


def catalog(tmp_path: Path, records: list[Record]) -> str:
    path = tmp_path / "catalog.jsonl"
    path.write_text("".join(formats.get("records").write(records, formats.WriteOptions())), encoding="utf-8")
    return str(path)


def sync_args(server: ZoteroServer, tmp_path: Path, *more: str) -> list[str]:
    state = str(tmp_path / "s.json")
    return ["zotero", "sync", "--library-id", "1", "--endpoint", server.endpoint, "--state", state, *more]


def test_export_to_stdout_and_with_the_shared_options(tmp_path: Path) -> None:
    done = run_cli("zotero", "export")
    assert done.code == 0, done.stderr
    document = json.loads(done.stdout)
    assert len(document["items"]) == 53 and document["collections"][0]["parentCollection"] is False
    records = make_records(6)
    target = tmp_path / "zotero.json"
    done = run_cli(
        "zotero", "export", "--catalog", catalog(tmp_path, records), "-o", str(target), "--collection", "Top"
    )
    assert done.code == 0 and done.stdout == "", done.stderr
    result = formats.get("zotero").read(target.read_bytes(), "zotero.json")
    assert result.title == "Top" and [r.key for r in result.records] == [r.key for r in records]
    done = run_cli("--catalog", str(target), "zotero", "export", "--rdf")
    assert done.code == 0 and done.stdout.startswith('<?xml version="1.0"')
    assert formats.get("zotero-rdf").read(done.stdout.encode(), "z.rdf").records == result.records


def test_export_names_what_the_zotero_api_will_refuse(tmp_path: Path) -> None:
    records = make_records(2)
    records[0].tags = ["t" * 256]
    records[0].origin = [Origin("reading.md", 41)]
    done = run_cli("zotero", "export", "--catalog", catalog(tmp_path, records))
    assert done.code == 0
    assert "reading.md:41: tag 'tttt" in done.stderr and "256 characters" in done.stderr


def test_sync_then_rerun_reports_unchanged(server: ZoteroServer, tmp_path: Path, api_key: str) -> None:
    path = catalog(tmp_path, make_records(60))
    done = run_cli(*sync_args(server, tmp_path), "--catalog", path)
    assert done.code == 0, done.stderr
    assert "60 created" in done.stderr and "0 failed" in done.stderr
    assert "%" not in done.stderr  # no progress bar: stderr is not a terminal
    assert len(server.library.live_items()) == 60
    done = run_cli(*sync_args(server, tmp_path), "--catalog", path)
    assert done.code == 0 and "60 unchanged" in done.stderr


def test_sync_reads_the_library_from_the_environment(
    server: ZoteroServer, tmp_path: Path, api_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZOTERO_LIBRARY_ID", "1")
    monkeypatch.setenv("ZOTERO_LIBRARY_TYPE", "user")
    path = catalog(tmp_path, make_records(3))
    done = run_cli(
        "--catalog", path, "zotero", "sync", "--endpoint", server.endpoint, "--state", str(tmp_path / "s")
    )
    assert done.code == 0, done.stderr
    assert len(server.library.items) == 3


def test_dry_run_prints_the_plan_and_what_would_happen(
    server: ZoteroServer, tmp_path: Path, api_key: str
) -> None:
    records = make_records(4)
    done = run_cli(*sync_args(server, tmp_path, "--dry-run"), "--catalog", catalog(tmp_path, records))
    assert done.code == 0, done.stderr
    assert str(records[2].title) in done.stdout
    assert "would create 4 items" in done.stderr and "0 created" not in done.stderr
    assert not any(r.is_write for r in server.log) and server.library.items == {}


def test_failed_objects_make_a_non_zero_exit(server: ZoteroServer, tmp_path: Path, api_key: str) -> None:
    records = make_records(5)
    records[1].title = "长" * 30000
    done = run_cli(*sync_args(server, tmp_path), "--catalog", catalog(tmp_path, records))
    assert done.code == 1
    assert "failed: item" in done.stderr and "4 created" in done.stderr


def test_wrong_key_fails_cleanly_without_showing_it(
    server: ZoteroServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "FAKE-secret-key-0123456789"
    monkeypatch.setenv("ZOTERO_API_KEY", secret)
    done = run_cli(*sync_args(server, tmp_path), "--catalog", catalog(tmp_path, make_records(2)))
    assert done.code == 1
    (line,) = done.stderr.splitlines()
    assert line.startswith("error: ") and "403" in line
    assert secret not in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [
        ("http://127.0.0.1:9", "cannot connect to http://127.0.0.1:9"),
        ("not-a-url", "invalid endpoint 'not-a-url'"),
    ],
)
def test_unreachable_endpoints_fail_at_once_naming_the_endpoint(
    tmp_path: Path, api_key: str, endpoint: str, expected: str
) -> None:
    path = catalog(tmp_path, make_records(1))
    done = run_cli(
        "zotero",
        "sync",
        "--library-id",
        "1",
        "--endpoint",
        endpoint,
        "--state",
        str(tmp_path / "s"),
        "--catalog",
        path,
    )
    assert done.code == 1
    (line,) = done.stderr.splitlines()
    assert line.startswith("error: ") and expected in line and api_key not in line


def test_missing_credentials_and_output_are_usage_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZOTERO_LIBRARY_ID", raising=False)
    monkeypatch.delenv("ZOTERO_API_KEY", raising=False)
    done = run_cli("zotero", "sync")
    assert done.code == 2 and "ZOTERO_LIBRARY_ID" in done.stderr
    done = run_cli("zotero", "sync", "--library-id", "1")
    assert done.code == 2 and "ZOTERO_API_KEY" in done.stderr
    monkeypatch.setenv("ZOTERO_API_KEY", "k")
    done = run_cli("zotero", "sync", "--library-id", "1", "-o", "x.json")
    assert done.code == 2 and "-o" in done.stderr


def test_importing_the_command_group_loads_no_heavy_module() -> None:
    heavy = "{'pyzotero', 'httpx', 'refexport.zotero_sync'}"
    code = f"import sys, refexport.cli; print(sorted({heavy} & set(sys.modules)))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"


def test_progress_bar_only_on_a_terminal(server: ZoteroServer, tmp_path: Path) -> None:
    """A sync of several batches draws click's progress bar on a terminal (and nothing when
    stderr is not one: test_sync_then_rerun_reports_unchanged)."""
    import pty

    path = catalog(tmp_path, make_records(120))
    env = {
        **os.environ,
        "ZOTERO_API_KEY": "clikey",
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
    }
    args = [sys.executable, "-m", "refexport", *sync_args(server, tmp_path), "--catalog", path]
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            args, stderr=follower, stdout=subprocess.DEVNULL, env=env, timeout=120, check=False
        )
        os.close(follower)
        drawn = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(leader)
    assert done.returncode == 0
    assert b"zotero sync" in drawn and b"%" in drawn  # click's bar: label and percentage
