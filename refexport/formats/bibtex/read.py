"""Reading .bib files: bytes → text → bibtexparser's blocks → records.

The text is parsed in chunks cut at line-leading `@` (where bibtexparser starts a new block
anyway), so that bibtexparser's whole `Library` of a big file is never alive at once: memory
stays proportional to the input. A large file's chunks are split into blocks by worker
processes (`split`); `@string` macros, duplicate keys and records are made here, in order.

Decoding: a byte-order mark (UTF-8, UTF-16), JabRef's `% Encoding:` line, else UTF-8; a file
that is not UTF-8 is read in the 8-bit encoding its bytes fit (GBK when its high bytes come
in pairs, Windows-1252/Latin-1 when they stand alone: `G\\xf6del` is Gödel, not `G鰀el`); a
UTF-8 file with a few bad bytes keeps its good entries and reports each entry holding a bad
byte with its line.
"""

from __future__ import annotations

import codecs
import gc
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from refexport import stash
from refexport.errors import InputError
from refexport.formats.bibtex.entry import entry_to_record
from refexport.formats.bibtex.split import (
    BINARY,
    Block,
    Comment,
    DuplicateFields,
    DuplicateKey,
    Entry,
    Failed,
    String,
    split_all,
    workers_for,
)
from refexport.model import OWN_FIELDS, VARIABLES, Origin, Problem, ReadResult, Record, record_id

# Where the stash lives (see the writer): `refexport` in BibTeX, `verba` in BibLaTeX (a
# verbatim field biber's data model accepts on every entry type and no style prints).
STASH_FIELDS = {"bibtex": stash.NAME, "biblatex": "verba"}
_STASH_KEYS = frozenset({*OWN_FIELDS, *VARIABLES, "-"})

CHUNK_CHARS = 1 << 18  # characters of the input parsed at once (256 KB: peak memory and time are least)
# Split by workers, smaller chunks cost no time, and fewer of the reader's memory waits in
# them (10,000 entries: peak 66.5 MB with 64 KB, 72 MB with 256 KB; 0.80 s either way).
WORKER_CHUNK_CHARS = 1 << 16
_JABREF_ENCODING = re.compile(rb"^%\s*Encoding:\s*([A-Za-z0-9_.:-]+)", re.MULTILINE)
_HIGH_RUN = re.compile(rb"[\x80-\xff]+")
# Entry types and fields only BibLaTeX has, and those only classic BibTeX has (biber reads
# them as aliases): a file is read as BibLaTeX when it has more of the first.
_BIBLATEX_MARK = re.compile(
    r"@(?:online|thesis|report|software|dataset|mv[a-z]+|bookinbook|suppbook|suppcollection|reference"
    r"|inreference|collection|periodical|set|xdata)\s*[{(]"
    r"|[\s,](?:journaltitle|location|eprinttype|maintitle|subtitle|titleaddon|addendum|pubstate"
    r"|editortype|origdate|eventdate|date|journalsubtitle|booksubtitle)\s*=",
    re.IGNORECASE,
)
_BIBTEX_MARK = re.compile(
    r"@(?:phdthesis|mastersthesis|techreport|conference)\s*[{(]|[\s,](?:journal|address|school)\s*=",
    re.IGNORECASE,
)
# Our own stash fields say which dialect we wrote (every entry we write has one).
_STASH_MARK = re.compile(r'[\s,](refexport|verba)\s*=\s*\{\{"')


def read(data: bytes, name: str, *, workers: int | None = None) -> ReadResult:
    """Records of a BibTeX/BibLaTeX file. Broken entries become `Problem`s (with their line)
    while the good ones are kept; InputError when the input is not BibTeX at all.

    `workers`: how many processes split the text with bibtexparser (see `split`): by default
    one per idle core for an input of `split.PARALLEL_BYTES` or more, else none (0: split in
    this process). The records and problems are the same either way."""
    # bibtexparser logs each broken block; they are reported as `Problem`s instead.
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    with _cyclic_gc_paused():
        return _read(data, name, workers)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Reading builds a dozen objects per entry that all stay alive, and the cyclic collector
    walks them again and again: pausing it saves 5-8 % of a large file's time (measured,
    10,000 entries). Reference counting frees what is dropped; the collector runs again after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read(data: bytes, name: str, workers: int | None) -> ReadResult:
    reader: _Reader | None = None
    content = False  # text outside `%` comments seen (for a file without any entry)
    processes = workers_for(len(data), workers)
    chunks = text_chunks(data, name, WORKER_CHUNK_CHARS if processes else CHUNK_CHARS)
    for chunk, first_line, blocks in split_all(chunks, processes):
        if blocks == BINARY:
            raise InputError(name, None, "not a BibTeX file (binary data)")
        if isinstance(blocks, str):  # bibtexparser is not supposed to raise; if it does, name the file
            raise InputError(name, first_line + 1, f"cannot parse as BibTeX: {blocks}")
        if reader is None:
            reader = _Reader(name, dialect=dialect_of(chunk))
        reader.blocks(blocks, first_line)
        content = content or (not reader.seen_block and not _only_comments(chunk))
    if reader is None:
        return ReadResult()
    if not reader.seen_block and content:
        raise InputError(name, None, "no BibTeX entries: not a BibTeX file?")
    return ReadResult(reader.records, reader.problems)


