"""Dates as Zotero holds them: its `date` fields are free text (Zotero parses what it can),
`accessDate` takes only `YYYY-MM-DD[ hh:mm:ss]` or ISO 8601 UTC. refexport writes the EDTF
of `Date.iso()` (`2020-05`, `2020-05/2020-06`, `2019~`, `2020-21` for spring) and a literal
date as its text, and reads those forms back."""

from __future__ import annotations

import re

from refexport.model import Date, PartialDate

_POINT = re.compile(r"(-?\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(~?)$")
# What the Zotero API accepts in accessDate (dataserver `Item::setField`).
_ACCESS_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})Z?)?$")


def date_text(date: Date) -> str | None:
    """The text for a `date` field or an Extra line: EDTF, else the literal; None for a
    date neither can say (a season given as a word)."""
    return date.iso() or date.literal


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
            ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
            ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
_MONTH = r"([A-Za-z]{3,9})\.?"
# What Zotero's own importers and people write in a date field besides ISO: "May 1, 2020",
# "1 May 2020", "May 2020" (Zotero's CSL JSON import writes the first form), "2020/05/01".
_WORDED = (
    (re.compile(rf"{_MONTH}\s+(\d{{1,2}}),?\s+(\d{{4}})$"), (3, 1, 2)),
    (re.compile(rf"(\d{{1,2}})\s+{_MONTH},?\s+(\d{{4}})$"), (3, 2, 1)),
    (re.compile(rf"{_MONTH},?\s+(\d{{4}})$"), (2, 1, None)),
    (re.compile(r"(\d{4})/(\d{1,2})(?:/(\d{1,2}))?$"), (1, 2, 3)),
)


def _worded(text: str) -> Date | None:
    """A date written with a month name or slashes, as Zotero reads it; None otherwise."""
    for pattern, (year, month, day) in _WORDED:
        match = pattern.match(text.strip())
        if not match:
            continue
        month_text = match.group(month)
        number = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text.lower())
        if number is None:
            return None
        try:
            return Date.of(
                int(match.group(year)), number, int(match.group(day)) if day and match.group(day) else None
            )
        except ValueError:
            return None
    return None


def parse_date(text: str) -> Date:
    """The date of `date_text`'s forms and of the worded forms Zotero writes ("May 1,
    2020"); anything else is a literal date."""
    date = _edtf(text)
    return (_worded(text) or date) if date.literal is not None else date


def _edtf(text: str) -> Date:
    start, slash, end = text.partition("/")
    try:
        first = _point(start)
        if first is None:
            return Date(literal=text)
        point, season, circa = first
        if not slash:
            return Date((point,), season, circa)
        if season is not None:
            return Date(literal=text)
        last = (PartialDate(0), None, False) if end == ".." else _point(end)
        if last is None or last[1] is not None or last[2]:
            return Date(literal=text)
        return Date((point, last[0]), None, circa)
    except ValueError:  # a month or day out of range
        return Date(literal=text)


def _point(text: str) -> tuple[PartialDate, int | None, bool] | None:
    match = _POINT.match(text)
    if not match:
        return None
    year, month, day, circa = match.groups()
    if month and 21 <= int(month) <= 24 and not day:
        return PartialDate(int(year)), int(month) - 20, bool(circa)
    part = PartialDate(int(year), int(month) if month else None, int(day) if day else None)
    return part, None, bool(circa)


def access_date_text(date: Date) -> str | None:
    """`YYYY-MM-DD` when the Zotero API takes the date as an accessDate, else None (a BC or
    partial date, a range: those go to an Extra `Accessed:` line)."""
    start = date.start
    if date.is_simple() and start is not None and start.day is not None and start.year >= 1:
        return start.iso()
    return None


def parse_access_date(text: str) -> tuple[Date, bool]:
    """An accessDate as Zotero gives it (`2014-06-12T21:28:55Z`, `2023-06-15 00:00:00`):
    the day it names, and whether that day says all of it (no time of day but midnight)."""
    match = _ACCESS_DATE.match(text)
    if not match:
        return parse_date(text), True
    year, month, day, *time = match.groups()
    try:
        date = Date.of(int(year), int(month), int(day))
    except ValueError:
        return Date(literal=text), True
    exact = time[0] is None or (text[10] == " " and not text.endswith("Z") and time == ["00", "00", "00"])
    return date, exact
