"""The record model: the one shape every reader produces and every writer consumes.

Pure data, no I/O. Like the `Reference` of pandoc's citeproc, a record is a CSL item: an id,
a CSL type and a map of CSL 1.0.2 variables (text, numbers, names, dates), plus refexport's
own fields: the citation key, the section path it was found in (`collection`, `also_in`),
where it was read (`origin`), `tags`, and `custom`, the fields of another format that no CSL
variable holds (`bibtex:file`, …), kept so that nothing read is lost.

Text values follow CSL-JSON's rich-text convention: plain Unicode with the few formatting tags
CSL processors and Zotero understand (`<i>`, `<b>`, `<sup>`, `<sub>`, `<span
class="nocase">` …). Number variables hold what was written (`"100-110"`, `7`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# CSL 1.0.2 item types; every record carries one.
CSL_TYPES: frozenset[str] = frozenset(
    "article article-journal article-magazine article-newspaper bill book broadcast chapter classic "
    "collection dataset document entry entry-dictionary entry-encyclopedia event figure graphic hearing "
    "interview legal_case legislation manuscript map motion_picture musical_score pamphlet "
    "paper-conference patent performance periodical personal_communication post post-weblog regulation "
    "report review review-book software song speech standard thesis treaty webpage".split()
)
DEFAULT_TYPE = "webpage"

# CSL 1.0.2 variables by kind (the official csl-data.json schema; a test checks the lists
# against it). Left out: `id` (the key), `citation-key` (the key), `keyword` (tags), `custom`,
# the legacy aliases `journalAbbreviation`/`shortTitle` (readers map them to the
# `-short` variables) and the citation-time numbers (`locator`, `citation-number`,
# `first-reference-note-number`, `citation-label`, `year-suffix`).
NAME_VARIABLES: frozenset[str] = frozenset(
    "author chair collection-editor compiler composer container-author contributor curator director "
    "editor editorial-director executive-producer guest host interviewer illustrator narrator organizer "
    "original-author performer producer recipient reviewed-author script-writer series-creator "
    "translator".split()
)
DATE_VARIABLES: frozenset[str] = frozenset(
    "accessed available-date event-date issued original-date submitted".split()
)
NUMBER_VARIABLES: frozenset[str] = frozenset(
    "chapter-number collection-number edition issue number number-of-pages number-of-volumes page "
    "page-first part printing supplement volume".split()
)
TEXT_VARIABLES: frozenset[str] = frozenset(
    "abstract annote archive archive_collection archive_location archive-place authority call-number "
    "collection-title container-title container-title-short dimensions division DOI event event-title "
    "event-place genre ISBN ISSN jurisdiction language medium note original-publisher "
    "original-publisher-place original-title part-title PMCID PMID publisher publisher-place references "
    "reviewed-genre reviewed-title scale section source status title title-short URL version "
    "volume-title volume-title-short".split()
)
VARIABLES: frozenset[str] = NAME_VARIABLES | DATE_VARIABLES | NUMBER_VARIABLES | TEXT_VARIABLES

# The order variables are written in where a format lets us choose (records, CSL-JSON):
# what identifies the work first, then the rest alphabetically.
_FIRST = (
    "title title-short author editor translator container-title container-title-short "
    "collection-title volume issue page edition publisher publisher-place issued accessed "
    "DOI ISBN ISSN URL language genre medium note abstract"
).split()
VARIABLE_ORDER: dict[str, int] = {
    name: rank for rank, name in enumerate([*_FIRST, *sorted(VARIABLES - set(_FIRST))])
}

_ISO_DATE = re.compile(r"^(-?\d{1,4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A calendar date of which only the year may be known (one row of CSL `date-parts`).
    Years are astronomical as in CSL (`-50` is 51 BC); year 0 only marks an open range end."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.month is None and self.day is not None:
            raise ValueError("a day needs a month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} out of range")
        if self.day is not None and not 1 <= self.day <= 31:
            raise ValueError(f"day {self.day} out of range")
        if not -9999 <= self.year <= 9999:
            raise ValueError(f"year {self.year} out of range")

    def iso(self) -> str:
        """`2023`, `2023-06` or `2023-06-15` (years zero-padded to four digits, `-0050`)."""
        text = f"{self.year:04d}" if self.year >= 0 else f"-{-self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    def parts(self) -> list[int]:
        """The CSL `date-parts` row: `[2023, 6, 15]`."""
        return [p for p in (self.year, self.month, self.day) if p is not None]

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Read `YYYY`, `YYYY-M` or `YYYY-M-D` (zero padding optional); ValueError otherwise."""
        match = _ISO_DATE.match(text.strip())
        if not match:
            raise ValueError(f"not an ISO date: {text!r}")
        year, month, day = match.groups()
        return cls(int(year), int(month) if month else None, int(day) if day else None)


