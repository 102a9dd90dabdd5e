"""RIS: rispy reads and writes the lines; records survive a round trip; real files from
EndNote-style and CNKI-style exports read; Zotero's own RIS importer and exporter agree."""

from __future__ import annotations

import codecs
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from refexport import formats
from refexport.catalog import load
from refexport.errors import InputError
from refexport.formats import WriteOptions
from refexport.model import Date, Name, Record
from refexport.text.markup import plain

from conftest import DATA, ZoteroTranslate, run_cli, sample_records
from strategies import record_lists

RIS = formats.get("ris")


def write(records: list[Record]) -> str:
    return "".join(RIS.write(records, WriteOptions()))


def read(text: str | bytes, name: str = "refs.ris") -> Any:
    return RIS.read(text.encode("utf-8") if isinstance(text, str) else text, name)


# --------------------------------------------------------------------------- round trips


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record_lists())
def test_any_records_survive_a_round_trip(records: list[Record]) -> None:
    result = read(write(records))
    assert result.problems == []
    assert result.records == records


def test_sample_records_and_the_bundled_catalog_survive_a_round_trip() -> None:
    for records in (sample_records(), load().records):
        result = read(write(records))
        assert (result.problems, result.records) == ([], records)


def test_a_record_read_from_ris_is_written_back_without_a_stash() -> None:
    text = (DATA / "ris" / "rispy-example_endnote.ris").read_text(encoding="utf-8")
    first = read(text).records
    again = write(first)
    assert "refexport:" in again  # the origin (file and line) is ours to keep
    first[0].origin[0].file, first[0].origin[0].line = "", 1
    assert "refexport:" not in write(first)


def test_native_tags_where_zotero_reads_them() -> None:
    text = write(sample_records())
    journal = text.split("ER  - ")[4]
    for line in [
        "TY  - JOUR",
        "TI  - A study of Cu2O in Nature: the DNA case",  # CSL markup stripped for RIS readers
        "AU  - Smith, John",
        "AU  - World Health Organization",
        "AU  - 张, 三",
        "A2  - Doe, Jane",
        "T2  - Nature",
        "J2  - Nat.",
        "PY  - 2020",
        "DA  - 2020/05//",
        "VL  - 581",
        "IS  - 7",
        "SP  - 100",
        "EP  - 110",
        "DO  - 10.1038/xyz",
        "SN  - 0028-0836",
        "UR  - https://doi.org/10.1038/xyz",
        "ID  - smith2020study",
        "M2  - Citation Key: smith2020study",
    ]:
        assert f"\n{line}\n" in journal or journal.lstrip("\n").startswith(line + "\n"), line
    blog = text.split("ER  - ")[1]
    assert "TY  - BLOG" in blog and "Y2  - 2023/06/15/" in blog and "KW  - neural networks" in blog


def test_a_note_line_that_looks_like_a_tag_does_not_end_the_entry() -> None:
    record = sample_records()[2]
    record.note = "first\nER  - \nTY  - JOUR\nlast"
    text = write([record])
    assert text.count("\nER  - ") == 1 and "\n ER  - " in text
    assert read(text).records == [record]


def test_writer_yields_pieces() -> None:
    records = load().records * 10
    pieces = list(RIS.write(records, WriteOptions()))
    assert len(pieces) > 1
    assert len(read("".join(pieces)).records) == len(records)


# --------------------------------------------------------------------------- real files


def test_endnote_style_file() -> None:
    [record] = read((DATA / "ris" / "rispy-example_endnote.ris").read_bytes()).records
    assert record.type == "article-journal"
    assert record.title == "EndNote: The Only Reference I Can Remember"
    assert record.key == "123"
    assert [n.family for n in record.authors] == ["Smith", "Doe", "End", "Ref"]
    assert record.authors[0].given == "A. Nonymous"
    assert record.issued == Date.of(2024)
    assert record.variables["page"] == "1-2"
    assert record.url == "https://www.endnote.com/"
    assert record.custom["ris:UR"] == ["https://www.reference-jokes.org/"]
    assert record.tags[:3] == ["citation", "reference", "library"] and len(record.tags) == 8
    assert record.note == "L0000000000\n2024-04-01"
    assert record.custom["ris:AD"][0].startswith("Department of Bibliographic Sorcery")
    assert record.container == "Journal of Reference Management"


