"""Browser bookmarks: real Chrome/Firefox-layout files read with folders, dates, tags and
descriptions; records survive a round trip; Zotero's Bookmarks importer takes our file."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from refexport import formats
from refexport.catalog import load
from refexport.errors import InputError
from refexport.formats import WriteOptions
from refexport.model import Date, Record
from refexport.text.markup import plain

from conftest import DATA, ZoteroTranslate, run_cli, sample_records
from strategies import record_lists

BOOKMARKS = formats.get("bookmarks")


def write(records: list[Record], options: WriteOptions | None = None) -> str:
    return "".join(BOOKMARKS.write(records, options or WriteOptions("My list")))


def read(text: str | bytes, name: str = "bookmarks.html") -> Any:
    return BOOKMARKS.read(text.encode("utf-8") if isinstance(text, str) else text, name)


# --------------------------------------------------------------------------- round trips


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record_lists())
def test_any_records_with_a_url_survive_a_round_trip(records: list[Record]) -> None:
    result = read(write(records))
    assert result.problems == []
    assert result.records == [r for r in records if r.url]


def test_sample_records_and_the_bundled_catalog_survive_a_round_trip() -> None:
    for records in (sample_records(), load().records):
        result = read(write(records))
        assert (result.problems, result.records) == ([], records)


def test_a_record_without_url_is_skipped_and_reported() -> None:
    record = sample_records()[0]
    record.url = None
    options = WriteOptions()
    text = write([record], options)
    assert "<A " not in text
    assert [p.message for p in options.skipped] == ["a bookmark needs a URL"]


def test_native_attributes_and_escaping() -> None:
    record = sample_records()[1]  # title with & and $, tags, access date, a note
    record.title = 'A <b>bold</b> "quoted" & <tag> title'
    text = write([record])
    line = next(x for x in text.splitlines() if "<A " in x)
    assert 'HREF="https://example.org/a_b%20c?q=1&r=2#frag"' in line  # `&r=` needs no escape
    assert 'ADD_DATE="1686787200"' in line  # 2023-06-15, Unix seconds
    assert 'TAGS="sql,neural networks"' in line
    assert '>A bold "quoted" &amp; &lt;tag&gt; title</A>' in line
    assert "<DD>SQL跑神经网络固然没有太大意义，" in text
    assert re.search(r"REFEXPORT='[^'<>]*'>", line)  # the stash: one attribute, last, nothing raw in it


def test_urls_with_entity_lookalikes_survive() -> None:
    record = sample_records()[2]
    record.url = "https://example.org/?a=1&para=2&copy;x&#38;&amp=3"
    text = write([record])
    assert "&amp;para=2" in text and "&amp;copy;" in text
    assert read(text).records == [record]


def test_folders_follow_the_records_order() -> None:
    a, b, c = sample_records()[:3]
    a.collection, b.collection, c.collection = ["X", "Y"], ["X", "Z"], ["X", "Y"]
    text = write([a, b, c])
    assert text.count("<H3>Y</H3>") == 2 and text.count("<H3>X</H3>") == 1
    assert [r.collection for r in read(text).records] == [["X", "Y"], ["X", "Z"], ["X", "Y"]]


def test_writer_yields_pieces() -> None:
    records = load().records * 30
    pieces = list(BOOKMARKS.write(records, WriteOptions()))
    assert len(pieces) > 2 and len(read("".join(pieces)).records) == len(records)


# --------------------------------------------------------------------------- real files


def test_firefox_export() -> None:
    result = read((DATA / "bookmarks" / "firefox-bookmarks.preplaces.html").read_bytes())
    assert result.problems == [] and result.title == "Bookmarks"
    by_title = {r.title: r for r in result.records}
    assert len(result.records) == 8
    assert by_title["Help and Tutorials"].collection == ["Mozilla Firefox"]
    keyword = by_title["test post keyword"]
    assert keyword.collection == ["test"] and keyword.note == "item description"
    assert keyword.accessed == Date.of(2007, 4, 24)
    assert keyword.custom == {
        "bookmarks:add_date": "1177375336",
        "bookmarks:last_modified": "1177375423",
        "bookmarks:shortcuturl": "test",
    }
    assert by_title["Example.tld"].collection == ["Unsorted Bookmarks"]  # after a </DL> with no <p>
    assert by_title["Latest Headlines"].collection == ["Bookmarks Toolbar Folder"]
    assert by_title["Latest Headlines"].note == "Livemark test comment"
    assert all(r.note != "folder test comment" for r in result.records)  # a folder's comment is no record's


def test_chrome_layout_file() -> None:
    result = read((DATA / "bookmarks" / "chromium-initial_bookmarks.html").read_bytes())
    assert [(r.collection, r.title, r.url) for r in result.records] == [
        (["Bookmarks Bar"], "Debian.org", "https://www.debian.org/"),
        (["Bookmarks Bar"], "Latest News", "https://www.debian.org/News/"),
        (["Bookmarks Bar"], "Help", "https://www.debian.org/support"),
    ]


def test_tags_and_description_attributes() -> None:
    [record] = read((DATA / "bookmarks" / "semanticscuttle-export.html").read_bytes()).records
    assert record.tags == ["software", "security", "social_networking", "todo"]
    assert record.accessed == Date.of(2014, 3, 31)
    assert (record.note or "").startswith("For secure, synchronous communication")
    assert record.title == "Pond - Pond" and record.collection == []


def test_browser_files_convert_to_other_formats() -> None:
    path = DATA / "bookmarks" / "firefox-bookmarks.preplaces.html"
    assert formats.detect(path.read_bytes(), path.name).name == "bookmarks"
    run = run_cli("convert", str(path), "--to", "ris")
    assert run.code == 0 and run.stdout.count("TY  - ELEC") == 8


def test_cli_command() -> None:
    run = run_cli("bookmarks")
    assert run.code == 0 and run.stdout.count("<DT><A ") == len(load().records)


# --------------------------------------------------------------------------- hostile input


def test_tag_soup_and_truncation() -> None:
    text = (
        "<!DOCTYPE NETSCAPE-Bookmark-file-1><DL><p><DT><H3>Root</H3><DL><p>"
        '<DT><A HREF="https://a.test">A &amp; B</A><DT><H3>Inner</H3><DL><p>'
        '<DT><A HREF="https://b.test">中文</A></DL><p></DL><p>'
        '<DT><A HREF="https://c.test">cut off'
    )
    result = read(text, "soup.html")
    assert [(r.collection, r.title) for r in result.records] == [
        (["Root"], "A & B"),
        (["Root", "Inner"], "中文"),
    ]
    assert [str(p) for p in result.problems] == [
        "soup.html:1: the file ends inside this bookmark (truncated?)"
    ]


def test_deep_nesting_is_refused_in_one_line() -> None:
    text = "<!DOCTYPE NETSCAPE-Bookmark-file-1>" + "<DT><H3>x</H3><DL><p>\n" * 10_000
    with pytest.raises(InputError, match=r"deep.html:\d+: folders nested deeper than 256"):
        read(text, "deep.html")


def test_bad_entries_and_bytes() -> None:
    result = read('<DL><DT><A ADD_DATE="x">no href</A><DT><A HREF="u" ADD_DATE="soon">t</A>', "b.html")
    assert [p.message for p in result.problems] == ["a link without HREF"]
    assert result.records[0].accessed is None and result.records[0].custom["bookmarks:add_date"]
    with pytest.raises(InputError, match=r"bad.html:2: not UTF-8"):
        read(b"<DL>\n<DT><A HREF='x'>\xff\xfe</A>", "bad.html")


def test_declared_legacy_charset() -> None:
    text = '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=GBK"><DL><DT><A HREF="https://x.test">中文书签</A>'
    assert read(text.encode("gbk")).records[0].title == "中文书签"
    unknown = '<META CONTENT="text/html; charset=x-nonsense"><DL><DT><A HREF="https://x.test">t</A>'
    assert read(unknown).records[0].title == "t"


def test_huge_title_is_linear() -> None:
    text = '<DL><DT><A HREF="https://x.test">' + "t" * 5_000_000 + "</A></DL>"
    assert len(read(text).records[0].title or "") == 5_000_000


def test_cli_reports_without_traceback(tmp_path: Any) -> None:
    path = tmp_path / "deep.html"
    path.write_text("<DL>" * 300, encoding="utf-8")
    run = run_cli("convert", str(path), "--from", "bookmarks", "--to", "records")
    assert run.code == 2 and "folders nested deeper" in run.stderr and "Traceback" not in run.stderr


# --------------------------------------------------------------------------- Zotero


@pytest.mark.parametrize("catalog", ["bundled", "sample"])
def test_zotero_imports_our_bookmarks(zotero_translate: ZoteroTranslate, catalog: str) -> None:
    records = load().records if catalog == "bundled" else sample_records()
    text = write(records)
    items = zotero_translate.import_items(text)
    assert len(items) == len(records)
    for record, item in zip(records, items, strict=True):
        assert item["itemType"] == "webpage"
        assert item["title"] == (plain(record.title) if record.title else record.url)
        assert item["url"] == record.url
        assert [t["tag"] for t in item["tags"]] == record.tags
        if record.accessed:
            assert item["accessDate"] == f"{record.accessed.iso()}T00:00:00Z"
        assert item.get("abstractNote") == (" ".join(record.note.split()) if record.note else None)
        assert "refexport" not in repr(item) and '{"' not in repr(item)
    for fmt in ("ris", "bibtex"):
        exported = zotero_translate.export(fmt, items)
        assert "refexport" not in exported and "&quot;" not in exported


def test_zotero_builds_the_folder_tree(zotero_translate: ZoteroTranslate) -> None:
    records = sample_records()
    tree = zotero_translate.collections(write(records))

    def paths(nodes: list[dict[str, Any]], above: list[str]) -> list[list[str]]:
        out: list[list[str]] = []
        for node in nodes:
            if "children" in node:
                out.extend(paths(node["children"], [*above, html.unescape(node["name"])]))
            else:
                out.append(above)
        return out

    assert paths(tree["collections"], []) == [r.collection for r in records]


def test_zotero_bookmarks_export_reads_back(zotero_translate: ZoteroTranslate) -> None:
    records = sample_records()
    items = zotero_translate.import_items(write(records))
    back = read(zotero_translate.export("bookmarks", items), "zotero.html").records
    assert [(r.title, r.url, r.tags) for r in back] == [
        (plain(r.title) if r.title else r.url, r.url, r.tags) for r in records
    ]