def dialect_of(data: bytes | str) -> str:
    """Which dialect a .bib file is written in: "biblatex" when it uses more of the entry
    types and fields only BibLaTeX has than of those only classic BibTeX has."""
    text = data if isinstance(data, str) else data.decode("utf-8", errors="replace")
    ours = [m.group(1) for m in _STASH_MARK.finditer(text)]
    if ours:
        return "biblatex" if ours.count("verba") * 2 > len(ours) else "bibtex"
    biblatex = sum(1 for _ in _BIBLATEX_MARK.finditer(text))
    return "biblatex" if biblatex and biblatex > sum(1 for _ in _BIBTEX_MARK.finditer(text)) else "bibtex"


# --------------------------------------------------------------------------- decoding


def decode(data: bytes, name: str = "") -> str:
    """The whole text of a .bib file (see `text_chunks`)."""
    return "".join(chunk for chunk, _ in text_chunks(data, name, len(data) + 1))


def text_chunks(data: bytes, name: str, size: int | None = None) -> Iterator[tuple[str, int]]:
    """The text of a .bib file in pieces of about `size` bytes, each cut before a line-leading
    `@` (where bibtexparser starts a block anyway), with the 0-based number of its first
    line: decoded piece by piece, so the whole text never sits in memory (a Chinese file's
    text takes twice its UTF-8 bytes). Bytes that fit no encoding become lone surrogates,
    which the reader reports with their entry."""
    size = CHUNK_CHARS if size is None else size
    encoding = _declared_encoding(data)
    if encoding is not None and encoding.startswith("utf-16"):  # two-byte units: decoded whole
        yield data.decode(encoding, errors="replace").removeprefix("\ufeff"), 0
        return
    start = 3 if data.startswith(codecs.BOM_UTF8) else 0
    line = 0
    while start < len(data):
        cut = data.find(b"\n@", start + size) if start + size < len(data) else -1
        end = len(data) if cut < 0 else cut + 1
        piece = data[start:end]
        if encoding is None:
            try:
                text = piece.decode("utf-8")
            except UnicodeDecodeError:
                encoding = _sniff_8bit(piece)  # kept for the rest: the earlier pieces were ASCII
                text = piece.decode(encoding, errors="surrogateescape")
        else:
            text = piece.decode(encoding, errors="surrogateescape")
        yield text, line
        line += piece.count(b"\n")
        start = end


