"""The records format: JSON Lines of the model's JSON form."""

from __future__ import annotations

import json

from hypothesis import given, settings

from refexport import formats
from refexport.model import Record

from conftest import sample_records
from strategies import record_lists

RECORDS = formats.get("records")


def write(records: list[Record]) -> str:
    return "".join(RECORDS.write(records))


def test_one_json_object_per_line() -> None:
    text = write(sample_records())
    lines = text.splitlines()
    assert len(lines) == len(sample_records())
    assert json.loads(lines[0])["key"] == sample_records()[0].key


def test_bad_line_is_reported_and_the_rest_kept() -> None:
    good = write(sample_records()[:2]).splitlines()
    data = "\n".join([good[0], "{not json", '["a list"]', good[1]]).encode()
    result = RECORDS.read(data, "x.jsonl")
    assert [r.key for r in result.records] == [r.key for r in sample_records()[:2]]
    assert [str(p).split(": ")[0] for p in result.problems] == ["x.jsonl:2", "x.jsonl:3"]


@settings(max_examples=50, deadline=None)
@given(record_lists())
def test_round_trip(records: list[Record]) -> None:
    assert RECORDS.read(write(records).encode(), "r.jsonl").records == records
