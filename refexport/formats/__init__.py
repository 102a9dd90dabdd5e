"""The format registry: every format refexport reads or writes, as data.

A `Format` names the module that implements it (imported on first use, so the CLI starts
fast), the functions in it, the file extensions and a content test that recognise its
files, and the writer's options. Every reader has one signature, `read(data, name) ->
ReadResult`, and every writer one, `write(records, options) -> Iterator[str]` (the output
in pieces, so a large export never sits in memory twice). Adding a format is adding one
module (or package) under `refexport/formats/` and one entry to `FORMATS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from refexport.model import Origin, Problem, ReadResult, Record

__all__ = ["FORMATS", "Format", "Option", "WriteOptions", "detect", "get", "readable", "writable"]


@dataclass(frozen=True, slots=True)
class Option:
    """A writer option, shown on the format's command (`--feed-base URL`)."""

    name: str  # the key in `WriteOptions.settings`
    flag: str
    help: str
    choices: tuple[str, ...] = ()
    default: str | None = None
    is_flag: bool = False
    metavar: str | None = None


@dataclass(frozen=True, slots=True)
class WriteOptions:
    """What a writer is told besides the records: the catalog's own title (an OPML head, a
    Zotero top collection, a Markdown post's title) and the values of its `Option`s. A
    writer tells back what it could not write as it was: a record it had to leave out goes
    to `skipped`, one it had to change (a key the format cannot hold) to `notices`, each a
    `Problem` naming where the record was read."""

    title: str | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)
    skipped: list[Problem] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)

    def get(self, name: str, default: Any = None) -> Any:
        value = self.settings.get(name)
        return default if value is None else value


def where(record: Record, message: str) -> Problem:
    """A writer's problem with `record`, named by where the record was read."""
    first: Origin | None = record.origin[0] if record.origin else None
    if first is None:
        return Problem(record.key or record.id or "(record)", None, message)
    return Problem(first.file, first.line, message)


Reader = Callable[[bytes, str], ReadResult]
Writer = Callable[[Sequence[Record], WriteOptions], Iterator[str]]


@dataclass(frozen=True, slots=True)
class Format:
    name: str
    summary: str
    module: str
    extensions: tuple[str, ...] = ()
    # A test on the input's first bytes (BOM and leading blanks removed, lower-cased).
    sniff: Callable[[bytes], bool] | None = None
    reader: str | None = "read"  # function names in `module`; None: not read / not written
    writer: str | None = "write"
    options: tuple[Option, ...] = ()
    # Settings fixed by this format (`biblatex` is the BibTeX writer with dialect=biblatex).
    fixed: Mapping[str, Any] = field(default_factory=dict)
    command: bool = True  # has its own `refexport NAME` command

    def read(self, data: bytes, name: str) -> ReadResult:
        if self.reader is None:
            raise ValueError(f"{self.name} is an output format only")
        reader: Reader = getattr(import_module(self.module), self.reader)
        return reader(data, name)

    def write(self, records: Sequence[Record], options: WriteOptions | None = None) -> Iterator[str]:
        if self.writer is None:
            raise ValueError(f"{self.name} is an input format only")
        options = options or WriteOptions()
        if self.fixed:
            options = WriteOptions(
                options.title, {**options.settings, **self.fixed}, options.skipped, options.notices
            )
        writer: Writer = getattr(import_module(self.module), self.writer)
        return writer(records, options)


# --- content tests (cheap byte checks; the head is lower-cased and left-stripped) ---


def _is_xml_rdf(head: bytes) -> bool:
    return head.startswith(b"<") and b"<rdf:rdf" in head


def _is_opml(head: bytes) -> bool:
    return head.startswith((b"<?xml", b"<opml")) and b"<rdf:rdf" not in head


def _is_bibtex(head: bytes) -> bool:
    return head.startswith((b"@", b"%")) or (b"\n@" in head and b"{" in head)


def _is_zotero_json(head: bytes) -> bool:
    return head.startswith((b"[", b"{")) and b'"itemtype"' in head


def _is_records(head: bytes) -> bool:
    first = head.split(b"\n", 1)[0]
    return head.startswith(b"{") and b'"key"' in first and b'"origin"' in first


def _is_csl_json(head: bytes) -> bool:
    return head.startswith((b"[", b"{"))


def _is_ris(head: bytes) -> bool:
    # the head is lower-cased: `TY  - JOUR` (one space too, as Zotero reads) in the first lines
    return head.startswith((b"ty  - ", b"ty - ")) or b"\nty  - " in head[:4096]


def _is_bookmarks(head: bytes) -> bool:
    return head.startswith(b"<!doctype netscape-bookmark-file-1>")


def _is_csl_yaml(head: bytes) -> bool:
    return head.startswith((b"references:", b"---\nreferences:", b"---\r\nreferences:"))


_BIBTEX_DIALECT = Option(
    "dialect",
    "--dialect",
    "bibtex: @misc/howpublished for classic BibTeX styles; biblatex: @online/urldate for biber.",
    choices=("bibtex", "biblatex"),
    default="bibtex",
)
_FEEDS = Option("feeds", "--feeds", "A subscription list of the sources' feeds.", is_flag=True)
_FEED_BASE = Option(
    "feed_base", "--feed-base", "RSSHub-style instance for sites without feeds of their own.", metavar="URL"
)
_STYLE = Option(
    "style",
    "--style",
    "gb-t-7714-2015-numeric, gb-t-7714-2015-author-date, apa, ieee, chicago-author-date, or a .csl file.",
    default="gb-t-7714-2015-numeric",
)
_CITE_FORMAT = Option(
    "format", "--format", "Output markup.", choices=("text", "html", "markdown"), default="text"
)
_LOCALE = Option(
    "locale", "--locale", "Language of the style's terms and dates (zh-CN, en-US); default: the style's."
)
_MARKDOWN_STYLE = Option(
    "style",
    "--style",
    "post: URL line, title line and > note as in the bundled catalog; list: - [title](url) — note items.",
    choices=("post", "list"),
    default="post",
)
_COLLECTION = Option("collection", "--collection", "Name of the top collection (default: the catalog title).")

