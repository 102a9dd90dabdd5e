"""Markdown reading lists: `read` (any CommonMark/GFM post or list, with the blog's own
layout rules on top) and `write` (a catalog as a Jekyll post or a plain list)."""

from __future__ import annotations

from collections.abc import Sequence

from refexport.markdown.reader import read
from refexport.model import Record

__all__ = ["read", "write"]


def write(records: Sequence[Record], title: str | None = None, style: str = "post") -> str:
    """The records as a Markdown reading list: `post` (Jekyll post in the seed's layout) or
    `list` (`- [title](url) — note` items); see refexport.markdown.writer."""
    from refexport.markdown.writer import write as write_markdown  # lazy: only the writer needs it

    return write_markdown(records, title, style)
