"""OPML reading list and reader: round trips over the full model, the outline mapping,
foreign files, hostile input, and listparser and newsboat as real clients."""

from __future__ import annotations

import json
import os
import subprocess
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import listparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refexport import formats
from refexport.catalog import assemble
from refexport.errors import InputError
from refexport.formats import WriteOptions, opml
from refexport.model import Date, Name, Origin, PartialDate, ReadResult, Record, record_id
from refexport.text.xml import XML_ILLEGAL

from conftest import DATA, require_tool, sample_records, shared_corpus
from strategies import record_lists, records, urls

OPML_DATA = DATA / "opml"
STASH = f"{{{opml.NAMESPACE}}}stash"


def write(records: list[Record], title: str | None = None, **settings: object) -> str:
    return "".join(opml.write(records, WriteOptions(title, settings)))


def read_text(text: str, name: str = "test.opml") -> ReadResult:
    return opml.read(text.encode("utf-8"), name)


def corpus(name: str) -> ReadResult:
    return opml.read((OPML_DATA / name).read_bytes(), name)


def outlines(text: str) -> list[ElementTree.Element]:
    return list(ElementTree.fromstring(text.encode("utf-8")).iter("outline"))


def links(text: str) -> list[ElementTree.Element]:
    return [o for o in outlines(text) if o.get("url") or o.get("xmlUrl")]


def plain_record(**variables: object) -> Record:
    """A record the reading list holds natively (as an own file reads it back)."""
    url = str(variables.get("URL", "https://a.example/x"))
    record = Record(id=record_id(url), collection=["Catalog", "Section"])
    record.variables.update({"URL": url, **variables})  # type: ignore[dict-item]
    return record


# ---------------------------------------------------------------- round trips


def test_sample_records_round_trip_exactly() -> None:
    result = read_text(write(sample_records()))
    assert result.problems == []
    assert result.records == sample_records()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record_lists(), st.none() | st.text(max_size=20))
def test_round_trip_over_the_full_model(generated: list[Record], title: str | None) -> None:
    text = write(generated, title)
    ElementTree.fromstring(text.encode("utf-8"))  # well-formed for a second, independent parser
    result = read_text(text)
    assert result.problems == []
    assert result.records == generated


# Every character Python can hold: XML-illegal controls, U+FFFE and lone surrogates too.
any_text = st.text(st.characters(exclude_categories=()), max_size=12)


# Strategies are built once, outside the draws (building them per draw was most of the time).
_ATTRIBUTE_NAMES = (
    any_text
    | st.sampled_from(["text", "type", "created", "category", "url", "xmlUrl", "xmlurl"])
    | st.sampled_from(["htmlUrl", "title", "_note", "version", "xmlns", "a:b", "refexport:stash"])
)
_ATTRIBUTE_VALUES = any_text | st.sampled_from(
    ["rss", "link", "include", "Tue, 12 Jul 2005 23:56:35 GMT", ""]
)
_FOREIGN_ATTRIBUTES = st.dictionaries(
    _ATTRIBUTE_NAMES.map(lambda name: f"opml:{name}"), _ATTRIBUTE_VALUES, max_size=3
)
_ANY_TEXTS = st.lists(any_text, max_size=3)
_ANY_DAYS = st.builds(Date.of, st.integers(1, 9999), st.integers(1, 12), st.integers(1, 31))
_RECORDS = records()


@st.composite
def hostile_records(draw: st.DrawFn) -> Record:
    """Records from the full model with arbitrary text where the outline holds it natively,
    and foreign `opml:` attributes of any name and value in `custom`."""
    record = draw(_RECORDS)
    for variable in ("title", "URL", "note", "abstract", "language"):
        if draw(st.booleans()):
            record.put(variable, draw(any_text))
    record.tags = draw(_ANY_TEXTS)
    record.collection = draw(_ANY_TEXTS)
    record.custom.update(draw(_FOREIGN_ATTRIBUTES))
    if draw(st.booleans()):
        record.accessed = draw(_ANY_DAYS)
    return record


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(hostile_records(), max_size=4), st.none() | any_text)
def test_round_trip_of_arbitrary_text_and_foreign_attributes(
    generated: list[Record], title: str | None
) -> None:
    text = write(generated, title)
    text.encode("utf-8")  # no lone surrogate reaches the output
    ElementTree.fromstring(text.encode("utf-8"))
    result = read_text(text)
    assert result.problems == []
    assert result.records == generated


