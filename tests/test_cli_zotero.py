"""`refexport zotero export|sync`, invoked through click with the `ctx.obj` the main CLI provides."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from refexport import zotero as zotero_format
from refexport.cli_zotero import zotero
from refexport.model import Record

from conftest import sample_records
from zotero_server import ZoteroServer, make_records


def obj_for(records: list[Record], title: str = "Catalog", output: Path | None = None) -> dict[str, object]:
    return {"load_records": lambda: (records, title), "output": output}


@pytest.fixture
def server() -> Iterator[ZoteroServer]:
    running = ZoteroServer(api_key="clikey").start()
    yield running
    running.stop()


def sync_args(server: ZoteroServer, tmp_path: Path, *more: str) -> list[str]:
    return [
        "sync",
        "--library-id",
        "1",
        "--endpoint",
        server.endpoint,
        "--state",
        str(tmp_path / "s.json"),
        *more,
    ]


def test_export_to_stdout_and_to_a_file(tmp_path: Path) -> None:
    records = sample_records()
    result = CliRunner().invoke(zotero, ["export"], obj=obj_for(records))
    assert result.exit_code == 0, result.output
    assert zotero_format.read(result.stdout.encode(), "-").records == records
    target = tmp_path / "zotero.json"
    result = CliRunner().invoke(
        zotero, ["export", "--collection", "Top"], obj=obj_for(records, output=target)
    )
    assert result.exit_code == 0 and result.stdout == ""
    collections = json.loads(target.read_text(encoding="utf-8"))["collections"]
    assert collections[0]["name"] == "Top" and collections[0]["parentCollection"] is False


def test_sync_then_rerun_reports_unchanged(server: ZoteroServer, tmp_path: Path) -> None:
    records = make_records(60)
    env = {"ZOTERO_API_KEY": "clikey"}
    result = CliRunner().invoke(zotero, sync_args(server, tmp_path), obj=obj_for(records), env=env)
    assert result.exit_code == 0, result.output
    assert "60 created" in result.stderr and "0 failed" in result.stderr
    assert len([s for s in server.library.items.values() if not s.deleted]) == 60
    result = CliRunner().invoke(zotero, sync_args(server, tmp_path), obj=obj_for(records), env=env)
    assert result.exit_code == 0 and "60 unchanged" in result.stderr


def test_sync_reads_library_from_the_environment(server: ZoteroServer, tmp_path: Path) -> None:
    env = {"ZOTERO_API_KEY": "clikey", "ZOTERO_LIBRARY_ID": "1", "ZOTERO_LIBRARY_TYPE": "user"}
    args = ["sync", "--endpoint", server.endpoint, "--state", str(tmp_path / "s.json")]
    result = CliRunner().invoke(zotero, args, obj=obj_for(make_records(3)), env=env)
    assert result.exit_code == 0, result.output
    assert len(server.library.items) == 3


def test_dry_run_prints_the_plan_and_writes_nothing(server: ZoteroServer, tmp_path: Path) -> None:
    records = make_records(4)
    env = {"ZOTERO_API_KEY": "clikey"}
    result = CliRunner().invoke(
        zotero, sync_args(server, tmp_path, "--dry-run"), obj=obj_for(records), env=env
    )
    assert result.exit_code == 0, result.output
    assert "create: " in result.stdout and records[2].title in result.stdout
    assert not any(r.is_write for r in server.log)
    assert server.library.items == {}


def test_failed_objects_make_a_non_zero_exit(server: ZoteroServer, tmp_path: Path) -> None:
    records = make_records(5)
    records[1].title = "长" * 30000
    env = {"ZOTERO_API_KEY": "clikey"}
    result = CliRunner().invoke(zotero, sync_args(server, tmp_path), obj=obj_for(records), env=env)
    assert result.exit_code == 1
    assert "failed: item" in result.stderr and "4 created" in result.stderr


def test_wrong_key_fails_cleanly_without_showing_it(server: ZoteroServer, tmp_path: Path) -> None:
    secret = "FAKE-secret-key-0123456789"
    result = CliRunner().invoke(
        zotero, sync_args(server, tmp_path), obj=obj_for(make_records(2)), env={"ZOTERO_API_KEY": secret}
    )
    assert result.exit_code == 1
    assert "403" in result.stderr and "error:" in result.stderr
    assert secret not in result.output and secret not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_missing_credentials_are_usage_errors(tmp_path: Path) -> None:
    result = CliRunner().invoke(zotero, ["sync"], obj=obj_for(make_records(1)), env={"ZOTERO_LIBRARY_ID": ""})
    assert result.exit_code == 2 and "ZOTERO_LIBRARY_ID" in result.output
    result = CliRunner().invoke(
        zotero, ["sync", "--library-id", "1"], obj=obj_for(make_records(1)), env={"ZOTERO_API_KEY": ""}
    )
    assert result.exit_code == 2 and "ZOTERO_API_KEY" in result.output


def test_importing_the_command_group_loads_no_heavy_module() -> None:
    code = "import sys, refexport.cli_zotero; print(sorted({'pyzotero', 'httpx'} & set(sys.modules)))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"


def test_progress_bar_draws_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from refexport import cli_zotero

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    bar = cli_zotero._ProgressBar()
    bar(5, 20)
    bar.finish()
    assert "5/20 batches" in terminal.getvalue() and terminal.getvalue().endswith("\n")
    pipe = io.StringIO()
    monkeypatch.setattr(sys, "stderr", pipe)
    quiet = cli_zotero._ProgressBar()
    quiet(5, 20)
    quiet.finish()
    assert pipe.getvalue() == ""
