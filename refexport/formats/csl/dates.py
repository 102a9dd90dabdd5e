"""CSL dates as items have them: date objects (also with numeric strings, a season in the
month place, `raw`), and the EDTF strings pandoc reads and writes."""

from __future__ import annotations

import re
from typing import Any

from refexport.formats.csl.problems import HugeNumber, ItemError, json_type
from refexport.model import Date, PartialDate

_EDTF = re.compile(r"(-?\d{4})(?:-(\d\d)(?:-(\d\d))?)?")
_SEASON_MONTHS = {13: 1, 14: 2, 15: 3, 16: 4, 21: 1, 22: 2, 23: 3, 24: 4}


def parse_date(value: Any) -> Date | None:
    """A CSL date object, or the string forms processors accept (EDTF: `2023-06`,
    `2019/2020`, `2019~`, `2020/..`); anything else becomes a literal. ItemError for a
    value that is no date at all; None for an object that says nothing."""
    if isinstance(value, str):
        return parse_edtf(value) or (Date(literal=value) if value else None)
    if not isinstance(value, dict):
        raise ItemError(f"a date must be an object, found {json_type(value)}")
    parts = value.get("date-parts")
    literal = value.get("literal")
    rows = _date_rows(parts) if parts else ()
    if not rows and not isinstance(literal, str) and isinstance(value.get("raw"), str):
        return parse_edtf(value["raw"]) or Date(literal=value["raw"])
    season = _season(value.get("season"), parts if rows and rows[0].month is None else None)
    if not rows and not isinstance(literal, str) and season is None:
        return None
    circa = value.get("circa") in (True, 1, "1", "true")
    return Date(rows, season, circa, literal if isinstance(literal, str) else None)


def _season(season: Any, parts: Any) -> int | str | None:
    """`season` as given (a number 1–4 or a word), or a season in the month place (13–16,
    21–24) of the first date."""
    if season is None and isinstance(parts, list):
        return _row_season(parts[0])
    if isinstance(season, str) and season.strip().isdigit():
        return int(season)
    if isinstance(season, bool) or not isinstance(season, int | str):
        return None
    return season


def _date_rows(parts: Any) -> tuple[PartialDate, ...]:
    if not isinstance(parts, list) or len(parts) > 2:
        raise ItemError("date-parts must hold one or two dates")
    rows = []
    for row in parts:
        if not isinstance(row, list) or not 1 <= len(row) <= 3:
            raise ItemError("a row of date-parts must hold 1 to 3 numbers")
        numbers = [_date_number(p) for p in row if p != ""]
        if len(numbers) > 1 and numbers[1] in _SEASON_MONTHS:
            numbers = numbers[:1]  # a season in the month place (13–16, 21–24)
        while len(numbers) > 1 and numbers[-1] == 0:
            numbers.pop()  # `[2020, 0, 0]`: month and day unknown
        try:
            rows.append(PartialDate(*numbers) if numbers else PartialDate(0))
        except ValueError as error:
            raise ItemError(f"bad date: {error}") from None
    return tuple(rows)


def _row_season(row: Any) -> int | None:
    if isinstance(row, list) and len(row) >= 2:
        month = _date_number(row[1])
        return _SEASON_MONTHS.get(month)
    return None


def _date_number(part: Any) -> int:
    if isinstance(part, int) and not isinstance(part, bool):
        return part
    if isinstance(part, str) and part.strip().lstrip("-").isdigit():
        return int(part)
    if isinstance(part, HugeNumber):
        raise ItemError(f"a date part of {part.digits:,} digits")
    raise ItemError(f"a date part must be a number, found {json_type(part)}")


def parse_edtf(text: str) -> Date | None:
    """The EDTF forms pandoc writes and reads (`YYYY[-MM[-DD]]`, `/` ranges, `..` or empty
    open ends, a final `~` for circa); None for anything else."""
    circa = text.endswith("~")
    body = text[:-1] if circa else text
    rows = []
    season = None
    for index, piece in enumerate(body.split("/")):
        if index and piece in ("..", ""):
            rows.append(PartialDate(0))
            continue
        match = _EDTF.fullmatch(piece)
        if match is None:
            return None
        year, month, day = (int(g) if g else None for g in match.groups())
        if month in _SEASON_MONTHS and day is None and not index:
            season = _SEASON_MONTHS[month]
            month = None
        try:
            rows.append(PartialDate(year or 0, month, day))
        except ValueError:
            return None
    if not 1 <= len(rows) <= 2:
        return None
    return Date(tuple(rows), season, circa)


# --- shared helpers ------------------------------------------------------------------------


def normalised(value: dict[str, Any]) -> dict[str, Any]:
    """A date object with numeric strings as numbers and `circa: 1` as true: the same date."""
    out = dict(value)
    parts = out.get("date-parts")
    if isinstance(parts, list):
        out["date-parts"] = [[_int(p) for p in row] if isinstance(row, list) else row for row in parts]
    if "circa" in out:
        if out["circa"] in (True, 1, "1", "true"):
            out["circa"] = True
        elif out["circa"] in (False, 0, "0", "false", ""):
            del out["circa"]
    if out.get("date-parts") == [] and "literal" in out:
        del out["date-parts"]  # test-suite data and pandoc write this beside a literal
    return out


def _int(part: Any) -> Any:
    if isinstance(part, str) and part.strip().lstrip("-").isdigit():
        return int(part)
    return part
