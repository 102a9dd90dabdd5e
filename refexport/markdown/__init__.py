"""Markdown reading lists: `read` (any CommonMark/GFM post or list, with the blog's own
layout rules on top) and `write` (a catalog as a Jekyll post or a plain list)."""

from __future__ import annotations

from refexport.markdown.reader import read
from refexport.markdown.writer import write

__all__ = ["read", "write"]
