"""refexport: Markdown reading lists to citation records, and on to BibTeX, CSL-JSON, OPML, Zotero."""

__version__ = "0.1.0"
