"""Mapping record <-> Zotero item JSON, the offline export and its reader."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refexport import zotero
from refexport.errors import InputError
from refexport.formats import read_any, sniff
from refexport.model import CSL_TYPES, Name, PartialDate, Record, Source

from conftest import DATA, sample_records
from zotero_server import ZoteroServer, make_records

ITEM_PROPERTIES = {"key", "version", "itemType", "creators", "tags", "collections", "extra"}


def test_sample_records_round_trip_through_the_export() -> None:
    records = sample_records()
    text = zotero.export_json(records, "Catalog")
    result = zotero.read(text.encode(), "zotero.json")
    assert result.problems == []
    assert result.records == records
    assert result.title == "Catalog"


def test_registry_sniffs_and_reads_the_export() -> None:
    text = zotero.export_json(sample_records(), "Catalog").encode()
    assert sniff(text, "exports/zotero.json") == "zotero"
    assert read_any(text, "exports/zotero.json").records == sample_records()


@pytest.mark.parametrize(
    ("csl_type", "item_type", "container_field"),
    [
        ("webpage", "webpage", "websiteTitle"),
        ("post-weblog", "blogPost", "blogTitle"),
        ("post", "forumPost", "forumTitle"),
        ("software", "computerProgram", None),
        ("article-journal", "journalArticle", "publicationTitle"),
        ("book", "book", None),
    ],
)
def test_item_type_and_container_field(csl_type: str, item_type: str, container_field: str | None) -> None:
    record = Record(id="abc", key="k1", type=csl_type, title="T", url="https://x.org/", container="C")
    item = zotero.record_to_item(record, "Catalog")
    assert item["itemType"] == item_type
    if container_field:
        assert item[container_field] == "C"
    assert zotero.item_to_record(item).container == "C"


def test_only_fields_valid_for_the_item_type_are_written() -> None:
    for record in [*sample_records(), *make_records(8)]:
        item = zotero.record_to_item(record, "Catalog")
        valid = set(zotero.schema().item_types[item["itemType"]].fields)
        assert set(item) - ITEM_PROPERTIES <= valid, item["itemType"]


def test_software_has_no_language_field_and_keeps_it_in_the_stash() -> None:
    record = sample_records()[3]
    item = zotero.record_to_item(record, "Catalog")
    assert item["itemType"] == "computerProgram"
    assert "language" not in item
    assert '"language": "en"' in item["extra"]
    assert zotero.item_to_record(item, {}).language == "en"


def test_creators_literal_names_use_the_single_name_field() -> None:
    record = Record(
        id="x", key="k", title="t", authors=[Name(literal="张三"), Name(family="McAuthor", given="Sam")]
    )
    item = zotero.record_to_item(record, "Catalog")
    assert item["creators"] == [
        {"creatorType": "author", "name": "张三"},
        {"creatorType": "author", "firstName": "Sam", "lastName": "McAuthor"},
    ]
    software = zotero.record_to_item(Record(id="y", type="software", authors=[Name(literal="iovisor")]), "C")
    assert software["creators"] == [{"creatorType": "programmer", "name": "iovisor"}]


def test_extra_carries_id_and_citation_key_and_iso_access_date() -> None:
    record = sample_records()[0]
    item = zotero.record_to_item(record, "Catalog")
    lines = item["extra"].split("\n")
    assert lines[0] == f"Citation Key: {record.key}"
    assert lines[1] == f"refexport-id: {record.id}"
    assert item["accessDate"] == "2023-06-15"
    assert {"tag": zotero.MARKER_TAG} in item["tags"]
    assert item["key"] == zotero.item_key(record.id)


def test_keys_are_deterministic_and_valid() -> None:
    keys = {zotero.item_key(f"id{i}") for i in range(2000)}
    assert len(keys) == 2000
    assert all(len(k) == 8 and set(k) <= set(zotero.KEY_ALPHABET) for k in keys)
    assert zotero.item_key("same") == zotero.item_key("same")
    assert zotero.collection_key(["A", "B"]) != zotero.collection_key(["A/B"])
    # cached per path, whatever sequence type the path comes in
    assert zotero.collection_key(("A", "B")) == zotero.collection_key(["A", "B"])
    assert zotero.collection_key(["A", "B"]) == zotero.object_key("collection", '["A", "B"]')


def test_collection_tree_mirrors_sections_and_also_in() -> None:
    records = sample_records()
    specs = zotero.collection_tree(records, "Top")
    paths = [s.path for s in specs]
    assert paths[0] == ("Top",)
    assert ("Top", "并行 & 框架 & 优化", "Sub") in paths
    assert ("Top", "Other section") in paths
    for spec in specs:
        if spec.parent:
            assert spec.parent == zotero.collection_key(spec.path[:-1])
            assert paths.index(spec.path[:-1]) < paths.index(spec.path)  # parents first
    item = zotero.record_to_item(records[1], "Top")
    assert item["collections"] == [
        zotero.collection_key(("Top", "并行 & 框架 & 优化", "Sub")),
        zotero.collection_key(("Top", "Other section")),
    ]


def test_foreign_zotero_items_keep_every_field() -> None:
    data = (DATA / "zotero" / "quick_start_item.json").read_bytes()
    result = zotero.read(data, "quick_start_item.json")
    assert result.problems == []
    webpage, book = result.records
    assert webpage.title == "Zotero Quick Start Guide"
    assert webpage.container == "Zotero"
    assert webpage.authors == [Name(literal="Center for History and New Media")]
    assert webpage.accessed == PartialDate(2014, 6, 12)
    assert webpage.extra["zotero:accessDate"] == "2014-06-12T21:28:55Z"
    assert "zotero:dateAdded" not in webpage.extra  # server bookkeeping, not part of the citation
    assert book.key == "mcauthor2001"
    assert book.publisher == "Pub"
    assert book.extra["zotero:place"] == "Boston"
    assert book.extra["zotero:ISBN"] == "978-0-00-000000-0"
    assert book.extra["zotero:extra"] == "Original Date: 1824"
    assert book.authors == [Name(family="McAuthor", given="Sam")]
    assert book.extra["zotero:creators"][1] == {"creatorType": "editor", "name": "John T. Singlefield"}
    # written back natively, and read again unchanged
    items = [zotero.record_to_item(r, "Catalog") for r in result.records]
    assert items[0]["accessDate"] == "2014-06-12T21:28:55Z"
    assert items[1]["place"] == "Boston" and items[1]["ISBN"] == "978-0-00-000000-0"
    assert items[1]["creators"][1]["creatorType"] == "editor"
    assert items[1]["extra"].endswith("Original Date: 1824")
    again = zotero.read(zotero.export_json(result.records, "Catalog").encode(), "again.json")
    assert again.records == result.records


def test_bad_input_names_the_file_and_item() -> None:
    with pytest.raises(InputError) as error:
        zotero.read(b'{"items": [\n  {"itemType": "webpage",\n}', "bad.json")
    assert str(error.value).startswith("bad.json:3:")
    with pytest.raises(InputError, match=r"bad\.json"):
        zotero.read(b'{"nothing": 1}', "bad.json")
    good = zotero.record_to_item(sample_records()[0], "Catalog")
    mixed = json.dumps([good, {"title": "no type"}, {"itemType": "webpage", "creators": "oops"}, 7]).encode()
    result = zotero.read(mixed, "mixed.json")
    assert result.records == [sample_records()[0]]
    assert [str(p) for p in result.problems] == [
        "mixed.json: item 2: not a Zotero item (no itemType)",
        "mixed.json: item 3 (?): bad item: creators is not a list",
        "mixed.json: item 4: not a Zotero item (no itemType)",
    ]


def test_the_loopback_server_accepts_every_exported_object() -> None:
    """The export is valid Zotero API JSON: the server's per-object validation takes it all."""
    server = ZoteroServer()
    exported = zotero.export_objects([*sample_records(), *make_records(40)], "Catalog")
    result = server.write_objects("collections", exported["collections"], None)
    assert result["failed"] == {}
    result = server.write_objects("items", exported["items"], None)
    assert result["failed"] == {}
    assert len(server.library.items) == len(exported["items"])