SEASONS = ("spring", "summer", "autumn", "winter")  # CSL seasons 1–4


@dataclass(frozen=True, slots=True)
class Date:
    """A CSL date: one date or a range (`parts` has two rows; an open end is year 0), with a
    season (1–4 or a word), an "approximately" flag, or only a `literal` text."""

    parts: tuple[PartialDate, ...] = ()
    season: int | str | None = None
    circa: bool = False
    literal: str | None = None

    def __post_init__(self) -> None:
        if len(self.parts) > 2:
            raise ValueError("a date has one or two parts")
        if not self.parts and self.literal is None and self.season is None:
            raise ValueError("an empty date")

    @classmethod
    def of(cls, year: int, month: int | None = None, day: int | None = None) -> Date:
        return cls((PartialDate(year, month, day),))

    @property
    def start(self) -> PartialDate | None:
        return self.parts[0] if self.parts else None

    @property
    def end(self) -> PartialDate | None:
        return self.parts[1] if len(self.parts) == 2 else None

    @property
    def year(self) -> int | None:
        return self.parts[0].year if self.parts else None

    def is_simple(self) -> bool:
        """One date, no season, circa or literal: what an ISO date says exactly."""
        return len(self.parts) == 1 and self.season is None and not self.circa and self.literal is None

    def iso(self) -> str | None:
        """EDTF (ISO 8601-2) for dates it can say: `2023-06-15`, `2020/2021`, `2020/..`, `2019~`,
        `2020-21` (spring); None for a literal or a word season."""
        if not self.parts or self.literal is not None or isinstance(self.season, str):
            return None
        start = self.parts[0].iso()
        if self.season is not None and self.parts[0].month is None:
            start += f"-{20 + self.season}"
        if self.circa:
            start += "~"
        if len(self.parts) == 1:
            return start
        end = self.parts[1]
        return f"{start}/{'..' if end.year == 0 else end.iso()}"

    def to_csl(self) -> dict[str, Any]:
        """The CSL-JSON date object."""
        out: dict[str, Any] = {}
        if self.parts:
            out["date-parts"] = [p.parts() for p in self.parts]
        if self.season is not None:
            out["season"] = self.season
        if self.circa:
            out["circa"] = True
        if self.literal is not None:
            out["literal"] = self.literal
        return out

    @classmethod
    def from_csl(cls, data: dict[str, Any]) -> Date:
        """Inverse of `to_csl` for well-formed objects (readers validate foreign input first);
        ValueError/TypeError/KeyError on bad shapes."""
        parts = tuple(PartialDate(*row) for row in data.get("date-parts") or ())
        return cls(parts, data.get("season"), bool(data.get("circa")), data.get("literal"))


