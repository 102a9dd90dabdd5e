"""`-o` and standard output under every kind of destination, as root and as a normal user.

Through the real entry point (`run_cli`) and, where the shell or signals matter, a real
`python -m refexport` process: a regular file or a new path is replaced atomically, a
symbolic link's target is written and the link kept, a FIFO, `/dev/null`, `/dev/stdout` and
`/dev/fd/N` are written through (never replaced), and a destination that cannot be written
(a read-only file or folder, a missing folder, /sys, a full disk, a closed stdout) is one
line on stderr, exit 2, nothing half-written. Ctrl-C is exit 130, one line, no partial or
temporary file; a reader that stops early (`| head -1`) is exit 0, no traceback.

The matrix runs as whoever runs the tests and, when that is root (CI), once more as an
unprivileged user: each case is then run in a child that drops to `nobody` (tests/sandbox.py)
in a folder that user may write, since root writes where a user may not.
"""

from __future__ import annotations

import os
import pwd
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import Run, run_cli
from sandbox import User, run_one

pytestmark = pytest.mark.robustness

ROOT = Path(__file__).resolve().parent.parent
IS_ROOT = os.geteuid() == 0
TIMEOUT = 60


def _nobody() -> User | None:
    try:
        entry = pwd.getpwnam("nobody")
    except KeyError:
        return None
    return User(entry.pw_uid, entry.pw_gid)


@pytest.fixture(params=["as-is", "unprivileged"])
def who(request: pytest.FixtureRequest) -> str:
    if request.param == "unprivileged":
        if not IS_ROOT:
            pytest.skip("already unprivileged: the as-is run is the normal user's")
        if _nobody() is None:
            pytest.skip("no user `nobody` to drop to")
        run_cli("records")  # load what a run loads lazily, before a child that cannot read it forks
        run_cli("records", "--no-such-option")  # and what a usage error loads
    return str(request.param)


@pytest.fixture
def place(who: str) -> Iterator[Path]:
    """A folder the running user owns (`nobody`'s for the unprivileged runs)."""
    folder = Path(tempfile.mkdtemp(prefix="refexport-o-"))
    os.chmod(folder, 0o755)
    user = _nobody()
    if who == "unprivileged" and user is not None:
        os.chown(folder, user.uid, user.gid)
    try:
        yield folder
    finally:
        subprocess.run(["rm", "-rf", str(folder)], check=False)


def cli(who: str, *args: str) -> Run:
    """`refexport ARGS` in-process, as the running user or (unprivileged) as `nobody`."""
    if who == "as-is":
        return run_cli(*args)
    outcome = run_one(lambda: run_cli(*args), timeout=TIMEOUT, user=_nobody())
    assert outcome.kind == "returned", outcome.describe()
    run: Run = outcome.value
    return run


def _export() -> str:
    run = run_cli("records")
    assert run.code == 0
    return run.stdout


def _own(who: str, *paths: Path) -> None:
    user = _nobody()
    if who == "unprivileged" and user is not None:
        for path in paths:
            os.chown(path, user.uid, user.gid, follow_symlinks=False)


def _existing(who: str, path: Path, text: str, mode: int) -> Path:
    """A file of the running user's (`nobody`'s for the unprivileged runs) with this mode."""
    path.write_text(text, encoding="utf-8")
    _own(who, path)
    path.chmod(mode)
    return path


def _refused(run: Run, *words: str) -> None:
    assert run.code == 2, run
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr, run.stderr
    for word in words:
        assert word in run.stderr, run.stderr


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- files, links, pipes, devices ---


def test_a_regular_file_is_replaced_atomically_keeping_its_mode(who: str, place: Path) -> None:
    target = _existing(who, place / "refs.jsonl", "old\n", 0o640)
    before = target.stat().st_ino
    run = cli(who, "records", "-o", str(target))
    assert run.code == 0 and run.stderr == "", run
    assert target.read_text(encoding="utf-8") == _export()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640 and target.stat().st_ino != before
    assert _listing(place) == ["refs.jsonl"]


