"""CSL-JSON and CSL YAML, the input of citeproc-js, citeproc-py, pandoc and Zotero.

`mapping.py` maps records to CSL items and back (shared; `note.py` the `variable: value`
lines of notes, `schema.py` the schema's keys beyond the model), `json.py` reads and writes
CSL-JSON, `yaml.py` CSL YAML (pandoc's metadata form), `markdown.py` turns CSL rich text
into the pandoc Markdown that CSL YAML strings are, and back. The YAML side is imported
on first use, so `refexport csljson` does not load it.
"""

from __future__ import annotations

from typing import Any

from refexport.formats.csl.json import items, read, write

__all__ = ["items", "read", "read_yaml", "write", "write_yaml"]


def __getattr__(name: str) -> Any:
    if name in ("read_yaml", "write_yaml"):
        from refexport.formats.csl import yaml

        return getattr(yaml, name)
    raise AttributeError(name)
