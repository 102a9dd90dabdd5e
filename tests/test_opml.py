"""OPML reading list, subscriptions and reader: round-trips, foreign files, real clients."""

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

from refexport import opml
from refexport.catalog import load
from refexport.errors import InputError
from refexport.fileio import XML_ILLEGAL
from refexport.model import CSL_TYPES, Name, PartialDate, Record, Source

from conftest import DATA, require_tool, sample_records, shared_corpus

OPML_DATA = DATA / "opml"


def read_text(text: str, name: str = "test.opml") -> opml.ReadResult:
    return opml.read(text.encode("utf-8"), name)


def corpus(name: str) -> opml.ReadResult:
    return opml.read((OPML_DATA / name).read_bytes(), name)


def outlines(text: str) -> list[ElementTree.Element]:
    return list(ElementTree.fromstring(text.encode("utf-8")).iter("outline"))


# ---------------------------------------------------------------- reading list round-trips


def test_sample_records_round_trip_exactly() -> None:
    records = sample_records()
    result = read_text(opml.write(records))
    assert result.records == records
    assert result.problems == []


def test_write_is_deterministic_and_dated_by_newest_accessed_day() -> None:
    records = sample_records()
    records[2].accessed = PartialDate(2024, 5, 6)
    records[3].accessed = PartialDate(2025, 1)  # no day: not a dateCreated candidate
    first, second = opml.write(records, "My list"), opml.write(records, "My list")
    assert first == second
    head = ElementTree.fromstring(first.encode()).find("head")
    assert head is not None
    assert head.findtext("title") == "My list"
    assert head.findtext("dateCreated") == "Mon, 06 May 2024 00:00:00 GMT"
    assert [child.tag for child in head] == ["title", "dateCreated"]  # nothing else in <head>


def test_head_title_and_no_date_without_accessed_days() -> None:
    record = Record(id="x", title="T", url="https://a.example/", collection=["Catalog", "S"])
    text = opml.write([record])
    assert read_text(text).title == "Catalog"  # the common catalog title
    assert "dateCreated" not in text


def test_record_outline_uses_standard_attributes() -> None:
    record = sample_records()[1]
    text = opml.write([record])
    root = ElementTree.fromstring(text.encode())
    assert root.get("version") == "2.0"
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    link = next(o for o in root.iter("outline") if o.get("type") == "link")
    assert link.get("text") == link.get("title") == record.title
    assert link.get("url") == record.url
    assert link.get("created") == "Thu, 15 Jun 2023 00:00:00 GMT"
    assert link.get("category") == "sql,neural networks"
    assert link.get("_note") == record.note
    assert link.get(f"{{{opml.NAMESPACE}}}key") == record.key
    # folders follow the collection path
    folders = [o.get("text") for o in root.iter("outline") if o.get("type") is None]
    assert folders == record.collection


def test_record_in_several_sections_is_written_once_and_read_once() -> None:
    record = sample_records()[1]
    assert record.also_in
    text = opml.write([record])
    assert sum(o.get("url") == record.url for o in outlines(text)) == 1
    assert read_text(text).records == [record]


def test_untitled_record_shows_its_url() -> None:
    record = sample_records()[3]
    assert record.title is None
    link = next(o for o in outlines(opml.write([record])) if o.get("type") == "link")
    assert link.get("text") == record.url
    assert link.get("title") is None
    assert read_text(opml.write([record])).records[0].title is None


def test_order_is_kept_when_sections_interleave() -> None:
    records = [
        Record(id=str(i), title=f"r{i}", url=f"https://x.example/{i}", collection=path)
        for i, path in enumerate([["A"], ["B"], ["A"], ["A", "C"], [], ["A"]])
    ]
    text = opml.write(records)
    assert read_text(text).records == records
    top = [o.get("text") for o in ElementTree.fromstring(text.encode()).find("body")]
    assert top == ["A", "B", "A", "r4", "A"]  # "A" is reopened rather than records reordered


