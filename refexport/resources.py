"""Locate the bundled data files (default catalog, site registry)."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_CATALOG_NAME = "000_88bfb627b2fe08e3.txt"


def data_dir() -> Path:
    """`refexport/data` in an installed wheel; the repository's `data/` in a source checkout
    or an editable install."""
    installed = Path(__file__).with_name("data")
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent / "data"


def default_catalog() -> Path:
    return data_dir() / DEFAULT_CATALOG_NAME


def cache_dir() -> Path:
    """refexport's cache folder: `$XDG_CACHE_HOME/refexport`, else `~/.cache/refexport`."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "refexport"