def test_a_write_only_file_is_replaced(who: str, place: Path) -> None:
    target = _existing(who, place / "drop.jsonl", "old\n", 0o200)
    run = cli(who, "records", "-o", str(target))
    assert run.code == 0, run
    assert stat.S_IMODE(target.stat().st_mode) == 0o200
    target.chmod(0o600)
    assert target.read_text(encoding="utf-8") == _export()


def test_a_new_path_is_created(who: str, place: Path) -> None:
    run = cli(who, "records", "-o", str(place / "new.jsonl"))
    assert run.code == 0, run
    assert (place / "new.jsonl").read_text(encoding="utf-8") == _export()
    assert _listing(place) == ["new.jsonl"]


def test_a_symbolic_link_is_followed_and_kept(who: str, place: Path) -> None:
    (place / "real.jsonl").write_text("old\n", encoding="utf-8")
    (place / "link.jsonl").symlink_to("real.jsonl")
    _own(who, place / "real.jsonl", place / "link.jsonl")
    run = cli(who, "records", "-o", str(place / "link.jsonl"))
    assert run.code == 0, run
    assert (place / "link.jsonl").is_symlink() and os.readlink(place / "link.jsonl") == "real.jsonl"
    assert (place / "real.jsonl").read_text(encoding="utf-8") == _export()
    assert _listing(place) == ["link.jsonl", "real.jsonl"]


def test_a_fifo_is_written_through_to_its_reader(who: str, place: Path) -> None:
    fifo = place / "pipe"
    os.mkfifo(fifo, 0o666)
    os.chmod(fifo, 0o666)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    run = cli(who, "records", "-o", str(fifo))
    reader.join(TIMEOUT)
    assert run.code == 0, run
    assert received == [_export().encode("utf-8")]
    assert stat.S_ISFIFO(fifo.stat().st_mode) and _listing(place) == ["pipe"]


def test_dev_null_is_written_through_not_replaced(who: str) -> None:
    run = cli(who, "records", "-o", "/dev/null")
    assert run.code == 0, run
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_dev_stdout_is_standard_output(who: str) -> None:
    link = os.lstat("/dev/stdout").st_mode
    run = cli(who, "records", "-o", "/dev/stdout")
    assert run.code == 0 and run.stdout == _export(), run
    assert os.lstat("/dev/stdout").st_mode == link


# --- destinations that cannot be written: one line, exit 2, nothing touched ---


def test_a_read_only_folder(who: str, place: Path) -> None:
    folder = place / "locked"
    folder.mkdir()
    _own(who, folder)
    folder.chmod(0o555)
    run = cli(who, "records", "-o", str(folder / "out.jsonl"))
    if who == "as-is" and IS_ROOT:  # root writes anywhere, as with `>`
        assert run.code == 0 and (folder / "out.jsonl").read_text(encoding="utf-8") == _export()
        return
    _refused(run, str(folder / "out.jsonl"), "Permission denied")
    assert _listing(folder) == []


def test_a_read_only_file_is_not_replaced(who: str, place: Path) -> None:
    target = _existing(who, place / "kept.jsonl", "keep me\n", 0o444)
    run = cli(who, "records", "-o", str(target))
    if who == "as-is" and IS_ROOT:  # root may, as with `>`
        assert run.code == 0 and target.read_text(encoding="utf-8") == _export()
    else:
        _refused(run, str(target), "Permission denied")
        assert target.read_text(encoding="utf-8") == "keep me\n"
    assert _listing(place) == ["kept.jsonl"]


def test_a_missing_folder(who: str, place: Path) -> None:
    _refused(cli(who, "records", "-o", str(place / "missing" / "out.jsonl")), "missing", "does not exist")
    _refused(
        cli(who, "records", "-o", str(place / "two\nlines" / "out.jsonl")), "two\\nlines", "does not exist"
    )


def test_a_folder_as_the_output(who: str, place: Path) -> None:
    run = cli(who, "records", "-o", str(place))
    assert run.code == 2 and "is a directory" in run.stderr and "Traceback" not in run.stderr, run


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="no /sys")
def test_sys_is_refused(who: str) -> None:
    _refused(cli(who, "records", "-o", "/sys/refexport-test.jsonl"), "/sys/refexport-test.jsonl")
    _refused(cli(who, "records", "-o", "/sys/kernel/profiling"), "/sys/kernel/profiling")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_dev_full(who: str) -> None:
    _refused(cli(who, "records", "-o", "/dev/full"), "/dev/full", "No space left on device")
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