def test_zero_records_give_a_placeholder_outline_and_read_back_empty() -> None:
    text = opml.write([])
    body = ElementTree.fromstring(text.encode()).find("body")
    assert body is not None and len(body) == 1
    assert body[0].get("text") == opml.PLACEHOLDER_TEXT
    assert read_text(text).records == []


def test_awkward_text_stays_well_formed_and_exact() -> None:
    nasty = 'a & b < c > "d" \x00\x0b\x1f\ufffe tab\tnew\nline\rcr'
    record = Record(
        id="i\x01d",
        key="k",
        title=nasty,
        url="https://e.example/?a=1&b=<2>",
        note=nasty,
        container=nasty,
        tags=[nasty, "x,y"],
        collection=[nasty, ""],
        extra={"opml:xmlUrl": nasty, "opml:description": "plain", "k\x02": [nasty]},
    )
    text = opml.write([record])
    ElementTree.fromstring(text.encode())  # well-formed
    link = next(o for o in outlines(text) if o.get(f"{{{opml.NAMESPACE}}}id-json"))
    assert link.get("title") == opml.visible(nasty) == 'a & b < c > "d"  tab\tnew\nline\rcr'
    assert link.get("description") == "plain"  # foreign attributes go back natively
    assert read_text(text).records == [record]


def test_extra_opml_attributes_are_written_natively() -> None:
    record = Record(
        id="r",
        title="Feed",
        url="https://blog.example/",
        extra={"opml:type": "rss", "opml:xmlUrl": "https://blog.example/feed", "opml:version": "RSS"},
    )
    text = opml.write([record])
    link = outlines(text)[0]
    assert (link.get("type"), link.get("xmlUrl"), link.get("version")) == (
        "rss",
        "https://blog.example/feed",
        "RSS",
    )
    assert read_text(text).records == [record]
    assert [feed.url for feed in listparser.parse(text).feeds] == ["https://blog.example/feed"]


# ---------------------------------------------------------------- hypothesis: arbitrary Unicode

# Every character Python can hold, lone surrogates and XML-illegal controls included.
any_text = st.text(st.characters(exclude_categories=()), max_size=12)
optional_text = st.none() | any_text
dates = st.builds(
    lambda year, month, day: PartialDate(year, month, day if month else None),
    st.integers(-9999, 9999),
    st.none() | st.integers(1, 12),
    st.none() | st.integers(1, 31),
)
names = st.builds(
    Name,
    family=optional_text,
    given=optional_text,
    literal=optional_text,
    non_dropping_particle=optional_text,
    dropping_particle=optional_text,
    suffix=optional_text,
)
sources = st.builds(Source, file=any_text, line=st.none() | st.integers(0, 10**6), url=optional_text)
extra_keys = (
    any_text
    | st.sampled_from(["opml:text", "opml:type", "opml:created", "opml:category", "opml:title"])
    | st.sampled_from(["opml:url", "opml:_note", "opml:xmlns", "opml:a:b", "opml:xmlUrl"])
    | any_text.map(lambda text: f"opml:{text}")
)
extra_values = st.none() | any_text | st.integers() | st.booleans() | st.lists(any_text, max_size=2)
paths = st.lists(any_text, max_size=3)
records = st.builds(
    Record,
    id=any_text,
    key=any_text,
    type=st.sampled_from(sorted(CSL_TYPES)) | any_text,
    title=optional_text,
    url=optional_text,
    authors=st.lists(names, max_size=2),
    container=optional_text,
    publisher=optional_text,
    language=optional_text,
    issued=st.none() | dates,
    accessed=st.none() | dates,
    note=optional_text,
    tags=st.lists(any_text, max_size=3),
    collection=paths,
    also_in=st.lists(paths, max_size=2),
    source=st.lists(sources, max_size=2),
    extra=st.dictionaries(extra_keys, extra_values, max_size=4),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(records, max_size=4), st.none() | any_text)
