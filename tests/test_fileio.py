"""File input and output: decoding, and the one output path (`write_output`)."""

from __future__ import annotations

import json
import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from refexport.errors import InputError, OutputError
from refexport.fileio import decode_text, load_yaml_file, read_input, write_output


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_new_file_gets_the_umask_mode_and_a_replaced_one_keeps_its_own(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    write_output(["一", "\n"], target)
    assert target.read_text(encoding="utf-8") == "一\n"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    target.chmod(0o600)
    write_output(["二\n"], target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert _listing(tmp_path) == ["out.txt"]  # no temporary file left


def _failing() -> Iterator[str]:
    yield "half"
    raise ValueError("writer failed")


def test_a_failing_writer_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(ValueError):
        write_output(_failing(), target)
    assert target.read_text(encoding="utf-8") == "old"
    assert _listing(tmp_path) == ["out.txt"]


def test_text_that_is_not_unicode_is_an_output_error(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    with pytest.raises(OutputError, match="not Unicode"):
        write_output(["\ud800"], target)
    assert _listing(tmp_path) == []


def test_a_symbolic_link_is_followed_not_replaced(tmp_path: Path) -> None:
    real = tmp_path / "real.bib"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.bib"
    link.symlink_to(real)
    write_output(["new"], link)
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new"


def test_a_fifo_is_written_through(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    write_output(["through ", "the pipe"], fifo)
    reader.join(10)
    assert received == [b"through the pipe"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_dev_null_is_written_through_not_replaced() -> None:
    write_output(["nothing"], "/dev/null")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_a_full_device_is_a_one_line_error() -> None:
    with pytest.raises(OutputError, match="No space left on device"):
        write_output(["x" * 100_000], "/dev/full")
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_folders_and_missing_folders_are_output_errors(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="it is a folder"):
        write_output(["x"], tmp_path)
    with pytest.raises(OutputError, match="does not exist"):
        write_output(["x"], tmp_path / "missing" / "out.txt")


def test_decode_refuses_with_the_line_of_the_first_bad_byte() -> None:
    with pytest.raises(InputError) as caught:
        decode_text("一\n二\n".encode() + b"\xff", "in.md")
    assert str(caught.value) == "in.md:3: not UTF-8 text (byte 0xff); save the file as UTF-8"


def test_read_input_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read: Is a directory"):
        read_input(str(tmp_path))


def test_yaml_data_file_is_parsed_once_per_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    data = tmp_path / "sites.yaml"
    data.write_text("sites:\n- host: a.example\n  container: 甲\n", encoding="utf-8")
    assert load_yaml_file(data) == {"sites": [{"host": "a.example", "container": "甲"}]}
    memos = list((tmp_path / "cache" / "refexport" / "yaml").iterdir())
    assert (
        len(memos) == 1 and json.loads(memos[0].read_text(encoding="utf-8"))["sites"][0]["container"] == "甲"
    )
    data.write_text("sites: []\n", encoding="utf-8")  # edited: parsed afresh, not the old memo
    assert load_yaml_file(data) == {"sites": []}
    data.write_text("sites: [unclosed\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid YAML"):
        load_yaml_file(data)
