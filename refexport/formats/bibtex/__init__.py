"""BibTeX and BibLaTeX: `write(records, dialect)` and `read(data, name)`.

Writing goes through bibtexparser 2 (a `Library` of `Entry`/`Field`, written with an empty
unparse stack because every value is escaped and enclosed here, per field class; bibtexparser's
`LatexEncodingMiddleware` would mangle braces, URLs and CJK text). Reading uses bibtexparser's
default parse stack (`@string` resolution, enclosing removal) and decodes LaTeX only in fields
that hold a backslash, brace, `$` or `~`: our own escapes by a small exact decoder, anything
else through one cached pylatexenc converter.

Field mapping (record attribute → field; "stash" is refexport's JSON bookkeeping field):

| record    | bibtex dialect                            | biblatex dialect                              |
|-----------|-------------------------------------------|-----------------------------------------------|
| key       | entry key (ASCII; BBT-unsafe chars `\\"#%'(),={}~` and whitespace refused: ValueError) | same |
| type      | `@misc` for web/post/software…, `@article`, `@book`, `@inbook`, `@inproceedings`, `@phdthesis`, `@techreport`, `@unpublished` [1] | `@online` for web/post…, `@software`, `@dataset`, `@article`, `@book`, `@inbook`, `@inproceedings`, `@thesis`, `@report`, `@unpublished` [1][2] |
| title     | `title`: `{{…}}` for non-English titles and for English ones not in sentence case | `title`, English ones braced the same way; no title → url or key [3] |
| url       | `url`, verbatim                           | `url`, verbatim                               |
| authors   | `author`: `{literal}` (orgs, CJK), else `{von Last}, Jr, First`; `and others` kept | same |
| container | `howpublished` (@misc), `journal`, `booktitle` | `organization` (@online/@misc/@software), `journaltitle`, `booktitle` |
| publisher | `publisher`; `school` (@phdthesis), `institution` (@techreport) | `publisher` where valid; `institution` (@thesis/@report) |
| language  | `langid`: zh-CN chinese, zh-TW chinese-traditional, en english, en-US american, en-GB british, de german… | same |
| issued    | `year` + bare `month` macro (+ ISO `date` when the day is known) | `date` (ISO); none → `date = {XXXX}` [4] |
| accessed  | `urldate` (ISO)                           | `urldate` (ISO)                               |
| note      | `note`                                    | `note`                                        |
| tags      | `keywords` (comma list)                   | `keywords`                                    |
| extra `bibtex:<f>` | field `<f>`; `bibtex:entrytype` is the entry type | field `<f>` when biber's data model allows it on the type |
| the rest  | stash `refexport = {JSON}`                | stash `verba = {JSON}`                        |

[1] the entry type in `extra["bibtex:entrytype"]` (a foreign type such as `@www`) wins when valid.
[2] a type whose mandatory fields (biber's default data model) are missing falls back to
    `@online` (with a URL) or `@misc`, so `biber --tool --validate-datamodel` stays silent.
[3] biblatex requires a title; the exact (missing) title is stashed.
[4] EDTF "year unspecified": satisfies biblatex's date requirement and prints nothing.

The stash is a JSON object written only with what the readable fields cannot say: `id` (only
when it differs from `record_id(url, key)`), `collection`, `also_in`, `source` (as `[file, line]`,
plus the URL as written when it differs from `url`), `extra` entries, and the exact value of
any attribute whose readable field is lossy (a name with a dropping particle, a title with a
control character, a tag with a comma…). The writer decides this by running the reader's own
field conversion on the fields it is about to write, so `read(write(records)) == records`
holds by construction. An entry without a stash is somebody else's: its `source` becomes
`[Source(file, line, url)]` and its `id` `record_id(url, key)`.
"""  # noqa: E501 (the mapping table is copied into the README as is)

from __future__ import annotations

import codecs
import json
import operator
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any

from refexport.errors import InputError, Problem
from refexport.fileio import cyclic_gc_paused
from refexport.formats import ReadResult
from refexport.model import RECORD_FIELDS, Name, PartialDate, Record, Source, extra_delta, record_id

DIALECTS = ("bibtex", "biblatex")


def _words(text: str) -> list[str]:
    return text.split()


# Where refexport's JSON bookkeeping lives. `verba` is a verbatim field every biblatex entry
# type accepts and no standard style prints; plain BibTeX ignores unknown fields, so there the
# field is named for what it is.
STASH_FIELD = {"bibtex": "refexport", "biblatex": "verba"}
_STASH_KEYS = frozenset(
    _words(
        "id type title url authors container publisher language issued accessed note tags collection "
        "also_in source extra extra_drop"
    )
)

# Citation-key characters Better BibTeX refuses (`citekeyUnsafeChars`), plus whitespace.
_UNSAFE_KEY = re.compile(r"[\\\"#%'(),={}~\s]|[^\x21-\x7e]")
_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")

# Fields whose value is not LaTeX text: kept exactly as written when read, written raw.
# Name lists other than `author` are kept raw too, so their braces (literal names) survive.
_RAW_FIELDS = frozenset(
    _words(
        "url doi eprint file pdf verba verbb verbc urlraw crossref xref xdata ids groups editor "
        "translator bookauthor editora editorb editorc holder annotator commentator afterword foreword "
        "introduction shortauthor shorteditor namea nameb namec"
    )
)
_DATE_PART = re.compile(r"(?:year|month|day|hour|minute|second|timezone|yeardivision|date)$")

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NAMES = {
    name: index + 1
    for index, names in enumerate(
        [
            ("january", "janvier", "januar"),
            ("february", "fevrier", "februar"),
            ("march", "mars", "marz", "märz"),
            ("april", "avril"),
            ("may", "mai"),
            ("june", "juin", "juni"),
            ("july", "juillet", "juli"),
            ("august", "aout", "août"),
            ("september", "septembre", "sept"),
            ("october", "octobre", "oktober"),
            ("november", "novembre"),
            ("december", "decembre", "dezember", "décembre"),
        ]
    )
    for name in (*names, _MONTHS[index])
}