def test_round_trip_of_arbitrary_records(generated: list[Record], title: str | None) -> None:
    text = opml.write(generated, title)
    text.encode("utf-8")  # no lone surrogates leak into the output
    ElementTree.fromstring(text.encode("utf-8"))  # well-formed for a second, independent parser
    result = read_text(text)
    assert result.problems == []
    assert result.records == generated


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_attribute_fast_path_matches_strip_then_escape(text: str) -> None:
    escaped = text
    for character, reference in opml._ATTRIBUTE_ESCAPES:
        escaped = escaped.replace(character, reference)
    assert opml._attribute(text) == opml._escape(opml.visible(text), opml._ATTRIBUTE_ESCAPES)
    assert opml._attribute(text) == XML_ILLEGAL.sub("", escaped)


def generic_json(value: object) -> str:
    """What `_json` wrote before its shortcuts: json.dumps, XML-illegal characters as escapes."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return XML_ILLEGAL.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


@settings(max_examples=300, deadline=None)
@given(st.lists(any_text, max_size=4), st.lists(sources, max_size=3), extra_values)
def test_spelled_out_json_matches_the_generic_encoder(
    strings: list[str], source_list: list[Source], value: object
) -> None:
    assert opml._json_strings(strings) == opml._json(strings) == generic_json(strings)
    dicts = [source.to_dict() for source in source_list]
    assert opml._json_sources(source_list) == opml._json(dicts) == generic_json(dicts)
    assert opml._json(value) == generic_json(value)
    for text in (opml._json(strings), opml._json(dicts), opml._json(value)):
        assert opml._json_attribute(text) == opml._attribute(text)


def test_prefixed_names_cover_every_attribute_the_writer_uses() -> None:
    record = Record(
        # a control character in every text field forces its `-json` stash
        id="\x00", key="\x01", type="\x02", title="\x03", url="\x04", container="\x05",
        publisher="\x06", language="\x07", note="\x08",
        issued=PartialDate(2020), accessed=PartialDate(2021),
        authors=[Name(literal="A")], tags=["t"], also_in=[["x"]],
        source=[Source("f", 1, "u")], extra={"k": 1},
    )
    root = ElementTree.fromstring(opml.write([record]).encode())
    written = {name for outline in root.iter("outline") for name in outline.attrib}
    own = {name.replace(f"{{{opml.NAMESPACE}}}", "refexport:") for name in written if name.startswith("{")}
    assert own <= set(opml._prefixed_names("refexport").values())
    assert len(own) == 22  # every -json stash, scalar, date and JSON field is exercised


# ---------------------------------------------------------------- foreign files


def test_feedly_export_with_trailing_junk_is_read_and_the_junk_reported() -> None:
    result = corpus("feedly-export-zh_from-markdown.opml")
    assert result.title == "Feedly订阅"
    assert len(result.records) == 23  # listparser counts 23 feeds too
    assert [str(p) for p in result.problems] == [
        "feedly-export-zh_from-markdown.opml:51: ignored text after the end of the document (</opml>)"
    ]
    first = result.records[0]
    assert first.title == "千年孤寂 的 Youtube 视频"
    assert first.url == "https://www.youtube.com/channel/UC6QUkl7S6AYwkpQFhmdFIoQ"  # htmlUrl
    assert first.extra["opml:xmlUrl"] == "https://rsshub.app/youtube/channel/UC6QUkl7S6AYwkpQFhmdFIoQ"
    assert first.extra["opml:type"] == "rss"
    assert first.collection == ["Feedly订阅", "NBA"]  # head title first, then folders
    assert first.source == [Source("feedly-export-zh_from-markdown.opml", 8, first.url)]
    assert "opml:text" not in first.extra  # text equal to title is not kept twice


def test_malformed_file_is_refused_with_its_line() -> None:
    with pytest.raises(InputError) as caught:
        corpus("plenary_HongKong_with_category.opml")
    assert caught.value.problem.where == 9
    assert str(caught.value).startswith("plenary_HongKong_with_category.opml:9: not well-formed XML")


def test_large_nested_list_keeps_every_feed_and_merges_repeats() -> None:
    data = (OPML_DATA / "infosec-opml_feeds.opml").read_bytes()
    result = opml.read(data, "infosec.opml")
    expected = listparser.parse(data.decode("utf-8"))
    assert not expected.bozo
    # one record per distinct feed, as listparser counts them (several feeds share an htmlUrl)
    assert len(result.records) == len(expected.feeds) == 343
    feed_urls = {record.extra.get("opml:xmlUrl") for record in result.records}
    assert feed_urls == {feed.url for feed in expected.feeds}
    repeated = [record for record in result.records if len(record.source) > 1]
    assert repeated and all(len({s.line for s in record.source}) == len(record.source) for record in repeated)
    nested = next(r for r in result.records if r.title == "BadCyber")
    assert nested.collection[1] == "📩 Infosec | Newsletter"


def test_outlines_without_text_and_typos_are_kept_as_written() -> None:
    result = corpus("saveweb_china-indie-podcasts.opml")
    assert result.title == "中文独立播客" and len(result.records) == 83
    typo = next(r for r in result.records if r.title == "初学者电台 abecedarian Radio")
    assert typo.extra["opml:xmlUrl"] == "hhttps://rss.com/podcasts/abecedarian"
    assert typo.url == "http://radio.artbookinchina.com/"


@pytest.mark.parametrize(
    "name", ["scripting-opml_states.opml", "scripting-opmlorg_validator-source.opml"]
)
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
    text = opml.write(first.records, first.title)
    assert read_text(text).records == first.records
    # the subscriptions are still subscriptions for feed readers
    assert len(listparser.parse(text).feeds) == len(first.records)


def test_iso_8859_1_document() -> None:
    result = corpus("latin1-handmade.opml")
    assert result.title == "Liste de lecture - café"
    [record] = result.records
    assert record.title == "Crème brûlée à Paris"
    assert record.collection == ["Liste de lecture - café", "Catégorie"]
    assert record.tags == ["cuisine", "/Français"]
    assert record.extra == {"opml:created": "Tue, 12 Jul 2005 23:56:35 GMT"}
    assert record.source[0].line == 8


def test_multibyte_declared_encoding_is_transcoded() -> None:
    result = corpus("gbk-handmade.opml")
    assert result.title == "中文订阅"
    assert [r.title for r in result.records] == ["阮一峰的网络日志"]
    assert result.records[0].collection == ["中文订阅", "博客"]


def test_same_feed_in_two_folders_is_one_record() -> None:
    text = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>T</title></head><body>
<outline text="A"><outline type="rss" text="F" xmlUrl="https://f.example/rss"/></outline>
<outline text="B"><outline type="rss" text="F" xmlUrl="https://f.example/rss"/></outline>
</body></opml>"""
    [record] = read_text(text).records
    assert record.collection == ["T", "A"] and record.also_in == [["T", "B"]]
    assert [s.line for s in record.source] == [3, 4]