def test_ris_2001_tags_and_numbered_entries() -> None:
    result = read((DATA / "ris" / "rispy-example_full.ris").read_bytes())
    assert [r.title for r in result.records] == ["Title of reference", "The title of the reference"]
    first = result.records[0]
    assert [n.family for n in first.authors] == ["Marx", "Lindgren"]
    assert first.variables["editor"] == [Name(family="Glattauer", given="Daniel")]
    assert first.issued == Date.of(2014)
    assert first.container == "Lorem" and first.variables["container-title-short"] == "lorem"
    assert first.publisher == "Fun Factory" and first.custom["ris:PB"] == ["Fun Factory USA"]
    assert first.variables["abstract"].startswith("BACKGROUND: Lorem ipsum")
    assert [o.line for r in result.records for o in r.origin] == [2, 29]


@pytest.mark.parametrize("name", ["rispy-example_utf_chars.ris", "rispy-example_utf_chars-utf16.ris"])
def test_utf8_and_utf16_files(name: str) -> None:
    [record] = read((DATA / "ris" / name).read_bytes(), name).records
    assert record.type == "document" and record.custom["ris:TY"] == "Journal Article"
    assert record.variables["abstract"].startswith("Состояние рецепторного")
    assert "\nThe state of the receptor" in record.variables["abstract"]
    assert record.note == "Ä,Ö,Ü,ä,ö,ü,ß"
    assert record.custom["ris:VO"] == ["8"]
    assert record.variables["page"] == "52-57"


def test_utf8_with_bom() -> None:
    data = (DATA / "ris" / "rispy-example_bom.ris").read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    [record] = read(data).records
    assert record.variables["DOI"] == "10.1186/s40981-020-0316-0"


def test_gbk_file_with_crlf() -> None:
    data = (DATA / "ris" / "cnki-style-gbk.ris").read_bytes()
    [record] = read(data).records
    assert record.title == "医学综述撰写中的注意事项"
    assert record.authors == [Name(literal="施洋")]
    assert record.issued == Date.of(2013, 4, 1)
    assert record.tags == ["医学综述", "写作", "规范化"]
    assert record.variables["ISSN"] == "1001-8972"


def test_detected_by_extension_and_content() -> None:
    data = (DATA / "ris" / "rispy-example_endnote.ris").read_bytes()
    assert formats.detect(data, "export.ris").name == "ris"
    assert formats.detect(data, "export.txt").name == "ris"  # NoteExpress and CNKI save .txt too
    run = run_cli("convert", str(DATA / "ris" / "rispy-example_endnote.ris"), "--to", "ris")
    assert run.code == 0 and "TI  - EndNote: The Only Reference I Can Remember" in run.stdout


def test_cli_commands() -> None:
    run = run_cli("ris")
    assert run.code == 0 and run.stdout.count("TY  - ") == len(load().records)
    run = run_cli("--catalog", str(DATA / "ris" / "rispy-example_full.ris"), "records")
    assert run.code == 0 and "Title of reference" in run.stdout


# --------------------------------------------------------------------------- hostile input


def test_truncated_last_entry_is_reported_and_the_rest_kept() -> None:
    text = write(sample_records())
    cut = text[: text.rindex("ER  - ")]
    result = read(cut, "cut.ris")
    assert len(result.records) == 4
    [problem] = result.problems
    assert str(problem).startswith("cut.ris:") and "no `ER  - ` line" in str(problem)


