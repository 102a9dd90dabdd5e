"""From input files to the finished record list: read, normalise, merge, identify, key.

Every command goes through `load()`. Readers return raw records; here they become the
catalog: canonical URLs and site hints (`refexport.normalize`), one record per canonical
URL of a Markdown catalog, stable ids and unique citation keys.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from refexport.errors import InputError, Problem
from refexport.formats import ReadResult, read_any
from refexport.model import Record, record_id
from refexport.resources import default_catalog


@dataclass(slots=True)
class Catalog:
    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    title: str | None = None  # the first input's own title (Markdown front matter, OPML head)


def read_file(path: str | os.PathLike[str], fmt: str | None = None) -> ReadResult:
    name = os.fspath(path)
    try:
        data = Path(name).read_bytes()
    except OSError as error:
        raise InputError(name, None, f"cannot read: {error.strerror or error}") from None
    return read_any(data, name, fmt)


def load(paths: Sequence[str | os.PathLike[str]] = (), fmt: str | None = None) -> Catalog:
    """Read every input (the bundled catalog when there is none) and assemble the catalog."""
    if paths:
        return assemble([read_file(path, fmt) for path in paths])
    # The bundled catalog is named by its file name alone, so that records (and the
    # committed exports) do not depend on where refexport is installed.
    bundled = default_catalog()
    return assemble([read_any(bundled.read_bytes(), bundled.name, fmt)])


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
    assign_keys(catalog.records)
    return catalog


def merge_occurrence(first: Record, later: Record) -> None:
    """Fold a later occurrence of the same URL into the first one, losing nothing: its
    sources are appended, its section joins `also_in`, and fields the first occurrence
    lacks (a title, a note, tags) are taken from it."""
    first.source.extend(later.source)
    sections = [first.collection, *first.also_in]
    for path in (later.collection, *later.also_in):
        if path and path not in sections:
            first.also_in.append(list(path))
            sections.append(path)
    first.title = first.title or later.title
    first.note = first.note or later.note
    first.accessed = first.accessed or later.accessed
    first.tags.extend(tag for tag in later.tags if tag not in first.tags)


def assign_ids(records: Sequence[Record]) -> None:
    """Fill missing ids from the canonical URL (or the key, for records without a URL).
    Two keyed records with the same URL (two .bib entries citing one page) stay two
    records, so the later one's id also covers its key."""
    seen: set[str] = {r.id for r in records if r.id}
    for record in records:
        if record.id:
            continue
        candidate = record_id(record.url, record.key or record.title or "")
        if candidate in seen:
            candidate = record_id(f"{record.url}#{record.key or record.title}", "")
        record.id = candidate
        seen.add(candidate)