@dataclass(slots=True)
class Name:
    """A person or an organisation: CSL name parts, or one `literal` (organisations, and CJK
    names never split into family and given name). A value: nothing changes a name in place
    (the BibTeX reader gives one `Name` to every record naming that person), a new one
    replaces it."""

    family: str | None = None
    given: str | None = None
    literal: str | None = None
    non_dropping_particle: str | None = None  # "van" in "Vincent van Gogh"
    dropping_particle: str | None = None  # "de" in "Jean de La Fontaine"
    suffix: str | None = None  # "Jr."
    comma_suffix: bool = False  # "Jr." printed after a comma
    static_ordering: bool = False  # family first even in Latin script

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, attr in _NAME_TEXT_KEYS:
            value = getattr(self, attr)
            if value is not None:
                out[key] = value
        if self.comma_suffix:
            out["comma-suffix"] = True
        if self.static_ordering:
            out["static-ordering"] = True
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Name:
        """Inverse of `to_dict`; TypeError for a part that is not text."""
        if not isinstance(data, dict):
            raise TypeError("a name must be an object")
        return cls(
            **{attr: _text_or_none(data.get(key), key) for key, attr in _NAME_TEXT_KEYS},
            comma_suffix=bool(data.get("comma-suffix")),
            static_ordering=bool(data.get("static-ordering")),
        )

    def display(self) -> str:
        """One string for people (and for key generation): "Vincent van Gogh", "机器之心"."""
        if self.literal:
            return self.literal
        parts = [self.given, self.dropping_particle, self.non_dropping_particle, self.family]
        text = " ".join(p for p in parts if p)
        return f"{text}, {self.suffix}" if self.suffix else text


# CSL name-part keys and the attributes that hold them.
_NAME_TEXT_KEYS = (
    ("family", "family"),
    ("given", "given"),
    ("literal", "literal"),
    ("non-dropping-particle", "non_dropping_particle"),
    ("dropping-particle", "dropping_particle"),
    ("suffix", "suffix"),
)

Value = str | int | list[Name] | Date


@dataclass(slots=True)
class Origin:
    """Where a record was read: file, 1-based line (None for formats without lines), URL as written."""

    file: str
    line: int | None = None
    url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "url": self.url}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Origin:
        """Inverse of `to_dict`; TypeError or KeyError on a bad shape."""
        line = data.get("line")
        if not isinstance(data["file"], str) or not (line is None or type(line) is int):
            raise TypeError("an origin is a file name and a line number")
        return cls(file=data["file"], line=line, url=_text_or_none(data.get("url"), "origin url"))


# The record's own fields (not CSL variables), in the order `to_dict` writes them.
OWN_FIELDS: tuple[str, ...] = ("id", "key", "type", "tags", "collection", "also_in", "origin", "custom")


