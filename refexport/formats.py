"""The format registry: which module reads and writes which format, and how an input's
format is recognised. Modules are imported lazily so the CLI starts fast."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import import_module

from refexport.errors import Problem
from refexport.model import Record


@dataclass(slots=True)
class ReadResult:
    """What a reader returns: the good records, one `Problem` per skipped entry, and the
    input's own title when it has one (a Markdown post's front-matter title, an OPML head title)."""

    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    title: str | None = None


Reader = Callable[[bytes, str], ReadResult]

# format name -> module with `read(data: bytes, name: str) -> ReadResult`
READERS: dict[str, str] = {
    "markdown": "refexport.markdown",
    "bibtex": "refexport.bibtex",
    "biblatex": "refexport.bibtex",
    "csljson": "refexport.csljson",
    "csl-yaml": "refexport.csljson",
    "opml": "refexport.opml",
    "records": "refexport.jsonlines",
    "zotero": "refexport.zotero",
    "zotero-rdf": "refexport.zoterordf",
}

EXTENSIONS: dict[str, str] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "markdown",
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".biblatex": "bibtex",
    ".json": "csljson",
    ".yaml": "csl-yaml",
    ".yml": "csl-yaml",
    ".opml": "opml",
    ".rdf": "zotero-rdf",
    ".xml": "opml",
    ".jsonl": "records",
    ".ndjson": "records",
}


def reader_for(fmt: str) -> Reader:
    module = import_module(READERS[fmt])
    return module.read_yaml if fmt == "csl-yaml" else module.read  # type: ignore[no-any-return]


def sniff(data: bytes, name: str) -> str:
    """Guess a format from the file name's extension, else from the first bytes."""
    lower = name.lower()
    for ext, fmt in EXTENSIONS.items():
        if lower.endswith(ext):
            if fmt == "csljson" and lower.endswith(".json") and _looks_like_zotero(data):
                return "zotero"
            return fmt
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<?xml", b"<opml", b"<rdf:rdf")):
        return "zotero-rdf" if b"<rdf:rdf" in head else "opml"
    if head.startswith(b"@") or (b"\n@" in head and b"{" in head):
        return "bibtex"
    if head.startswith(b"["):
        return "zotero" if _looks_like_zotero(data) else "csljson"
    if head.startswith(b"{"):
        first_line = head.split(b"\n", 1)[0]
        if b'"key"' in first_line and b'"source"' in first_line:
            return "records"
        return "zotero" if _looks_like_zotero(data) else "csljson"
    if head.startswith(b"references:") or head.startswith(b"---\nreferences:"):
        return "csl-yaml"
    return "markdown"


def _looks_like_zotero(data: bytes) -> bool:
    return b'"itemType"' in data[:65536]


def read_any(data: bytes, name: str, fmt: str | None = None) -> ReadResult:
    return reader_for(fmt or sniff(data, name))(data, name)


# Output formats: name -> (module, function, fixed keyword arguments). Every writer takes
# the records first; `title` (the catalog's title) is passed to those that use it.
WRITERS: dict[str, tuple[str, str, dict[str, str]]] = {
    "bibtex": ("refexport.bibtex", "write", {"dialect": "bibtex"}),
    "biblatex": ("refexport.bibtex", "write", {"dialect": "biblatex"}),
    "csljson": ("refexport.csljson", "write", {}),
    "csl-yaml": ("refexport.csljson", "write_yaml", {}),
    "opml": ("refexport.opml", "write", {}),
    "opml-feeds": ("refexport.opml", "write_feeds", {}),
    "records": ("refexport.jsonlines", "write", {}),
    "zotero": ("refexport.zotero", "export_json", {}),
    "zotero-rdf": ("refexport.zoterordf", "write_rdf", {}),
    "markdown": ("refexport.markdown", "write", {"style": "post"}),
    "markdown-list": ("refexport.markdown", "write", {"style": "list"}),
}
_TAKES_TITLE = {"opml", "opml-feeds", "zotero", "zotero-rdf", "markdown", "markdown-list"}


def write_any(fmt: str, records: Sequence[Record], title: str | None = None, **options: object) -> str:
    """Render records in an output format; `options` are the writer's own (e.g. `feed_base`)."""
    module_name, function_name, fixed = WRITERS[fmt]
    writer = getattr(import_module(module_name), function_name)
    arguments: dict[str, object] = {**fixed, **options}
    if fmt in _TAKES_TITLE:
        if fmt.startswith("zotero"):
            arguments["top_collection"] = title or "refexport"
        else:
            arguments["title"] = title
    return writer(records, **arguments)  # type: ignore[no-any-return]
