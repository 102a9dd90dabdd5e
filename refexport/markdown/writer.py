"""Markdown writer (to be written)."""

from __future__ import annotations

from collections.abc import Sequence

from refexport.model import Record


def write(records: Sequence[Record], title: str | None = None, style: str = "post") -> str:
    raise NotImplementedError
