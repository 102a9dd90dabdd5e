"""The fields of one entry, built from a record: each variable into its native field for
the entry type and dialect (the inverse of `entry.entry_to_record`), the `bibtex:<field>`
customs back as they were read, and whether the entry is known to read back exactly (then
the writer need not read it back to find the stash)."""

from __future__ import annotations

import re

from refexport.formats.bibtex import tables as t
from refexport.formats.bibtex.dates import format_edtf, month_macro, parse_year
from refexport.formats.bibtex.entry import CUSTOM
from refexport.formats.bibtex.fields import (
    PROTECTED_FIELDS,
    balanced_raw,
    container_field,
    eprint_url,
    escape_verbatim,
    fits,
    format_keywords,
    issue_field,
    langid_of,
    parse_keywords,
    place_field,
    protect_capitals,
    protects_case,
    publisher_field,
    reads_as,
    same_date,
    split_off,
    title_braces,
    title_text,
    unprotect_capitals,
    url_in_howpublished,
    writer_entry_type,
)
from refexport.formats.bibtex.names import format_names, parse_names
from refexport.formats.bibtex.read import STASH_FIELDS
from refexport.model import Date, Name, Record
from refexport.text.latex import from_csl, from_plain, to_csl

_FIELD_NAME = re.compile(r"^[a-z_][a-z0-9_:.+-]*$")
_NUMBER_VARIABLES_BY_FIELD = (
    ("volume", "volume"),
    ("part", "part"),
    ("volumes", "number-of-volumes"),
    ("pagetotal", "number-of-pages"),
    ("chapter", "chapter-number"),
    ("edition", "edition"),
    ("version", "version"),
)
_TEXT_VARIABLES_BY_FIELD = (
    ("abstract", "abstract"),
    ("library", "call-number"),
    ("series", "collection-title"),
    ("shorttitle", "title-short"),
    ("shortjournal", "container-title-short"),
    ("venue", "event-place"),
    ("origtitle", "original-title"),
    ("origpublisher", "original-publisher"),
    ("origlocation", "original-publisher-place"),
)
_IDENTIFIERS = (("doi", "DOI"), ("isbn", "ISBN"), ("issn", "ISSN"), ("pmcid", "PMCID"))
_NAME_VARIABLES = ("author", "editor", "translator", "container-author", "director", "compiler")
_WEB_TYPES = frozenset({"webpage", "post", "post-weblog", "software", "dataset"})
_CONTAINER_FIELDS = ("journaltitle", "journal", "booktitle", "howpublished", "organization")
# Title fields and the subtitle and addon fields the reader joins to them.
_SUBTITLES = {
    "title": ("subtitle", "titleaddon"),
    "maintitle": ("mainsubtitle", "maintitleaddon"),
    "booktitle": ("booksubtitle", "booktitleaddon"),
    "issuetitle": ("issuesubtitle", "issuetitleaddon"),
    "journaltitle": ("journalsubtitle", "journaltitleaddon"),
    "journal": ("journalsubtitle", "journaltitleaddon"),
}
_DASHES = re.compile("[-\u2013\u2014]+")


