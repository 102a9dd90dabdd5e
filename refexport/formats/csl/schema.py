"""Keys of the official csl-data.json schema beyond the model's variables (tests check these
sets against the schema file): written back natively from `custom["csl:<key>"]`."""

from __future__ import annotations

SCHEMA_EXTRA_TEXT = frozenset(
    "citation-key keyword journalAbbreviation shortTitle citation-label year-suffix".split()
)
SCHEMA_EXTRA_NUMBER = frozenset("citation-number first-reference-note-number locator".split())