plain_text = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=8)
maybe_text = st.one_of(
    st.none(), plain_text, plain_text, st.sampled_from(["", " x ", "a,b", "https://a.example/x"]), any_text
)


_SAFE_TAGS = st.lists(st.sampled_from(["ml", "a/b", "DL acceleration"]), max_size=3, unique=True)
_ODD_TAGS = st.lists(st.sampled_from(["ml", "a/b", " c ", "a,b", "", "ml"]) | any_text, max_size=3)
_PLAIN_TEXTS = st.none() | plain_text
_ODD_URLS = urls | maybe_text
_COLLECTIONS = st.lists(any_text, max_size=2)
_ODD_DAYS = st.builds(Date.of, st.integers(1, 9999), st.integers(1, 12), st.integers(1, 28))
_PLAIN_DAYS = st.builds(Date.of, st.integers(1000, 9999), st.integers(1, 12), st.integers(1, 28))


@st.composite
def link_records(draw: st.DrawFn) -> Record:
    """Records of the writer's common case (a link with a few text variables, tags and an
    access day), half of them with the odd value that makes them not quite plain."""
    odd = draw(st.booleans())
    texts = maybe_text if odd else _PLAIN_TEXTS
    record = Record(collection=draw(_COLLECTIONS))
    for variable in ("title", "URL", "note", "abstract", "language"):
        value = draw(texts) if variable != "URL" else draw(_ODD_URLS if odd else urls)
        if value is not None:
            record.variables[variable] = value
    record.tags = draw(_ODD_TAGS if odd else _SAFE_TAGS)
    if draw(st.booleans()):
        record.accessed = draw(_ODD_DAYS if odd else _PLAIN_DAYS)
    if odd and draw(st.booleans()):
        record.custom = {"opml:version": "RSS"}
    return record


@settings(max_examples=300, deadline=None)
@given(link_records())
def test_the_writers_shortcut_gives_what_the_reader_makes_of_the_outline(record: Record) -> None:
    from refexport.formats.opml.outline import attributes, kind_of, plain_read_back
    from refexport.formats.opml.outline import record as read_outline

    shown = ["folder"]
    fast = plain_read_back(record, shown)
    if fast is not None:
        values = attributes(record)
        kind, address = kind_of(values, leaf=True)
        assert fast == read_outline(values, kind, address, shown, None)


@settings(max_examples=100, deadline=None)
@given(st.lists(link_records(), max_size=4))
def test_round_trip_of_links(generated: list[Record]) -> None:
    assert read_text(write(generated)).records == generated


def test_the_writers_shortcut_takes_the_common_record() -> None:
    from refexport.formats.opml.outline import plain_read_back

    record = plain_record(title="T", language="en", accessed=Date.of(2023, 6, 15))
    record.tags = ["DL acceleration"]
    assert plain_read_back(record, record.collection) is not None
    record.accessed = Date.of(50, 1, 2)  # RFC 822 would read the year back as 2050
    assert plain_read_back(record, record.collection) is None
    assert read_text(write([record])).records == [record]


# ---------------------------------------------------------------- the reading list


def test_a_record_the_outline_holds_needs_no_stash() -> None:
    record = plain_record(
        title="标题 & <i>rich</i>",
        note="line one\nline two",
        abstract="What it says.",
        language="zh-CN",
        accessed=Date.of(2024, 5, 6),
    )
    record.tags = ["ml", "systems/deep"]
    text = write([record])
    [link] = links(text)
    assert link.get(STASH) is None
    assert link.attrib == {
        "text": "标题 & <i>rich</i>",
        "title": "标题 & <i>rich</i>",
        "type": "link",
        "url": "https://a.example/x",
        "created": "Mon, 06 May 2024 00:00:00 GMT",
        "category": "ml,systems/deep",
        "_note": "line one\nline two",
        "description": "What it says.",
        "language": "zh-CN",
    }
    assert read_text(text).records == [record]


def test_what_the_outline_cannot_hold_goes_into_one_stash_attribute() -> None:
    record = sample_records()[4]  # a journal article: names, numbers, a date range
    text = write([record])
    [link] = links(text)
    ours = [name for name in link.attrib if name.startswith("{")]
    assert ours == [STASH]
    stashed = json.loads(link.get(STASH) or "")
    assert stashed["DOI"] == "10.1038/xyz" and stashed["page"] == "100-110"
    assert not {"title", "URL", "language", "abstract"} & set(stashed)  # native attributes are not repeated
    assert "refexport:stash='{" in text  # single quotes: JSON without a &quot; per quote
    assert read_text(text).records == [record]