text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=12)
maybe_text = st.none() | text
names = st.builds(Name, family=maybe_text, given=maybe_text, literal=maybe_text, suffix=st.none() | text)
dates = st.builds(PartialDate, st.integers(1, 2999), st.none() | st.integers(1, 12))
paths = st.lists(text, min_size=1, max_size=3)
records = st.builds(
    Record,
    id=st.text(string.hexdigits, max_size=16) | text,
    key=text,
    type=st.sampled_from(sorted(CSL_TYPES)),
    title=maybe_text,
    url=maybe_text,
    authors=st.lists(names, max_size=3),
    container=maybe_text,
    publisher=maybe_text,
    language=maybe_text,
    issued=st.none() | dates,
    accessed=st.none() | dates,
    note=maybe_text,
    tags=st.lists(text, max_size=3),
    collection=st.just([]) | paths,
    also_in=st.lists(paths, max_size=2),
    source=st.lists(st.builds(Source, text, st.none() | st.integers(1, 10**6), maybe_text), max_size=2),
    extra=st.dictionaries(
        st.sampled_from(["zotero:rights", "zotero:extra", "zotero:DOI", "bibtex:journal", "csl:volume", "x"]),
        text,
        max_size=3,
    ),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(records, max_size=4), text)
def test_round_trip_property(generated: list[Record], top: str) -> None:
    exported = zotero.export_json(generated, top or "Catalog")
    assert zotero.read(exported.encode(), "p.json").records == generated
