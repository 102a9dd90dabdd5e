"""What a reader says about a bad CSL item, and the JSON values that need saying."""

from __future__ import annotations

from typing import Any


class InexactNumberError(Exception):
    """An integer beyond 64 bits was read as a float: the file must be parsed exactly."""


class ItemError(ValueError):
    """One item cannot be read; the reader reports it as a problem naming the item."""


class HugeNumber:
    """A JSON integer too long to convert (Python refuses more than 4,300 digits): kept as
    its length so that the item holding it can be reported, not the whole file refused."""

    __slots__ = ("digits",)

    def __init__(self, digits: int) -> None:
        self.digits = digits

    def __repr__(self) -> str:
        return f"<number of {self.digits} digits>"


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float | HugeNumber):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