# BCP 47 tag -> babel/polyglossia language (`langid`); the reader inverts it case-insensitively.
_LANGID = {
    "zh-CN": "chinese",
    "zh-TW": "chinese-traditional",
    "en": "english",
    "en-US": "american",
    "en-GB": "british",
    "de": "german",
    "fr": "french",
    "ja": "japanese",
    "ko": "korean",
    "ru": "russian",
    "es": "spanish",
    "it": "italian",
    "pt": "portuguese",
    "nl": "dutch",
}
_LANG_FROM_LANGID = {langid: tag for tag, langid in _LANGID.items()} | {
    "zh": "zh-CN",
    "chinese-simplified": "zh-CN",
    "schinese": "zh-CN",
    "tchinese": "zh-TW",
    "ngerman": "de",
    "usenglish": "en-US",
    "ukenglish": "en-GB",
    "canadian": "en-CA",
    "australian": "en-AU",
}
_BCP47 = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")

# CSL type -> entry type, per dialect; anything unlisted is web-like (@misc / @online).
_SHARED_ENTRY_TYPE = {
    "article-journal": "article",
    "article-magazine": "article",
    "article-newspaper": "article",
    "book": "book",
    "chapter": "inbook",
    "paper-conference": "inproceedings",
    "manuscript": "unpublished",
}
_ENTRY_TYPE = {
    "bibtex": {**_SHARED_ENTRY_TYPE, "thesis": "phdthesis", "report": "techreport"},
    "biblatex": {
        **_SHARED_ENTRY_TYPE,
        "thesis": "thesis",
        "report": "report",
        "software": "software",
        "dataset": "dataset",
        "patent": "patent",
    },
}
_WEB_ENTRY_TYPE = {"bibtex": "misc", "biblatex": "online"}

# Entry type (any dialect, BBT's import aliases included) -> CSL type.
_CSL_TYPE = {
    "article": "article-journal",
    "book": "book",
    "mvbook": "book",
    "collection": "book",
    "mvcollection": "book",
    "proceedings": "book",
    "mvproceedings": "book",
    "reference": "book",
    "inbook": "chapter",
    "bookinbook": "chapter",
    "suppbook": "chapter",
    "incollection": "chapter",
    "suppcollection": "chapter",
    "inreference": "entry",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "techreport": "report",
    "report": "report",
    "manual": "report",
    "unpublished": "manuscript",
    "online": "webpage",
    "www": "webpage",
    "electronic": "webpage",
    "webpage": "webpage",
    "web_page": "webpage",
    "software": "software",
    "dataset": "dataset",
    "patent": "patent",
    "periodical": "periodical",
    "booklet": "pamphlet",
    "standard": "standard",
    "letter": "personal_communication",
    "movie": "motion_picture",
    "video": "motion_picture",
    "audio": "song",
    "music": "song",
    "artwork": "graphic",
    "image": "graphic",
    "legislation": "legislation",
    "jurisdiction": "legal_case",
    "review": "review",
    "performance": "performance",
}

# biber's default data model (biber-tool.conf, biber 2.18): fields valid per entry type.
_BIBLATEX_TYPE_FIELDS = {
    "article": "author editor journaltitle journalsubtitle issuetitle issue number volume pages series "
    "eid issn language note addendum pubstate subtitle title titleaddon translator version",
    "book": "author editor publisher location isbn edition series volume volumes pages pagetotal "
    "language note addendum pubstate subtitle title titleaddon translator maintitle chapter part",
    "inbook": "author bookauthor editor booktitle booksubtitle publisher location isbn edition series "
    "volume pages language note addendum pubstate subtitle title titleaddon translator chapter part",
    "inproceedings": "author editor booktitle booksubtitle organization publisher location isbn "
    "series volume pages eventtitle venue language note addendum pubstate subtitle title titleaddon",
    "online": "addendum author editor editortype language note organization pubstate subtitle title "
    "titleaddon version",
    "misc": "addendum author editor editortype howpublished language location note organization "
    "pubstate subtitle title titleaddon type version",
    "software": "addendum author editor editortype howpublished language location note organization "
    "pubstate subtitle title titleaddon type version",
    "dataset": "addendum author edition editor editortype language location note number organization "
    "publisher pubstate series subtitle title titleaddon type version",
    "patent": "addendum author holder location note number pubstate subtitle title titleaddon type version",
    "report": "addendum author chapter eid institution isrn language location note number pages "
    "pagetotal pubstate subtitle title titleaddon type version",
    "thesis": "addendum author chapter eid institution language location note pages pagetotal "
    "pubstate subtitle title titleaddon type",
    "unpublished": "addendum author howpublished language location note pubstate subtitle title "
    "titleaddon type venue",
}
# Fields every entry type accepts (the data-model-checked ones, ISBN-like and date parts, left out).
_BIBLATEX_ANY_TYPE = frozenset(
    _words(
        "abstract annotation crossref doi eprint eprintclass eprinttype entrysubtype file ids "
        "indexsorttitle indextitle keywords label langid langidopts library options origlanguage "
        "origlocation origpublisher origtitle presort related relatedoptions relatedstring relatedtype "
        "shorthand shorthandintro shortjournal shortseries shorttitle sortkey sortname sortshorthand "
        "sorttitle url urldate date usera userb userc userd usere userf verba verbb verbc xdata xref"
    )
)
_BIBLATEX_FIELDS = {
    entry_type: frozenset(_words(fields)) | _BIBLATEX_ANY_TYPE
    for entry_type, fields in _BIBLATEX_TYPE_FIELDS.items()
}
# Mandatory fields beyond `title` and `date` (which the writer always supplies); a tuple is "one of".
_BIBLATEX_MANDATORY: dict[str, tuple[str | tuple[str, ...], ...]] = {
    "article": ("author", "journaltitle"),
    "book": ("author",),
    "inbook": ("author", "booktitle"),
    "inproceedings": ("author", "booktitle"),
    "online": (("url", "doi", "eprint"),),
    "patent": ("author", "number"),
    "report": ("author", "type", "institution"),
    "thesis": ("author", "type", "institution"),
    "unpublished": ("author",),
}
# Defaults for the `type` field biblatex requires on @thesis/@report.
_BIBLATEX_TYPE_DEFAULT = {"thesis": "phdthesis", "report": "techreport"}