def test_own_file_with_damaged_stash_reports_the_outline_and_keeps_the_rest() -> None:
    records = sample_records()
    text = opml.write(records).replace('refexport:issued="2018-03"', 'refexport:issued="March 2018"', 1)
    result = read_text(text, "broken.opml")
    assert [r.id for r in result.records] == [r.id for r in records if r.id != "9a8b7c6d5e4f3a2b"]
    [problem] = result.problems
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "9a8b7c6d5e4f3a2b" in row)
    assert problem.file == "broken.opml" and problem.where == line
    assert "outline skipped" in problem.message and "March 2018" in problem.message


@pytest.mark.parametrize(
    ("data", "where", "message"),
    [
        (b'<?xml version="1.0"?>\n<!DOCTYPE opml [<!ENTITY a "aaaa">]>\n<opml/>', None, "refused"),
        (b'<!DOCTYPE opml SYSTEM "http://evil.example/x.dtd"><opml/>', None, "refused"),
        (b"<?xml version='1.0'?>\n<rss version='2.0'><channel/></rss>", 2, "not OPML"),
        (b"", 1, "not well-formed"),
        (b"<opml version='2.0'><head/></opml>", 1, "no <body>"),
        (b"<opml>\n<body>\n<outline text='a'>\n</body></opml>", 4, "mismatched tag"),
        (b"<?xml version='1.0' encoding='no-such-codec'?><opml/>", 1, "unknown encoding"),
        (b"<opml><head><title>caf\xe9</title></head><body/></opml>", 1, "not UTF-8"),
        (b'\xef\xbb\xbf<?xml version="1.0" encoding="GBK"?><opml/>', 1, "unreadable XML"),
        (b"<opml><body>" + b"<outline text='a'>" * 5000 + b"</outline>" * 5000 + b"</body></opml>", None,
         "nested too deeply"),
    ],
)
def test_bad_input_raises_input_error_naming_the_file(data: bytes, where: int | None, message: str) -> None:
    with pytest.raises(InputError) as caught:
        opml.read(data, "bad.opml")
    assert caught.value.problem.file == "bad.opml"
    assert caught.value.problem.where == where
    assert message in caught.value.problem.message