def test_bad_bytes_name_the_line() -> None:
    data = b"TY  - JOUR\nTI  - ok\n" + b"AB  - \xff\xfe\x80 broken\nER  - \n"
    with pytest.raises(InputError, match=r"bad.ris:3: not UTF-8"):
        read(data, "bad.ris")


def test_no_entries_is_refused_but_an_empty_file_is_empty() -> None:
    with pytest.raises(InputError, match="no RIS entry"):
        read("just some text\n")
    assert read("").records == []


def test_damaged_stash_skips_that_entry_only() -> None:
    text = write(sample_records()[:2]).replace('ID  - refexport:{"id"', 'ID  - refexport:{"id"[', 1)
    result = read(text, "d.ris")
    assert len(result.records) == 1 and result.problems[0].where == 1


def test_missing_er_before_the_next_entry_and_one_space_tags() -> None:
    text = "TY - JOUR\nTI - First\nTY  - BOOK\nTI  - Second\nER  -\n"
    result = read(text)
    assert [(r.type, r.title) for r in result.records] == [("article-journal", "First"), ("book", "Second")]


def test_huge_line_and_many_entries_stay_linear() -> None:
    huge = "TY  - JOUR\nTI  - " + "x" * 5_000_000 + "\nER  - \n"
    assert len(read(huge).records[0].title or "") == 5_000_000
    many = "TY  - JOUR\nTI  - t\nER  - \n" * 20_000
    assert len(read(many).records) == 20_000
    continued = "TY  - JOUR\nN1  - a\n" + "b\n" * 300_000 + "ER  - \n"  # joined once, not line by line
    assert len(read(continued).records[0].note or "") == 600_001


def test_cli_reports_a_truncated_file(tmp_path: Any) -> None:
    path = tmp_path / "cut.ris"
    path.write_text("TY  - JOUR\nTI  - ok\nER  - \nTY  - JOUR\nTI  - cut", encoding="utf-8")
    run = run_cli("convert", str(path), "--to", "records")
    assert run.code == 1 and f"{path}:4: entry has no `ER  - ` line" in run.stderr
    assert "Traceback" not in run.stderr and '"title":"ok"' in run.stdout


# --------------------------------------------------------------------------- Zotero


ZOTERO_TYPE = {
    "webpage": "webpage",
    "post-weblog": "blogPost",
    "post": "webpage",  # RIS has no forum-post type; Zotero would make ICOMM an e-mail
    "software": "computerProgram",
    "article-journal": "journalArticle",
}
CONTAINER = {"webpage": "websiteTitle", "blogPost": "blogTitle", "journalArticle": "publicationTitle"}


def _zotero_creator(name: Name) -> dict[str, str]:
    if name.literal is not None:
        return {"name": name.literal}
    last = " ".join(p for p in (name.non_dropping_particle, name.family) if p)
    first = ", ".join(
        p for p in (" ".join(q for q in (name.given, name.dropping_particle) if q), name.suffix) if p
    )
    return {"lastName": last, "firstName": first}


def _check_item(record: Record, item: dict[str, Any]) -> None:
    """The fields of the issue's table, each where Zotero keeps it."""
    assert item["itemType"] == ZOTERO_TYPE[record.type]
    if record.title:
        assert item["title"] == plain(record.title)
    assert item.get("url") == record.url
    field = CONTAINER.get(item["itemType"])
    if field:  # computerProgram has no container field
        assert item.get(field) == record.container
    if record.type != "software":  # computerProgram: LA is the programming language
        assert item.get("language") == record.language
    assert [t["tag"] for t in item["tags"]] == record.tags
    creators = [{k: v for k, v in c.items() if k != "creatorType"} for c in item["creators"]]
    expected = [_zotero_creator(n) for v in ("author", "editor") for n in record.variables.get(v, [])]  # type: ignore[union-attr]
    assert creators == expected
    if record.issued:
        assert item["date"] == (record.issued.start.iso() if record.issued.start else None)
    if record.accessed:
        assert item["accessDate"] == record.accessed.iso()
    assert item["extra"] == f"Citation Key: {record.key}"


