"""One entry (type, key, fields) → one record: the reading half of the mapping.

The writer runs this too, on the fields it is about to write, to see what a reader will
make of them (the stash holds only the difference).

Fields no CSL variable holds go to `record.custom["bibtex:<field>"]` as written (LaTeX and
all), and so does a field whose LaTeX the conversion to CSL text could not keep (math, an
unknown command): the writer writes that text back while the variable still reads the same.
Three markers keep same-format conversion faithful where the writer would choose another
spelling: `bibtex:entrytype` (an entry type the writer would not choose for the CSL type in
the file's dialect, e.g. `@collection`), `bibtex:fields` (variable -> the field it was read
from, where the writer would choose another: `journal` in a BibLaTeX file, `organization`
for an @inproceedings publisher), and an empty `bibtex:<field>` (the entry had no such field
although the writer would add one: `langid`, `language`, a BibLaTeX @thesis's `type`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from sys import intern

from refexport.formats.bibtex import tables as t
from refexport.formats.bibtex.dates import UNKNOWN, parse_edtf, parse_year
from refexport.formats.bibtex.fields import (
    WEB_ENTRY_TYPES,
    container_field,
    eprint_url,
    format_keywords,
    issue_field,
    join_text,
    langid_of,
    parse_keywords,
    place_field,
    protect_capitals,
    protects_case,
    publisher_field,
    title_text,
    unprotect_capitals,
    url_in_howpublished,
    writer_entry_type,
)
from refexport.formats.bibtex.names import parse_names
from refexport.model import Date, Name, Record
from refexport.text.latex import to_csl, to_plain

CUSTOM = "bibtex:"
ENTRYTYPE = "bibtex:entrytype"
FIELDS = "bibtex:fields"
_BCP47 = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
_DASHES = re.compile("[-\u2013\u2014]+")
_NEEDS_QUOTING = re.compile(r"[\\{}$&%#_^~`\u00a0\u2013;\n]|--|''")


class _Entry:
    """The state of one conversion: the fields left to map, and the record being built."""

    __slots__ = ("dialect", "entry_type", "fields", "record")

    def __init__(self, entry_type: str, key: str, fields: dict[str, str], dialect: str) -> None:
        self.entry_type = entry_type
        self.fields = dict(fields)
        self.record = Record(key=key)
        self.dialect = dialect

    def pop(self, name: str) -> str | None:
        return self.fields.pop(name, None)

    def put(self, variable: str, value: str | list[Name] | Date | None) -> None:
        if value is not None and value != "" and value != []:
            if variable in t.REPEATED_VARIABLES and type(value) is str:
                value = intern(value)  # one string for all the records that say it
            self.record.variables[variable] = value

    def keep(self, name: str, raw: str) -> None:
        """The field as written, for the writer (it has no variable, or lost something)."""
        self.record.custom[CUSTOM + name] = raw

    def came_from(self, variable: str, field: str, writer_field: str) -> None:
        """Remember that `variable` was read from `field` where the writer would use
        `writer_field` (in this file's dialect)."""
        if field != writer_field and variable not in self.record.variables:
            memory = self.record.custom.setdefault(FIELDS, {})
            memory[variable] = field

    def text(self, name: str, variable: str) -> None:
        """A LaTeX text field into a variable (CSL rich text)."""
        raw = self.pop(name)
        if raw is None:
            return
        value, lossy = to_csl(raw)
        if lossy:
            self.keep(name, raw)
        if variable in self.record.variables:
            self.keep(name, raw)
        else:
            self.put(variable, value)


def entry_to_record(entry_type: str, key: str, fields: dict[str, str], dialect: str = "bibtex") -> Record:
    """The record of one entry: `entry_type` lower-cased, `fields` by lower-case name with
    their values as written between the delimiters (`@string` macros resolved). The
    record has no id and no origin yet. In a BibLaTeX file, a field biber's data model
    does not allow on the entry type is kept as written too (the writer leaves such
    fields to the stash unless the entry had them)."""
    entry = _Entry(entry_type, key, fields, dialect)
    if "key" in fields and fields["key"] == key and "author" not in fields and "editor" not in fields:
        entry.pop("key")  # the writer's sort key for classic styles: the citation key again
    if dialect == "biblatex":
        allowed = _ALLOWED.get(entry_type)
        if allowed is not None:
            for name in fields:
                if name not in allowed:
                    entry.keep(name, fields[name])
    _type_and_genre(entry)
    _language(entry)
    _names(entry)
    _titles(entry)
    _containers_and_publishers(entry)
    _numbers(entry)
    _dates(entry)
    _identifiers(entry)
    for name in list(entry.fields):
        handler = _SIMPLE_HANDLERS.get(name)
        if handler is not None:
            handler(entry, name)
    custom = entry.record.custom
    for name, raw in entry.fields.items():
        custom[CUSTOM + name] = raw
    if dialect == "biblatex" and "title" not in fields and entry_type in t.BIBLATEX_NEEDS_TITLE:
        entry.keep("title", "")  # biber wants one, but the entry had none: the writer adds none
    return entry.record


# --------------------------------------------------------------------------- type


def _type_and_genre(entry: _Entry) -> None:
    entry_type, fields = entry.entry_type, entry.fields
    csl_type = t.CSL_TYPE_OF_ENTRY.get(entry_type, "document")
    if csl_type == "article-journal":
        csl_type = t.ARTICLE_SUBTYPES.get(fields.get("entrysubtype", "").strip().lower(), csl_type)
        if csl_type != "article-journal":
            entry.pop("entrysubtype")
    elif csl_type == "manuscript" and any(f in fields for f in t.EVENT_FIELDS):
        csl_type = "speech"
    entry.record.type = csl_type
    genre = _genre(entry)
    if entry_type != writer_entry_type(csl_type, genre, "editor" in fields, entry.dialect):
        entry.keep("entrytype", entry_type)
    if entry.dialect == "biblatex" and "type" not in fields and entry_type in ("thesis", "report"):
        entry.keep("type", "")  # biber wants one, but the entry had none: the writer adds none


def _genre(entry: _Entry) -> str | None:
    raw = entry.pop("type")
    if raw is None:
        implied = t.THESIS_GENRE.get(entry.entry_type)
        entry.put("genre", implied)
        return implied
    key = raw.strip()
    genre = t.GENRE_OF_KEY.get(key.lower())
    if genre is None:
        genre, lossy = to_csl(raw)
        if lossy:
            entry.keep("type", raw)
    elif key != key.lower():
        entry.keep("type", raw)
    entry.put("genre", genre)
    return genre


# --------------------------------------------------------------------------- language


def _language(entry: _Entry) -> None:
    """`language` (what the work is in: Zotero reads it) and `langid` (biblatex's hyphenation
    and case rules: pandoc reads it) both say CSL's `language`."""
    language_raw, langid_raw = entry.pop("language"), entry.pop("langid")
    langidopts = entry.fields.get("langidopts", "")
    language: str | None = None
    if language_raw is not None:
        plain, _ = to_plain(language_raw)
        if _BCP47.match(plain):
            language = plain
        else:
            language = t.BCP47_OF_LANGUAGE_NAME.get(plain.lower())
            entry.keep("language", language_raw)
            if language is None and langid_raw is None:
                language = plain or None
    if langid_raw is not None:
        name = langid_raw.strip().lower()
        variant = re.search(r"variant\s*=\s*(\w+)", langidopts)
        if name == "english" and variant:
            name = t.ENGLISH_VARIANTS.get(variant.group(1).lower(), name)
        from_langid = t.BCP47_OF_LANGID.get(name, langid_raw.strip())
        if language is None:
            language = from_langid or None
        if langid_raw != langid_of(language):
            entry.keep("langid", langid_raw)
    elif language is not None and langid_of(language):
        entry.keep("langid", "")  # the entry had none: the writer adds none
    if language_raw is None and language is not None:
        entry.keep("language", "")
    entry.put("language", language)


# --------------------------------------------------------------------------- names


def _names(entry: _Entry) -> None:
    options = entry.fields.get("options", "")
    useprefix = bool(re.search(r"(?:^|,)\s*useprefix\s*(?:=\s*true\s*)?(?:,|$)", options))
    if options == "useprefix=true":
        entry.pop("options")  # the writer's: put back while a name has a non-dropping particle
    editortype = entry.fields.get("editortype", "").strip().lower()
    editor_variable = {"director": "director", "compiler": "compiler"}.get(editortype, "editor")
    if editor_variable != "editor":
        entry.pop("editortype")
    for field, variable in (
        ("author", "author"),
        ("editor", editor_variable),
        ("translator", "translator"),
        ("bookauthor", "container-author"),
    ):
        raw = entry.pop(field)
        if raw is None:
            continue
        names, lossy = parse_names(raw, useprefix)
        if lossy:
            entry.keep(field, raw)
        entry.put(variable, names)


# --------------------------------------------------------------------------- titles

ONLINE_TYPES = frozenset({"online", "electronic", "www"})
SITE_FIELDS = frozenset({"organization", "howpublished", "journaltitle", "journal", "booktitle", "maintitle"})


def _titles(entry: _Entry) -> None:
    fields = entry.fields
    entry_type = entry.entry_type
    if entry_type in ("periodical", "suppperiodical") and "issuetitle" in fields:
        # an issue of a periodical: the issue's title, in the periodical (pandoc)
        entry.came_from("container-title", "title", "")
        _joined(entry, "container-title", "title", ("subtitle", "titleaddon"))
        entry.came_from("title", "issuetitle", "")
        _joined(entry, "title", "issuetitle", ("issuesubtitle", "issuetitleaddon"))
    elif "maintitle" in fields:
        main = ("maintitle", ("mainsubtitle", "maintitleaddon"))
        if entry_type in t.CHAPTER_LIKE:
            entry.came_from("container-title", "maintitle", "booktitle")
            _joined(entry, "container-title", *main)
            entry.came_from("volume-title", "booktitle", "")
            _joined(entry, "volume-title", "booktitle", ("booksubtitle", "booktitleaddon"))
        else:
            entry.came_from("title", "maintitle", "title")
            _joined(entry, "title", *main)
            entry.came_from("volume-title", "title", "")
            _joined(entry, "volume-title", "title", ("subtitle", "titleaddon"))
    if entry_type in ONLINE_TYPES and "titleaddon" in fields and not SITE_FIELDS & fields.keys():
        # the site of a web page, where Zotero's BibLaTeX export writes a website, blog or
        # forum title (pandoc and biblatex styles print it after the title: "Title. Site")
        entry.came_from("container-title", "titleaddon", container_field(entry_type, entry.dialect))
        entry.text("titleaddon", "container-title")
    if "title" in fields:
        _title(entry)
    if entry_type in t.CHAPTER_LIKE and "booktitle" in fields:
        _joined(entry, "container-title", "booktitle", ("booksubtitle", "booktitleaddon"), protected=True)
    for field in ("journaltitle", "journal"):
        if field in fields:
            entry.came_from("container-title", field, container_field(entry_type, entry.dialect))
            _joined(entry, "container-title", field, ("journalsubtitle", "journaltitleaddon"))
    entry.text("shorttitle", "title-short")
    entry.text("shortjournal", "container-title-short")
    entry.text("series", "collection-title")


def _title(entry: _Entry) -> None:
    raw = entry.fields["title"]
    whole, lossy = title_text(raw, entry.record.language)
    if whole is None:
        _joined(entry, "title", "title", ("subtitle", "titleaddon"), protected=True)
        return
    entry.fields["title"] = whole
    _joined(entry, "title", "title", ("subtitle", "titleaddon"), protected=True)
    if lossy:
        entry.keep("title", raw)


def _joined(
    entry: _Entry, variable: str, main: str, extras: tuple[str, ...], protected: bool = False
) -> None:
    """`main` (+ its subtitle and addon, joined as pandoc's `concatWith` does) into
    `variable`; the extras are kept as written too, so the writer can split them off.
    `protected`: a title whose capitals the writer protects (`fields.protect_capitals`)."""
    if variable in entry.record.variables:
        return
    raw = entry.pop(main)
    if raw is None:
        return
    value, lossy = to_csl(raw)
    if lossy:
        entry.keep(main, raw)
    alone = True
    for extra, separator in zip(extras, (":", "."), strict=False):
        extra_raw = entry.pop(extra)
        if extra_raw is None:
            continue
        extra_value, _ = to_csl(extra_raw)
        value = join_text(value, extra_value, separator)
        entry.keep(extra, extra_raw)
        alone = False
    if protected and alone and protects_case(entry.record.language):
        plain = unprotect_capitals(value)
        if plain != value:
            value = plain  # the writer's protection of capitals, read back
        elif protect_capitals(value) != value:
            entry.keep(main, raw)  # capitals left to the style: the writer would protect them
    entry.put(variable, value)


# --------------------------------------------------------------------------- containers, publishers


def _containers_and_publishers(entry: _Entry) -> None:
    entry_type, fields, dialect = entry.entry_type, entry.fields, entry.dialect
    howpublished = fields.get("howpublished")
    if howpublished is not None:
        url = url_in_howpublished(howpublished)
        if url is None:
            entry.came_from("container-title", "howpublished", container_field(entry_type, dialect))
            entry.text("howpublished", "container-title")
        elif "url" not in fields:  # `\url{…}` (citation-js): the URL
            entry.came_from("URL", "howpublished", "url")
            entry.put("URL", url)
            entry.keep("howpublished", entry.pop("howpublished") or "")
    organization = fields.get("organization")
    if organization is not None and organization == howpublished:
        entry.pop("organization")  # the site written again for Zotero (see the writer)
    elif entry_type in WEB_ENTRY_TYPES:
        entry.came_from("container-title", "organization", container_field(entry_type, dialect))
        entry.text("organization", "container-title")
    if entry_type in ("phdthesis", "mastersthesis", "thesis"):
        candidates: tuple[str, ...] = ("school", "institution", "publisher", "organization")
    elif entry_type in ("techreport", "report"):
        candidates = ("institution", "publisher", "organization", "school")
    else:
        candidates = ("publisher", "organization", "institution", "school")
    for field in candidates:
        if field in fields:
            entry.came_from("publisher", field, publisher_field(entry_type, dialect))
            entry.text(field, "publisher")
    for field in ("location", "address"):
        if field in fields:
            # a patent's `location` is where it holds (pandoc's jurisdiction)
            variable = "jurisdiction" if entry_type == "patent" and field == "location" else "publisher-place"
            entry.came_from(variable, field, place_field(dialect, entry_type, variable))
            entry.text(field, variable)
    entry.text("origpublisher", "original-publisher")
    entry.text("origlocation", "original-publisher-place")


# --------------------------------------------------------------------------- numbers


def _numbers(entry: _Entry) -> None:
    entry_type = entry.entry_type
    number = entry.fields.get("number")
    if number is not None:
        if entry_type in t.ARTICLE_LIKE:
            variable = "issue"
            entry.came_from("issue", "number", issue_field(number, entry.dialect, entry_type))
        elif entry_type in t.BOOK_LIKE:
            variable = "collection-number"
        else:
            variable = "number"
        entry.text("number", variable)
    issue = entry.fields.get("issue")
    if issue is not None:
        entry.came_from("issue", "issue", issue_field(issue, entry.dialect, entry_type))
        entry.text("issue", "issue")
    raw = entry.pop("pages")
    if raw is not None:
        value, lossy = to_csl(_DASHES.sub("-", raw))  # ranges: `--`, `–` are hyphens (pandoc)
        if lossy or raw.strip() != value.replace("-", "--"):
            entry.keep("pages", raw)
        entry.put("page", value)


# --------------------------------------------------------------------------- dates


def _dates(entry: _Entry) -> None:
    _issued(entry)
    for prefix, variable in (("url", "accessed"), ("event", "event-date"), ("orig", "original-date")):
        raw = entry.fields.get(prefix + "date")
        if raw is not None:
            date, exact = parse_edtf(raw)
            if date is not None:
                entry.pop(prefix + "date")
                entry.put(variable, date)
                if not exact:
                    entry.keep(prefix + "date", raw)
        elif prefix + "year" in entry.fields:
            _legacy_date(entry, prefix, variable)


def _issued(entry: _Entry) -> None:
    raw = entry.fields.get("date")
    if raw is not None:
        if raw.strip() == UNKNOWN:  # our earlier writer's "no date"
            entry.pop("date")
            return
        date, exact = parse_edtf(raw)
        if date is None:  # kept as written; `year` may still give the date
            _legacy_date(entry, "", "issued")
            return
        entry.pop("date")
        if entry.dialect == "bibtex":  # BibTeX's writer would say it with `year`
            entry.came_from("issued", "date", "year")
        entry.put("issued", date)
        if not exact:
            entry.keep("date", raw)
        return
    _legacy_date(entry, "", "issued")


def _legacy_date(entry: _Entry, prefix: str, variable: str) -> None:
    fields = entry.fields
    year, month, day = (fields.get(prefix + part) for part in ("year", "month", "day"))
    year_text = to_plain(year)[0] if year is not None else None
    date, month_ok, day_ok = parse_year(year_text, month, day)
    if date is None:
        return
    entry.pop(prefix + "year")
    if month_ok:
        entry.pop(prefix + "month")
    if day_ok:
        entry.pop(prefix + "day")
    if entry.dialect == "biblatex" and date.literal is None:  # the writer would say it with `date`
        entry.came_from(variable, prefix + "year", prefix + "date")
    if year is not None and (to_plain(year)[1] or (date.literal is None and not date.is_simple())):
        entry.keep(prefix + "year", year)
    if month is not None and month_ok and month.strip() not in t.MONTHS:
        entry.keep(prefix + "month", month)  # `{June}`, `6`: kept as spelt
    entry.put(variable, date)


# --------------------------------------------------------------------------- identifiers


def _identifiers(entry: _Entry) -> None:
    fields = entry.fields
    for field in t.RAW_TEXT_FIELDS:
        raw = fields.get(field)
        if raw is None:
            continue
        value = raw.strip()
        if not value:
            continue
        if value != raw or "{" in value:
            entry.keep(field, raw)
        if field == "pmid":  # the BibLaTeX writer says a PMID with `eprint`
            entry.came_from("PMID", "pmid", "eprint" if entry.dialect == "biblatex" else "pmid")
        entry.pop(field)
        entry.put(t.SIMPLE_FIELDS[field], value.replace("{", "").replace("}", ""))
    eprinttype = fields.get("eprinttype") or fields.get("archiveprefix")
    eprint = fields.get("eprint")
    if eprinttype is not None and eprint is not None and eprinttype.strip().lower() == "pubmed":
        # a PubMed id is CSL's PMID (citation-js), not a URL (pandoc)
        if "PMID" not in entry.record.variables and eprint.strip() == eprint and eprint:
            entry.put("PMID", eprint)
            entry.pop("eprint")
            if eprinttype == "pubmed":
                entry.pop("eprinttype" if "eprinttype" in fields else "archiveprefix")
        return
    if "URL" not in entry.record.variables:
        entry.put("URL", eprint_url(eprinttype, eprint))


# --------------------------------------------------------------------------- the rest


def _simple_text(entry: _Entry, field: str) -> None:
    entry.text(field, t.SIMPLE_FIELDS[field])


def _annote(entry: _Entry, field: str) -> None:
    entry.came_from("annote", field, "annotation" if entry.dialect == "biblatex" else "annote")
    entry.text(field, "annote")


def _note(entry: _Entry, field: str) -> None:
    _joined(entry, "note", "note", ("addendum",))


def _status(entry: _Entry, field: str) -> None:
    raw = entry.pop(field) or ""
    status = t.STATUS_OF_PUBSTATE.get(raw.strip().lower())
    if status is None or raw.strip() != raw.strip().lower():
        entry.keep(field, raw)
        status = status or to_csl(raw)[0]
    entry.put("status", status)


def _keywords(entry: _Entry, field: str) -> None:
    raw = entry.pop(field) or ""
    found, lossy = parse_keywords(raw)
    tags = list(dict.fromkeys(found))  # a tag twice is one tag
    written = ", ".join(tags) if not _NEEDS_QUOTING.search(raw) else format_keywords(tags)[0]
    if lossy or field != "keywords" or raw.strip() != written:
        entry.keep(field, raw)
    for tag in tags:
        if tag not in entry.record.tags:
            entry.record.tags.append(intern(tag))


_ALLOWED = {
    entry_type: fields | t.BIBER_FIELD_ALIASES.keys() for entry_type, fields in t.BIBLATEX_FIELDS.items()
}


_SIMPLE_HANDLERS: dict[str, Callable[[_Entry, str], None]] = {
    **{field: _simple_text for field in t.SIMPLE_FIELDS if field not in t.RAW_TEXT_FIELDS},
    "annotation": _annote,
    "annote": _annote,
    "note": _note,
    "pubstate": _status,
    "keywords": _keywords,
    "keyword": _keywords,
}
# biber's fields per entry type and its aliases: what a BibLaTeX entry may have.