def test_write_is_deterministic_and_dated_by_the_newest_accessed_day() -> None:
    records = sample_records()
    records[2].accessed = Date.of(2024, 5, 6)
    records[3].accessed = Date.of(2025, 1)  # no day: not a dateCreated candidate
    first, second = write(records, "My list"), write(records, "My list")
    assert first == second
    head = ElementTree.fromstring(first.encode()).find("head")
    assert head is not None
    assert [child.tag for child in head] == ["title", "dateCreated"]  # nothing else in <head>
    assert head.findtext("title") == "My list"
    assert head.findtext("dateCreated") == "Mon, 06 May 2024 00:00:00 GMT"


def test_head_title_defaults_to_the_shared_catalog_title() -> None:
    text = write([plain_record(title="T")])
    assert read_text(text).title == "Catalog"
    assert "dateCreated" not in text
    assert read_text(write([plain_record(), Record(collection=["Other"])])).title == "Reading list"


def test_folders_follow_the_collection_and_are_reopened_to_keep_the_order() -> None:
    paths = [["A"], ["B"], ["A"], ["A", "C"], [], ["A"]]
    records = [plain_record(URL=f"https://x.example/{i}", title=f"r{i}") for i in range(len(paths))]
    for record, path in zip(records, paths, strict=True):
        record.collection = path
    text = write(records)
    top = [o.get("text") for o in ElementTree.fromstring(text.encode()).find("body") or []]
    assert top == ["A", "B", "A", "r4", "A"]
    assert read_text(text).records == records


def test_a_record_in_several_sections_is_written_once() -> None:
    record = sample_records()[1]
    assert record.also_in
    text = write([record])
    assert len(links(text)) == 1
    assert read_text(text).records == [record]


def test_an_untitled_record_shows_its_address_and_stays_untitled() -> None:
    record = plain_record()
    [link] = links(write([record]))
    assert link.get("text") == record.url and link.get("title") is None
    assert read_text(write([record])).records == [record]


def test_a_record_without_address_is_kept_through_its_stash() -> None:
    record = Record(key="k", variables={"title": "No URL"}, collection=["Catalog"])
    text = write([record])
    [outline] = [o for o in outlines(text) if o.get(STASH) is not None]
    assert outline.get("url") is None
    assert read_text(text).records == [record]


def test_no_records_give_one_placeholder_that_reads_back_as_nothing() -> None:
    text = write([])
    body = ElementTree.fromstring(text.encode()).find("body")
    assert body is not None and [o.get("text") for o in body] == [opml.PLACEHOLDER_TEXT]
    assert read_text(text).records == []


def test_characters_xml_cannot_hold_are_dropped_where_people_read_and_kept_in_the_stash() -> None:
    nasty = 'a & b < c > "d" \x00\x0b\x1f\ufffe tab\tnew\nline\rcr'
    record = plain_record(title=nasty, note=nasty)
    record.tags = [nasty, "x,y", "ok"]
    record.collection = [nasty, ""]
    text = write([record])
    [link] = links(text)
    assert link.get("title") == XML_ILLEGAL.sub("", nasty) == 'a & b < c > "d"  tab\tnew\nline\rcr'
    assert link.get("category") == "ok"  # the tags a category cannot hold are stashed
    assert read_text(text).records == [record]


def test_foreign_attributes_are_written_back_natively() -> None:
    record = plain_record(title="Feed")
    record.custom = {"opml:version": "RSS", "opml:htmlUrl": "https://a.example/", "opml:isComment": "false"}
    [link] = links(write([record]))
    assert (link.get("version"), link.get("htmlUrl"), link.get("isComment")) == (
        "RSS",
        "https://a.example/",
        "false",
    )
    assert link.get(STASH) is None


def test_feed_records_are_written_as_feeds() -> None:
    record = plain_record(URL="https://blog.example/feed", title="Blog")
    record.custom = {"opml:type": "rss", "opml:htmlUrl": "https://blog.example/"}
    text = write([record])
    [link] = links(text)
    assert (link.get("type"), link.get("xmlUrl"), link.get("url")) == (
        "rss",
        "https://blog.example/feed",
        None,
    )
    assert [feed.url for feed in listparser.parse(text).feeds] == ["https://blog.example/feed"]
    assert read_text(text).records == [record]


# ---------------------------------------------------------------- reading foreign files