def test_every_shared_corpus_file_reads_or_is_refused_cleanly() -> None:
    folder = shared_corpus("opml")
    outcomes = {}
    for path in sorted(folder.iterdir()):
        try:
            outcomes[path.name] = len(opml.read(path.read_bytes(), path.name).records)
        except InputError as error:
            assert error.problem.file == path.name and isinstance(error.problem.where, int)
            outcomes[path.name] = "refused"
    assert "refused" in outcomes.values()
    assert any(isinstance(count, int) and count > 0 for count in outcomes.values())


# ---------------------------------------------------------------- subscriptions


def feed_records() -> list[Record]:
    def record(url: str, collection: list[str]) -> Record:
        return Record(id=url, title=url, url=url, collection=collection)

    return [
        record("https://github.com/iovisor/bcc", ["Catalog", "Tools"]),
        record("https://github.com/iovisor/bcc/blob/master/README.md", ["Catalog", "Other"]),
        record("https://blog.csdn.net/some_user/article/details/1", ["Catalog", "Blogs"]),
        record("https://blog.csdn.net/some_user/article/details/2", ["Catalog", "Blogs"]),
        record("https://www.cnblogs.com/abc/p/123.html", ["Catalog"]),
        record("https://mp.weixin.qq.com/s/ai_XI8ddP5I2m3ChCqnQsA", ["Catalog", "Tools"]),
        record("https://zhuanlan.zhihu.com/p/619596323", ["Catalog", "Tools"]),
        record("https://www.zhihu.com/question/454589636", ["Catalog", "Blogs", "Deep"]),
        Record(id="no-url", title="no url", collection=["Catalog", "Tools"]),
    ]


def test_write_feeds_one_subscription_per_feed_one_folder_level() -> None:
    text = opml.write_feeds(feed_records(), "Feeds")
    body = ElementTree.fromstring(text.encode()).find("body")
    assert body is not None
    layout = [(o.get("text"), [c.get("xmlUrl") for c in o]) for o in body]
    assert layout == [
        ("Tools", ["https://github.com/iovisor/bcc/releases.atom"]),
        ("Blogs", ["https://blog.csdn.net/some_user/rss/list"]),
        ("博客园 abc", []),  # no heading below the catalog title: flat
    ]
    feeds = [o for o in body.iter("outline") if o.get("xmlUrl")]
    assert all(o.get("type") == "rss" and o.get("text") == o.get("title") and o.get("htmlUrl") for o in feeds)
    assert not any(o.get("type") == "link" or o.get("url") for o in body.iter("outline"))
    assert all(len(list(o)) == 0 for o in feeds)


