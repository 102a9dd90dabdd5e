"""The record model: the one shape every reader produces and every writer consumes.

Pure data, no I/O. Readers build `Record`s, the catalog pipeline (`refexport.catalog`)
normalises them, and writers turn them into files. `Record.to_dict()` / `Record.from_dict()`
define the JSON form used by `refexport records` (JSON Lines) and by every writer that
needs to stash refexport's own fields somewhere lossless.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

# CSL item types (CSL 1.0.2); records always carry one of these.
CSL_TYPES: frozenset[str] = frozenset(
    [
        "article",
        "article-journal",
        "article-magazine",
        "article-newspaper",
        "bill",
        "book",
        "broadcast",
        "chapter",
        "classic",
        "collection",
        "dataset",
        "document",
        "entry",
        "entry-dictionary",
        "entry-encyclopedia",
        "event",
        "figure",
        "graphic",
        "hearing",
        "interview",
        "legal_case",
        "legislation",
        "manuscript",
        "map",
        "motion_picture",
        "musical_score",
        "pamphlet",
        "paper-conference",
        "patent",
        "performance",
        "periodical",
        "personal_communication",
        "post",
        "post-weblog",
        "regulation",
        "report",
        "review",
        "review-book",
        "software",
        "song",
        "speech",
        "standard",
        "thesis",
        "treaty",
        "webpage",
    ]
)

DEFAULT_TYPE = "webpage"

_ISO_DATE = re.compile(r"^(-?\d{1,4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A calendar date of which only the year may be known (CSL `date-parts` of one date)."""

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

    def iso(self) -> str:
        """`2023`, `2023-06` or `2023-06-15` (years zero-padded to four digits)."""
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


@dataclass(slots=True)
class Name:
    """A person or an organisation.

    Organisations, WeChat accounts and CJK names that were never split into family and
    given name are `literal`; everything else uses the CSL name parts.
    """

    family: str | None = None
    given: str | None = None
    literal: str | None = None
    non_dropping_particle: str | None = None  # "van" in "van Gogh"
    dropping_particle: str | None = None  # "de" in "Jean de La Fontaine"
    suffix: str | None = None  # "Jr."

    def to_dict(self) -> dict[str, str]:
        values = ((key, getattr(self, attr)) for key, attr in _NAME_KEYS.items())
        return {key: value for key, value in values if value is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Name:
        return cls(**{attr: data.get(key) for key, attr in _NAME_KEYS.items()})

    def display(self) -> str:
        """One string for humans (and for key generation)."""
        if self.literal:
            return self.literal
        parts = [self.given, self.dropping_particle, self.non_dropping_particle, self.family]
        text = " ".join(p for p in parts if p)
        return f"{text}, {self.suffix}" if self.suffix else text


# CSL name-part keys and the attributes that hold them.
_NAME_KEYS = {
    "family": "family",
    "given": "given",
    "literal": "literal",
    "non-dropping-particle": "non_dropping_particle",
    "dropping-particle": "dropping_particle",
    "suffix": "suffix",
}


@dataclass(slots=True)
class Source:
    """Where a record was read: file, 1-based line (None for formats without lines), URL as written."""

    file: str
    line: int | None = None
    url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "url": self.url}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Source:
        return cls(file=data["file"], line=data.get("line"), url=data.get("url"))


@dataclass(slots=True)
class Record:
    """One citation record.

    `collection` is the path of the section the record was first found in (catalog title,
    then the enclosing headings); when the same canonical URL occurs in several sections,
    the further paths are kept, in reading order, in `also_in`. `extra` carries fields a
    richer input had and the model has no slot for, keyed `<format>:<field>` (for example
    `bibtex:journal`, `csl:volume`), so that nothing read is lost.
    """

    id: str = ""
    key: str = ""
    type: str = DEFAULT_TYPE
    title: str | None = None
    url: str | None = None
    authors: list[Name] = field(default_factory=list)
    container: str | None = None
    publisher: str | None = None
    language: str | None = None
    issued: PartialDate | None = None
    accessed: PartialDate | None = None
    note: str | None = None
    tags: list[str] = field(default_factory=list)
    collection: list[str] = field(default_factory=list)
    also_in: list[list[str]] = field(default_factory=list)
    source: list[Source] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; field order is the one `refexport records` prints."""
        return {
            "id": self.id,
            "key": self.key,
            "type": self.type,
            "title": self.title,
            "url": self.url,
            "note": self.note,
            "collection": list(self.collection),
            "language": self.language,
            "container": self.container,
            "authors": [a.to_dict() for a in self.authors],
            "issued": self.issued.iso() if self.issued else None,
            "accessed": self.accessed.iso() if self.accessed else None,
            "source": [s.to_dict() for s in self.source],
            "publisher": self.publisher,
            "tags": list(self.tags),
            "also_in": [list(p) for p in self.also_in],
            "extra": dict(self.extra),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Record:
        """Inverse of `to_dict`; missing keys take their defaults.
        Raises ValueError, KeyError, TypeError or AttributeError on bad shapes."""

        def date(value: Any) -> PartialDate | None:
            return PartialDate.parse(value) if value else None

        return cls(
            id=data.get("id") or "",
            key=data.get("key") or "",
            type=data.get("type") or DEFAULT_TYPE,
            title=data.get("title"),
            url=data.get("url"),
            authors=[Name.from_dict(a) for a in data.get("authors") or []],
            container=data.get("container"),
            publisher=data.get("publisher"),
            language=data.get("language"),
            issued=date(data.get("issued")),
            accessed=date(data.get("accessed")),
            note=data.get("note"),
            tags=list(data.get("tags") or []),
            collection=list(data.get("collection") or []),
            also_in=[list(p) for p in data.get("also_in") or []],
            source=[Source.from_dict(s) for s in data.get("source") or []],
            extra=dict(data.get("extra") or {}),
        )


def extra_delta(wanted: dict[str, Any], read_back: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """How `read_back` (the `extra` a reader makes of a written record) differs from
    `wanted`: the entries it lacks or has wrong, and the keys it adds. Writers stash both."""
    missing = object()
    changed = {k: v for k, v in wanted.items() if read_back.get(k, missing) != v}
    added = [k for k in read_back if k not in wanted]
    return changed, added


# Every Record attribute, in declaration order (writers that stash fields iterate over it).
RECORD_FIELDS: tuple[str, ...] = tuple(Record.__dataclass_fields__)
# The fields `refexport records` prints first, with these names (the documented interface).
DOCUMENTED_FIELDS: tuple[str, ...] = (
    "id", "key", "type", "title", "url", "note", "collection", "language", "container", "authors",
    "issued", "accessed", "source",
)  # fmt: skip


def record_id(url: str | None, fallback: str = "") -> str:
    """Stable id: a digest of the canonical URL (or, for records without one, of `fallback`,
    e.g. the citation key). Identical across runs and independent of every other record."""
    basis = f"url:{url}" if url else f"key:{fallback}"
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]