# Where the container goes, per entry type (first match for the reader: `_CONTAINER_FIELDS`).
_CONTAINER_FIELD = {
    "bibtex": {
        "article": "journal",
        "inbook": "booktitle",
        "inproceedings": "booktitle",
        "misc": "howpublished",
    },
    "biblatex": {
        "article": "journaltitle",
        "inbook": "booktitle",
        "inproceedings": "booktitle",
        "online": "organization",
        "misc": "organization",
        "software": "organization",
        "dataset": "organization",
    },
}
_CONTAINER_FIELDS = ("journaltitle", "journal", "booktitle", "organization", "howpublished")
_PUBLISHER_FIELD = {
    "phdthesis": "school",
    "mastersthesis": "school",
    "techreport": "institution",
    "thesis": "institution",
    "report": "institution",
}
_HOWPUBLISHED_URL = re.compile(r"\s*\\url\{([^{}\s]*)\}\s*")
_PUBLISHER_FIELDS = ("publisher", "school", "institution")
# Fields the conversion consumes; everything else becomes `extra["bibtex:<field>"]`.
_CONSUMED = (
    frozenset(
        [
            "title",
            "url",
            "author",
            "year",
            "month",
            "date",
            "urldate",
            "note",
            "keywords",
            "langid",
            "language",
        ]
    )
    | frozenset(_CONTAINER_FIELDS)
    | frozenset(_PUBLISHER_FIELDS)
)

_ETAL_EXTRA = "bibtex:author-etal"
_ENTRYTYPE_EXTRA = "bibtex:entrytype"
_UNKNOWN_DATE = "XXXX"  # EDTF "year unspecified": satisfies biblatex's date requirement, prints nothing

_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003ffff]")


# --------------------------------------------------------------------------- escaping


# A character can be written as LaTeX text unless it is a control character (no TeX input for
# it), a surrogate, or a line separator BibTeX tools disagree about; such text is written
# without it and the exact value goes to the stash.
_UNWRITABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _sanitize(text: str) -> str:
    return _UNWRITABLE.sub("", text)


_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}",
    "$": r"\$",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
}
_TEXT_SPECIAL = re.compile(r"[\\$&%#_^~{}]")
# Anything `escape_text` would change (specials, `@`, unwritable characters): most values
# have none, and one scan for them is cheaper than sanitizing and escaping.
_NEEDS_ESCAPE = re.compile(r"[\\$&%#_^~{}@]|" + _UNWRITABLE.pattern)
_LINE_START_AT = re.compile(r"(\n[ \t]*)@")


def _braces_nest(text: str) -> bool:
    if "{" not in text and "}" not in text:
        return True
    depth = 0
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def escape_text(text: str) -> str:
    """LaTeX for plain text: specials escaped, Unicode kept (BBT's "minimal" mode).

    Braces become `\\{`/`\\}` when they nest properly; otherwise `\\textbraceleft{}`, because
    BibTeX and biber count escaped braces too, so a lone `\\}` would end the field."""
    if not _NEEDS_ESCAPE.search(text):
        return text
    text = _sanitize(text)
    if not _TEXT_SPECIAL.search(text) and "@" not in text:
        return text
    if _braces_nest(text):
        braces = {"{": r"\{", "}": r"\}"}
    else:
        braces = {"{": r"\textbraceleft{}", "}": r"\textbraceright{}"}
    table = _TEXT_ESCAPES | braces
    escaped = _TEXT_SPECIAL.sub(lambda m: table[m.group()], text)
    # A line starting with `@` would open a new entry in bibtexparser.
    return _LINE_START_AT.sub(r"\1{@}", escaped)


# Anything `_escape_raw` would change or look at twice: braces, backslashes, unwritable characters.
_NEEDS_RAW_ESCAPE = re.compile(r"[\\{}\n\t]|" + _UNWRITABLE.pattern)
_BACKSLASH_BRACE_OR_END = re.compile(r"\\[{}]|\\$")


def _escape_raw(value: str) -> str:
    """A verbatim or raw value as it can be written: no control characters, no newlines, and
    no braces unless they nest (BBT's `enc_verbatim`), no backslash before a brace."""
    if not _NEEDS_RAW_ESCAPE.search(value):
        return value
    value = _sanitize(value).replace("\n", "").replace("\t", "")
    if not _braces_nest(value) or _BACKSLASH_BRACE_OR_END.search(value):
        value = value.replace("{", "").replace("}", "")
        value = value.rstrip("\\")
    return value


_OUR_ESCAPES = re.compile(
    r"\\(?:textbackslash|textasciicircum|textasciitilde|textbraceleft|textbraceright)(?:\{\}|(?![A-Za-z]))"
    r"|\\[$&%#_{}]|[{}~]"
)
_OUR_UNESCAPE = {
    "\\textbackslash": "\\",
    "\\textasciicircum": "^",
    "\\textasciitilde": "~",
    "\\textbraceleft": "{",
    "\\textbraceright": "}",
    "{": "",
    "}": "",
    "~": "\u00a0",
}


def _unescape_match(match: re.Match[str]) -> str:
    token = match.group()
    if len(token) == 2 and token[0] == "\\":
        return token[1]
    return _OUR_UNESCAPE[token.removesuffix("{}")]


# The LaTeX found in other people's .bib files, decoded without pylatexenc (which costs
# about a millisecond per value): accents, letters, and markup whose argument is plain text.
_ACCENTS = {
    "`": "\u0300", "'": "\u0301", "^": "\u0302", "~": "\u0303", "=": "\u0304", "u": "\u0306",
    ".": "\u0307", '"': "\u0308", "r": "\u030a", "H": "\u030b", "v": "\u030c", "d": "\u0323",
    "c": "\u0327", "k": "\u0328", "b": "\u0331",
}  # fmt: skip
_ACCENT = re.compile(r"\\(?:([`'^~=.\"])|([urHvdckb])(?![A-Za-z]))\s*(?:\{([^\W\d_])\}|([^\W\d_]))")
_LETTERS = {
    "ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
    "aa": "å", "AA": "Å", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ",
}  # fmt: skip
_LETTER = re.compile(r"\\(ss|o|O|ae|AE|oe|OE|aa|AA|l|L|i|j)(?![A-Za-z])(?:\{\}|\s*)")
_MARKUP = re.compile(
    r"\\(?:emph|textit|textbf|textsc|texttt|textup|textrm|textsf|textsl|textnormal|url|mbox|"
    r"mkbibemph|mkbibquote|enquote|NoCaseChange|nocase)(?![A-Za-z])\s*(?=\{)"
)


def _accented(match: re.Match[str]) -> str:
    accent = match.group(1) or match.group(2)
    letter = match.group(3) or match.group(4)
    return unicodedata.normalize("NFC", letter + _ACCENTS[accent])


_MATH = re.compile(r"((?<!\\)\$(?:[^$\\]|\\.)+?\$)")
_LATEX_SPECIAL = re.compile(r"[\\{}$~]")  # a value without these is plain text already