def test_feedly_export_with_trailing_junk_is_read_and_the_junk_reported() -> None:
    result = corpus("feedly-export-zh_from-markdown.opml")
    assert result.title == "Feedly订阅"
    assert len(result.records) == 24  # one feed outline each; the catalog merges the one repeat
    assert len(assemble([result]).records) == 23  # listparser counts 23 feeds too
    assert [str(p) for p in result.problems] == [
        "feedly-export-zh_from-markdown.opml:51: ignored text after the end of the document (</opml>)"
    ]
    first = result.records[0]
    assert first.title == "千年孤寂 的 Youtube 视频"
    assert first.url == "https://rsshub.app/youtube/channel/UC6QUkl7S6AYwkpQFhmdFIoQ"  # the feed itself
    assert first.custom == {
        "opml:type": "rss",
        "opml:htmlUrl": "https://www.youtube.com/channel/UC6QUkl7S6AYwkpQFhmdFIoQ",
    }
    assert first.collection == ["Feedly订阅", "NBA"]  # the head title, then the folders
    assert first.origin == [Origin("feedly-export-zh_from-markdown.opml", 8, first.url)]


def test_malformed_file_is_refused_with_its_line() -> None:
    with pytest.raises(InputError) as caught:
        corpus("plenary_HongKong_with_category.opml")
    assert caught.value.problem.where == 9
    assert str(caught.value).startswith("plenary_HongKong_with_category.opml:9: not well-formed XML")


def test_large_nested_list_keeps_every_feed() -> None:
    data = (OPML_DATA / "infosec-opml_feeds.opml").read_bytes()
    result = opml.read(data, "infosec.opml")
    expected = listparser.parse(data)
    assert not expected.bozo
    assert len(result.records) == 493  # one per feed outline
    assert {record.url for record in result.records} == {feed.url for feed in expected.feeds}
    # the catalog merges a repeated feed into one record, as listparser does: 343
    catalog = assemble([result])
    assert len(catalog.records) == len(expected.feeds) == 343
    repeated = [record for record in catalog.records if record.also_in or len(record.origin) > 1]
    assert repeated and all(len({o.line for o in record.origin}) == len(record.origin) for record in repeated)
    nested = next(r for r in result.records if r.title == "BadCyber")
    assert nested.collection[1] == "📩 Infosec | Newsletter"


def test_outlines_without_text_and_typos_are_kept_as_written() -> None:
    result = corpus("saveweb_china-indie-podcasts.opml")
    assert result.title == "中文独立播客" and len(result.records) == 83
    typo = next(r for r in result.records if r.title == "初学者电台 abecedarian Radio")
    assert typo.url == "hhttps://rss.com/podcasts/abecedarian"
    assert typo.custom["opml:htmlUrl"] == "http://radio.artbookinchina.com/"


@pytest.mark.parametrize("name", ["scripting-opml_states.opml", "scripting-opmlorg_validator-source.opml"])
def test_outliner_documents_have_no_link_records(name: str) -> None:
    result = corpus(name)
    assert result.records == [] and result.problems == []
    assert result.title in ("examples/readfile/states.opml", "nodeEditor: opmlValidator")


@pytest.mark.parametrize(
    "name",
    ["feedly-export-zh_from-markdown.opml", "infosec-opml_feeds.opml", "saveweb_china-indie-podcasts.opml"],
)
def test_foreign_records_survive_our_writer(name: str) -> None:
    first = corpus(name)
    text = write(first.records, first.title)
    assert read_text(text).records == first.records
    # the feeds are still feeds for feed readers
    assert len(listparser.parse(text).feeds) == len(listparser.parse((OPML_DATA / name).read_bytes()).feeds)


def test_iso_8859_1_document() -> None:
    result = corpus("latin1-handmade.opml")
    assert result.title == "Liste de lecture - café"
    [record] = result.records
    assert record.title == "Crème brûlée à Paris"
    assert record.collection == ["Liste de lecture - café", "Catégorie"]
    assert record.tags == ["cuisine", "Français"]  # `/Français` is a one-part category
    assert record.accessed == Date.of(2005, 7, 12)
    # the attributes as written, where they say more than the record
    assert record.custom == {
        "opml:created": "Tue, 12 Jul 2005 23:56:35 GMT",
        "opml:category": "cuisine,/Français",
    }
    assert record.origin[0].line == 8
    assert read_text(write([record])).records[0].custom == record.custom


