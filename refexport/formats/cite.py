"""A formatted bibliography (`refexport cite`): the catalog in a CSL style, as plain text,
HTML or Markdown, through the engine in `refexport.citeproc`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from refexport.citeproc import DEFAULT_STYLE, bibliography, join
from refexport.formats import WriteOptions
from refexport.formats.csl import items
from refexport.model import Record


def write(records: Sequence[Record], options: WriteOptions) -> Iterator[str]:
    fmt = options.get("format", "text")
    formatted = bibliography(
        items(records, stash=False), options.get("style", DEFAULT_STYLE), options.get("locale"), fmt
    )
    yield join(formatted, fmt)