@dataclass(slots=True)
class Record:
    """One citation record.

    `variables` maps CSL variable names (`title`, `URL`, `container-title`, `author`,
    `issued` …) to values: `str` (or `int` for numbers as read), `list[Name]`, `Date`.
    `collection` is the path of the section the record was first found in (catalog title,
    then the enclosing headings); the same work found in further sections keeps those paths,
    in reading order, in `also_in`. `custom` holds fields of another format that no CSL
    variable can hold, keyed `<format>:<field>` (`bibtex:file`), written back by that format.
    """

    id: str = ""
    key: str = ""
    type: str = DEFAULT_TYPE
    variables: dict[str, Value] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    collection: list[str] = field(default_factory=list)
    also_in: list[list[str]] = field(default_factory=list)
    origin: list[Origin] = field(default_factory=list)
    custom: dict[str, Any] = field(default_factory=dict)

    # The variables the catalog pipeline, keys and the reading-list formats use by name.
    @property
    def title(self) -> str | None:
        return self._text("title")

    @title.setter
    def title(self, value: str | None) -> None:
        self.put("title", value)

    @property
    def url(self) -> str | None:
        return self._text("URL")

    @url.setter
    def url(self, value: str | None) -> None:
        self.put("URL", value)

    @property
    def note(self) -> str | None:
        return self._text("note")

    @note.setter
    def note(self, value: str | None) -> None:
        self.put("note", value)

    @property
    def language(self) -> str | None:
        return self._text("language")

    @language.setter
    def language(self, value: str | None) -> None:
        self.put("language", value)

    @property
    def container(self) -> str | None:
        return self._text("container-title")

    @container.setter
    def container(self, value: str | None) -> None:
        self.put("container-title", value)

    @property
    def publisher(self) -> str | None:
        return self._text("publisher")

    @publisher.setter
    def publisher(self, value: str | None) -> None:
        self.put("publisher", value)

    @property
    def authors(self) -> list[Name]:
        names = self.variables.get("author")
        return names if isinstance(names, list) else []

    @authors.setter
    def authors(self, value: list[Name]) -> None:
        self.put("author", value or None)

    @property
    def issued(self) -> Date | None:
        return self._date("issued")

    @issued.setter
    def issued(self, value: Date | None) -> None:
        self.put("issued", value)

    @property
    def accessed(self) -> Date | None:
        return self._date("accessed")

    @accessed.setter
    def accessed(self, value: Date | None) -> None:
        self.put("accessed", value)

    def put(self, variable: str, value: Value | None) -> None:
        """Set a variable; None (or an empty string or list) removes it."""
        if value is None or value == "" or value == []:
            self.variables.pop(variable, None)
        else:
            self.variables[variable] = value

    def _text(self, variable: str) -> str | None:
        value = self.variables.get(variable)
        return value if isinstance(value, str) else None

    def _date(self, variable: str) -> Date | None:
        value = self.variables.get(variable)
        return value if isinstance(value, Date) else None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (`refexport records`, the stash): the own fields and every variable in
        its CSL-JSON form, names as CSL name objects and dates as CSL date objects."""
        out: dict[str, Any] = {"id": self.id, "key": self.key, "type": self.type}
        for name in sorted(self.variables, key=_variable_rank):
            out[name] = value_to_json(self.variables[name])
        out["tags"] = list(self.tags)
        out["collection"] = list(self.collection)
        out["also_in"] = [list(p) for p in self.also_in]
        out["origin"] = [s.to_dict() for s in self.origin]
        out["custom"] = dict(self.custom)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Record:
        """Inverse of `to_dict`; missing keys take their defaults. Raises ValueError, KeyError,
        TypeError or AttributeError on bad shapes (callers report those as bad entries)."""
        variables: dict[str, Value] = {}
        for name, value in data.items():
            if name in VARIABLES:
                variables[name] = value_from_json(name, value)
            elif name not in OWN_FIELDS:
                raise ValueError(f"unknown field {name!r}")
        own = cls.own_fields(data)
        if own.get("type", DEFAULT_TYPE) not in CSL_TYPES:
            raise ValueError(f"unknown type {own['type']!r}")
        return cls(variables=variables, **own)

    @staticmethod
    def own_fields(data: dict[str, Any]) -> dict[str, Any]:
        """The record's own fields that `data` (the JSON form) has, checked and converted:
        what `from_dict` and a stash of own fields only (`stash.apply`) set; a stash may keep
        a type CSL does not have, which the record held. TypeError or ValueError on bad shapes."""
        return {name: _OWN_FIELD_READERS[name](data[name]) for name in OWN_FIELDS if name in data}


def _variable_rank(name: str) -> int:
    return VARIABLE_ORDER.get(name, len(VARIABLE_ORDER))


def value_to_json(value: Value) -> Any:
    """A variable's value in its CSL-JSON form."""
    if isinstance(value, Date):
        return value.to_csl()
    if isinstance(value, list):
        return [n.to_dict() for n in value]
    return value


def value_from_json(variable: str, value: Any) -> Value:
    """Inverse of `value_to_json` for a variable of the model's own JSON form (ValueError,
    TypeError on a shape that variable cannot have)."""
    if variable in NAME_VARIABLES:
        if not isinstance(value, list):
            raise TypeError(f"{variable}: a list of names expected")
        return [Name.from_dict(n) for n in value]
    if variable in DATE_VARIABLES:
        return _date_from_json(variable, value)
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise TypeError(f"{variable}: text expected")
    if isinstance(value, int) and variable not in NUMBER_VARIABLES:
        raise TypeError(f"{variable}: text expected")
    return value


