from __future__ import annotations

from pathlib import Path

import pytest

from refexport.catalog import assemble, load, read_file
from refexport.errors import InputError
from refexport.keys import is_valid_key
from refexport.model import Origin, ReadResult, Record, record_id

CATALOG = """---
layout: post
title:  Reading list
category: misc
---

# Part one

https://example.com/a?utm_source=feed

First title

# Part two

https://EXAMPLE.com:443/a

Second caption

>a note only the second place has
"""


def _read(tmp_path: Path, text: str, name: str = "2020-1-2-list.md") -> ReadResult:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_file(path)


def test_default_catalog_has_53_records_with_unique_keys_and_ids() -> None:
    catalog = load()
    assert len(catalog.records) == 53
    assert catalog.problems == []
    assert catalog.title == "并行 & 框架 & 优化（五）——参考资料"
    assert len({r.key.lower() for r in catalog.records}) == 53
    assert len({r.id for r in catalog.records}) == 53
    assert all(is_valid_key(r.key) and r.key.isascii() for r in catalog.records)
    assert all(r.id == record_id(r.url) for r in catalog.records)


def test_default_catalog_is_identical_across_runs() -> None:
    assert [r.to_dict() for r in load().records] == [r.to_dict() for r in load().records]


def test_same_url_twice_is_one_record_keeping_every_source_and_section(tmp_path: Path) -> None:
    catalog = assemble([_read(tmp_path, CATALOG)])
    assert len(catalog.records) == 1
    record = catalog.records[0]
    assert record.url == "https://example.com/a"
    assert record.title == "First title"
    assert record.note == "a note only the second place has"
    assert record.collection == ["Reading list", "Part one"]
    assert record.also_in == [["Reading list", "Part two"]]
    assert [(s.line, s.url) for s in record.origin] == [
        (9, "https://example.com/a?utm_source=feed"),
        (15, "https://EXAMPLE.com:443/a"),
    ]


def test_keyed_records_with_one_url_stay_apart_with_distinct_ids() -> None:
    def entry(key: str) -> Record:
        return Record(
            key=key, variables={"URL": "https://example.com/x", "title": key}, origin=[Origin("a.bib", 1)]
        )

    catalog = assemble([ReadResult(records=[entry("one"), entry("two")])])
    assert [r.key for r in catalog.records] == ["one", "two"]
    assert len({r.id for r in catalog.records}) == 2


def test_missing_file_is_refused_with_its_name(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load([tmp_path / "nope.md"])
    assert str(caught.value).startswith(f"{tmp_path / 'nope.md'}: cannot read")


def test_the_same_entry_in_two_inputs_gets_two_ids_and_a_reported_key() -> None:
    def entry(file: str) -> Record:
        return Record(
            key="Smith2020", id="aaaaaaaaaaaaaaaa", variables={"title": "T"}, origin=[Origin(file, 3)]
        )

    catalog = assemble([ReadResult(records=[entry("a.bib")]), ReadResult(records=[entry("b.bib")])])
    assert len({r.id for r in catalog.records}) == 2
    assert catalog.records[0].key == "Smith2020"
    assert catalog.records[1].key.startswith("Smith2020-")
    assert [str(n) for n in catalog.notices] == [
        f"b.bib:3: key 'Smith2020' is taken (keys are case-insensitive): now {catalog.records[1].key!r}"
    ]
