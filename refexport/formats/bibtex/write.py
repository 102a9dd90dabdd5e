"""Writing records as BibTeX or BibLaTeX: the writing half of the mapping, the stash, keys.

Each variable goes to its native field for the entry type and dialect (the inverse of
`entry.entry_to_record`); `bibtex:<field>` customs are written back as they were read. What
the entry cannot say goes to the stash field (`stash.delta` against what the reader makes of
the entry), which for records that map exactly holds only refexport's bookkeeping: that case
is computed without reading the entry back. Values are escaped here, per field class, and
the text is formatted directly (bibtexparser's writer would only re-walk it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any

from refexport import stash
from refexport.formats import WriteOptions, where
from refexport.formats.bibtex import tables as t
from refexport.formats.bibtex.builder import Builder
from refexport.formats.bibtex.entry import entry_to_record
from refexport.formats.bibtex.read import STASH_FIELDS
from refexport.model import Record, record_id
from refexport.workers import mapped

# Key characters BibTeX, biber and pandoc all accept (pandoc's `isBibtexKeyChar` without
# what biber refuses: `'s`, `(`, `)`, `=`; BBT's `citekeyUnsafeChars` are out too).
_KEY_UNSAFE = re.compile(r"[^\w.:;?!/*@+\-\[\]&$`]")
_SAFE_SORT_KEY = re.compile(r"^[^{}\\]*$")
_FIELD_WIDTH = 12  # field names are padded to this (`howpublished`), so columns line up


def write(records: Sequence[Record], options: WriteOptions, *, workers: int | None = None) -> Iterator[str]:
    """The records as a .bib file in `options.get("dialect")` ("bibtex" or "biblatex"), in
    input order, one entry per piece. A key the format cannot hold is written sanitised and
    said in `options.notices`; ValueError for an unknown dialect. `workers`: how many
    processes format the entries (see `refexport.workers.mapped`): by default one per idle
    core from PARALLEL_RECORDS records on. The text is the same either way."""
    dialect = options.get("dialect", "bibtex")
    if dialect not in t.DIALECTS:
        raise ValueError(f"unknown BibTeX dialect {dialect!r} (choose from {', '.join(t.DIALECTS)})")
    keys = _Keys(dialect, options)
    keyed = [keys.key_for(record) for record in records]  # the notices in order, first
    texts = mapped(
        lambda index: format_entry(records[index], dialect, keyed[index]),
        range(len(records)),
        len(records) >= PARALLEL_RECORDS,
        workers,
    )
    first = True
    for text in texts:
        yield text if first else "\n" + text
        first = False


# From this many records on the entries are formatted by worker processes too (10,000
# entries, two cores: 0.58 s alone, 0.41-0.48 s with one worker beside this process, which
# formats every other batch; two workers with it on two cores: 0.46-0.49 s).
PARALLEL_RECORDS = 2_000


class _Keys:
    """Citation keys as written: safe for BibTeX, biber and pandoc, and unique ignoring case."""

    def __init__(self, dialect: str, options: WriteOptions) -> None:
        self.dialect = dialect
        self.options = options
        self.seen: set[str] = set()

    def key_for(self, record: Record) -> str:
        key = record.key
        safe = _KEY_UNSAFE.sub("", key) or f"ref-{record.id or 'x'}"
        safe = _KEY_UNSAFE.sub("", safe) or "ref"
        candidate, suffix = safe, 0
        while candidate.lower() in self.seen:
            suffix += 1
            candidate = f"{safe}-{suffix}"
        self.seen.add(candidate.lower())
        if candidate != key:
            reason = "is used twice" if safe == key else "has characters BibTeX, biber or pandoc refuse"
            message = f"citation key {key!r} {reason}: written as {candidate!r}"
            self.options.notices.append(where(record, message))
        return candidate


# --------------------------------------------------------------------------- one entry


def format_entry(record: Record, dialect: str, key: str) -> str:
    builder = Builder(record, dialect)
    builder.build()
    fields = builder.fields
    if dialect == "bibtex" and not {"author", "editor", "key"} & fields.keys() and _SAFE_SORT_KEY.match(key):
        fields["key"] = key  # what classic styles sort an entry without author by (else they warn)
    objects = None
    if builder.exact and key == record.key and _read_type_ok(builder):
        saved = _bookkeeping(record, key)
        objects = 1 + len(record.origin)
    else:
        read_back = entry_to_record(builder.entry_type, key, dict(fields), dialect)
        read_back.id = record_id(read_back.url, key)
        saved = stash.delta(record, read_back)
        if not record.origin and not saved:
            saved = {"origin": []}
    bare = builder.bare
    lines = [
        f"{_padded(name)}{value}" if name in bare else f"{_padded(name)}{{{value}}}"
        for name, value in fields.items()
    ]
    if saved:
        lines.append(f"{_padded(STASH_FIELDS[dialect])}{{{_stash_text(saved, objects)}}}")
    return f"@{builder.entry_type}{{{key},\n" + ",\n".join(lines) + "\n}\n"


@lru_cache(maxsize=512)
def _padded(name: str) -> str:
    return f"  {name:<{_FIELD_WIDTH}} = "


def _bookkeeping(record: Record, key: str) -> dict[str, Any]:
    """The stash of a record whose entry says everything else exactly: what `stash.delta`
    would find, without reading the entry back."""
    saved: dict[str, Any] = {}
    if record.id != record_id(record.url, key):
        saved["id"] = record.id
    if record.collection:
        saved["collection"] = list(record.collection)
    if record.also_in:
        saved["also_in"] = [list(path) for path in record.also_in]
    saved["origin"] = [origin.to_dict() for origin in record.origin]
    return saved


def _read_type_ok(builder: Builder) -> bool:
    """Whether the reader will make the record's type (and genre) of the entry written."""
    record = builder.record
    csl_type = t.CSL_TYPE_OF_ENTRY.get(builder.entry_type, "document")
    if csl_type == "article-journal":
        csl_type = t.ARTICLE_SUBTYPES.get(builder.fields.get("entrysubtype", ""), csl_type)
    elif csl_type == "manuscript" and any(f in builder.fields for f in t.EVENT_FIELDS):
        csl_type = "speech"
    if csl_type != record.type:
        return False
    implied = t.THESIS_GENRE.get(builder.entry_type)
    return implied is None or record.variables.get("genre") == implied or "type" in builder.fields


# --------------------------------------------------------------------------- the stash text


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _stash_text(saved: dict[str, Any], objects: int | None = None) -> str:
    """Compact JSON that is safe as a braced value: no newlines or control characters, and
    braces inside strings written `\\u007b`/`\\u007d` so the object's braces are the only ones.
    `objects`: how many JSON objects `saved` holds, when the caller knows."""
    text = stash.encode(saved)
    objects = _object_braces(saved) if objects is None else objects
    if text.count("{") == text.count("}") == objects and text.isprintable():
        return text
    return _JSON_STRING.sub(_escape_json_string, text)


def _object_braces(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + sum(_object_braces(v) for v in value.values())
    if isinstance(value, list):
        return sum(_object_braces(v) for v in value)
    return 0


def _escape_json_string(match: re.Match[str]) -> str:
    token = match.group()
    if token.isprintable() and "{" not in token and "}" not in token:
        return token
    out: list[str] = []
    for ch in token:
        if ch in "{}" or not ch.isprintable():
            code = ord(ch)
            if code > 0xFFFF:  # a surrogate pair
                code -= 0x10000
                out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
            else:
                out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)
