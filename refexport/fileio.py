"""File input and output: reading inputs, decoding them, and the one output path.

Output is produced in pieces into a temporary file first, so a writer that fails, a full
disk or Ctrl-C never leaves half a file behind; only then is the destination touched:
- a regular file, or a new path, is replaced atomically (rename in the same folder, with
  the old file's mode), the same through a symbolic link (its target is replaced, the
  link stays);
- anything else (standard output, a pipe or FIFO, `/dev/null`, a terminal) is written
  through, never replaced; a name of a descriptor the process has open (`/dev/stdout`,
  `/dev/fd/N` from the shell's `>(…)`) is written through that descriptor;
- a folder, a missing folder, a read-only file (renaming over it would bypass its mode), or
  a file the operating system will not let us write (a full disk, /sys) is an
  `OutputError`, one line naming the path, with no temporary file left.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import signal
import stat
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from refexport.errors import InputError, OutputError

# Inputs are read whole; a file this big is refused before it is read (the 50 MB .bib of
# the reliability tests is a tenth of it).
MAX_INPUT_BYTES = 512 * 1024 * 1024
_SPOOL_IN_MEMORY = 16 * 1024 * 1024


def read_input(path: str) -> bytes:
    """The bytes of an input file (`-` is standard input); InputError naming the path."""
    try:
        if path == "-":
            return _read_limited(sys.stdin.buffer, path)
        with open(path, "rb") as stream:
            return _read_limited(stream, path)
    except OSError as error:
        raise InputError(path, None, f"cannot read: {error.strerror or error}") from None


def _read_limited(stream: IO[bytes], path: str) -> bytes:
    data = stream.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(path, None, f"larger than {MAX_INPUT_BYTES // 2**20} MiB; split it")
    return data


def decode_text(data: bytes, name: str, encoding: str = "utf-8-sig") -> str:
    """`data` as text (a UTF-8 BOM dropped by the default codec); bytes that do not decode
    refuse the whole input with the line of the first bad byte."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        bad = data[error.start : error.start + 1].hex()
        label = "UTF-8" if encoding.lower().replace("_", "-").startswith("utf-8") else encoding
        raise InputError(name, line, f"not {label} text (byte 0x{bad}); save the file as UTF-8") from None


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode_guessing(data: bytes, name: str, legacy: tuple[str, ...] = ("gbk",)) -> str:
    """Text of a file whose exporter chose the encoding (RIS from CNKI or NoteExpress, old
    .bib files): a BOM (UTF-8, UTF-16), UTF-16 without one (every other byte NUL), strict
    UTF-8, then each `legacy` codec strictly. Bytes that none of them decode refuse the input
    with the line of the first byte that is not UTF-8 (`decode_text`)."""
    if data.startswith(_UTF16_BOMS) or (len(data) >= 2 and data[:512].count(0) > len(data[:512]) // 4):
        codec = (
            "utf-16" if data.startswith(_UTF16_BOMS) else "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        )
        try:
            return data.decode(codec)
        except UnicodeDecodeError as error:
            raise InputError(
                name, None, f"not UTF-16 text (byte {error.start}); save the file as UTF-8"
            ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    for codec in legacy:
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    return decode_text(data, name)


# The XML declaration is ASCII: anything else before `encoding=` means there is none.
_DECLARED_ENCODING = re.compile(
    rb"""\A<\?xml[\t\n\r\x20-\x3d\x3f-\x7e]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']"""
)
# Encodings expat decodes itself; others are transcoded to UTF-8 first.
_EXPAT_ENCODINGS = {"utf-8", "utf_8", "utf8", "utf-16", "utf_16", "utf16"}


def xml_as_utf8(data: bytes, name: str) -> bytes:
    """expat decodes UTF-8/16, ASCII and Latin-1 only: a document declaring another encoding
    (GBK, Shift_JIS, windows-1252 …) is decoded with Python's codecs and handed over as UTF-8.
    The declaration stays on line 1, so line numbers do not move."""
    match = _DECLARED_ENCODING.match(data)
    if match is None:
        return data
    declared = match.group(1).decode("ascii")
    if declared.lower() in _EXPAT_ENCODINGS:
        return data
    try:
        text = data.decode(declared)
    except LookupError:
        raise InputError(name, 1, f"unknown encoding {declared!r} in the XML declaration") from None
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(name, line, f"not valid {declared} text: {error.reason}") from None
    before = data[: match.start(1)].decode("ascii")
    if not text.startswith(before + declared):
        raise InputError(name, 1, f"the XML declaration is not readable as {declared}")
    return (before + "UTF-8" + text[len(before) + len(declared) :]).encode("utf-8")


def write_output(chunks: Iterable[str], path: str | os.PathLike[str] | None) -> None:
    """Write the pieces of an export to `path` (None or `-`: standard output), UTF-8 with
    `\\n` line ends, following the rules in the module docstring. OutputError on failure;
    KeyboardInterrupt passes through, with nothing written."""
    name = None if path is None or os.fspath(path) == "-" else os.fspath(path)
    descriptor = _STDOUT if name is None else _descriptor(name)
    target = _regular_target(name) if name is not None and descriptor is None else None
    if target is not None:
        _replace_atomically(chunks, target, shown=name or target)
        return
    shown = "standard output" if descriptor == _STDOUT else name or ""
    with tempfile.SpooledTemporaryFile(_SPOOL_IN_MEMORY) as spool:
        _fill(spool, chunks, shown)
        spool.seek(0)
        _write_through(spool, name, descriptor, shown)


def atomic_write(path: str | os.PathLike[str], text: str) -> None:
    """`text` into a regular file (or a new one), replaced atomically; see `write_output`."""
    write_output([text], os.fspath(path))


_STDOUT = 1
# Names of descriptors the process has open: `/dev/stdout`, `/dev/fd/3` (what the shell
# passes for `>(wc -c)`), `/proc/self/fd/3`. Writing through the descriptor, not opening
# the name afresh, keeps what the shell set up: `>> log` appends (a fresh open would
# truncate the log), and a descriptor open for reading only is refused, not overwritten.
_DESCRIPTOR = re.compile(r"/dev/(?:std(in|out|err)|fd/(\d+))|/proc/(self|thread-self|\d+)/fd/(\d+)")
_STANDARD = {"in": 0, "out": 1, "err": 2}


def _descriptor(name: str) -> int | None:
    """The descriptor `name` stands for (following symbolic links to it), else None."""
    path = os.path.abspath(name)
    for _ in range(40):  # the kernel's own limit on a chain of links
        match = _DESCRIPTOR.fullmatch(path)
        if match:
            standard, fd, process, proc_fd = match.groups()
            if process is not None and process not in ("self", "thread-self", str(os.getpid())):
                return None  # another process's descriptor: an ordinary path to us
            return _STANDARD[standard] if standard else int(fd or proc_fd)
        if not os.path.islink(path):
            return None
        path = os.path.normpath(os.path.join(os.path.dirname(path), os.readlink(path)))
    return None


def _regular_target(name: str) -> str | None:
    """The regular file to replace for `name` (the link's target for a symbolic link), or
    None when `name` is something to write through (a device, FIFO, socket). OutputError
    for a folder."""
    try:
        info = os.stat(name)  # follows symbolic links
    except FileNotFoundError:
        return os.path.realpath(name)  # a new file (through a dangling link: its target)
    except OSError as error:
        raise OutputError(f"cannot write {name}: {error.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise OutputError(f"cannot write {name}: it is a folder")
    real = os.path.realpath(name)
    if not stat.S_ISREG(info.st_mode) or real.startswith("/proc/"):
        return None
    return real


def _fill(stream: IO[bytes], chunks: Iterable[str], shown: str) -> None:
    try:
        for chunk in chunks:
            stream.write(chunk.encode("utf-8"))
        stream.flush()
    except UnicodeEncodeError as error:  # a lone surrogate: a bug upstream, reported plainly
        raise OutputError(f"cannot write {shown}: text that is not Unicode ({error.reason})") from None
    except OSError as error:
        raise OutputError(f"cannot write {shown}: {error.strerror or error}") from None


def _replace_atomically(chunks: Iterable[str], target: str, shown: str) -> None:
    folder = os.path.dirname(target) or "."
    if os.path.lexists(target) and not os.access(target, os.W_OK):
        # renaming over it would succeed in a writable folder; `>` would not, nor do we
        raise OutputError(f"cannot write {shown}: Permission denied (the file is read-only)")
    held = _hold_interrupts()
    try:
        handle, temp_name = tempfile.mkstemp(
            dir=folder, prefix=f".{os.path.basename(target)}.", suffix=".tmp"
        )
    except OSError as error:
        _release_interrupts(held)
        raise OutputError(f"cannot write {shown}: {_folder_reason(error, folder)}") from None
    try:
        _release_interrupts(held)  # an interrupt held back lands here, where the file is removed
        with os.fdopen(handle, "wb") as stream:
            _fill(stream, chunks, shown)
        _copy_mode_and_owner(temp_name, target)
        os.replace(temp_name, target)
    except OSError as error:  # closing (a full disk, a quota), the mode, the rename
        Path(temp_name).unlink(missing_ok=True)
        raise OutputError(f"cannot write {shown}: {error.strerror or error}") from None
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


# Ctrl-C and SIGTERM raise in Python code between any two bytecodes, also inside mkstemp
# after the file exists and before its name is returned: that file was left behind (seen in
# tests/test_output_safety.py on a loaded machine). They wait while it is being created.
_INTERRUPTS = frozenset({signal.SIGINT, signal.SIGTERM})


def _hold_interrupts() -> set[int | signal.Signals] | None:
    if not hasattr(signal, "pthread_sigmask"):  # Windows: no signal masks
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, _INTERRUPTS)


def _release_interrupts(held: set[int | signal.Signals] | None) -> None:
    if held is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _folder_reason(error: OSError, folder: str) -> str:
    if error.errno == errno.ENOENT:
        return f"the folder {folder} does not exist"
    if error.errno == errno.EACCES:
        return f"{error.strerror} (the folder {folder} is not writable)"
    return error.strerror or str(error)


def _write_through(spool: IO[bytes], name: str | None, descriptor: int | None, shown: str) -> None:
    try:
        if descriptor == _STDOUT:
            if sys.stdout is None:  # started with its standard output closed (`>&-`)
                raise OutputError("cannot write standard output: it is closed")
            sys.stdout.flush()
            shutil.copyfileobj(spool, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        elif descriptor is not None:
            with open(descriptor, "wb", closefd=False) as stream:
                shutil.copyfileobj(spool, stream)
        else:
            with open(name or "", "wb") as stream:  # a FIFO blocks here until it has a reader, as with `>`
                shutil.copyfileobj(spool, stream)
    except BrokenPipeError:
        raise
    except OSError as error:
        raise OutputError(f"cannot write {shown}: {error.strerror or error}") from None


def _copy_mode_and_owner(temp_name: str, target: str) -> None:
    """The replaced file's mode (and, for root, its owner); a new file's mode is what a plain
    open() would give: 0666 less the umask."""
    try:
        info = os.stat(target)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp_name, 0o666 & ~umask)
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0 and (info.st_uid, info.st_gid) != (0, 0):
        os.chown(temp_name, info.st_uid, info.st_gid)
    os.chmod(temp_name, info.st_mode & 0o7777)


def load_yaml_file(path: str | os.PathLike[str]) -> Any:
    """A YAML data file (the site and feed registries), parsed once per content.

    PyYAML takes 40–70 ms to import, a quarter of a small `refexport bibtex` run, so the
    parsed data is kept as JSON in the cache folder under a digest of the file's bytes: an
    edited file is parsed afresh, an unchanged one is read back with the json module.
    Raises OSError, UnicodeDecodeError, or ValueError for YAML that does not parse."""
    from refexport.resources import cache_dir
    from refexport.text.yaml import load_yaml

    data = Path(path).read_bytes()
    memo = cache_dir() / "yaml" / f"{Path(path).stem}-{hashlib.sha256(data).hexdigest()[:16]}.json"
    try:
        return json.loads(memo.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass  # not cached yet (or damaged): parse
    document = load_yaml(data.decode("utf-8"))
    try:
        memo.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(memo, json.dumps(document, ensure_ascii=False))
    except (OSError, OutputError, TypeError, ValueError):
        pass  # read-only cache, or data JSON cannot hold (dates): parse again next time
    return document
