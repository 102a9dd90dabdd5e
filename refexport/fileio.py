"""File input and output: reading inputs, decoding them, and the one output path.

Output is produced in pieces into a temporary file first, so a writer that fails, a full
disk or Ctrl-C never leaves half a file behind; only then is the destination touched:
- a regular file, or a new path, is replaced atomically (rename in the same folder, with
  the old file's mode), the same through a symbolic link (its target is replaced, the
  link stays);
- anything else (standard output, a pipe or FIFO, `/dev/null`, a terminal) is written
  through, never replaced;
- a folder, a missing folder, or a file the operating system will not let us write is an
  `OutputError`, one line naming the path.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
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


def write_output(chunks: Iterable[str], path: str | os.PathLike[str] | None) -> None:
    """Write the pieces of an export to `path` (None or `-`: standard output), UTF-8 with
    `\\n` line ends, following the rules in the module docstring. OutputError on failure;
    KeyboardInterrupt passes through, with nothing written."""
    name = None if path is None or os.fspath(path) == "-" else os.fspath(path)
    target = _regular_target(name) if name is not None else None
    if target is not None:
        _replace_atomically(chunks, target, shown=name or target)
        return
    with tempfile.SpooledTemporaryFile(_SPOOL_IN_MEMORY) as spool:
        _fill(spool, chunks, name or "standard output")
        spool.seek(0)
        _write_through(spool, name)


def atomic_write(path: str | os.PathLike[str], text: str) -> None:
    """`text` into a regular file (or a new one), replaced atomically; see `write_output`."""
    write_output([text], os.fspath(path))


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
    # `/dev/stdout` and friends lead to the caller's open descriptors (/proc/self/fd/N):
    # written through even when they are regular files, which the shell has open already.
    if not stat.S_ISREG(info.st_mode) or real.startswith("/proc/") or name.startswith("/dev/"):
        return None
    return real


def _fill(stream: IO[bytes], chunks: Iterable[str], shown: str) -> None:
    try:
        for chunk in chunks:
            stream.write(chunk.encode("utf-8"))
    except UnicodeEncodeError as error:  # a lone surrogate: a bug upstream, reported plainly
        raise OutputError(f"cannot write {shown}: text that is not Unicode ({error.reason})") from None
    except OSError as error:
        raise OutputError(f"cannot write {shown}: {error.strerror or error}") from None


def _replace_atomically(chunks: Iterable[str], target: str, shown: str) -> None:
    folder = os.path.dirname(target) or "."
    try:
        handle, temp_name = tempfile.mkstemp(
            dir=folder, prefix=f".{os.path.basename(target)}.", suffix=".tmp"
        )
    except OSError as error:
        raise OutputError(f"cannot write {shown}: {_folder_reason(error, folder)}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            _fill(stream, chunks, shown)
            stream.flush()
        _copy_mode_and_owner(temp_name, target)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def _folder_reason(error: OSError, folder: str) -> str:
    if error.errno == errno.ENOENT:
        return f"the folder {folder} does not exist"
    return error.strerror or str(error)


def _write_through(spool: IO[bytes], name: str | None) -> None:
    shown = name or "standard output"
    try:
        if name is None:
            sys.stdout.flush()
            shutil.copyfileobj(spool, sys.stdout.buffer)
            sys.stdout.buffer.flush()
            return
        with open(name, "wb") as stream:  # a FIFO blocks here until it has a reader, as with `>`
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
