"""Text → blocks: bibtexparser's splitter, in this process or in worker processes.

bibtexparser's splitter is about half of the time of reading a .bib file, and it works on
each chunk of the text (cut at line-leading `@`) alone, so a large file's chunks are split
in parallel. Only the splitting is done in the workers: `@string` macros, duplicate keys and
the records are made in the reading process, in input order, from the blocks here. The
blocks are plain tuples holding what the reader uses of bibtexparser's blocks (not the raw
text), so that sending them back costs little: a worker that also built the records would
send back `Record`s, and unpickling those in the reader took as long as building them
(0.31 s per 10,000 entries, measured).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from refexport.workers import count, in_order

# EndNote writes entries without a key (`@article{ author = …`): given an empty one.
_KEYLESS = re.compile(
    r"(^[ \t]*@(?!string|preamble|comment)[A-Za-z]+[ \t]*\{)([ \t\r\n]*[A-Za-z][\w-]*[ \t]*=)",
    re.MULTILINE | re.IGNORECASE,
)
_MAYBE_KEYLESS = re.compile(r"@[A-Za-z]+[ \t]*\{[ \t\r\n]*[A-Za-z][\w-]*[ \t]*=")
_BAD_BYTE = re.compile("[\udc80-\udcff]")

# Inputs from this size on are split in worker processes (when `read` is not told): below
# it, starting the workers costs more than they save (measured: 10,000 entries, 7.8 MB,
# split 0.94 s serially; a worker starts in about 10 ms, forked).
PARALLEL_BYTES = 1 << 20


class Entry(NamedTuple):
    """An entry: `line` and `end_line` 0-based in its chunk; `fields` (name lower-cased,
    value as written) without the ones bibtexparser gave twice or that were commented out;
    `bad` = (lines before it, byte) of the first byte that is not text, if any."""

    line: int
    end_line: int
    entry_type: str
    key: str
    fields: list[tuple[str, str]]
    bad: tuple[int, int] | None


class Comment(NamedTuple):
    """Text between blocks; `text` whether its first line holds more than a `%` comment."""

    line: int
    text: bool


class String(NamedTuple):
    line: int
    key: str
    value: str


class DuplicateKey(NamedTuple):
    """An entry whose key an earlier entry of the chunk has (`entry`), or a keyless one."""

    line: int
    key: str
    entry: Entry


class DuplicateFields(NamedTuple):
    line: int
    names: str  # the fields given twice, sorted, comma-separated
    entry: Entry


class Failed(NamedTuple):
    line: int
    reason: str


class Other(NamedTuple):
    """A block without a record: `@preamble`, `@comment`."""

    line: int


Block = Entry | Comment | String | DuplicateKey | DuplicateFields | Failed | Other


BINARY = "\x00"  # what `split` says of a chunk holding a NUL: not a .bib file


def split(chunk: str) -> list[Block] | str:
    """The blocks of a chunk of text; else BINARY, or the message of bibtexparser's
    exception (it is not supposed to raise; the reader then refuses the file)."""
    from bibtexparser.entrypoint import parse_string

    if "\x00" in chunk:
        return BINARY
    text = _repair_keyless(chunk)
    try:
        library = parse_string(text, parse_stack=[])
    except Exception as error:
        return str(error)
    return [_block(block, line) for block, line in _lines(text, library.blocks)]


def _lines(text: str, blocks: list[Any]) -> Iterator[tuple[Any, int]]:
    """Each block with its 0-based line in `text`, found from where its text starts:
    bibtexparser's own count misses the line breaks of some blocks (a long `@comment`), and
    then every later block of the chunk is that many lines early."""
    position = line = 0
    for block in blocks:
        raw = block.raw
        at = text.find(raw, position) if raw else -1
        if at < 0:  # not seen (bibtexparser gives every block its raw text)
            yield block, block.start_line or 0
            continue
        line += text.count("\n", position, at)
        yield block, line
        line += raw.count("\n")
        position = at + len(raw)


def _repair_keyless(chunk: str) -> str:
    if _MAYBE_KEYLESS.search(chunk):
        return _KEYLESS.sub(r"\1,\2", chunk)
    return chunk


def _block(block: Any, line: int) -> Block:
    from bibtexparser import model

    kind = type(block)
    if kind is model.Entry:
        return _entry(block, line)
    if kind is model.ImplicitComment:
        first = (block.raw or "").split("\n", 1)[0].strip()
        return Comment(line, bool(first) and not first.startswith("%"))
    if isinstance(block, model.String):
        return String(line, block.key, block.value)
    if isinstance(block, model.DuplicateBlockKeyBlock):
        inner = block.ignore_error_block
        if isinstance(inner, model.String):  # a macro redefined: from here on (as in a later chunk)
            return String(line, inner.key, inner.value)
        if isinstance(inner, model.Entry):
            return DuplicateKey(line, block.key, _entry(inner, line))
        return Other(line)
    if isinstance(block, model.DuplicateFieldKeyBlock):
        names = ", ".join(sorted(block.duplicate_keys))
        return DuplicateFields(line, names, _entry(block.ignore_error_block, line))
    if isinstance(block, model.ParsingFailedBlock):
        error = block.error
        reason = getattr(error, "abort_reason", None) or str(error) or "unreadable"
        return Failed(line, reason.splitlines()[0].strip())
    return Other(line)


def _entry(entry: Any, line: int) -> Entry:
    raw = entry.raw or ""
    fields: dict[str, str] = {}
    for item in entry.fields:
        key = item.key
        name = key.lower() if "%" not in key else _field_name(key)
        value = item.value
        if name is not None and name not in fields and isinstance(value, str):
            fields[name] = value
    bad_byte = _BAD_BYTE.search(raw)
    bad = None
    if bad_byte is not None:
        bad = (raw[: bad_byte.start()].count("\n"), ord(bad_byte.group()) - 0xDC00)
    return Entry(line, line + raw.count("\n"), entry.entry_type, entry.key, list(fields.items()), bad)


def _field_name(key: str) -> str | None:
    """A field name as bibtexparser gives it, without the `%` comment lines it may have
    swallowed (bibtexparser #372); None for a field that was commented out."""
    lines = [line.strip() for line in key.splitlines() if not line.strip().startswith("%")]
    key = lines[-1] if lines else ""
    return key.lower() if key else None


# --------------------------------------------------------------------------- in parallel


def workers_for(size: int, workers: int | None) -> int:
    """How many worker processes split an input of `size` bytes (see `refexport.workers.count`)."""
    return count(size >= PARALLEL_BYTES, workers)


Split = tuple[str, int, list[Block] | str]  # a chunk, its first line, its blocks (see `split`)


def split_all(chunks: Iterable[tuple[str, int]], workers: int) -> Iterator[Split]:
    """(chunk, first line, its blocks) for each chunk, in order: split here (`workers` 0) or
    by that many worker processes."""
    if workers < 1:
        for chunk, first_line in chunks:
            yield chunk, first_line, split(chunk)
        return
    for (chunk, first_line), blocks in in_order(_split_task, chunks, workers):
        yield chunk, first_line, blocks


def _split_task(task: tuple[str, int]) -> list[Block] | str:
    return split(task[0])