class Builder:
    """The fields of one entry, built from a record."""

    def __init__(self, record: Record, dialect: str) -> None:
        self.record = record
        self.dialect = dialect
        self.variables = record.variables
        custom = record.custom
        self.custom = (
            {k[len(CUSTOM) :]: v for k, v in custom.items() if k.startswith(CUSTOM)} if custom else {}
        )
        memory = self.custom.pop("fields", None)
        self.memory: dict[str, str] = (
            {k: v for k, v in memory.items() if isinstance(v, str) and _FIELD_NAME.match(v)}
            if isinstance(memory, dict)
            else {}
        )
        self.fields: dict[str, str] = {}  # name -> value as written between the braces
        self.bare: set[str] = set()  # fields written without braces (month macros)
        self.used: set[str] = set()  # variables written
        self.exact = not custom
        self.entry_type = ""
        self.valid: frozenset[str] | None = None
        self.useprefix = False

    # ---- helpers

    def put(self, name: str, value: str, exact: bool = True, bare: bool = False, kept: bool = False) -> bool:
        """A field (LaTeX already); False when the entry type cannot have it (biber's data
        model: unless the entry had it, `kept`) or it is taken already."""
        if name in self.fields or (self.valid is not None and name not in self.valid and not kept):
            self.exact = False
            return False
        self.fields[name] = value
        if bare:
            self.bare.add(name)
        self.exact = self.exact and exact
        return True

    def target(self, variable: str, field: str) -> tuple[str, bool]:
        """The field `variable` goes to (the one it was read from, if remembered), and
        whether that is remembered (then biber's data model does not stop it)."""
        remembered = self.memory.get(variable)
        return (remembered, True) if remembered else (field, False)

    def text(self, field: str, variable: str) -> None:
        value = self.variables.get(variable)
        if value is None or variable in self.used:
            return
        kept = False
        if self.memory or self.custom:
            field, kept = self.target(variable, field)
            raw = self.custom.get(field)
            if isinstance(value, str) and raw is not None and to_csl(raw)[0] == value:
                if self.put(field, raw, exact=False, kept=True):
                    self.custom.pop(field)
                    self.used.add(variable)
                return
        written = from_csl(value) if type(value) is str else (str(value), False)
        if self.put(field, *written, kept=kept):
            self.used.add(variable)

    def names(self, field: str, variable: str) -> None:
        names = self.variables.get(variable)
        if not isinstance(names, list):
            return
        raw = self.custom.get(field) if self.custom else None
        if raw is not None and parse_names(raw)[0] == names:
            if self.put(field, raw, exact=False, kept=True):
                self.custom.pop(field)
                self.used.add(variable)
            return
        if self.put(field, *format_names(names, self.dialect, self.useprefix)):
            self.used.add(variable)

    def joined(self, field: str, variable: str, extras: tuple[str, ...], protect: bool = False) -> None:
        """`variable` into `field`, split into the extra fields it was joined from (see
        `entry._joined`) when the customs say how."""
        value = self.variables.get(variable)
        if not isinstance(value, str) or variable in self.used:
            return
        field, kept = self.target(variable, field)
        parts: list[tuple[str, str]] = []
        if self.custom:
            value = self.split_joined(value, _SUBTITLES.get(field, extras), parts)
        raw = self.custom.get(field)
        alone = not parts and (variable, field) in PROTECTED_FIELDS
        if raw is not None and reads_as(raw, field, value, self.record.language, alone):
            written: tuple[str, bool] = (raw, False)
            kept = True
        else:
            latex, exact = from_csl(self.protected(field, variable, value, alone=not parts))
            if protect and field == "title":
                if title_braces(value, self.record.language, self.dialect):
                    latex = "{" + latex + "}"
                elif title_text(latex, self.record.language)[0] is not None:
                    exact = False  # one nocase span, all of the title: read as the writer's braces
            written = (latex, exact)
        if self.put(field, *written, kept=kept):
            self.used.add(variable)
            self.custom.pop(field, None)
            for extra, extra_raw in parts:
                self.put(extra, extra_raw, exact=False, kept=True)
                self.custom.pop(extra, None)

    def protected(self, field: str, variable: str, value: str, alone: bool) -> str:
        """`value` with the capitals of a sentence-case English title protected (see
        `fields.protect_capitals`); marked inexact when the reader would not read it back."""
        if (variable, field) not in PROTECTED_FIELDS or not alone or not protects_case(self.record.language):
            return value
        written = protect_capitals(value)
        if "nocase" in value and unprotect_capitals(written) != value:
            self.exact = False
        return written

    def split_joined(self, value: str, extras: tuple[str, ...], parts: list[tuple[str, str]]) -> str:
        """`value` without the subtitle and addon the reader joined to it (customs say which),
        those put into `parts`."""
        for extra, separator in reversed(list(zip(extras, (":", "."), strict=False))):
            raw = self.custom.get(extra)
            head = split_off(value, to_csl(raw)[0], separator) if raw is not None else None
            if raw is not None and head is not None:
                parts.append((extra, raw))
                value = head
        return value

    # ---- the entry

    def build(self) -> None:
        self.choose_entry_type()
        self.useprefix = self.particles_stay()
        self.names("author", "author")
        self.editors()
        self.names("translator", "translator")
        self.names("bookauthor", "container-author")
        self.titles()
        self.containers()
        self.publishers()
        self.numbers()
        self.dates()
        self.identifiers()
        self.rest()
        self.language()
        self.keywords()
        self.customs()
        if self.used != set(self.variables):
            self.exact = False

    def choose_entry_type(self) -> None:
        record, dialect = self.record, self.dialect
        genre = self.variables.get("genre")
        has_editor = any(v in self.variables for v in ("editor", "director", "compiler"))
        chosen = writer_entry_type(
            record.type, genre if isinstance(genre, str) else None, has_editor, dialect
        )
        remembered = self.custom.pop("entrytype", None)
        if isinstance(remembered, str) and _FIELD_NAME.match(remembered) and fits(remembered, record):
            chosen = remembered
        self.entry_type = chosen
        self.valid = t.BIBLATEX_FIELDS.get(chosen) if dialect == "biblatex" else None
        subtype = t.ENTRY_SUBTYPE_OF_CSL.get(record.type)
        if subtype and chosen == "article":
            self.put("entrysubtype", subtype)

    def particles_stay(self) -> bool:
        """Whether every particle of the entry's names is non-dropping: then the entry says so
        once (`options = {useprefix=true}`, biblatex's option, which pandoc reads too) and the
        names keep the `von Last, First` form Zotero's import understands."""
        kinds = {
            bool(n.non_dropping_particle)
            for v in _NAME_VARIABLES
            if v in self.variables
            for n in self.variables[v]  # type: ignore[union-attr]
            if isinstance(n, Name) and (n.dropping_particle or n.non_dropping_particle)
        }
        if kinds != {True} or "options" in self.custom:
            return False
        self.put("options", "useprefix=true")
        return True

    def editors(self) -> None:
        if "editor" in self.variables:
            self.names("editor", "editor")
            return
        for variable in ("director", "compiler"):
            if variable in self.variables:
                self.names("editor", variable)
                if "editor" in self.fields:
                    self.put("editortype", variable)
                return

    def titles(self) -> None:
        variables, entry_type = self.variables, self.entry_type
        if entry_type in ("periodical", "suppperiodical") and "container-title" in variables:
            self.joined("title", "container-title", ("subtitle", "titleaddon"))
            self.joined("issuetitle", "title", ("issuesubtitle", "issuetitleaddon"))
        self.joined("title", "title", ("subtitle", "titleaddon"), protect=True)
        if "volume-title" in self.memory:
            self.joined("title", "volume-title", ())
        needs_title = entry_type in t.BIBLATEX_NEEDS_TITLE and self.custom.get("title") != ""
        if "title" not in self.fields and self.dialect == "biblatex" and needs_title:
            # biber requires a title: the URL (or the key) stands in; the stash says there is none
            self.put("title", from_plain(self.record.url or self.record.key)[0], exact=False)
        self.text("shorttitle", "title-short")
        self.text("series", "collection-title")
        if "volume-title" in variables and "volume-title" not in self.used:
            self.exact = False

    def containers(self) -> None:
        field, _ = self.target("container-title", container_field(self.entry_type, self.dialect))
        if field == "howpublished":
            self.text("howpublished", "container-title")
            site = self.fields.get("howpublished")
            web = self.record.type in _WEB_TYPES and self.dialect == "bibtex"
            if site is not None and web and "publisher" not in self.variables:
                self.put("organization", site)  # Zotero's import reads a document's site here
        else:
            self.joined(field, "container-title", ())
        self.text("shortjournal", "container-title-short")

    def publishers(self) -> None:
        self.text(publisher_field(self.entry_type, self.dialect), "publisher")
        for variable in ("publisher-place", "jurisdiction"):
            self.text(place_field(self.dialect, self.entry_type, variable), variable)

    def numbers(self) -> None:
        entry_type, variables = self.entry_type, self.variables
        for field, variable in _NUMBER_VARIABLES_BY_FIELD:
            if variable in variables:
                self.text(field, variable)
        issue = variables.get("issue")
        if issue is not None:
            self.text(issue_field(str(issue), dialect=self.dialect, entry_type=entry_type), "issue")
        self.text("number", "collection-number" if entry_type in t.BOOK_LIKE else "number")
        page = variables.get("page")
        if page is None:
            return
        raw = self.custom.pop("pages", None)
        value = str(page)
        if raw is not None and to_csl(_DASHES.sub("-", raw))[0] == value:
            self.put("pages", raw, exact=False, kept=True)
        else:
            latex, exact = from_csl(value.replace("–", "-"))
            exact = exact and "-{}" not in latex and "–" not in value and isinstance(page, str)
            self.put("pages", latex.replace("-", "--"), exact)
        self.used.add("page")

    def dates(self) -> None:
        self.issued()
        for field, variable in (
            ("urldate", "accessed"),
            ("eventdate", "event-date"),
            ("origdate", "original-date"),
        ):
            date = self.variables.get(variable)
            if not isinstance(date, Date):
                continue
            remembered = self.memory.get(variable)
            if remembered and remembered.endswith("year") and self.legacy_date(remembered[:-4], date):
                self.used.add(variable)
                continue
            raw = self.custom.pop(field, None)
            text = format_edtf(date)
            if raw is not None and same_date(raw, date):
                self.put(field, raw, exact=False, kept=True)
            elif text is not None:
                self.put(field, text)
            else:
                continue
            self.used.add(variable)

    def issued(self) -> None:
        date = self.variables.get("issued")
        if not isinstance(date, Date):
            return
        remembered = self.memory.get("issued")
        raw = self.custom.pop("date", None)
        if raw is not None and same_date(raw, date) and self.put("date", raw, exact=False, kept=True):
            self.used.add("issued")
            return
        raw_year = self.custom.get("year")
        range_in_year = date.literal is None and not date.is_simple()  # gbt7714's `year = {1957/1990}`
        if raw_year is not None and range_in_year and parse_year(raw_year, None, None)[0] == date:
            self.put("year", self.custom.pop("year"), exact=False, kept=True)
            self.used.add("issued")
            return
        text = format_edtf(date)
        if remembered == "date" and text is not None:
            self.put("date", text, kept=True)
            self.used.add("issued")
        elif date.literal is not None:
            self.put("year", from_plain(date.literal)[0], exact=False)
            self.used.add("issued")
        elif self.dialect == "biblatex" and remembered != "year" and text is not None:
            self.put("date", text)
            self.used.add("issued")
        elif self.legacy_date("", date) and date.is_simple():
            self.used.add("issued")

    def legacy_date(self, prefix: str, date: Date) -> bool:
        """`year`, `month` (a bare macro, or as it was spelt) and `day` of a date's start."""
        start = date.start
        if start is None:
            return False
        self.put(prefix + "year", str(start.year))
        if start.month is not None:
            raw = self.custom.pop(prefix + "month", None)
            if raw is not None and parse_year(str(start.year), raw, None)[0] == Date.of(
                start.year, start.month
            ):
                self.put(prefix + "month", raw, exact=False, kept=True)
            else:
                self.put(prefix + "month", month_macro(start.month), bare=True)
            if start.day is not None:
                self.put(prefix + "day", str(start.day))
        return True

    def identifiers(self) -> None:
        for field, variable in _IDENTIFIERS:
            if variable in self.variables:
                self.verbatim(field, variable)
        pmid = self.variables.get("PMID")
        if isinstance(pmid, str):
            safe = escape_verbatim(pmid)
            in_eprint = (
                self.dialect == "biblatex" and "eprint" not in self.custom and "PMID" not in self.memory
            )
            if in_eprint and safe == pmid.strip() == pmid:
                self.put("eprint", pmid)
                self.put("eprinttype", "pubmed")
                self.used.add("PMID")
            else:
                self.verbatim("pmid", "PMID")
        url = self.variables.get("URL")
        if isinstance(url, str) and self.memory.get("URL") == "howpublished":
            raw = self.custom.get("howpublished")
            if raw is not None and url_in_howpublished(raw) == url:
                self.put("howpublished", self.custom.pop("howpublished"), exact=False, kept=True)
                self.used.add("URL")
                return
        if isinstance(url, str):
            custom = self.custom
            eprinttype = custom.get("eprinttype") or custom.get("archiveprefix")
            if isinstance(eprinttype, str) and url == eprint_url(eprinttype, custom.get("eprint")):
                self.used.add("URL")  # the reader makes it of the eprint again (pandoc)
            else:
                self.verbatim("url", "URL")

    def verbatim(self, field: str, variable: str) -> None:
        value = self.variables.get(variable)
        if not isinstance(value, str):
            return
        field, remembered = self.target(variable, field)
        raw = self.custom.pop(field, None)
        kept = remembered or (raw is not None and raw.strip().replace("{", "").replace("}", "") == value)
        written = raw if raw is not None and kept else escape_verbatim(value)
        if self.put(field, written, exact=written == value and value == value.strip(), kept=kept):
            self.used.add(variable)

    def rest(self) -> None:
        variables = self.variables
        for field, variable in _TEXT_VARIABLES_BY_FIELD:
            if variable in variables:
                self.text(field, variable)
        self.text("eventtitle", "event-title")
        if "event" in self.variables:  # CSL's older name: read back as `event-title`
            self.text("eventtitle", "event")
            self.exact = False
        self.joined("note", "note", ("addendum",))
        self.text("annotation" if self.dialect == "biblatex" else "annote", "annote")
        self.genre()
        status = self.variables.get("status")
        if isinstance(status, str):
            key = t.PUBSTATE_OF_STATUS.get(status)
            raw = self.custom.pop("pubstate", None)
            if (
                raw is not None
                and (t.STATUS_OF_PUBSTATE.get(raw.strip().lower()) or to_csl(raw)[0]) == status
            ):
                self.put("pubstate", raw, exact=False, kept=True)
            else:
                self.put("pubstate", key or from_csl(status)[0], exact=key is not None)
            self.used.add("status")

    def genre(self) -> None:
        genre = self.variables.get("genre")
        entry_type = self.entry_type
        implied = t.THESIS_GENRE.get(entry_type)
        raw = self.custom.pop("type", None)
        if isinstance(genre, str):
            self.used.add("genre")
            if raw is not None and (t.GENRE_OF_KEY.get(raw.strip().lower()) or to_csl(raw)[0]) == genre:
                self.put("type", raw, exact=False, kept=True)
            elif genre == implied:
                return
            elif t.KEY_OF_GENRE.get(genre) is not None and self.dialect == "biblatex":
                self.put("type", t.KEY_OF_GENRE[genre])
            else:
                self.put("type", *from_csl(genre))
        elif self.dialect == "biblatex" and entry_type in ("thesis", "report") and raw != "":
            # biber requires a type; the stash says there is none
            self.put("type", "phdthesis" if entry_type == "thesis" else "techreport", exact=False)

    def language(self) -> None:
        language = self.variables.get("language")
        if not isinstance(language, str):
            return
        self.used.add("language")
        langid = self.custom.pop("langid", None)
        if langid is None:
            langid = langid_of(language)
        if langid:
            self.put("langid", langid, kept=True)
        written = self.custom.pop("language", None)
        had = written is not None  # the entry had it: written back even where biber forbids it
        if written is None:
            written, exact = from_plain(language)
            bcp47 = re.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*", language) is not None
            self.exact = self.exact and exact and bcp47
        if written:
            self.put("language", written, kept=had)  # not on a biblatex @patent: `langid` says it

    def keywords(self) -> None:
        if not self.record.tags:
            return
        raw = self.custom.pop("keywords", None)
        if raw is not None and list(dict.fromkeys(parse_keywords(raw)[0])) == self.record.tags:
            self.put("keywords", raw, exact=False)
        else:
            self.put("keywords", *format_keywords(self.record.tags))

    def customs(self) -> None:
        """`bibtex:<field>` customs as fields of their own (those not spent above)."""
        for name, value in self.custom.items():
            if name in self.fields or not isinstance(value, str):
                continue
            if not _FIELD_NAME.match(name) or name in STASH_FIELDS.values() or not value:
                continue
            if name in t.VERBATIM_FIELDS or name in ("date", "urldate", "year", "month", "day"):
                self.fields[name] = escape_verbatim(value)
            else:
                self.fields[name] = balanced_raw(value)
