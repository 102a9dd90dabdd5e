"""`refexport build`: every export of a catalog, written into one folder."""

from __future__ import annotations

from pathlib import Path

from refexport import formats
from refexport.catalog import Catalog
from refexport.fileio import write_output

# file name -> output format; the committed exports/ folder holds exactly these.
EXPORT_FILES: dict[str, str] = {
    "refs.bib": "bibtex",
    "refs-biblatex.bib": "biblatex",
    "refs.json": "csljson",
    "refs.yaml": "csl-yaml",
    "refs.opml": "opml",
    "feeds.opml": "opml-feeds",
    "zotero.json": "zotero",
    "zotero.rdf": "zotero-rdf",
    "refs.html": "html",
    "refs.ris": "ris",
    "bookmarks.html": "bookmarks",
    "refs.md": "markdown",
}


def build(catalog: Catalog, out_dir: Path) -> list[Path]:
    """Render every export first, then write them (each atomically), so an error in one
    writer leaves the folder as it was."""
    options = formats.WriteOptions(catalog.title)
    rendered = {
        name: "".join(formats.get(fmt).write(catalog.records, options)) for name, fmt in EXPORT_FILES.items()
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in rendered.items():
        path = out_dir / name
        write_output([text], path)
        written.append(path)
    return written
