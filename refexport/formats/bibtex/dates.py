"""Dates: biblatex's EDTF `date`/`urldate`/`eventdate`/`origdate` and BibTeX's `year`,
`month` (a bare macro `jun`, or a name or number) and `day`.

Reading follows pandoc's `getDate`/`getOldDate`: EDTF level 1 as biblatex defines it
(`2020`, `2020-06-15`, `2020/2021`, `2020/..`, `2019~`, `-0050`, seasons `2020-21`…`24`),
a year that is not a number is a literal date (`year = {forthcoming}`), a leading dash of a
BC year may be an en dash. What a CSL date cannot hold (times of day, unspecified digits
`199X`, open starts) is not read; the caller keeps the field as written.
"""

from __future__ import annotations

import re
from functools import lru_cache

from refexport.formats.bibtex.tables import MONTH_NUMBERS, MONTHS
from refexport.model import Date, PartialDate

# One EDTF date (biblatex's subset): year (astronomical, optionally signed), month or season
# (21–24), day, then the qualifiers `?` (uncertain), `~` (approximate), `%` (both).
_EDTF_DATE = re.compile(r"(-?\d{1,4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?([?~%]?)")
_TIME = re.compile(r"T\d{2}(?::\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?")
# Our earlier writer's "year unspecified" marker, read as no date at all.
UNKNOWN = "XXXX"


@lru_cache(maxsize=4096)  # dates repeat (access dates above all); Date is immutable
def parse_edtf(text: str) -> tuple[Date | None, bool]:
    """The CSL date of a biblatex date field, and whether writing that date back gives the
    same text. (None, False) when it cannot be read."""
    text = text.strip()
    start_text, slash, end_text = text.partition("/")
    start = _edtf_part(start_text)
    if start is None:
        return None, False
    first, season, qualifier = start
    circa = bool(qualifier)
    parts = [first]
    if slash:
        if end_text in ("", ".."):
            parts.append(PartialDate(0))
        else:
            end = _edtf_part(end_text)
            if end is None or end[1] is not None:
                return None, False
            parts.append(end[0])
            circa = circa or bool(end[2])
    if season is not None and len(parts) > 1:
        return None, False
    date = Date(tuple(parts), season, circa)
    return date, format_edtf(date) == text


def _edtf_part(text: str) -> tuple[PartialDate, int | None, str] | None:
    """One side of a range: the date, its season (1–4), its qualifier; None if unreadable."""
    time = _TIME.search(text)
    if time is not None and time.end() == len(text):
        text = text[: time.start()]
    match = _EDTF_DATE.fullmatch(text)
    if match is None:
        return None
    year, month, day, qualifier = match.groups()
    month_number = int(month) if month else None
    try:
        if month_number is not None and 21 <= month_number <= 24 and day is None:
            return PartialDate(int(year)), month_number - 20, qualifier
        return PartialDate(int(year), month_number, int(day) if day else None), None, qualifier
    except ValueError:
        return None


def format_edtf(date: Date) -> str | None:
    """The biblatex date field for `date`, or None when EDTF cannot say it (a literal, a
    season given as a word)."""
    return date.iso()


def parse_year(year: str | None, month: str | None, day: str | None) -> tuple[Date | None, bool, bool]:
    """The date of BibTeX's `year`/`month`/`day` (values already decoded), and whether the
    month and the day were read (so the caller keeps the fields otherwise)."""
    month_number = parse_month(month) if month is not None else None
    day_number = _day(day) if day is not None else None
    month_ok = month is None or month_number is not None
    day_ok = day is None or (day_number is not None and month_number is not None)
    if year is None:
        return None, month is None, day is None
    text = year.strip()
    if text[:1] in ("–", "—") and text[1:2].isdigit():  # a BC year written with a dash
        text = "-" + text[1:]
    if re.fullmatch(r"-?\d{1,4}", text):
        try:
            start = PartialDate(int(text), month_number, day_number if day_ok else None)
        except ValueError:
            return Date(literal=year.strip()), False, day is None
        return Date((start,)), month_ok, day_ok
    if not text:
        return None, month is None, day is None
    if "/" in text and month is None and day is None:  # `1957/1990` (gbt7714's ranges)
        date, _ = parse_edtf(text)
        if date is not None:
            return date, True, True
    return Date(literal=text), month is None, day is None


def parse_month(value: str) -> int | None:
    text = value.strip().strip("{}").strip().lower().rstrip(".")
    if text.isdigit():
        number = int(text)
        return number if 1 <= number <= 12 else None
    return MONTH_NUMBERS.get(text)


def _day(value: str) -> int | None:
    text = value.strip()
    return int(text) if text.isdigit() and 1 <= int(text) <= 31 else None


def month_macro(month: int) -> str:
    return MONTHS[month - 1]