def decode_text(value: str) -> str:
    """Plain text from a BibTeX text value. Our own escapes (and bare braces) are undone
    exactly and fast, so are common accents and markup; `$math$` is kept as written (as
    pandoc and pylatexenc's verbatim mode do); other LaTeX goes through pylatexenc."""
    if not _LATEX_SPECIAL.search(value):
        return value
    if "$" not in value:
        return _decode_plain(value)
    pieces = _MATH.split(value)
    # odd pieces are math
    return "".join(piece if index % 2 else _decode_plain(piece) for index, piece in enumerate(pieces))


def _decode_plain(value: str) -> str:
    if "\\" in value:
        value = _MARKUP.sub("", _LETTER.sub(lambda m: _LETTERS[m.group(1)], _ACCENT.sub(_accented, value)))
    simple = _OUR_ESCAPES.sub(_unescape_match, value)
    if "\\" in _OUR_ESCAPES.sub("", value) and len(value) <= _LATEX_DECODE_LIMIT:
        return _latex_to_text(value)
    return simple


# pylatexenc needs seconds for a 100 kB abstract; values longer than this keep their LaTeX.
_LATEX_DECODE_LIMIT = 4000


@lru_cache(maxsize=1)
def _latex_converter() -> Callable[[str], str]:
    import logging

    from pylatexenc.latex2text import LatexNodes2Text

    # pylatexenc logs every unknown macro; a foreign file full of them is not our problem to print.
    logging.getLogger("pylatexenc").setLevel(logging.ERROR)
    return LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True).latex_to_text


def _latex_to_text(value: str) -> str:
    try:
        return _latex_converter()(value)
    except Exception:  # pylatexenc gives up on some malformed input; keep the text as written
        return value


# --------------------------------------------------------------------------- names


def _protect(part: str, *, family: bool) -> str:
    """Brace a name part BibTeX would otherwise split or read as a `von` part."""
    if not part:
        return part
    risky = "," in part or re.search(r"\s[Aa][Nn][Dd]\s", f" {part} ") or part[0].islower()
    if family and re.search(r"\s", part):
        risky = True
    return "{" + part + "}" if risky else part


def _name_to_bibtex(name: Name) -> str:
    if name.literal is not None:
        return "{" + escape_text(name.literal) + "}"
    von = " ".join(p for p in (name.dropping_particle, name.non_dropping_particle) if p)
    last = _protect(escape_text(name.family or ""), family=True) or "{}"
    head = f"{escape_text(von)} {last}" if von else last
    parts = [head]
    if name.suffix:
        parts.append(_protect(escape_text(name.suffix), family=False))
    if name.given or name.suffix:
        parts.append(_protect(escape_text(name.given or ""), family=False))
    return ", ".join(parts)


def _fully_braced(text: str) -> bool:
    if not (text.startswith("{") and text.endswith("}")):
        return False
    if "\\" not in text and text.count("{") == 1 and text.count("}") == 1:
        return True  # `{Literal Name}`, the common case, without the character loop
    depth = 0
    for index, ch in enumerate(text):
        if ch == "{" and (index == 0 or text[index - 1] != "\\"):
            depth += 1
        elif ch == "}" and text[index - 1] != "\\":
            depth -= 1
            if depth == 0 and index != len(text) - 1:
                return False
    return True


_WHITESPACE = re.compile(r"\s")


def _parse_name(raw: str) -> Name:
    text = raw.strip()
    if _fully_braced(text):
        return Name(literal=decode_text(text[1:-1]))
    if "," not in text and not _WHITESPACE.search(text) and _CJK.search(text):
        return Name(literal=decode_text(text))
    # Imported on this path only: a function-level import costs about a microsecond per call.
    from bibtexparser.middlewares.names import parse_single_name_into_parts

    parts = parse_single_name_into_parts(text, strict=False)

    def join(words: list[str]) -> str | None:
        return decode_text(" ".join(words)) if words else None

    family = join(parts.last)
    if family is not None and parts.last == ["{}"]:
        family = ""
    return Name(
        family=family, given=join(parts.first), non_dropping_particle=join(parts.von), suffix=join(parts.jr)
    )


# What bibtexparser splits names at (outside braces): ` and ` with any case and whitespace.
_AND_SEPARATOR = re.compile(r"[ \r\n\t][Aa][Nn][Dd][ \r\n\t]")


def _parse_names(value: str) -> tuple[list[Name], bool]:
    """Names of an `author` value, and whether it ended in `and others`."""
    if "\\" not in value and not _AND_SEPARATOR.search(value):
        # One name: what `split_multiple_persons_names` would return, without its character
        # loop. (A backslash can hide a separator from this search, `a\\xnd`, hence the test.)
        single = value.strip(" \r\n\t")
        raws = [single] if single else []
    else:
        from bibtexparser.middlewares.names import split_multiple_persons_names

        raws = split_multiple_persons_names(value)
    etal = bool(raws) and raws[-1].strip().lower() == "others"
    if etal:
        raws = raws[:-1]
    return [_parse_name(raw) for raw in raws if raw.strip()], etal


# --------------------------------------------------------------------------- fields -> record


def _parse_month(value: str) -> int | None:
    text = value.strip().strip("{}").strip().lower().rstrip(".")
    if text.isdigit():
        number = int(text)
        return number if 1 <= number <= 12 else None
    return _MONTH_NAMES.get(text)


# Dates repeat across entries (access dates above all); the results are immutable
# (`PartialDate` is frozen), so they are cached by the text.
@lru_cache(maxsize=4096)
def _date_prefix(value: str) -> PartialDate | None:
    try:
        return PartialDate.parse(value)
    except ValueError:
        return None


# `PartialDate.iso`, cached: the writer formats the same few hundred dates over and over.
_iso_date = lru_cache(maxsize=4096)(PartialDate.iso)


def _csl_type(entry_type: str, fields: dict[str, str]) -> str:
    if entry_type == "misc":
        return "webpage" if "url" in fields else "document"
    return _CSL_TYPE.get(entry_type, "document")


@lru_cache(maxsize=1024)
def _language(value: str) -> str | None:
    text = value.strip()
    mapped = _LANG_FROM_LANGID.get(text.lower())
    if mapped:
        return mapped
    return text if _BCP47.match(text) else None


