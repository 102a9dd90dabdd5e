"""CSL-JSON and CSL YAML, the input of citeproc-js, citeproc-py, pandoc and Zotero.

`mapping.py` maps records to CSL items and back (shared), `json.py` reads and writes CSL-JSON,
`yaml.py` CSL YAML (pandoc's metadata form), `markdown.py` turns CSL rich text into the
pandoc Markdown that CSL YAML strings are, and back.
"""

from __future__ import annotations

from refexport.formats.csl.json import items, read, write
from refexport.formats.csl.yaml import read_yaml, write_yaml

__all__ = ["items", "read", "read_yaml", "write", "write_yaml"]