@pytest.fixture
def tiny_disk(place: Path, who: str) -> Iterator[Path]:
    """A 64 KiB tmpfs (root only; skipped where mounting is impossible)."""
    if not IS_ROOT:
        pytest.skip("mounting a tmpfs needs root")
    disk = place / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k,mode=0777", "tmpfs", str(disk)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_a_full_disk_keeps_the_old_file_and_leaves_no_temporary_file(who: str, tiny_disk: Path) -> None:
    target = tiny_disk / "refs.jsonl"
    target.write_text("old\n", encoding="utf-8")
    _own(who, target)
    filler = tiny_disk / "filler"
    _fill_up(filler)
    _refused(cli(who, "records", "-o", str(target)), str(target), "No space left on device")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert _listing(tiny_disk) == ["filler", "refs.jsonl"]
    filler.unlink()
    small = tiny_disk / "small.jsonl"  # nearly full: the last piece fails at flush, not at write
    _fill_up(filler, 64 * 1024 - 12 * 1024)
    run = cli(who, "records", "-o", str(small))
    assert run.code in (0, 2) and "Traceback" not in run.stderr and "internal error" not in run.stderr, run
    assert _listing(tiny_disk) == (
        ["filler", "refs.jsonl", "small.jsonl"] if run.code == 0 else ["filler", "refs.jsonl"]
    )


def _fill_up(path: Path, size: int | None = None) -> None:
    """Write `size` bytes into `path`, or (None) as many as the disk takes."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while size is None or size > 0:
            written = os.write(descriptor, b"x" * min(4096, size or 4096))
            size = None if size is None else size - written
    except OSError:
        pass  # full
    finally:
        os.close(descriptor)


# --- real processes: the shell's redirections and signals ---


def refexport(*args: str, **popen: Any) -> subprocess.Popen[bytes]:
    """`python -m refexport ARGS` from this checkout."""
    return subprocess.Popen([sys.executable, "-m", "refexport", *args], cwd=ROOT, **popen)


def _ctrl_c_as_in_a_terminal() -> None:
    """A test run started in the background (`pytest &`, a CI runner) may ignore SIGINT, and a
    child inherits that: Python then never raises KeyboardInterrupt, rightly. A command typed
    in a terminal starts with Ctrl-C's default action, which is what these tests are about."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _finish(process: subprocess.Popen[bytes]) -> tuple[int, bytes, bytes]:
    out, err = process.communicate(timeout=TIMEOUT)
    return process.returncode, out or b"", err or b""