def test_multibyte_declared_encoding_is_transcoded() -> None:
    result = corpus("gbk-handmade.opml")
    assert result.title == "中文订阅"
    assert [r.title for r in result.records] == ["阮一峰的网络日志"]
    assert result.records[0].collection == ["中文订阅", "博客"]


def test_category_is_split_as_listparser_splits_it() -> None:
    text = """<opml version="2.0"><head><title>T</title></head><body>
<outline text="F" type="rss" xmlUrl="https://f.example/rss"
 category=",, , tag1 , tag2 ,news,/news/sports, /tv/ golf /,news"/>
</body></opml>"""
    [record] = read_text(text).records
    assert record.tags == ["tag1", "tag2", "news", "news/sports", "tv/golf"]
    [feed] = listparser.parse(text.encode()).feeds
    assert {"/".join(category) for category in feed.categories if category != ["T"]} == set(record.tags)
    assert set(feed.tags) == {"tag1", "tag2", "news"}  # listparser's tags: the one-part categories
    assert read_text(write([record])).records == [record]


def test_nested_folders_give_the_collection_path_and_repeats_stay_separate_records() -> None:
    text = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>T</title></head><body>
<outline text="A"><outline title="B" text="b"><outline text="">
  <outline type="link" text="L" url="https://l.example/"/></outline></outline></outline>
<outline text="C"><outline type="link" text="L" url="https://l.example/"/></outline>
<outline text="Page" htmlUrl="https://p.example/"/>
<outline text="Folder with a page" htmlUrl="https://q.example/"><outline text="note"/></outline>
</body></opml>"""
    result = read_text(text)
    assert [(r.url, r.collection) for r in result.records] == [
        ("https://l.example/", ["T", "A", "B"]),  # `title` names a folder; nameless ones are skipped
        ("https://l.example/", ["T", "C"]),
        ("https://p.example/", ["T"]),  # an htmlUrl leaf is a link; with children it is a folder
    ]
    [merged, _page] = assemble([result]).records
    assert merged.collection == ["T", "A", "B"] and merged.also_in == [["T", "C"]]
    assert [o.line for o in merged.origin] == [4, 5]


def test_include_outlines_are_reported_and_not_records() -> None:
    text = """<opml version="2.0"><head><title>T</title></head><body>
<outline text="Other list" type="include" url="https://x.example/other.opml"/>
<outline text="Folder" type="INCLUDE" url="https://x.example/more.opml">
  <outline text="inside" type="link" url="https://x.example/inside"/></outline>
