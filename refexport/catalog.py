"""From input files to the finished record list: read, normalise, merge, identify, key.

Every command goes through `load()`. Readers return raw records; here they become the
catalog: canonical URLs and site hints (`refexport.normalize`), one record per canonical
URL of a Markdown catalog, unique stable ids and unique citation keys. The policy for bad
entries lives here too: they are reported and skipped, or (`strict`) refuse the input.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from refexport.errors import InputError
from refexport.fileio import read_input
from refexport.formats import read_input as read_format
from refexport.model import Problem, ReadResult, Record, record_id
from refexport.resources import default_catalog


@dataclass(slots=True)
class Catalog:
    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # entries skipped
    notices: list[Problem] = field(default_factory=list)  # entries kept, but changed (a renamed key)
    title: str | None = None  # the first input's own title (Markdown front matter, OPML head)


def read_file(path: str | os.PathLike[str], fmt: str | None = None) -> ReadResult:
    name = os.fspath(path)
    return read_format(read_input(name), name, fmt)


def load(
    paths: Sequence[str | os.PathLike[str]] = (), fmt: str | None = None, strict: bool = False
) -> Catalog:
    """Read every input (the bundled catalog when there is none) and assemble the catalog.
    With `strict`, the first bad entry refuses the whole input (InputError)."""
    if paths:
        results = [read_file(path, fmt) for path in paths]
    else:
        # The bundled catalog is named by its file name alone, so that records (and the
        # committed exports) do not depend on where refexport is installed.
        bundled = default_catalog()
        results = [read_format(bundled.read_bytes(), bundled.name, fmt)]
    if strict:
        for result in results:
            if result.problems:
                first = result.problems[0]
                raise InputError(first.file, first.where, f"{first.message} (--strict: nothing written)")
    return assemble(results)


def assemble(results: Sequence[ReadResult]) -> Catalog:
    from refexport.keys import assign_keys
    from refexport.normalize import normalise

    catalog = Catalog(title=next((r.title for r in results if r.title), None))
    by_url: dict[str, Record] = {}
    for result in results:
        catalog.problems.extend(result.problems)
        for record in result.records:
            normalise(record)
            # Catalog occurrences (no key yet) of one canonical URL are one work: the first
            # occurrence holds the record, later ones add their source and section.
            if not record.key and record.url:
                first = by_url.get(record.url)
                if first is not None:
                    merge_occurrence(first, record)
                    continue
                by_url[record.url] = record
            catalog.records.append(record)
    assign_ids(catalog.records)
    for record, old_key in assign_keys(catalog.records):
        catalog.notices.append(
            _notice(record, f"key {old_key!r} is taken (keys are case-insensitive): now {record.key!r}")
        )
    return catalog


def _notice(record: Record, message: str) -> Problem:
    where = record.origin[0] if record.origin else None
    return Problem(where.file if where else "(input)", where.line if where else None, message)


def merge_occurrence(first: Record, later: Record) -> None:
    """Fold a later occurrence of the same URL into the first one, losing nothing: its
    sources are appended, its section joins `also_in`, and variables the first occurrence
    lacks (a title, a note …) and tags are taken from it."""
    first.origin.extend(later.origin)
    sections = [first.collection, *first.also_in]
    for path in (later.collection, *later.also_in):
        if path and path not in sections:
            first.also_in.append(list(path))
            sections.append(path)
    for name, value in later.variables.items():
        first.variables.setdefault(name, value)
    first.tags.extend(tag for tag in later.tags if tag not in first.tags)


def assign_ids(records: Sequence[Record]) -> None:
    """Make every id present and unique. A missing id is the digest of the canonical URL (or
    of the key, for records without a URL); two records with one id (two .bib entries citing
    one page, the same entry in two inputs) stay two records, the later one with an id that
    also covers its key and position."""
    seen: set[str] = set()
    for position, record in enumerate(records):
        candidate = record.id or record_id(record.url, record.key or record.title or "")
        if candidate in seen:
            candidate = record_id(f"{record.url}#{record.key or record.title}", "")
        if candidate in seen:
            candidate = record_id(f"{record.url}#{record.key or record.title}#{position}", "")
        record.id = candidate
        seen.add(candidate)
