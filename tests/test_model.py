"""The record model: CSL variables, dates, names, and its JSON form."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings

from refexport.model import (
    CSL_TYPES,
    DATE_VARIABLES,
    NAME_VARIABLES,
    NUMBER_VARIABLES,
    TEXT_VARIABLES,
    Date,
    Name,
    PartialDate,
    Record,
    record_id,
)

from conftest import DATA, sample_records
from strategies import records

# Variables the model keeps as refexport's own fields, or as the modern spelling.
_NOT_VARIABLES = {"id", "type", "citation-key", "keyword", "custom", "categories", "journalAbbreviation",
                  "shortTitle", "locator", "citation-number", "first-reference-note-number",
                  "citation-label", "year-suffix"}  # fmt: skip


def test_variable_tables_are_the_official_csl_schema() -> None:
    schema = json.loads((DATA / "csl" / "csl-data.json").read_text(encoding="utf-8"))
    properties = schema["items"]["properties"]
    assert set(properties["type"]["enum"]) == CSL_TYPES
    by_kind: dict[str, set[str]] = {"name": set(), "date": set(), "number": set(), "text": set()}
    for variable, spec in properties.items():
        if variable in _NOT_VARIABLES:
            continue
        spelled = json.dumps(spec)
        if "name-variable" in spelled:
            by_kind["name"].add(variable)
        elif "date-variable" in spelled:
            by_kind["date"].add(variable)
        elif spec.get("type") == ["string", "number"]:
            by_kind["number"].add(variable)
        else:
            by_kind["text"].add(variable)
    assert by_kind == {
        "name": NAME_VARIABLES,
        "date": DATE_VARIABLES,
        "number": NUMBER_VARIABLES,
        "text": TEXT_VARIABLES,
    }


def test_partial_date_iso_and_parts() -> None:
    assert PartialDate(2023).iso() == "2023"
    assert PartialDate(2023, 6).iso() == "2023-06"
    assert PartialDate(2023, 6, 5).iso() == "2023-06-05"
    assert PartialDate(-50).iso() == "-0050"
    assert PartialDate(2023, 6, 5).parts() == [2023, 6, 5]
    assert PartialDate.parse("2015-1-8") == PartialDate(2015, 1, 8)


@pytest.mark.parametrize("bad", ["2023-13", "2023-02-40", "June 2023", ""])
def test_partial_date_rejects_bad_text(bad: str) -> None:
    with pytest.raises(ValueError):
        PartialDate.parse(bad)


def test_day_needs_month_and_years_are_bounded() -> None:
    with pytest.raises(ValueError):
        PartialDate(2023, None, 5)
    with pytest.raises(ValueError):
        PartialDate(10**6)


@pytest.mark.parametrize(
    ("date", "iso", "csl"),
    [
        (Date.of(2023, 6, 15), "2023-06-15", {"date-parts": [[2023, 6, 15]]}),
        (Date((PartialDate(2020), PartialDate(2021))), "2020/2021", {"date-parts": [[2020], [2021]]}),
        (Date((PartialDate(2020), PartialDate(0))), "2020/..", {"date-parts": [[2020], [0]]}),
        (Date((PartialDate(2019),), circa=True), "2019~", {"date-parts": [[2019]], "circa": True}),
        (Date((PartialDate(2020),), season=1), "2020-21", {"date-parts": [[2020]], "season": 1}),
        (Date(literal="民国二十年"), None, {"literal": "民国二十年"}),
    ],
)
def test_dates_in_edtf_and_csl(date: Date, iso: str | None, csl: dict[str, object]) -> None:
    assert date.iso() == iso
    assert date.to_csl() == csl
    assert Date.from_csl(csl) == date


def test_an_empty_date_is_refused() -> None:
    with pytest.raises(ValueError):
        Date()


def test_name_to_dict_uses_csl_keys() -> None:
    name = Name(family="Gogh", given="Vincent", non_dropping_particle="van", comma_suffix=True)
    assert name.to_dict() == {
        "family": "Gogh",
        "given": "Vincent",
        "non-dropping-particle": "van",
        "comma-suffix": True,
    }
    assert Name.from_dict(name.to_dict()) == name
    assert name.display() == "Vincent van Gogh"


def test_record_id_depends_only_on_the_url() -> None:
    assert record_id("https://a.example/x") == record_id("https://a.example/x", "other")
    assert record_id("https://a.example/x") != record_id("https://a.example/y")
    assert len(record_id(None, "key")) == 16


def test_named_accessors_are_the_csl_variables() -> None:
    record = Record()
    record.url = "https://a.example"
    record.container = "Blog"
    record.authors = [Name(literal="机器之心")]
    record.issued = Date.of(2020)
    assert record.variables == {
        "URL": "https://a.example",
        "container-title": "Blog",
        "author": [Name(literal="机器之心")],
        "issued": Date.of(2020),
    }
    record.container = None
    record.authors = []
    assert "container-title" not in record.variables and "author" not in record.variables


def test_to_dict_speaks_csl_with_identifying_variables_first() -> None:
    data = sample_records()[4].to_dict()
    assert list(data)[:5] == ["id", "key", "type", "title", "author"]
    assert data["issued"] == {"date-parts": [[2020, 5], [2020, 6]]}
    assert data["author"][1] == {"family": "Heuvel", "given": "Charles", "dropping-particle": "van den"}
    assert list(data)[-5:] == ["tags", "collection", "also_in", "origin", "custom"]


@pytest.mark.parametrize(
    "bad",
    [{"author": "Smith"}, {"issued": "2020"}, {"title": 3}, {"unknown-variable": "x"}, {"tags": "a,b"}],
)
def test_from_dict_refuses_bad_shapes(bad: dict[str, object]) -> None:
    with pytest.raises((ValueError, TypeError)):
        Record.from_dict(bad)


@settings(max_examples=100, deadline=None)
@given(records())
def test_dict_round_trip_through_json(record: Record) -> None:
    assert Record.from_dict(json.loads(json.dumps(record.to_dict()))) == record
