"""The core's own bounds on hostile values: the YAML loader, the model's JSON form, the stash
and compact JSON. (The same inputs through every reader: tests/test_hostile_input.py.)"""

from __future__ import annotations

from typing import Any

import pytest

from refexport import stash
from refexport.formats import WriteOptions, records
from refexport.model import MAX_CUSTOM_NESTING, Problem, Record
from refexport.text.yaml import MAX_DEPTH, YAMLError, load_yaml


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,  # libyaml's composer recursed until the interpreter died
        "- " * 100_000 + "x",
        "a:\n" + "".join("  " * level + f"k{level}:\n" for level in range(1, MAX_DEPTH + 2)),
    ],
    ids=["flow", "block-sequence", "block-mapping"],
)
def test_yaml_nested_too_deeply_is_refused_before_it_is_composed(text: str) -> None:
    with pytest.raises(YAMLError, match=f"nested deeper than {MAX_DEPTH} levels") as caught:
        load_yaml(text)
    assert caught.value.line is not None


def test_yaml_nested_within_the_bound_loads() -> None:
    assert load_yaml("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("date: 2020-13-45", "month must be in 1..12"),  # a Jekyll post's impossible date
        ("volume: " + "9" * 5000, "4300 digits"),
    ],
)
def test_yaml_values_the_constructor_cannot_build_are_yaml_errors(text: str, message: str) -> None:
    with pytest.raises(YAMLError, match=message):
        load_yaml(text)


def _nested(depth: int) -> list[Any]:
    """A list nested `depth` levels deep: [[[]]] is 3."""
    value: list[Any] = []
    for _ in range(depth - 1):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"key": 5}, "key: text expected"),
        ({"id": ["a"]}, "id: text expected"),
        ({"type": "no-such-type"}, "unknown type"),
        ({"author": [{"family": 5}]}, "family: text expected"),
        ({"author": [5]}, "a name must be an object"),
        ({"origin": [{"file": 3}]}, "an origin is a file name"),
        ({"origin": [{"file": "a.md", "line": "7"}]}, "an origin is a file name"),
        ({"issued": {"date-parts": [["2020"]]}}, "date-parts must be rows"),
        ({"issued": {"date-parts": [[2020, 1, 1, 1]]}}, "date-parts must be rows"),
        ({"issued": {"season": [1]}}, "a season is a number or a word"),
        ({"issued": {"literal": 5}}, "issued literal: text expected"),
        ({"custom": [1]}, "custom: an object expected"),
        ({"custom": {"x": _nested(MAX_CUSTOM_NESTING + 1)}}, "nested deeper"),
    ],
)
def test_the_json_form_refuses_values_of_the_wrong_kind(data: dict[str, Any], message: str) -> None:
    """What the writers and the catalog would trip over later (an int key, a list season)."""
    with pytest.raises((TypeError, ValueError), match=message):
        Record.from_dict({"id": "a", "key": "k", **data})


def test_the_json_form_keeps_what_is_right() -> None:
    data = {
        "id": "a",
        "key": "k",
        "type": "book",
        "volume": 10**30,
        "issued": {"date-parts": [[2020, 5]], "season": "summer", "literal": "c. 2020"},
        "origin": [{"file": "a.md", "line": 3, "url": None}],
        "custom": {"bibtex:groups": ["a", {"b": [1]}]},
    }
    assert Record.from_dict(data).to_dict()["volume"] == 10**30


def test_a_deep_stash_is_a_value_error_not_a_recursion_error() -> None:
    """(A stash is read from foreign files: a BibTeX field, an OPML attribute.)"""
    with pytest.raises(ValueError):
        stash.decode('{"title":' + "[" * 100_000 + "]" * 100_000 + "}")


def test_records_write_and_read_back_integers_beyond_64_bits() -> None:
    """CSL-JSON reads a 30-digit `volume` exactly; `refexport records` must write it."""
    record = Record(id="a", key="k", type="book", variables={"volume": 10**30, "title": "一"})
    line = "".join(records.write([record], WriteOptions()))
    assert '"volume":' + str(10**30) in line
    assert records.read(line.encode(), "r.jsonl").records == [record]


def test_a_report_is_one_line_and_cannot_drive_the_terminal() -> None:
    problem = Problem("evil\nname.md", 3, "title \x1b]0;pwned\x07 \u2028 end")
    assert str(problem) == "evil\\nname.md:3: title \\x1b]0;pwned\\x07 \\u2028 end"
    assert str(Problem("a.md", "item 2 (k)", "tab\tkept")) == "a.md: item 2 (k): tab\tkept"