<outline text="A link to a list" type="link" url="https://x.example/list.opml"/>
</body></opml>"""
    result = read_text(text, "inc.opml")
    assert [str(p) for p in result.problems] == [
        "inc.opml:2: include outline skipped: its OPML file is not fetched (https://x.example/other.opml)",
        "inc.opml:3: include outline skipped: its OPML file is not fetched (https://x.example/more.opml)",
    ]
    assert [(r.url, r.collection) for r in result.records] == [
        ("https://x.example/inside", ["T", "Folder"]),
        ("https://x.example/list.opml", ["T"]),  # a link to an OPML file is still a link
    ]


def test_own_file_with_a_damaged_stash_reports_the_outline_and_keeps_the_rest() -> None:
    records = sample_records()
    text = write(records).replace('"issued":{"date-parts":[[2018,3]]}', '"issued":"March 2018"', 1)
    result = read_text(text, "broken.opml")
    assert [r.id for r in result.records] == [r.id for r in records if r.key != "meiyou_chun_sql-x9"]
    [problem] = result.problems
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "March 2018" in row)
    assert problem.file == "broken.opml" and problem.where == line
    assert problem.message == "outline skipped: bad stash attribute: issued: a date object expected"


@pytest.mark.parametrize(
    ("data", "where", "message"),
    [
        (b'<?xml version="1.0"?>\n<!DOCTYPE opml [<!ENTITY a "aaaa">]>\n<opml/>', None, "refused"),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>\n'
            b"<opml><body><outline text='&lol2;'/></body></opml>",
            None,
            "refused",
        ),
        (b'<!DOCTYPE opml SYSTEM "http://evil.example/x.dtd"><opml/>', None, "refused"),
        (b"<?xml version='1.0'?>\n<rss version='2.0'><channel/></rss>", 2, "not OPML"),
        (b"", 1, "not well-formed"),
        (b"<opml version='2.0'><head/></opml>", 1, "no <body>"),
        (b"<opml>\n<body>\n<outline text='a'>\n</body></opml>", 4, "mismatched tag"),
        (b"<?xml version='1.0' encoding='no-such-codec'?><opml/>", 1, "unknown encoding"),
        (b"<opml><head><title>caf\xe9</title></head><body/></opml>", 1, "not UTF-8"),
        (b'\xef\xbb\xbf<?xml version="1.0" encoding="GBK"?><opml/>', 1, "unreadable XML"),
        (b'<?xml version="1.0\xe2\x80\x9d encoding="GBK"?><opml/>', 1, "XML declaration not well-formed"),
        (
            b"<opml><body>" + b"<outline text='a'>" * 5000 + b"</outline>" * 5000 + b"</body></opml>",
            1,
            "nested more than 1000 deep",
        ),
    ],
)
def test_bad_input_is_refused_naming_the_file(data: bytes, where: int | None, message: str) -> None:
    with pytest.raises(InputError) as caught:
        opml.read(data, "bad.opml")
    assert caught.value.problem.file == "bad.opml"
    assert caught.value.problem.where == where
    assert message in caught.value.problem.message


def test_every_shared_corpus_file_reads_or_is_refused_cleanly() -> None:
    folder = shared_corpus("opml")
    outcomes: dict[str, int | str] = {}
    for path in sorted(folder.iterdir()):
        try:
            outcomes[path.name] = len(opml.read(path.read_bytes(), path.name).records)
        except InputError as error:
            assert error.problem.file == path.name and isinstance(error.problem.where, int)
            outcomes[path.name] = "refused"
    assert "refused" in outcomes.values()
    assert any(isinstance(count, int) and count > 0 for count in outcomes.values())


def test_the_format_is_detected_and_registered() -> None:
    text = write(sample_records())
    assert formats.detect(text.encode(), "list.xml").name == "opml"
    assert formats.get("opml").read(text.encode(), "x.opml").records == sample_records()


# ---------------------------------------------------------------- real clients


def test_listparser_reads_the_reading_list_without_complaint() -> None:
    records = sample_records()
    parsed = listparser.parse(write(records).encode())
    assert not parsed.bozo
    assert parsed.version == "opml2"
    assert parsed.feeds == []  # link outlines are `lists` to listparser, not feeds
    assert [item.url for item in parsed.lists] == [r.url for r in records]
    assert parsed.lists[0].categories[-1] == records[0].collection
    assert set(parsed.lists[1].tags) >= {"sql", "neural networks"}


def newsboat_import(document: str, tmp_path: Path) -> list[str]:
    """The `urls` lines newsboat writes when it imports `document` (no network involved)."""
    newsboat = require_tool("newsboat")
    home = tmp_path / "home"
    home.mkdir()
    source = tmp_path / "list.opml"
    source.write_text(document, encoding="utf-8")
    urls = tmp_path / "urls"
    urls.touch()
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
    }
    completed = subprocess.run(
        [newsboat, "-u", str(urls), "-c", str(tmp_path / "cache.db"), "-i", str(source)],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert "error" not in output.lower(), output  # newsboat exits 0 even when it cannot parse
    return [line for line in urls.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_newsboat_imports_a_re_exported_foreign_list(tmp_path: Path) -> None:
    first = corpus("feedly-export-zh_from-markdown.opml")
    lines = newsboat_import(write(first.records, first.title), tmp_path)
    # newsboat keeps a repeated feed once
    assert [line.split(" ", 1)[0] for line in lines] == list(dict.fromkeys(r.url for r in first.records))
    assert lines[0].endswith('"Feedly订阅/NBA"')  # the head title's folder, then the list's own


def test_newsboat_reads_the_reading_list(tmp_path: Path) -> None:
    """newsboat takes a `link` outline's `url` for a feed: every record's address arrives."""
    records = sample_records()
    lines = newsboat_import(write(records), tmp_path)
    assert [line.split(" ", 1)[0] for line in lines] == [r.url for r in records]


def test_partial_dates_do_not_become_created() -> None:
    record = plain_record(accessed=Date((PartialDate(2024, 5),)))
    [link] = links(write([record]))
    assert link.get("created") is None
    assert read_text(write([record])).records == [record]


def test_names_and_dates_of_every_form_round_trip() -> None:
    record = plain_record(
        author=[Name(family="Gogh", given="Vincent", non_dropping_particle="van", comma_suffix=True)],
        issued=Date((PartialDate(1987), PartialDate(0)), circa=True),
        accessed=Date(literal="spring 2020"),
    )
    assert read_text(write([record])).records == [record]