def test_write_feeds_uses_routes_only_with_a_feed_base() -> None:
    without = opml.write_feeds(feed_records())
    with_base = opml.write_feeds(feed_records(), feed_base="https://rsshub.example.org/")
    assert "zhihu" not in without
    parsed = listparser.parse(with_base)
    assert "https://rsshub.example.org/zhihu/question/454589636" in {f.url for f in parsed.feeds}
    assert len(parsed.feeds) == 4  # WeChat and zhihu articles have no derivable feed


def test_write_feeds_without_feeds_keeps_the_body_non_empty() -> None:
    text = opml.write_feeds([Record(id="w", url="https://mp.weixin.qq.com/s/x")], "T")
    body = ElementTree.fromstring(text.encode()).find("body")
    assert body is not None and [o.get("text") for o in body] == [opml.NO_FEEDS_TEXT]
    assert listparser.parse(text).feeds == []


# ---------------------------------------------------------------- real clients


def test_listparser_reads_both_documents_without_complaint() -> None:
    records = sample_records()
    reading_list = listparser.parse(opml.write(records))
    assert not reading_list.bozo
    assert reading_list.version == "opml2"
    # listparser files link outlines under `lists`, not feeds
    assert reading_list.feeds == []
    assert [item.url for item in reading_list.lists] == [r.url for r in records]
    assert reading_list.lists[0].categories[-1] == records[0].collection
    feeds = listparser.parse(opml.write_feeds(feed_records()))
    assert not feeds.bozo
    assert len(feeds.feeds) == 3


def newsboat_import(document: str, tmp_path: Path) -> list[str]:
    newsboat = require_tool("newsboat")
    home = tmp_path / "home"
    home.mkdir()
    source = tmp_path / "feeds.opml"
    source.write_text(document, encoding="utf-8")
    urls = tmp_path / "urls"
    urls.touch()
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
           "XDG_DATA_HOME": str(home / ".local/share")}
    completed = subprocess.run(
        [newsboat, "-u", str(urls), "-c", str(tmp_path / "cache.db"), "-i", str(source)],
        env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, check=False,
    )
    assert "error" not in (completed.stdout + completed.stderr).lower(), completed.stdout + completed.stderr
    return [line for line in urls.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_newsboat_imports_every_subscription(tmp_path: Path) -> None:
    document = opml.write_feeds(feed_records(), feed_base="https://rsshub.example.org")
    lines = newsboat_import(document, tmp_path)
    assert len(lines) == 4
    assert lines[0] == 'https://github.com/iovisor/bcc/releases.atom "Tools"'
    assert 'https://rsshub.example.org/zhihu/question/454589636 "Blogs"' in lines


def test_newsboat_imports_the_default_catalogs_one_derivable_feed(tmp_path: Path) -> None:
    """The bundled catalog is WeChat and Zhihu articles: only its Zhihu question has a feed,
    and only through an RSSHub-style instance."""
    records = load().records
    assert "xmlUrl" not in opml.write_feeds(records)
    lines = newsboat_import(opml.write_feeds(records, feed_base="https://rsshub.example.org"), tmp_path)
    assert lines == ['https://rsshub.example.org/zhihu/question/454589636 "并行 & 框架 & 优化"']


def test_newsboat_imports_a_re_exported_foreign_list(tmp_path: Path) -> None:
    first = corpus("feedly-export-zh_from-markdown.opml")
    lines = newsboat_import(opml.write(first.records, first.title), tmp_path)
    assert len(lines) == 23
    imported = [line.split(" ", 1)[0] for line in lines]
    assert imported == [record.extra["opml:xmlUrl"] for record in first.records]
