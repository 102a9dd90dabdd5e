from __future__ import annotations

import json

import pytest
from hypothesis import given, settings

from refexport.model import DOCUMENTED_FIELDS, RECORD_FIELDS, Name, PartialDate, Record, record_id

from conftest import sample_records
from strategies import records


def test_partial_date_iso_and_parts() -> None:
    assert PartialDate(2023).iso() == "2023"
    assert PartialDate(2023, 6).iso() == "2023-06"
    assert PartialDate(2023, 6, 5).iso() == "2023-06-05"
    assert PartialDate(2023, 6, 5).parts() == [2023, 6, 5]
    assert PartialDate.parse("2015-1-8") == PartialDate(2015, 1, 8)


@pytest.mark.parametrize("bad", ["2023-13", "2023-02-40", "June 2023", ""])
def test_partial_date_rejects_bad_text(bad: str) -> None:
    with pytest.raises(ValueError):
        PartialDate.parse(bad)


def test_day_needs_month() -> None:
    with pytest.raises(ValueError):
        PartialDate(2023, None, 5)


def test_name_to_dict_uses_csl_keys() -> None:
    name = Name(family="Gogh", given="Vincent", non_dropping_particle="van")
    assert name.to_dict() == {"family": "Gogh", "given": "Vincent", "non-dropping-particle": "van"}
    assert Name.from_dict(name.to_dict()) == name
    assert name.display() == "Vincent van Gogh"


def test_record_id_depends_only_on_the_url() -> None:
    assert record_id("https://a.example/x") == record_id("https://a.example/x", "other")
    assert record_id("https://a.example/x") != record_id("https://a.example/y")
    assert len(record_id(None, "key")) == 16


def test_to_dict_field_order_starts_with_the_documented_fields() -> None:
    fields = list(sample_records()[0].to_dict())
    assert tuple(fields[:13]) == DOCUMENTED_FIELDS
    assert set(fields) == set(RECORD_FIELDS)


@settings(max_examples=100, deadline=None)
@given(records())
def test_dict_round_trip_through_json(record: Record) -> None:
    assert Record.from_dict(json.loads(json.dumps(record.to_dict()))) == record
