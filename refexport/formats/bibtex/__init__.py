"""BibTeX and BibLaTeX: `read(data, name) -> ReadResult` and `write(records, options)`.

The package is split along its seams: `tables` (entry types, fields, languages, months:
the mapping as data), `names` (name lists), `dates`, `entry` (an entry's fields → a record),
`read` (bytes → entries, with bibtexparser), `write` (records → entries, with the stash);
LaTeX ↔ CSL rich text lives in `refexport.text.latex`. The writer's dialect is
`options.get("dialect", "bibtex")`: "bibtex" writes the entry types and fields classic
styles know (`@misc`, `year`/`month`, `howpublished`), "biblatex" those of biber's data model
(`@online`, `date`, `organization`, `@thesis` + `type`).
"""

from __future__ import annotations

from refexport.formats.bibtex.read import dialect_of, read
from refexport.formats.bibtex.tables import DIALECTS
from refexport.formats.bibtex.write import write

__all__ = ["DIALECTS", "dialect_of", "read", "write"]