def _declared_encoding(data: bytes) -> str | None:
    """The encoding a byte-order mark or JabRef's `% Encoding:` line declares (a UTF-8 mark
    is skipped, its text decoded as UTF-8 with bad bytes reported), else None: sniffed."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = data[:4096]
    if head.count(b"\x00") > len(head) // 4:  # UTF-16 without a byte-order mark
        return "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
    declared = _JABREF_ENCODING.search(head)
    if declared is not None:
        try:
            return codecs.lookup(declared.group(1).decode("ascii")).name
        except LookupError:
            pass  # an encoding Python does not know: sniffed
    return None


def _sniff_8bit(data: bytes) -> str:
    """The encoding of a file that is not valid UTF-8: UTF-8 still when most of its non-ASCII
    bytes form UTF-8 characters (a few bad bytes), GBK when its high bytes come in pairs
    (Chinese), else Windows-1252 (Latin-1 and its Windows superset)."""
    runs = _HIGH_RUN.findall(data)
    if not runs:
        return "utf-8"
    valid = sum(len(run) for run in runs if _is_utf8(run))
    total = sum(len(run) for run in runs)
    if valid * 2 > total:
        return "utf-8"
    paired = sum(len(run) for run in runs if len(run) % 2 == 0)
    if paired * 4 > total * 3:
        try:
            data.decode("gbk")
            return "gbk"
        except UnicodeDecodeError:
            pass
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _is_utf8(run: bytes) -> bool:
    try:
        run.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.lstrip().startswith("%") for line in text.splitlines())


# --------------------------------------------------------------------------- blocks


@dataclass(slots=True)
class _Reader:
    name: str
    dialect: str = "bibtex"
    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    strings: dict[str, str] = field(default_factory=dict)
    keys: dict[str, int] = field(default_factory=dict)  # key -> line of its first entry
    seen_block: bool = False

    def blocks(self, blocks: list[Block], first_line: int) -> None:
        pending: tuple[Entry, int] | None = None  # an entry, until the next block is seen
        for block in blocks:
            line = first_line + block.line + 1
            if pending is not None:
                entry, entry_line = pending
                pending = None
                if type(block) is Comment and block.text and block.line == entry.end_line:
                    # text after the closing brace on its line: a `}` too many ended it early
                    self.problem(
                        entry_line,
                        "text after the entry's closing brace on its last line "
                        "(unbalanced braces?); entry skipped",
                    )
                    continue
                self.entry(entry, entry_line)
            if type(block) is Entry:
                self.seen_block = True
                pending = (block, line)
            elif type(block) is not Comment:
                self.seen_block = True
                inner = self.other_block(block, line)
                if inner is not None:
                    pending = (inner, line)
        if pending is not None:
            self.entry(*pending)

    def other_block(self, block: Block, line: int) -> Entry | None:
        """A `@string`, or a problem; the entry still to be read (a keyless entry, the first
        values of duplicated fields) if any."""
        if type(block) is String:
            try:
                self.strings[block.key.lower()] = field_value(block.value, self.strings)
            except ExpansionError as too_long:
                self.problem(line, f"@string {block.key}: {too_long}; not defined")
        elif type(block) is DuplicateKey:
            if block.key == "":
                return block.entry  # keyless entries are not duplicates
            self.duplicate(block.key, line)
        elif type(block) is DuplicateFields:
            self.problem(line, f"entry has the field(s) {block.names} twice; kept the first value")
            return block.entry
        elif type(block) is Failed:
            self.problem(line, f"cannot parse entry: {block.reason}")
        return None  # preambles and comments hold no record

    def duplicate(self, key: str, line: int) -> None:
        first = self.keys.get(key)
        where = f" (first at line {first})" if first else ""
        self.problem(line, f"duplicate key {key!r}{where}; this entry was skipped")

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.name, line, message))

    def entry(self, entry: Entry, line: int) -> None:
        key = entry.key
        if key in self.keys and key:
            self.duplicate(key, line)
            return
        self.keys.setdefault(key, line)
        if entry.bad is not None:
            lines_before, byte = entry.bad
            self.problem(
                line + lines_before,
                f"byte 0x{byte:02x} is not text in this file's encoding; entry {key!r} skipped",
            )
            return
        try:
            self.records.append(self.record(entry, line))
        except Exception as error:  # a malformed entry must not take the file down
            self.problem(line, f"cannot convert entry {key!r}: {error}")

    def record(self, entry: Entry, line: int) -> Record:
        fields: dict[str, str] = {}
        for name, raw in entry.fields:
            if raw[:1] == "{" and raw[-1:] == "}" and "#" not in raw:
                fields[name] = raw[1:-1]  # the common `{…}`, as `field_value` would give it
            else:
                fields[name] = field_value(raw, self.strings)
        saved = _pop_stash(fields) if "verba" in fields or "refexport" in fields else None
        record = entry_to_record(entry.entry_type.lower(), entry.key, fields, self.dialect)
        record.id = record_id(record.url, record.key)
        if saved is None:
            record.origin = [Origin(self.name, line, record.url)]
            return record
        return stash.apply(record, saved)


def _split_concatenation(value: str) -> list[str]:
    """`a # {b} # "c"` -> its parts (at brace depth 0, outside quotes)."""
    parts, depth, quoted, start = [], 0, False, 0
    for index, ch in enumerate(value):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == '"' and depth == 0:
            quoted = not quoted
        elif ch == "#" and depth == 0 and not quoted:
            parts.append(value[start:index])
            start = index + 1
    parts.append(value[start:])
    return parts


# `@string` macros can double at every definition (`m2 = m1 # m1`): 1 KB of them is
# gigabytes of text. No value is expanded beyond this (the longest real field is an abstract).
MAX_EXPANDED = 1024 * 1024


class ExpansionError(ValueError):
    """A value whose `@string` macros expand beyond MAX_EXPANDED characters."""


def field_value(raw: str, strings: dict[str, str]) -> str:
    """A value as written (delimiters included) -> its text: delimiters removed, `@string`
    macros resolved, `#` concatenations joined. Done here rather than by bibtexparser's
    middlewares, which cost about a second per 10,000 entries."""
    value = raw.strip()
    if not value:
        return value
    if "#" in value:
        parts = _split_concatenation(value)
        if len(parts) > 1:
            pieces: list[str] = []
            length = 0
            for part in parts:
                piece = field_value(part, strings)
                length += len(piece)
                if length > MAX_EXPANDED:
                    raise ExpansionError(f"its macros expand to more than {MAX_EXPANDED:,} characters")
                pieces.append(piece)
            return "".join(pieces)
    first, last = value[0], value[-1]
    if (first == "{" and last == "}") or (first == '"' and last == '"' and len(value) > 1):
        return value[1:-1]
    return strings.get(value.lower(), value)


# --------------------------------------------------------------------------- the stash


def _pop_stash(fields: dict[str, str]) -> dict[str, Any] | None:
    for name in STASH_FIELDS.values():
        raw = fields.get(name)
        if raw is None or not raw.startswith("{"):
            continue
        try:
            value = json.loads(raw)
        except ValueError:
            continue  # somebody else's field of that name: an ordinary field
        if isinstance(value, dict) and set(value) <= _STASH_KEYS:
            del fields[name]
            return value
    return None
