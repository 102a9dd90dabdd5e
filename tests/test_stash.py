"""The stash: the one way every format keeps what it cannot hold natively."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from refexport import stash
from refexport.model import Record

from conftest import sample_records
from strategies import records


@settings(max_examples=100, deadline=None)
@given(records(), records())
def test_applying_the_delta_gives_back_the_record(record: Record, read_back: Record) -> None:
    kept = stash.decode(stash.encode(stash.delta(record, read_back)))
    assert stash.apply(read_back, kept) == record


def test_a_record_the_format_holds_exactly_needs_no_stash() -> None:
    record = sample_records()[4]
    assert stash.delta(record, sample_records()[4]) == {}


def test_the_delta_holds_only_what_differs() -> None:
    record = sample_records()[4]
    read_back = sample_records()[4]
    read_back.collection = []
    del read_back.variables["ISSN"]
    read_back.variables["note"] = "added by the format"
    assert stash.delta(record, read_back) == {
        "ISSN": "0028-0836",
        "collection": ["Catalog", "Papers"],
        "-": ["note"],
    }


@pytest.mark.parametrize("text", ["[1]", "nonsense", '"x"'])
def test_a_stash_that_is_not_an_object_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        stash.decode(text)


def test_applying_leaves_the_read_back_record_unchanged_and_checks_shapes() -> None:
    read_back = sample_records()[4]
    applied = stash.apply(read_back, {"tags": ["x"], "-": ["ISSN", "origin"]})
    assert applied.tags == ["x"] and "ISSN" not in applied.variables and applied.origin == []
    assert read_back == sample_records()[4]
    with pytest.raises((ValueError, TypeError)):
        stash.apply(read_back, {"tags": "not a list"})
    with pytest.raises(ValueError):
        stash.apply(read_back, {"no-such-field": 1})


def test_every_value_a_record_can_hold_is_encoded() -> None:
    # orjson refuses these two; the stash must not
    kept = {"note": "lone \ud800 surrogate", "volume": 10**30}
    assert stash.decode(stash.encode(kept)) == kept
