"""File input/output shared by every format: decoding and atomic writes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write(path: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 `text` to `path` through a temporary file in the same folder and a rename,
    so a reader never sees half a file and a failure leaves the old file untouched."""
    target = Path(path)
    handle, temp_name = tempfile.mkstemp(dir=target.parent or ".", prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