@pytest.fixture(scope="module")
def big_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Markdown list of 60,000 links: some seconds of work, megabytes of output."""
    path = tmp_path_factory.mktemp("big") / "big.md"
    lines = [f"# Section {n // 1000}\n\nhttps://example.org/{n}\nTitle number {n}\n\n" for n in range(60_000)]
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_a_reader_that_stops_early_is_exit_0_and_quiet(big_catalog: Path, tmp_path: Path) -> None:
    """`refexport records | head -1` (megabytes of output: the pipe does break)."""
    command = f'"{sys.executable}" -m refexport --catalog "{big_catalog}" records 2>"{tmp_path}/err"'
    script = f"{command} | head -1; exit ${{PIPESTATUS[0]}}"
    done = subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, timeout=TIMEOUT, check=False)
    assert done.stdout.count(b"\n") == 1 and done.stdout.startswith(b'{"id":')
    assert (done.returncode, (tmp_path / "err").read_bytes()) == (0, b"")


def test_a_closed_standard_output_is_one_line() -> None:
    code, _, err = _finish(
        refexport(
            "records",
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            pass_fds=(),
            close_fds=True,
            preexec_fn=lambda: os.close(1),
        )
    )
    assert code == 2 and err.count(b"\n") == 1 and b"standard output" in err, err


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_standard_output_on_a_full_disk_is_one_line() -> None:
    with open("/dev/full", "wb") as full:
        code, _, err = _finish(refexport("records", stdout=full, stderr=subprocess.PIPE))
    assert code == 2 and err == b"cannot write standard output: No space left on device\n", err


def test_dev_fd_of_a_pipe_is_written_through() -> None:
    """`refexport records -o >(wc -c)`: the shell passes a pipe as /dev/fd/N."""
    read_end, write_end = os.pipe()
    process = refexport(
        "records", "-o", f"/dev/fd/{write_end}", pass_fds=(write_end,), stderr=subprocess.PIPE
    )
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        received = pipe.read()
    code, _, err = _finish(process)
    assert (code, err) == (0, b"") and received.decode("utf-8") == _export()


def test_dev_stdout_appended_by_the_shell_keeps_what_was_there(tmp_path: Path) -> None:
    """`refexport records -o /dev/stdout >> log`: written through the shell's descriptor,
    not by opening the log afresh (which would truncate it)."""
    log = tmp_path / "log"
    log.write_text("kept line\n", encoding="utf-8")
    with open(log, "ab") as appending:
        code, _, err = _finish(
            refexport("records", "-o", "/dev/stdout", stdout=appending, stderr=subprocess.PIPE)
        )
    assert (code, err) == (0, b"")
    assert log.read_text(encoding="utf-8") == "kept line\n" + _export()


def _interrupt(
    tmp_path: Path, big_catalog: Path, when: Callable[[Path], bool], sent: signal.Signals
) -> tuple[int, bytes, Path]:
    out = tmp_path / "out.jsonl"
    out.write_text("old\n", encoding="utf-8")
    process = refexport(
        "--catalog",
        str(big_catalog),
        "records",
        "-o",
        str(out),
        stderr=subprocess.PIPE,
        preexec_fn=_ctrl_c_as_in_a_terminal,
    )
    deadline = time.monotonic() + TIMEOUT
    while not when(tmp_path) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert process.poll() is None, "the conversion ended before the signal could be sent"
    process.send_signal(sent)
    code, _, err = _finish(process)
    return code, err, out


def _reading(folder: Path) -> bool:
    time.sleep(0.3)  # start-up done, the input being read
    return True


def _writing(folder: Path) -> bool:
    return any(name.endswith(".tmp") for name in os.listdir(folder))


@pytest.mark.parametrize("when", [_reading, _writing], ids=["while-reading", "while-writing"])
def test_ctrl_c_is_exit_130_one_line_and_nothing_written(
    tmp_path: Path, big_catalog: Path, when: Callable[[Path], bool]
) -> None:
    code, err, out = _interrupt(tmp_path, big_catalog, when, signal.SIGINT)
    assert (code, err) == (130, b"interrupted: nothing written\n")
    assert out.read_text(encoding="utf-8") == "old\n" and _listing(tmp_path) == ["out.jsonl"]


# The moment that test hits only on a loaded machine, every time: an interrupt raised the
# instant mkstemp has created the temporary file, before it returns the file's name.
_INTERRUPTED_IN_MKSTEMP = """
import os, signal, sys
from refexport.fileio import atomic_write

real_open = os.open

def open_then_interrupted(path, *args, **kwargs):
    descriptor = real_open(path, *args, **kwargs)
    if str(path).endswith(".tmp"):
        os.kill(os.getpid(), signal.SIGINT)
    return descriptor

os.open = open_then_interrupted
try:
    atomic_write(sys.argv[1], "new\\n")
except KeyboardInterrupt:
    sys.exit(130)
"""


def test_an_interrupt_while_the_temporary_file_is_created_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("old\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", _INTERRUPTED_IN_MKSTEMP, str(out)],
        cwd=ROOT,
        timeout=TIMEOUT,
        check=False,
        preexec_fn=_ctrl_c_as_in_a_terminal,
    )
    assert done.returncode == 130
    assert out.read_text(encoding="utf-8") == "old\n" and _listing(tmp_path) == ["out.jsonl"]


def test_termination_leaves_no_temporary_file(tmp_path: Path, big_catalog: Path) -> None:
    code, err, out = _interrupt(tmp_path, big_catalog, _writing, signal.SIGTERM)
    assert (code, err) == (143, b"terminated: nothing written\n")
    assert out.read_text(encoding="utf-8") == "old\n" and _listing(tmp_path) == ["out.jsonl"]