def _date_from_json(variable: str, value: Any) -> Date:
    if not isinstance(value, dict):
        raise TypeError(f"{variable}: a date object expected")
    rows = value.get("date-parts") or []
    if not isinstance(rows, list) or not all(
        isinstance(row, list) and 1 <= len(row) <= 3 and all(type(p) is int for p in row) for row in rows
    ):
        raise TypeError(f"{variable}: date-parts must be rows of one to three whole numbers")
    season = value.get("season")
    if not (season is None or type(season) is int or isinstance(season, str)):
        raise TypeError(f"{variable}: a season is a number or a word")
    _text_or_none(value.get("literal"), f"{variable} literal")
    return Date.from_csl(value)


# `custom` holds another format's fields as read (a list of groups, an object): a few levels.
# Writers walk it recursively (orjson writes 254 levels at most), so deeper is refused.
MAX_CUSTOM_NESTING = 32


def _nesting(value: Any) -> int:
    """How deeply lists and dicts nest in `value` (0 for a scalar), without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_CUSTOM_NESTING:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _text_or_none(value: Any, what: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"{what}: text expected")


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError("a list of strings expected")
    return list(value)


def _custom(value: Any) -> dict[str, Any]:
    custom = value or {}
    if not isinstance(custom, dict):
        raise TypeError("custom: an object expected")
    if _nesting(custom) > MAX_CUSTOM_NESTING:
        raise ValueError(f"custom: nested deeper than {MAX_CUSTOM_NESTING} levels")
    return dict(custom)


_OWN_FIELD_READERS: dict[str, Callable[[Any], Any]] = {
    "id": lambda value: _text_or_none(value, "id") or "",
    "key": lambda value: _text_or_none(value, "key") or "",
    "type": lambda value: _text_or_none(value, "type") or DEFAULT_TYPE,
    "tags": _strings,
    "collection": _strings,
    "also_in": lambda value: [_strings(path) for path in value or []],
    "origin": lambda value: [Origin.from_dict(origin) for origin in value or []],
    "custom": _custom,
}


def record_id(url: str | None, fallback: str = "") -> str:
    """Stable id: a digest of the canonical URL (or, for records without one, of `fallback`,
    e.g. the citation key). Identical across runs and independent of every other record."""
    basis = f"url:{url}" if url else f"key:{fallback}"
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Problem:
    """One bad entry that was skipped while the good ones were kept.

    `where` is a line number, or an item label such as `item 3 (smith2020)` for formats
    without lines (JSON). `str(problem)` is the one-line report `file:line: message`: line
    breaks and control characters of a file name or of the input quoted in a message are
    escaped (`\\n`, `\\x1b`), so a report stays one line and cannot drive the terminal.
    """

    file: str
    where: int | str | None
    message: str

    def __str__(self) -> str:
        if self.where is None:
            text = f"{self.file}: {self.message}"
        elif isinstance(self.where, int):
            text = f"{self.file}:{self.where}: {self.message}"
        else:
            text = f"{self.file}: {self.where}: {self.message}"
        return one_line(text)


def one_line(text: str) -> str:
    """`text` with line breaks and control characters escaped, for a report on stderr."""
    return text if text.isprintable() else _CONTROL.sub(_escape_control, text)


# What may not reach a terminal raw: C0 and C1 controls (tab aside), DEL, the Unicode line
# and paragraph separators.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def _escape_control(match: re.Match[str]) -> str:
    code = ord(match.group())
    return {10: "\\n", 13: "\\r"}.get(code) or (f"\\x{code:02x}" if code < 256 else f"\\u{code:04x}")


@dataclass(slots=True)
class ReadResult:
    """What a reader returns: the good records, one `Problem` per skipped entry, and the
    input's own title when it has one (a Markdown post's front-matter title, an OPML head title)."""

    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    title: str | None = None
