"""File input/output shared by every format: decoding and atomic writes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any


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


def load_yaml(text: str) -> Any:
    """yaml.safe_load through libyaml when PyYAML has it (same safe semantics, ~10x faster);
    raises yaml.YAMLError. PyYAML is imported here, lazily: the CLI starts without it."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