def _no_bookkeeping(text: str) -> None:
    assert "refexport" not in text and '{"' not in text and "\u200b" not in text


@pytest.mark.parametrize("catalog", ["bundled", "sample"])
def test_zotero_imports_every_field_and_shows_none_of_ours(
    zotero_translate: ZoteroTranslate, catalog: str
) -> None:
    records = load().records if catalog == "bundled" else sample_records()
    text = write(records)
    items = zotero_translate.import_items(text)
    regular = [i for i in items if i["itemType"] != "note"]
    assert len(regular) == len(records)
    for record, item in zip(records, regular, strict=True):
        _check_item(record, item)
    notes = [i["note"] for i in items if i["itemType"] == "note"]
    assert len(notes) == sum(1 for r in records if r.note)
    _no_bookkeeping(repr(items))
    for fmt in ("ris", "bibtex"):
        _no_bookkeeping(zotero_translate.export(fmt, items))


def test_zotero_ris_export_reads_back(zotero_translate: ZoteroTranslate) -> None:
    """Ours -> Zotero -> Zotero's RIS export -> ours: the same titles, URLs, types,
    creators, dates, containers, languages and tags. Not the key: Zotero's RIS export writes
    no Extra and no citation key."""
    records = sample_records()
    items = zotero_translate.import_items(write(records))
    back = read(zotero_translate.export("ris", items), "zotero.ris")
    assert back.problems == [] and len(back.records) == len(records)
    for record, again in zip(records, back.records, strict=True):
        expected_type = "webpage" if record.type == "post" else record.type
        assert again.type == expected_type
        assert again.title == (plain(record.title) if record.title else None)
        assert (again.url, again.tags, again.issued, again.accessed) == (
            record.url,
            record.tags,
            Date((record.issued.parts[0],)) if record.issued else None,
            record.accessed,
        )
        if record.type != "software":
            assert (again.container, again.language) == (record.container, record.language)
        # the dropping particle ends Zotero's first name ("Charles van den"): read back as one
        assert again.authors == record.authors
        assert again.key == ""


def test_hand_made_zotero_items_read_back(zotero_translate: ZoteroTranslate) -> None:
    items = [
        {
            "itemType": "book",
            "title": "机器学习",
            "creators": [{"creatorType": "author", "lastName": "周", "firstName": "志华"}],
            "date": "2016-01",
            "publisher": "清华大学出版社",
            "place": "北京",
            "ISBN": "9787302423287",
            "language": "zh-CN",
            "url": "https://example.org/ml",
            "tags": [{"tag": "ML"}, {"tag": "教材"}],
        },
        {
            "itemType": "blogPost",
            "title": "A post",
            "blogTitle": "Some Blog",
            "creators": [{"creatorType": "author", "name": "Org Team"}],
            "date": "2021-02-03",
            "accessDate": "2023-06-15T10:00:00Z",
            "url": "https://blog.example/post",
        },
    ]
    text = zotero_translate.export("ris", items)
    book, post = read(text, "zotero.ris").records
    assert (book.type, book.title, book.publisher, book.variables["publisher-place"]) == (
        "book",
        "机器学习",
        "清华大学出版社",
        "北京",
    )
    assert book.authors == [Name(family="周", given="志华")] and book.issued == Date.of(2016, 1)
    assert (book.variables["ISBN"], book.language, book.url, book.tags) == (
        "9787302423287",
        "zh-CN",
        "https://example.org/ml",
        ["ML", "教材"],
    )
    assert (post.type, post.container, post.authors, post.issued, post.accessed) == (
        "post-weblog",
        "Some Blog",
        [Name(literal="Org Team")],
        Date.of(2021, 2, 3),
        Date.of(2023, 6, 15),
    )
    assert re.search(r"^Y2  - 2023/06/15/", text, re.MULTILINE)