def _fields_to_record(entry_type: str, key: str, fields: dict[str, str]) -> Record:
    """The reader's conversion of one entry (values as bibtexparser gives them, enclosing
    removed) into a record without id and source. The writer runs it too, to see what its
    readable fields will say."""
    extra: dict[str, Any] = {}
    record = Record(key=key, type=_csl_type(entry_type, fields), extra=extra)
    if entry_type not in _written_entry_types(record.type):
        extra[_ENTRYTYPE_EXTRA] = entry_type
    if "title" in fields:
        record.title = decode_text(fields["title"])
    if "url" in fields:
        record.url = fields["url"].strip() or None
    howpublished_url = "howpublished" in fields and _HOWPUBLISHED_URL.fullmatch(fields["howpublished"])
    if howpublished_url:  # `howpublished = {\url{…}}`: a URL, not a container
        extra["bibtex:howpublished"] = fields["howpublished"]
        if record.url is None:
            record.url = howpublished_url.group(1)
    if "author" in fields:
        try:
            record.authors, etal = _parse_names(fields["author"])
        except Exception:  # bibtexparser refuses some malformed name lists; keep them as written
            extra["bibtex:author"] = fields["author"]
        else:
            if etal:
                extra[_ETAL_EXTRA] = True
    container_fields, publisher_fields = _container_and_publisher_fields(entry_type)
    for field_name in container_fields:
        if field_name not in fields or (field_name == "howpublished" and howpublished_url):
            continue
        if record.container is None:
            record.container = decode_text(fields[field_name])
        else:
            extra[f"bibtex:{field_name}"] = decode_text(fields[field_name])
    for field_name in publisher_fields:
        if field_name not in fields:
            continue
        if record.publisher is None:
            record.publisher = decode_text(fields[field_name])
        else:
            extra[f"bibtex:{field_name}"] = decode_text(fields[field_name])
    _read_dates(fields, record, extra)
    if "note" in fields:
        record.note = decode_text(fields["note"])
    if "keywords" in fields:
        record.tags = [tag.strip() for tag in decode_text(fields["keywords"]).split(",") if tag.strip()]
    for field_name in ("langid", "language"):
        if field_name in fields:
            language = _language(decode_text(fields[field_name]))
            if language and record.language is None:
                record.language = language
            else:
                extra[f"bibtex:{field_name}"] = fields[field_name]
    for field_name, value in fields.items():
        if field_name not in _CONSUMED:
            extra[f"bibtex:{field_name}"] = value if field_name in _RAW_FIELDS else decode_text(value)
    return record


@lru_cache(maxsize=64)
def _written_entry_types(csl_type: str) -> tuple[str, str]:
    """The entry types the writer uses for a CSL type, in either dialect (any other entry
    type read is kept as `bibtex:entrytype`)."""
    return (
        _ENTRY_TYPE["bibtex"].get(csl_type, _WEB_ENTRY_TYPE["bibtex"]),
        _ENTRY_TYPE["biblatex"].get(csl_type, _WEB_ENTRY_TYPE["biblatex"]),
    )


