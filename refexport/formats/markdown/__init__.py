"""Markdown reading lists: `read` (any CommonMark/GFM post or list, with the blog's own
layout rules on top) and `write` (a catalog as a Jekyll post or a plain list)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from refexport.formats import WriteOptions
from refexport.formats.markdown.reader import read
from refexport.model import Record

__all__ = ["read", "write"]


def write(records: Sequence[Record], options: WriteOptions) -> Iterator[str]:
    """The records as a Markdown reading list: style `post` (a Jekyll post in the seed's
    layout) or `list` (`- [title](url) — note` items); see refexport.formats.markdown.writer."""
    from refexport.formats.markdown.writer import write as write_markdown  # only the writer needs it

    yield write_markdown(records, options.title, options.get("style", "post"))