# In detection order: the first format whose extension matches and whose content test (if
# any) passes wins; without a matching extension, the first content test that passes.
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            "records",
            "The records as JSON Lines (one JSON object per line).",
            "refexport.formats.records",
            (".jsonl", ".ndjson"),
            _is_records,
        ),
        Format(
            "zotero",
            "Zotero Web API JSON: items and collections.",
            "refexport.formats.zotero",
            (".json",),
            _is_zotero_json,
            options=(_COLLECTION,),
            command=False,
        ),
        Format(
            "csljson",
            "CSL-JSON for pandoc, Quarto, Zotero and citeproc processors.",
            "refexport.formats.csl",
            (".json",),
            _is_csl_json,
        ),
        Format(
            "csl-yaml",
            "CSL YAML: the `references:` metadata block pandoc reads.",
            "refexport.formats.csl",
            (".yaml", ".yml"),
            _is_csl_yaml,
            reader="read_yaml",
            writer="write_yaml",
        ),
        Format(
            "bibtex",
            "BibTeX (or BibLaTeX with --dialect biblatex).",
            "refexport.formats.bibtex",
            (".bib", ".bibtex", ".biblatex"),
            _is_bibtex,
            options=(_BIBTEX_DIALECT,),
        ),
        Format(
            "biblatex",
            "BibLaTeX: @online entries with urldate and langid, for biber.",
            "refexport.formats.bibtex",
            (".bib",),
            _is_bibtex,
            fixed={"dialect": "biblatex"},
        ),
        Format(
            "zotero-rdf",
            "Zotero RDF, which Zotero desktop imports with its collections.",
            "refexport.formats.zotero.rdf",
            (".rdf",),
            _is_xml_rdf,
            options=(_COLLECTION,),
            command=False,
        ),
        Format(
            "opml",
            "OPML: the reading list as nested outlines, or (--feeds) feed subscriptions.",
            "refexport.formats.opml",
            (".opml", ".xml"),
            _is_opml,
            options=(_FEEDS, _FEED_BASE),
        ),
        Format(
            "opml-feeds",
            "OPML subscription list of the sources' feeds.",
            "refexport.formats.opml",
            (),
            None,
            options=(_FEED_BASE,),
            fixed={"feeds": True},
            command=False,
        ),
        Format(
            "cite",
            "The catalog as a formatted bibliography (needs pandoc: pip install 'refexport[cite]').",
            "refexport.formats.cite",
            reader=None,
            options=(_STYLE, _CITE_FORMAT, _LOCALE),
        ),
        Format(
            "html",
            "One self-contained HTML page to browse, search and cite the catalog from.",
            "refexport.formats.html",
            reader=None,
            options=(_STYLE,),
        ),
        Format(
            "ris",
            "RIS for EndNote, Mendeley, NoteExpress, CNKI and Zotero.",
            "refexport.formats.ris",
            (".ris", ".txt"),  # EndNote, NoteExpress and CNKI save RIS as .txt too
            _is_ris,
        ),
        Format(
            "bookmarks",
            "Browser bookmarks (Netscape bookmark file): folders, dates, tags, descriptions.",
            "refexport.formats.bookmarks",
            (".html", ".htm"),
            _is_bookmarks,
        ),
        Format(
            "markdown",
            "Markdown reading list: a Jekyll post like the bundled one, or (--style list) a list.",
            "refexport.formats.markdown",
            (".md", ".markdown", ".txt"),
            None,
            options=(_MARKDOWN_STYLE,),
        ),
        Format(
            "markdown-list",
            "Markdown reading list: `- [title](url) — note` items under the headings.",
            "refexport.formats.markdown",
            (),
            None,
            reader=None,
            fixed={"style": "list"},
            command=False,
        ),
    )
}


def get(name: str) -> Format:
    return FORMATS[name]


def readable() -> list[str]:
    """Formats `--from` takes (`biblatex` reads as `bibtex` does: one reader, both dialects)."""
    return [f.name for f in FORMATS.values() if f.reader is not None]


def writable() -> list[str]:
    return [f.name for f in FORMATS.values() if f.writer is not None]


def _head(data: bytes) -> bytes:
    return data[:65536].lstrip(b"\xef\xbb\xbf \t\r\n").lower()


def detect(data: bytes, name: str) -> Format:
    """The format of an input: by its file name's extension (the content deciding between
    formats that share one, such as `.json`), else by its first bytes, else Markdown."""
    lower = name.lower()
    head = _head(data)
    candidates = [
        f
        for f in FORMATS.values()
        if f.reader is not None and not f.fixed and any(lower.endswith(e) for e in f.extensions)
    ]
    for candidate in candidates:
        if candidate.sniff is None or candidate.sniff(head):
            return candidate
    if candidates:  # the content fits none: the most general reader says why (`.json`: CSL-JSON)
        return candidates[-1]
    for candidate in FORMATS.values():
        if candidate.reader is not None and not candidate.fixed and candidate.sniff and candidate.sniff(head):
            return candidate
    return FORMATS["markdown"]


def read_input(data: bytes, name: str, fmt: str | None = None) -> ReadResult:
    """Read one input in `fmt` (detected when None)."""
    return (FORMATS[fmt] if fmt else detect(data, name)).read(data, name)