@lru_cache(maxsize=256)  # entry types are few
def _container_and_publisher_fields(entry_type: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The fields that can hold the container and the publisher of an entry of this type, in
    the order the reader tries them: the one the writers use for the type first."""
    designated = [_CONTAINER_FIELD[dialect].get(entry_type) for dialect in DIALECTS]
    sponsor_only = entry_type in ("inproceedings", "proceedings")  # `organization` is no container there
    container_fields = tuple(
        name
        for name in dict.fromkeys([*designated, *_CONTAINER_FIELDS])
        if name is not None and not (sponsor_only and name == "organization")
    )
    publisher_candidates = [_PUBLISHER_FIELD.get(entry_type), *_PUBLISHER_FIELDS]
    publisher_fields = tuple(name for name in dict.fromkeys(publisher_candidates) if name is not None)
    return container_fields, publisher_fields


_YEAR = re.compile(r"\d{1,4}")


def _read_dates(fields: dict[str, str], record: Record, extra: dict[str, Any]) -> None:
    date, year, month = fields.get("date"), fields.get("year"), fields.get("month")
    if date is not None:
        record.issued = _date_prefix(date)
        if record.issued is None and date.strip() != _UNKNOWN_DATE:
            extra["bibtex:date"] = date
        # `year`/`month` beside a `date` (our bibtex dialect writes both) are extra only when they disagree.
        issued = record.issued
        if year is not None and (issued is None or year.strip() != str(issued.year)):
            extra["bibtex:year"] = year
        if month is not None and (issued is None or _parse_month(month) != issued.month):
            extra["bibtex:month"] = month
    elif year is not None:
        year_text = year.strip().strip("{}").strip()
        month_number = _parse_month(month) if month is not None else None
        if _YEAR.fullmatch(year_text):
            record.issued = PartialDate(int(year_text), month_number)
            if month is not None and month_number is None:
                extra["bibtex:month"] = month
        else:
            extra["bibtex:year"] = year
            if month is not None:
                extra["bibtex:month"] = month
    elif month is not None:
        extra["bibtex:month"] = month
    urldate = fields.get("urldate")
    if urldate is not None:
        record.accessed, exact = _access_date(urldate)
        if not exact:
            extra["bibtex:urldate"] = urldate


_URLDATE_DAY = re.compile(r"\s*(\d{4}-\d{1,2}-\d{1,2})(?!\d)")


@lru_cache(maxsize=4096)
def _access_date(urldate: str) -> tuple[PartialDate | None, bool]:
    """The access date of a `urldate` value, and whether that date says all the value says.
    `2024-05-01T10:00:00`: the date is the access date, the full value stays as extra."""
    day_part = _URLDATE_DAY.match(urldate)
    accessed = _date_prefix(day_part.group(1) if day_part else urldate)
    return accessed, accessed is not None and _iso_date(accessed) == urldate


# --------------------------------------------------------------------------- the stash


def _json_text(value: Any) -> str:
    """Compact JSON that is safe as a braced BibTeX value: no newlines or control characters,
    and braces inside strings written as `\\u007b`/`\\u007d` so the structure's braces are the
    only ones. Only string tokens are touched, by a regex (this runs once per entry)."""
    text = _COMPACT_JSON.encode(value)
    # The usual stash is one object holding strings and lists: when its own braces, first and
    # last, are the only ones and all is printable, no string token needs escaping.
    only_outer_braces = text.count("{") == 1 == text.count("}") and text[:1] == "{" and text[-1:] == "}"
    if only_outer_braces and text.isprintable():
        return text
    return _JSON_STRING.sub(_escape_json_string, text)


# `json.dumps(value, ensure_ascii=False, separators=(",", ":"))`, without building a new
# encoder for every entry.
_COMPACT_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _escape_json_string(match: re.Match[str]) -> str:
    token = match.group()
    if token.isprintable() and "{" not in token and "}" not in token:  # U+2028 is not printable
        return token
    out: list[str] = []
    for ch in token:
        if ch in "{}":
            out.append(f"\\u{ord(ch):04x}")
        elif not ch.isprintable():
            out.append(json.dumps(ch, ensure_ascii=True)[1:-1])  # \uXXXX, a surrogate pair if needed
        else:
            out.append(ch)
    return "".join(out)


def _encode_dates(value: PartialDate | None) -> list[int] | None:
    return value.parts() if value else None


def _decode_date(value: Any) -> PartialDate | None:
    return PartialDate(*value) if value else None


def _attribute_json(record: Record, attribute: str) -> Any:
    value = getattr(record, attribute)
    if attribute == "authors":
        return [name.to_dict() for name in value]
    if attribute in ("issued", "accessed"):
        return _encode_dates(value)
    return value


# Attributes the readable fields carry (compared after reading back); the rest (id, key,
# collection, also_in, source, extra) are bookkeeping with their own handling.
_COMPARED = tuple(
    f for f in RECORD_FIELDS if f not in {"id", "key", "collection", "also_in", "source", "extra"}
)


_compared_values = operator.attrgetter(*_COMPARED)


def _stash(record: Record, readable: Record) -> dict[str, Any]:
    """What the stash must hold so that reading the entry gives `record` back exactly."""
    stash: dict[str, Any] = {}
    compared = zip(_COMPARED, _compared_values(record), _compared_values(readable), strict=True)
    for attribute, mine, read_back in compared:
        if mine != read_back:
            stash[attribute] = _attribute_json(record, attribute)
    if record.id != record_id(record.url, record.key):
        stash["id"] = record.id
    if record.collection:
        stash["collection"] = record.collection
    if record.also_in:
        stash["also_in"] = record.also_in
    if record.source:
        stash["source"] = [
            [s.file, s.line] if s.url == record.url else [s.file, s.line, s.url] for s in record.source
        ]
    if record.extra or readable.extra:
        changed, dropped = extra_delta(record.extra, readable.extra)
        if changed:
            stash["extra"] = changed
        if dropped:
            stash["extra_drop"] = dropped
    return stash


def _parse_stash(value: str) -> dict[str, Any] | None:
    try:
        data = json.loads(value)
    except ValueError:
        return None
    if isinstance(data, dict) and set(data) <= _STASH_KEYS:
        return data
    return None


def _apply_stash(record: Record, stash: dict[str, Any]) -> None:
    for attribute in _COMPARED:
        if attribute not in stash:
            continue
        value = stash[attribute]
        if attribute == "authors":
            value = [Name.from_dict(item) for item in value]
        elif attribute in ("issued", "accessed"):
            value = _decode_date(value)
        setattr(record, attribute, value)
    record.collection = list(stash.get("collection", []))
    record.also_in = [list(path) for path in stash.get("also_in", [])]
    record.source = [
        Source(item[0], item[1], item[2] if len(item) > 2 else record.url) for item in stash.get("source", [])
    ]
    for key in stash.get("extra_drop", []):
        record.extra.pop(key, None)
    record.extra.update(stash.get("extra", {}))
    record.id = stash["id"] if "id" in stash else record_id(record.url, record.key)


# --------------------------------------------------------------------------- writer


def check_key(key: str) -> str:
    """The key itself, or ValueError when BibTeX, biber or BBT would not accept it."""
    if not key or _UNSAFE_KEY.search(key):
        raise ValueError(f"citation key {key!r} is empty or has characters BibTeX keys cannot hold")
    return key


_BEYOND_LATIN = re.compile(r"[^\x00-\u024f]")


def _is_english(record: Record) -> bool:
    if record.language is not None:
        return record.language.lower().startswith("en")
    return not _BEYOND_LATIN.search(record.title or "")


def _title_value(record: Record, dialect: str, title: str) -> str:
    """The title, protected so that it prints as the catalog wrote it.

    Catalog titles are seldom sentence case ("LLM Inference CookBook", "Attention Is All You
    Need", a bare URL), so a style's case change would garble them, while CSL processors
    print a CSL-JSON title as written. So an English title is braced whole unless it is
    already in sentence case (a capital first, nothing else capitalised), like every
    non-English title in the bibtex dialect (biblatex reads `langid` and leaves
    non-English titles alone)."""
    escaped = escape_text(title)
    if _is_english(record):
        sentence_case = escaped[:1].isupper() and escaped[1:] == escaped[1:].lower()
        return escaped if sentence_case or not escaped else "{" + escaped + "}"
    if dialect == "bibtex" and escaped:
        return "{" + escaped + "}"
    return escaped


class _Fields:
    """The fields of one entry being written: escaped values, and the bare/braced form."""

    def __init__(self) -> None:
        self.raw: dict[str, str] = {}  # value as bibtexparser will hand it back (enclosing removed)
        self.bare: set[str] = set()

    def text(self, name: str, value: str | None) -> None:
        if value is not None:
            self.raw[name] = escape_text(value)

    def verbatim(self, name: str, value: str | None) -> None:
        if value is not None:
            self.raw[name] = _escape_raw(value)


def _choose_biblatex_type(candidates: Iterable[str], has: Callable[[str], bool]) -> str:
    for entry_type in candidates:
        if entry_type not in _BIBLATEX_FIELDS:
            continue
        for requirement in _BIBLATEX_MANDATORY.get(entry_type, ()):
            if not (has(requirement) if isinstance(requirement, str) else any(map(has, requirement))):
                break
        else:
            return entry_type
    return "misc"


def _entry_fields(record: Record, dialect: str) -> tuple[str, _Fields]:
    fields = _Fields()
    safe_url = _escape_raw(record.url) if record.url is not None else ""
    wanted_type = record.extra.get(_ENTRYTYPE_EXTRA)
    mapped = _ENTRY_TYPE[dialect].get(record.type, _WEB_ENTRY_TYPE[dialect])
    if dialect == "bibtex":
        valid_wanted = isinstance(wanted_type, str) and _FIELD_NAME.match(wanted_type)
        entry_type = wanted_type if valid_wanted else mapped
    else:
        extra_raw = {k.removeprefix("bibtex:"): v for k, v in record.extra.items() if k.startswith("bibtex:")}

        def has(name: str) -> bool:
            if name == "author":
                return bool(record.authors)
            if name == "url":
                return bool(safe_url)
            if name in ("journaltitle", "booktitle"):
                return bool(record.container)
            if name == "institution":
                return bool(record.publisher)
            if name == "type":
                return True
            return bool(extra_raw.get(name))

        candidates = [
            wanted_type if isinstance(wanted_type, str) else "",
            mapped,
            "online" if safe_url else "misc",
        ]
        entry_type = _choose_biblatex_type(candidates, has)

    if record.authors:
        author = " and ".join(_name_to_bibtex(name) for name in record.authors)
        if record.extra.get(_ETAL_EXTRA) is True:
            author += " and others"
        fields.raw["author"] = author
    title = record.title
    if dialect == "biblatex" and not title:
        title = record.url or record.key  # biblatex requires a title
    if title is not None:
        fields.raw["title"] = _title_value(record, dialect, title)
    container_field = _CONTAINER_FIELD[dialect].get(entry_type)
    if container_field:
        fields.text(container_field, record.container)
    publisher_field = _PUBLISHER_FIELD.get(entry_type, "publisher")
    if dialect == "bibtex" or publisher_field in _BIBLATEX_FIELDS[entry_type]:
        fields.text(publisher_field, record.publisher)
    _write_dates(record, dialect, fields)
    if record.url is not None:
        fields.raw["url"] = safe_url
    if record.accessed and 0 <= record.accessed.year <= 9999:
        fields.raw["urldate"] = _iso_date(record.accessed)
    fields.text("note", record.note)
    if record.language in _LANGID:
        fields.raw["langid"] = _LANGID[record.language]
    if record.tags:
        fields.raw["keywords"] = ",".join(escape_text(tag) for tag in record.tags)
    _write_extras(record, dialect, entry_type, fields)
    if dialect == "biblatex" and entry_type in _BIBLATEX_TYPE_DEFAULT and "type" not in fields.raw:
        fields.raw["type"] = _BIBLATEX_TYPE_DEFAULT[entry_type]
    return entry_type, fields


def _write_dates(record: Record, dialect: str, fields: _Fields) -> None:
    issued = record.issued
    writable = issued is not None and 0 <= issued.year <= 9999
    if dialect == "biblatex":
        fields.raw["date"] = _iso_date(issued) if writable and issued else _UNKNOWN_DATE
        return
    if writable and issued:
        fields.raw["year"] = str(issued.year)
        if issued.month:
            fields.raw["month"] = _MONTHS[issued.month - 1]
            fields.bare.add("month")
        if issued.day:
            fields.raw["date"] = _iso_date(issued)


def _write_extras(record: Record, dialect: str, entry_type: str, fields: _Fields) -> None:
    """`bibtex:<field>` extras as native fields, where they fit; the rest is stashed."""
    for key, value in record.extra.items():
        if (
            not key.startswith("bibtex:")
            or key in (_ETAL_EXTRA, _ENTRYTYPE_EXTRA)
            or not isinstance(value, str)
        ):
            continue
        name = key.removeprefix("bibtex:")
        if not _FIELD_NAME.match(name) or name in fields.raw or name in STASH_FIELD.values():
            continue
        if dialect == "biblatex" and (
            name not in _BIBLATEX_FIELDS[entry_type] or _DATE_PART.search(name) or name in _CONSUMED
        ):
            continue
        if (
            name in _RAW_FIELDS
            or name in ("date", "year", "month", "urldate")
            or (name == "howpublished" and _HOWPUBLISHED_URL.fullmatch(value))
        ):
            fields.verbatim(name, value)
        else:
            fields.text(name, value)


@cyclic_gc_paused()
def write(records: Sequence[Record], dialect: str = "bibtex") -> str:
    """The records as a `.bib` file in `dialect` ("bibtex" or "biblatex"), in input order.

    ValueError for an unknown dialect, an unsafe key, or two keys equal ignoring case."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown BibTeX dialect {dialect!r} (choose from {', '.join(DIALECTS)})")
    import bibtexparser
    from bibtexparser.library import Library
    from bibtexparser.model import Entry, Field

    seen: dict[str, str] = {}
    entries = []
    longest_field_name = 0
    for record in records:
        key = check_key(record.key)
        if key.lower() in seen:
            raise ValueError(f"citation key {key!r} is used twice (also as {seen[key.lower()]!r})")
        seen[key.lower()] = key
        entry_type, fields = _entry_fields(record, dialect)
        readable = _fields_to_record(entry_type, key, fields.raw)
        stash = _stash(record, readable)
        fields.raw[STASH_FIELD[dialect]] = _json_text(stash)
        entry_fields = [
            Field(name, value if name in fields.bare else "{" + value + "}")
            for name, value in fields.raw.items()
        ]
        entries.append(Entry(entry_type, key, entry_fields))
        longest_field_name = max(longest_field_name, *map(len, fields.raw))
    library = Library()
    library.add(entries)
    bib_format = bibtexparser.BibtexFormat()
    bib_format.indent = "  "
    # The column `value_column = "auto"` would compute (longest field name + len(" = ")), known
    # here already; "auto" would walk every entry again and deep-copy the format.
    bib_format.value_column = longest_field_name + len(" = ")
    bib_format.block_separator = "\n"
    # Values are already escaped and enclosed above, so no unparse middleware is needed.
    text: str = bibtexparser.write_string(library, unparse_stack=[], bibtex_format=bib_format)
    return text.lstrip("\n")


# --------------------------------------------------------------------------- reader


_JABREF_ENCODING = re.compile(rb"^%\s*Encoding:\s*([A-Za-z0-9_.:-]+)", re.MULTILINE)


def decode_bytes(data: bytes, name: str) -> str:
    """Text of a .bib file: BOM (UTF-8/UTF-16), JabRef's `% Encoding:` header, then strict
    UTF-8, GBK and cp1252 in that order."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    head = data[:4096]
    if head.count(b"\x00") > len(head) // 4:  # UTF-16 without BOM
        return data.decode("utf-16-le" if head[1:2] == b"\x00" else "utf-16-be", errors="replace")
    declared = _JABREF_ENCODING.search(head)
    if declared:
        try:
            return data.decode(declared.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    for encoding in ("utf-8", "gbk"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("cp1252", errors="replace")


# EndNote writes entries without a key (`@article{ author = …`): give them an empty one.
_KEYLESS = re.compile(
    r"(^[ \t]*@(?!string|preamble|comment)[A-Za-z]+[ \t]*\{)([ \t\r\n]*[A-Za-z][\w-]*[ \t]*=)",
    re.MULTILINE | re.IGNORECASE,
)
# A whole-line `%` comment inside an entry would become a field named `%…` (bibtexparser #372).
_COMMENT_LINE = re.compile(r"^[ \t]*%[^\n]*", re.MULTILINE)


# Cheap searches that tell whether the substitutions above can match at all: a pattern that
# starts with a literal character is found by a fast scan, one that starts with `^` is tried
# at every position (tens of milliseconds for a few megabytes).
_MAYBE_KEYLESS = re.compile(r"@[A-Za-z]+[ \t]*\{[ \t\r\n]*[A-Za-z][\w-]*[ \t]*=")
_MAYBE_COMMENT_LINE = re.compile(r"\n[ \t]*%")
_FIRST_LINE_COMMENT = re.compile(r"[ \t]*%")


def _prepare(text: str) -> str:
    if _MAYBE_KEYLESS.search(text):
        text = _KEYLESS.sub(r"\1,\2", text)
    if _FIRST_LINE_COMMENT.match(text) or _MAYBE_COMMENT_LINE.search(text):
        text = _COMMENT_LINE.sub("", text)
    return text


def _problem_for(block: Any, name: str) -> Problem:
    from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock

    line = (block.start_line or 0) + 1
    if isinstance(block, DuplicateBlockKeyBlock):
        previous = block.previous_block
        first = f" (first at line {previous.start_line + 1})" if previous is not None else ""
        return Problem(name, line, f"duplicate key {block.key!r}{first}; this entry was skipped")
    if isinstance(block, DuplicateFieldKeyBlock):
        fields = ", ".join(sorted(block.duplicate_keys))
        return Problem(name, line, f"entry has the field(s) {fields} twice; kept the first value")
    error = getattr(block, "error", None)
    reason = getattr(error, "abort_reason", None) or str(error) or type(block).__name__
    return Problem(name, line, f"cannot parse entry: {reason.splitlines()[0]}")


def _split_concatenation(value: str) -> list[str]:
    """`a # {b} # "c"` -> its parts (at brace depth 0, outside quotes)."""
    parts, depth, quoted, start = [], 0, False, 0
    for index, ch in enumerate(value):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == '"' and depth == 0:
            quoted = not quoted
        elif ch == "#" and depth == 0 and not quoted:
            parts.append(value[start:index])
            start = index + 1
    parts.append(value[start:])
    return parts


def _field_value(raw: str, strings: dict[str, str]) -> str:
    """A value as written (enclosing included) -> its text: enclosing removed, `@string`
    macros resolved, `#` concatenations joined. Done here rather than by bibtexparser's
    middlewares, which cost about a second per 10,000 entries."""
    value = raw.strip()
    if not value:
        return value
    if "#" in value:
        parts = _split_concatenation(value)
        if len(parts) > 1:
            return "".join(_field_value(part, strings) for part in parts)
    first, last = value[0], value[-1]
    if (first == "{" and last == "}") or (first == '"' and last == '"'):
        return value[1:-1]
    return strings.get(value.lower(), value)


def _record_from_entry(entry: Any, name: str, strings: dict[str, str]) -> Record:
    fields: dict[str, str] = {}
    for field_obj in entry.fields:
        key = field_obj.key.lower()
        raw = field_obj.value
        if key in fields or not isinstance(raw, str):
            continue
        value = raw.strip()
        if value[:1] == "{" and value[-1:] == "}" and "#" not in value:
            fields[key] = value[1:-1]  # the common `{…}`, as `_field_value` would give it
        else:
            fields[key] = _field_value(raw, strings)
    stash = None
    for stash_field in STASH_FIELD.values():
        if stash_field in fields:
            stash = _parse_stash(fields[stash_field])
            if stash is not None:  # else a foreign field of that name: an ordinary field
                del fields[stash_field]
                break
    record = _fields_to_record(entry.entry_type.lower(), entry.key, fields)
    if stash is not None:
        _apply_stash(record, stash)
    else:
        record.id = record_id(record.url, record.key)
        record.source = [Source(name, (entry.start_line or 0) + 1, record.url)]
    return record


def _entry_of_other_block(block: Any, name: str, strings: dict[str, str], result: ReadResult) -> Any:
    """For a block that is not a plain `Entry`: record a `@string` or a problem, and return the
    entry still to be read (a keyless entry, the first values of duplicated fields), if any."""
    from bibtexparser.model import (
        DuplicateBlockKeyBlock,
        DuplicateFieldKeyBlock,
        Entry,
        MiddlewareErrorBlock,
        ParsingFailedBlock,
        String,
    )

    if isinstance(block, String):
        strings[block.key.lower()] = _field_value(block.value, strings)
    entry = block if isinstance(block, Entry) else None
    if isinstance(block, DuplicateBlockKeyBlock) and block.key == "":
        entry = block.ignore_error_block  # keyless (JabRef/Citavi/EndNote) entries are not duplicates
    elif isinstance(
        block, DuplicateFieldKeyBlock | ParsingFailedBlock | MiddlewareErrorBlock | DuplicateBlockKeyBlock
    ):
        result.problems.append(_problem_for(block, name))
        if isinstance(block, DuplicateFieldKeyBlock):
            entry = block.ignore_error_block
    return entry if isinstance(entry, Entry) else None


@cyclic_gc_paused()
def read(data: bytes, name: str) -> ReadResult:
    """Records of a BibTeX/BibLaTeX file. Broken entries become `Problem`s (with their line)
    while the good ones are kept; InputError when the input is not text at all."""
    text = decode_bytes(data, name)
    if "\x00" in text:
        raise InputError(name, None, "not a BibTeX file (binary data)")
    import logging

    import bibtexparser
    from bibtexparser.model import Entry

    # bibtexparser logs each broken block; they are reported as `Problem`s instead.
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    try:
        library = bibtexparser.parse_string(_prepare(text), parse_stack=[])
    except Exception as error:  # bibtexparser is not supposed to raise; if it does, name the file
        raise InputError(name, None, f"cannot parse as BibTeX: {error}") from error
    result = ReadResult()
    strings: dict[str, str] = {}
    for block in library.blocks:
        # A good entry, by far the most common block, skips the checks below (bibtexparser's
        # failed-block classes are ABCs, which makes each `isinstance` on them slow).
        entry = block if type(block) is Entry else _entry_of_other_block(block, name, strings, result)
        if entry is None:
            continue
        try:
            result.records.append(_record_from_entry(entry, name, strings))
        except Exception as error:  # a malformed entry must not take the file down
            result.problems.append(
                Problem(name, (entry.start_line or 0) + 1, f"cannot convert entry: {error}")
            )
    return result
