"""OPML subscription lists: every feed of a reader's export is kept (issue 11, item 5) and
given back by `--to opml-feeds`; the subscription writer; listparser and newsboat."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import listparser
import pytest
from test_opml import newsboat_import

from refexport.catalog import load
from refexport.formats import WriteOptions, opml
from refexport.model import Record

from conftest import DATA, run_cli

# Exports of three feed readers, in each one's own shape, with several feeds per site
# (see tests/data/opml/SOURCES.md): (file, feed outlines, distinct feeds, distinct sites).
EXPORTS = [
    ("netnewswire-subscriptions.opml", 10, 10, 6),
    ("google-reader-subscriptions.xml", 10, 9, 6),
    ("feedly-subscriptions.opml", 10, 10, 7),
]


def path(name: str) -> str:
    return str(DATA / "opml" / name)


def write_feeds(records: list[Record], title: str | None = None, feed_base: str | None = None) -> str:
    return "".join(opml.write(records, WriteOptions(title, {"feeds": True, "feed_base": feed_base})))


def feed_urls(document: str | bytes) -> list[str]:
    parsed = listparser.parse(document.encode() if isinstance(document, str) else document)
    assert not parsed.bozo, parsed.bozo_exception
    return [feed.url for feed in parsed.feeds]


@pytest.mark.parametrize(("name", "outlines", "feeds", "sites"), EXPORTS)
def test_feeds_that_share_a_website_stay_separate_records(
    name: str, outlines: int, feeds: int, sites: int
) -> None:
    data = Path(path(name)).read_bytes()
    expected = feed_urls(data)
    assert len(expected) == feeds
    assert len(opml.read(data, name).records) == outlines  # one per feed outline
    records = load([path(name)]).records
    # one record per feed, as listparser counts them (a feed under two labels is one record)
    assert len(records) == feeds
    assert [record.url for record in records] == expected
    homes = {record.custom.get("opml:htmlUrl") or record.url for record in records}
    assert len(homes) == sites < feeds  # before: one record per site


@pytest.mark.parametrize(("name", "outlines", "feeds", "sites"), EXPORTS)
def test_cli_gives_the_subscription_list_back(name: str, outlines: int, feeds: int, sites: int) -> None:
    expected = feed_urls(Path(path(name)).read_bytes())
    converted = run_cli("convert", path(name), "--to", "opml-feeds")
    assert converted.code == 0 and converted.stderr == ""
    assert feed_urls(converted.stdout) == expected
    as_records = run_cli("convert", path(name), "--to", "records")
    assert as_records.code == 0
    lines = as_records.stdout.splitlines()
    assert len(lines) == feeds
    assert all(json.loads(line)["custom"]["opml:type"] == "rss" for line in lines)
    # through our reading list and back: still every feed
    reading_list = run_cli("convert", path(name), "--to", "opml")
    assert feed_urls(reading_list.stdout) == expected


def test_a_converted_list_keeps_folders_titles_and_sites() -> None:
    converted = run_cli("convert", path("google-reader-subscriptions.xml"), "--to", "opml-feeds").stdout
    body = ElementTree.fromstring(converted.encode()).find("body")
    assert body is not None
    layout = [(o.get("text"), [c.get("title") for c in o]) for o in body]
    assert layout == [
        ("xkcd.com", []),  # unlabelled: at the top, as in the export
        (
            "blogs",
            [
                "Official Google Blog",
                "Official Google Blog - comments",
                "Joel on Software",
                "kurtmckee",
                "kurtmckee [PROTECTED]",
            ],
        ),
        ("comics", ["xkcd.com (Atom)"]),  # xkcd.com's RSS feed is listed once, where it first was
        ("jobs", ["Teaching Pastor - Nashville Craigslist", "Small Groups Pastor - Nashville Craigslist"]),
    ]
    xkcd = body[0]
    assert (xkcd.get("type"), xkcd.get("xmlUrl"), xkcd.get("htmlUrl")) == (
        "rss",
        "http://xkcd.com/rss.xml",
        "http://xkcd.com/",
    )


def test_newsboat_imports_a_converted_subscription_list(tmp_path: Path) -> None:
    converted = run_cli("convert", path("netnewswire-subscriptions.opml"), "--to", "opml-feeds").stdout
    lines = newsboat_import(converted, tmp_path)
    assert [line.split(" ", 1)[0] for line in lines] == feed_urls(
        Path(path("netnewswire-subscriptions.opml")).read_bytes()
    )
    assert 'https://mjtsai.com/blog/comments/feed/ "Apple"' in lines


# ---------------------------------------------------------------- feeds of a reading list


def reading_list_records() -> list[Record]:
    def record(url: str, collection: list[str]) -> Record:
        return Record(id=url, variables={"title": url, "URL": url}, collection=collection)

    return [
        record("https://github.com/iovisor/bcc", ["Catalog", "Tools"]),
        record("https://github.com/iovisor/bcc/blob/master/README.md", ["Catalog", "Other"]),
        record("https://blog.csdn.net/some_user/article/details/1", ["Catalog", "Blogs"]),
        record("https://blog.csdn.net/some_user/article/details/2", ["Catalog", "Blogs"]),
        record("https://www.cnblogs.com/abc/p/123.html", ["Catalog"]),
        record("https://mp.weixin.qq.com/s/ai_XI8ddP5I2m3ChCqnQsA", ["Catalog", "Tools"]),
        record("https://zhuanlan.zhihu.com/p/619596323", ["Catalog", "Tools"]),
        record("https://www.zhihu.com/question/454589636", ["Catalog", "Blogs", "Deep"]),
        Record(id="no-url", variables={"title": "no url"}, collection=["Catalog", "Tools"]),
    ]


def test_one_subscription_per_feed_and_one_folder_level() -> None:
    text = write_feeds(reading_list_records(), "Feeds")
    body = ElementTree.fromstring(text.encode()).find("body")
    assert body is not None
    layout = [(o.get("text"), [c.get("xmlUrl") for c in o]) for o in body]
    assert layout == [
        ("Tools", ["https://github.com/iovisor/bcc/releases.atom"]),
        ("Blogs", ["https://blog.csdn.net/some_user/rss/list"]),
        ("博客园 abc", []),  # no heading below the catalog title: at the top
    ]
    feeds = [o for o in body.iter("outline") if o.get("xmlUrl")]
    assert all(o.get("type") == "rss" and o.get("text") == o.get("title") and o.get("htmlUrl") for o in feeds)
    assert not any(o.get("type") == "link" or o.get("url") for o in body.iter("outline"))


def test_routes_only_with_a_feed_base() -> None:
    assert "zhihu" not in write_feeds(reading_list_records())
    urls = feed_urls(write_feeds(reading_list_records(), feed_base="https://rsshub.example.org/"))
    assert "https://rsshub.example.org/zhihu/question/454589636" in urls
    assert len(urls) == 4  # WeChat and Zhihu column articles have no derivable feed


def test_a_feed_address_a_record_carries_is_used() -> None:
    record = Record(
        variables={"title": "<i>Blog</i>", "URL": "https://blog.example/post"},
        custom={"opml:xmlUrl": "https://blog.example/feed"},
    )
    [outline] = [o for o in ElementTree.fromstring(write_feeds([record]).encode()).iter("outline")]
    assert (outline.get("xmlUrl"), outline.get("htmlUrl"), outline.get("title")) == (
        "https://blog.example/feed",
        "https://blog.example/post",
        "Blog",  # people read the title: no CSL markup
    )


def test_without_feeds_the_body_is_still_not_empty() -> None:
    text = write_feeds([Record(variables={"URL": "https://mp.weixin.qq.com/s/x"})], "T")
    body = ElementTree.fromstring(text.encode()).find("body")
    assert body is not None and [o.get("text") for o in body] == [opml.NO_FEEDS_TEXT]
    assert feed_urls(text) == []


def test_newsboat_imports_every_subscription(tmp_path: Path) -> None:
    lines = newsboat_import(
        write_feeds(reading_list_records(), feed_base="https://rsshub.example.org"), tmp_path
    )
    assert len(lines) == 4
    assert lines[0] == 'https://github.com/iovisor/bcc/releases.atom "Tools"'
    assert 'https://rsshub.example.org/zhihu/question/454589636 "Blogs"' in lines


def test_newsboat_imports_the_default_catalogs_one_derivable_feed(tmp_path: Path) -> None:
    """The bundled catalog is WeChat and Zhihu articles: only its Zhihu question has a feed,
    and only through an RSSHub-style instance."""
    records = load().records
    assert "xmlUrl" not in write_feeds(records)
    lines = newsboat_import(write_feeds(records, feed_base="https://rsshub.example.org"), tmp_path)
    assert lines == ['https://rsshub.example.org/zhihu/question/454589636 "并行 & 框架 & 优化"']


def test_the_cli_options_reach_the_writer() -> None:
    done = run_cli("opml", "--feeds", "--feed-base", "https://rsshub.example.org")
    assert done.code == 0
    assert feed_urls(done.stdout) == ["https://rsshub.example.org/zhihu/question/454589636"]
