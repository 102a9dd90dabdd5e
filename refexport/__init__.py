"""refexport: Markdown reading lists to clean citation records, and on to BibTeX, CSL-JSON, OPML and Zotero."""

__version__ = "0.1.0"
