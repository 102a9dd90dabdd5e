"""Zotero Web API JSON (zotero.json): the record <-> item mapping from the Zotero schema, the
offline export, and its reader."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from refexport import formats
from refexport.errors import InputError
from refexport.formats.zotero.schema import schema
from refexport.model import Date, Name, Origin, PartialDate, Record, record_id

from conftest import DATA, sample_records
from strategies import record_lists
from zotero_server import ZoteroServer, make_records, synthetic_records

ZOTERO = formats.get("zotero")
ITEM_PROPERTIES = {"key", "version", "itemType", "creators", "tags", "collections", "relations"}


def export(records: list[Record], title: str = "Catalog", **settings: Any) -> dict[str, Any]:
    options = formats.WriteOptions(title, settings)
    document: dict[str, Any] = json.loads("".join(ZOTERO.write(records, options)))
    document["notices"] = [str(p) for p in options.notices]
    return document


def items_of(records: list[Record]) -> list[dict[str, Any]]:
    return export(records)["items"]  # type: ignore[no-any-return]


def read_back(records: list[Record], title: str = "Catalog") -> formats.ReadResult:
    text = "".join(ZOTERO.write(records, formats.WriteOptions(title)))
    return ZOTERO.read(text.encode("utf-8"), "zotero.json")


def test_sample_and_synthetic_records_round_trip() -> None:
    for records in (sample_records(), synthetic_records(), make_records(30)):
        result = read_back(records)
        assert result.problems == []
        assert result.records == records
    assert read_back(sample_records()).title == "Catalog"


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record_lists())
def test_arbitrary_records_round_trip_through_json_and_rdf(records: list[Record]) -> None:
    """Both Zotero formats on the same generated records (generating them is the costly part)."""
    result = read_back(records, "Top")
    assert result.problems == []
    assert result.records == records
    rdf = formats.get("zotero-rdf")
    text = "".join(rdf.write(records, formats.WriteOptions("Top")))
    result = rdf.read(text.encode("utf-8"), "zotero.rdf")
    assert result.problems == []
    assert result.records == records


def test_registry_detects_and_reads_the_export() -> None:
    text = "".join(ZOTERO.write(sample_records(), formats.WriteOptions("Catalog"))).encode()
    assert formats.detect(text, "exports/zotero.json").name == "zotero"
    assert formats.read_input(text, "exports/zotero.json").records == sample_records()


@pytest.mark.parametrize(
    ("csl_type", "item_type", "container_field"),
    [
        ("webpage", "webpage", "websiteTitle"),
        ("post-weblog", "blogPost", "blogTitle"),
        ("post", "forumPost", "forumTitle"),
        ("article-journal", "journalArticle", "publicationTitle"),
        ("article-newspaper", "newspaperArticle", "publicationTitle"),
        ("entry-encyclopedia", "encyclopediaArticle", "encyclopediaTitle"),
        ("chapter", "bookSection", "bookTitle"),
        ("paper-conference", "conferencePaper", "proceedingsTitle"),
    ],
)
def test_item_type_and_container_field_come_from_the_schema(
    csl_type: str, item_type: str, container_field: str
) -> None:
    record = Record(id="a", key="k1", type=csl_type, variables={"title": "T", "container-title": "C"})
    (item,) = items_of([record])
    assert item["itemType"] == item_type
    assert item[container_field] == "C"


def test_only_fields_of_the_item_type_are_written() -> None:
    for item in items_of([*sample_records(), *synthetic_records(), *make_records(8)]):
        valid = set(schema().item_types[item["itemType"]].fields)
        assert set(item) - ITEM_PROPERTIES <= valid, item["itemType"]
        assert all(value != "" for value in item.values()), item  # no empty fields (`"publisher": ""`)


def test_every_csl_variable_with_a_field_goes_into_it() -> None:
    article, book, software, blog, _, page, *_ = items_of(synthetic_records())
    assert {k: article[k] for k in ("DOI", "volume", "issue", "pages", "ISSN", "abstractNote")} == {
        "DOI": "10.1000/xyz123",
        "volume": "12",
        "issue": "3",
        "pages": "45-67",
        "ISSN": "1234-5678",
        "abstractNote": "On particles.",
    }
    assert article["journalAbbreviation"] == "J. Names"
    assert article["date"] == "2020-05-01" and article["accessDate"] == "2024-01-02"
    assert {k: book[k] for k in ("place", "edition", "ISBN", "publisher", "series", "numPages")} == {
        "place": "Reading, MA",
        "edition": "3",
        "ISBN": "978-0-201-89683-1",
        "publisher": "Addison-Wesley",
        "series": "Computer Science",
        "numPages": "672",
    }
    assert software["versionNumber"] == "0.29.1"
    assert page["DOI"] == "10.5555/web.1" and page["websiteTitle"] == "Example.com"
    assert "publisher" not in blog  # blog posts have no publisher field: an Extra line (below)


def test_creators_keep_particles_suffixes_and_single_field_names() -> None:
    (article, *_) = items_of(synthetic_records())
    assert article["creators"] == [
        {"creatorType": "author", "firstName": "Anna", "lastName": "van der Berg"},
        {"creatorType": "author", "firstName": "Jean de", "lastName": "La Fontaine"},
        {"creatorType": "author", "firstName": "John, Jr.", "lastName": "Smith"},
        {"creatorType": "author", "name": "World Health Organization"},
        {"creatorType": "author", "firstName": "三", "lastName": "张"},
        {"creatorType": "author", "name": "机器之心"},
        {"creatorType": "editor", "firstName": "Jane", "lastName": "Doe"},
    ]
    software = next(i for i in items_of(synthetic_records()) if i["itemType"] == "computerProgram")
    assert software["creators"] == [{"creatorType": "programmer", "name": "iovisor"}]


@pytest.mark.parametrize(
    ("creator", "name"),
    [
        (
            {"lastName": "van der Berg", "firstName": "Anna"},
            Name(family="Berg", given="Anna", non_dropping_particle="van der"),
        ),
        (
            {"lastName": "d'Alembert", "firstName": "Jean"},
            Name(family="Alembert", given="Jean", non_dropping_particle="d'"),
        ),
        (
            {"lastName": "La Fontaine", "firstName": "Jean de"},
            Name(family="La Fontaine", given="Jean", dropping_particle="de"),
        ),
        ({"lastName": "Smith", "firstName": "John, Jr."}, Name(family="Smith", given="John", suffix="Jr.")),
        (
            {"lastName": "Smith", "firstName": "John,! Jr."},
            Name(family="Smith", given="John", suffix="Jr.", comma_suffix=True),
        ),
        ({"lastName": '"van Gogh"', "firstName": "Vincent"}, Name(family="van Gogh", given="Vincent")),
        ({"lastName": "van Gogh", "firstName": ""}, Name(family="van Gogh")),
        ({"lastName": "张", "firstName": "三"}, Name(family="张", given="三")),
        ({"name": "World Health Organization"}, Name(literal="World Health Organization")),
    ],
)
def test_foreign_creators_read_as_zotero_cites_them(creator: dict[str, str], name: Name) -> None:
    """A Zotero item's names as Zotero's own CSL export reads them (particle rules of
    citeproc-js; a quoted last name is kept whole)."""
    item = {"itemType": "book", "title": "T", "creators": [{"creatorType": "author", **creator}]}
    (record,) = ZOTERO.read(json.dumps([item]).encode(), "lib.json").records
    assert record.authors == [name]


def test_variables_without_a_field_become_extra_lines_zotero_reads() -> None:
    article, _, software, blog, _, _, video, review = items_of(synthetic_records())
    assert article["extra"] == "Citation Key: berg2020particles\nRead for the particle rules."
    assert software["extra"] == "Citation Key: github_iovisor_bcc\nContainer Title: GitHub\nLanguage: en"
    assert blog["extra"] == "Citation Key: blog_zero_copy\nPublisher: Example Press\n第一行\n第二行"
    # a range: Zotero's date field takes the first day, an Extra `Issued:` line (which
    # overrides the field in Zotero's CSL export) all of it
    assert video["date"] == "2022-07"
    assert video["extra"].split("\n")[1:] == ["Container Title: 哔哩哔哩", "Issued: 2022-07/2022-08"]
    assert review["itemType"] == "document"  # no Zotero type for CSL's review-book
    assert review["extra"].split("\n")[1:] == [
        "Type: review-book",
        "Reviewed Title: The Art of Computer Programming",
    ]
    editor = Record(
        id="e",
        key="k",
        type="webpage",
        variables={"editor": [Name(family="Berg", given="A", non_dropping_particle="van")]},
    )
    assert items_of([editor])[0]["extra"] == "Citation Key: k\nEditor: van Berg || A"
    assert read_back([editor]).records == [editor]


def test_nothing_of_refexport_is_inside_an_item() -> None:
    """No bookkeeping JSON or private lines, no marker tag, no zero-width characters: the
    stash lives beside the items, where the API and Zotero never look."""
    records = [*sample_records(), *synthetic_records(), *make_records(20)]
    document = export(records)
    items = json.dumps(document["items"], ensure_ascii=False)
    for leak in ("refexport", "\u200b", "\ufeff", "XXXX", '{\\"'):
        assert leak not in items
    assert set(document) == {"collections", "items", "refexport", "notices"}
    assert all(
        set(stash) <= {"id", "collection", "also_in", "custom", "origin"}
        for stash in document["refexport"].values()
    )


def test_catalog_records_stash_only_their_origin_and_none_without_one() -> None:
    records = make_records(12)
    assert "refexport" not in export(records)  # nothing to keep: no stash at all
    with_origin = make_records(3)
    for record in with_origin:
        record.origin = [Origin("list.md", 7, record.url)]
    assert [list(s) for s in export(with_origin)["refexport"].values()] == [["origin"]] * 3


def test_access_dates_the_api_refuses_become_extra_lines_with_a_notice() -> None:
    record = Record(
        id="x",
        key="bc",
        variables={"title": "Old", "accessed": Date.of(-50, 3, 1), "issued": Date.of(-50)},
        origin=[Origin("old.md", 4)],
    )
    document = export([record])
    (item,) = document["items"]
    assert "accessDate" not in item
    assert "date" not in item
    assert item["extra"].split("\n")[1:] == ["Issued: -0050", "Accessed: -0050-03-01"]
    assert any(n.startswith("old.md:4: access date -0050-03-01") for n in document["notices"])
    assert read_back([record]).records == [record]


def test_what_the_api_refuses_is_written_with_a_notice_naming_the_origin() -> None:
    long_tag = Record(
        id="t", key="t", variables={"title": "T"}, tags=["x" * 300], origin=[Origin("j.bib", 12)]
    )
    long_title = Record(id="u", key="u", variables={"title": "长" * 30000}, origin=[Origin("a.md", 3)])
    document = export([long_tag, long_title], collection="c" * 300)
    assert len(document["items"]) == 2
    notices = document["notices"]
    assert any(n.startswith("j.bib:12: tag 'xxx") and "300 characters" in n for n in notices)
    assert any(n.startswith("a.md:3: title has 90,000 bytes") for n in notices)
    assert any("collection name" in n and "300 characters" in n for n in notices)


def test_foreign_zotero_items_keep_every_field() -> None:
    data = (DATA / "zotero" / "quick_start_item.json").read_bytes()
    result = ZOTERO.read(data, "quick_start_item.json")
    assert result.problems == []
    webpage, book = result.records
    assert webpage.title == "Zotero Quick Start Guide" and webpage.container == "Zotero"
    assert webpage.authors == [Name(literal="Center for History and New Media")]
    assert webpage.accessed == Date.of(2014, 6, 12)
    assert webpage.custom == {"zotero:accessDate": "2014-06-12T21:28:55Z", "zotero:key": "ABCD2345"}
    assert book.key == "mcauthor2001"
    assert (book.publisher, book.variables["publisher-place"], book.variables["ISBN"]) == (
        "Pub",
        "Boston",
        "978-0-00-000000-0",
    )
    assert book.variables["original-date"] == Date.of(1824)  # an Extra line Zotero reads
    assert book.variables["editor"] == [Name(literal="John T. Singlefield")]
    assert book.tags == ["history"]
    # written back natively (the original date into the field book items have), read again unchanged
    items = items_of(result.records)
    assert items[0]["accessDate"] == "2014-06-12T21:28:55Z" and items[0]["key"] == "ABCD2345"
    assert items[1]["place"] == "Boston" and items[1]["originalDate"] == "1824"
    assert items[1]["creators"][1] == {"creatorType": "editor", "name": "John T. Singlefield"}
    assert read_back(result.records).records == result.records


def test_fields_without_a_csl_variable_are_kept_as_zotero_fields() -> None:
    item = {
        "itemType": "patent",
        "title": "A patent",
        "country": "DE",
        "rights": "CC-BY",
        "creators": [{"creatorType": "attorneyAgent", "firstName": "Ann", "lastName": "Lee"}],
        "relations": {"dc:relation": "http://zotero.org/users/1/items/ABCD2345"},
    }
    (record,) = ZOTERO.read(json.dumps([item]).encode(), "lib.json").records
    assert record.custom["zotero:country"] == "DE" and record.custom["zotero:rights"] == "CC-BY"
    (again,) = items_of([record])
    assert again["country"] == "DE" and again["rights"] == "CC-BY" and again["relations"] == item["relations"]
    assert again["creators"] == item["creators"]


def test_legacy_bookkeeping_of_old_exports_is_not_read_as_a_note() -> None:
    old = {
        "itemType": "webpage",
        "title": "Old",
        "url": "https://example.org/old",
        "tags": [{"tag": "a"}, {"tag": "refexport"}],
        "extra": 'Citation Key: old-k\nrefexport-id: 123\nrefexport-data: {"tags": ["a"]}\nmy own line',
    }
    (record,) = ZOTERO.read(json.dumps([old]).encode(), "old.json").records
    assert (record.key, record.note, record.tags) == ("old-k", "my own line", ["a"])


def test_bad_input_names_the_file_and_item() -> None:
    with pytest.raises(InputError) as error:
        ZOTERO.read(b'{"items": [\n  {"itemType": "webpage",\n}', "bad.json")
    assert str(error.value).startswith("bad.json:3:")
    with pytest.raises(InputError, match=r"bad\.json"):
        ZOTERO.read(b'{"nothing": 1}', "bad.json")
    good = {"itemType": "webpage", "title": "Good", "url": "https://example.org/"}
    note = {"itemType": "note", "note": "<p>x</p>"}
    mixed = [good, {"title": "no type"}, {"itemType": "webpage", "creators": "oops"}, 7, note]
    result = ZOTERO.read(json.dumps(mixed).encode(), "mixed.json")
    assert [r.title for r in result.records] == ["Good"]
    assert result.records[0].id == record_id("https://example.org/", "")
    assert [str(p) for p in result.problems] == [
        "mixed.json: item 2: not a Zotero item (no itemType)",
        "mixed.json: item 3 (?): bad item: creators is not a list",
        "mixed.json: item 4: not a Zotero item (no itemType)",
        "mixed.json: item 5: skipped a note (not a citation)",
    ]


def test_the_loopback_server_accepts_every_exported_object() -> None:
    """The export is valid Zotero API JSON: the server's per-object validation (schema
    fields per type, creator types, accessDate forms) takes all of it."""
    server = ZoteroServer()
    document = export([*sample_records(), *synthetic_records(), *make_records(40)])
    assert server.write_objects("collections", document["collections"], None)["failed"] == {}
    assert server.write_objects("items", document["items"], None)["failed"] == {}
    assert len(server.library.items) == len(document["items"])


def test_dates_in_every_csl_form_survive() -> None:
    dates = [
        Date.of(2020),
        Date((PartialDate(2020, 5), PartialDate(2020, 6))),
        Date((PartialDate(2019),), circa=True),
        Date((PartialDate(2020),), season=1),
        Date((PartialDate(2020, 1, 2), PartialDate(0))),
        Date(literal="Spring term, 1999"),
    ]
    records = [Record(id=str(i), key=f"d{i}", variables={"issued": d}) for i, d in enumerate(dates)]
    items = items_of(records)
    assert [i["date"] for i in items] == [
        "2020",
        "2020-05",
        "2019",
        "2020",
        "2020-01-02",
        "Spring term, 1999",
    ]
    assert [i["extra"].split("\n")[1:] for i in items] == [
        [],
        ["Issued: 2020-05/2020-06"],
        ["Issued: 2019~"],
        ["Issued: 2020-21"],
        ["Issued: 2020-01-02/.."],
        [],
    ]
    assert read_back(records).records == records


@pytest.mark.parametrize(
    "data",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'[{"itemType": "book", "volume": ' + b"9" * 5000 + b"}]",
        b'{"items": [], "refexport": {"AAAAAAAA": ' + b"[" * 50_000 + b"]" * 50_000 + b"}}",
    ],
    ids=["deep nesting", "a 5,000-digit number", "deep stash"],
)
def test_hostile_json_is_refused_in_one_line(data: bytes) -> None:
    with pytest.raises(InputError, match=r"^hostile\.json: not JSON refexport can read"):
        ZOTERO.read(data, "hostile.json")
