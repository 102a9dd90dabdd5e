"""CSL-JSON and CSL YAML: round-trips, schema validity, tolerant reading, bad input, pandoc."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings

from refexport import csljson
from refexport.errors import InputError
from refexport.model import Name, PartialDate, Record, Source, record_id
from tests.conftest import DATA, require_tool, sample_records, shared_corpus
from tests.strategies import record_lists, text

CSL_DATA = DATA / "csl"
SUITE = CSL_DATA / "suite"
SCHEMA = json.loads((CSL_DATA / "csl-data.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)

MIXED_TITLE = "源码解读之 torch.autograd 与 deep learning 系统"


def assert_schema_valid(document: Any) -> None:
    errors = sorted(VALIDATOR.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def round_trip_json(records: list[Record]) -> list[Record]:
    result = csljson.read(csljson.write(records).encode("utf-8"), "out.json")
    assert result.problems == []
    return result.records


def round_trip_yaml(records: list[Record]) -> list[Record]:
    result = csljson.read_yaml(csljson.write_yaml(records).encode("utf-8"), "out.yaml")
    assert result.problems == []
    return result.records


def mixed_record() -> Record:
    return Record(
        id=record_id("https://mp.weixin.qq.com/s/mixed", "mixed-1"),
        key="mixed-1",
        type="webpage",
        title=MIXED_TITLE,
        url="https://mp.weixin.qq.com/s/mixed",
        authors=[Name(literal="OpenMMLab")],
        container="OpenMMLab",
        language="zh-CN",
        issued=PartialDate(2021, 3, 5),
        accessed=PartialDate(2024, 5, 1),
        note="publisher: 新浪博客\n这不是字段",
    )


# --- the variable lists the writer validates against are the schema's --------------------


def test_variable_sets_are_the_schema_properties() -> None:
    properties = SCHEMA["items"]["properties"]

    def by(predicate: Any) -> set[str]:
        return {name for name, spec in properties.items() if predicate(spec)}

    assert by(lambda s: s.get("type") == "string") == csljson.STRING_VARIABLES
    assert by(lambda s: s.get("type") == ["string", "number"]) == csljson.NUMBER_VARIABLES
    assert by(lambda s: s.get("$ref") == "#/definitions/date-variable") == csljson.DATE_VARIABLES
    names = by(lambda s: s.get("items", {}).get("$ref") == "#/definitions/name-variable")
    assert names == csljson.NAME_VARIABLES
    assert set(properties) == csljson.SCHEMA_VARIABLES
    assert set(SCHEMA["items"]["properties"]["type"]["enum"]) == set(csljson.CSL_TYPES)


# --- writer shape --------------------------------------------------------------------------


def test_output_is_a_schema_valid_top_level_array_with_string_ids() -> None:
    text_out = csljson.write(sample_records()[:1])
    assert text_out.startswith("[\n  {") and text_out.endswith("]\n")
    assert not text_out.encode("utf-8").startswith(b"\xef\xbb\xbf")
    assert "高效大规模" in text_out  # not \u-escaped
    items = json.loads(text_out)
    assert_schema_valid(items)
    assert items[0]["id"] == "gaoxiao_daguimo_jiqixuexi-k3"
    assert items[0]["URL"] == "https://mp.weixin.qq.com/s/ai_XI8ddP5I2m3ChCqnQsA"
    assert items[0]["accessed"] == {"date-parts": [[2023, 6, 15]]}
    assert items[0]["container-title"] == "微信公众号"


def test_every_sample_item_is_schema_valid_and_has_no_empty_values() -> None:
    items = json.loads(csljson.write(sample_records()))
    assert_schema_valid(items)
    for item in items:
        assert item["language"]
        for value in item.values():
            assert value not in (None, "", [], {})
    second = items[1]
    assert second["author"] == [
        {"literal": "机器之心"},
        {"family": "van Gogh", "given": "Vincent", "suffix": "Jr."},
    ]
    assert second["issued"] == {"date-parts": [[2018, 3]]}
    assert second["keyword"] == "sql, neural networks"
    assert second["volume"] == "12"  # extra csl:volume written natively
    assert "volume" not in second["custom"]["refexport"].get("extra", {})
    assert second["custom"]["refexport"]["extra"] == {"bibtex:journal": "Some Journal"}
    # title None: cited by its URL, not null; the record's missing title is kept in the block
    assert items[3]["title"] == items[3]["URL"] == "https://github.com/iovisor/bcc"
    assert items[3]["custom"]["refexport"]["title"] is None


def test_language_is_guessed_from_the_script_when_the_record_has_none() -> None:
    records = [
        Record(key="a", title=MIXED_TITLE),
        Record(key="b", title="ひらがなのタイトル"),
        Record(key="c", title="Plain English"),
        Record(key="d"),
    ]
    items = json.loads(csljson.write(records))
    assert [item["language"] for item in items] == ["zh-CN", "ja", "en", "en"]
    assert [r.language for r in round_trip_json(records)] == [None] * 4


def test_case_insensitive_key_collision_is_a_caller_bug() -> None:
    with pytest.raises(ValueError, match="differ only in case"):
        csljson.write([Record(key="Smith2020"), Record(key="smith2020")])


def test_record_without_key_gets_its_id_and_round_trips() -> None:
    record = Record(id="abcdef0123456789", key="", title="t")
    items = json.loads(csljson.write([record]))
    assert items[0]["id"] == "abcdef0123456789"
    assert round_trip_json([record]) == [record]


def test_note_with_leading_field_line_is_guarded_and_round_trips() -> None:
    record = mixed_record()
    item = json.loads(csljson.write([record]))[0]
    assert item["note"] == "\u200bpublisher: 新浪博客\n这不是字段"
    assert "note" not in item["custom"]["refexport"]  # the reader removes the guard itself
    assert round_trip_json([record]) == [record]
    # pandoc 2.17 turned a leading "http://x.org" line into a variable `http`
    url_first = Record(key="u", note="http://x.org\nmore")
    assert json.loads(csljson.write([url_first]))[0]["note"] == "\u200bhttp://x.org\nmore"
    plain = Record(key="p", note="plain note: variable names have no spaces")
    assert json.loads(csljson.write([plain]))[0]["note"] == plain.note
    prose = Record(key="q", note="SQL跑神经网络，没有意义")
    assert json.loads(csljson.write([prose]))[0]["note"] == "SQL跑神经网络，没有意义"


def test_non_schema_extras_go_to_custom_and_schema_ones_are_native() -> None:
    record = Record(
        key="x",
        extra={
            "csl:volume": 12,
            "csl:editor": [{"family": "Doe", "given": "Jane"}],
            "csl:original-date": {"date-parts": [[1999, 2]]},
            "csl:not-a-variable": "kept",
            "csl:page": ["not", "a", "page"],
            "csl:custom": {"zotero": 1},
            "opml:xmlUrl": "https://feed.example/rss",
        },
    )
    item = json.loads(csljson.write([record]))[0]
    assert_schema_valid([item])
    assert item["volume"] == 12 and item["editor"] == [{"family": "Doe", "given": "Jane"}]
    assert item["original-date"] == {"date-parts": [[1999, 2]]}
    assert item["custom"]["zotero"] == 1
    stashed = item["custom"]["refexport"]["extra"]
    assert stashed == {
        "csl:not-a-variable": "kept",
        "csl:page": ["not", "a", "page"],
        "opml:xmlUrl": "https://feed.example/rss",
    }
    assert round_trip_json([record]) == [record]


# --- round-trips ---------------------------------------------------------------------------


def test_sample_records_round_trip_through_json() -> None:
    assert round_trip_json(sample_records()) == sample_records()


def test_sample_records_round_trip_through_yaml() -> None:
    assert round_trip_yaml(sample_records()) == sample_records()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=6,
)
csl_extra_values = st.one_of(
    json_values,
    st.lists(
        st.builds(lambda n: n.to_dict(), st.builds(Name, family=text, given=st.none() | text)),
        min_size=1,
        max_size=2,
    ),
    st.builds(lambda y, m: {"date-parts": [[y, m]], "season": 2}, st.integers(1, 2100), st.integers(1, 12)),
    st.builds(lambda s: {"literal": s}, text),
)
extras = st.dictionaries(
    st.sampled_from(
        [
            "csl:volume",
            "csl:editor",
            "csl:original-date",
            "csl:categories",
            "csl:custom",
            "csl:title",
            "csl:keyword",
            "csl:author",
            "csl:issued",
            "csl:DOI",
            "csl:id",
            "csl:unknown-var",
            "bibtex:journal",
            "zotero:extra",
        ]
    )
    | text,
    csl_extra_values,
    max_size=4,
)


@st.composite
def rich_record_lists(draw: st.DrawFn) -> list[Record]:
    records = draw(record_lists(max_size=3))
    for record in records:
        record.extra.update(draw(extras))
        record.tags = draw(st.lists(text, max_size=3))  # commas, spaces, repeats: keyword can't hold them
        record.language = draw(st.none() | st.just("") | text)
    return records


property_settings = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@property_settings
@given(rich_record_lists())
def test_any_records_round_trip_through_json_and_are_schema_valid(records: list[Record]) -> None:
    text_out = csljson.write(records)
    assert_schema_valid(json.loads(text_out))
    result = csljson.read(text_out.encode("utf-8"), "out.json")
    assert result.problems == []
    assert result.records == records


@property_settings
@given(rich_record_lists())
def test_any_records_round_trip_through_yaml(records: list[Record]) -> None:
    assert round_trip_yaml(records) == records


def _full_self_check_block(record: Record, item_id: str) -> dict[str, Any]:
    """The block the writer's full self-check gives: read the native item back, compare."""
    item = csljson._item(record, item_id)
    del item["custom"][csljson.CUSTOM_KEY]
    if not item["custom"]:
        del item["custom"]
    return csljson._block(record, csljson._native_record(item, 0))


def _plain_block_or_none(record: Record, item_id: str) -> dict[str, Any] | None:
    item = csljson._item(record, item_id)
    del item["custom"][csljson.CUSTOM_KEY]
    if not item["custom"]:
        del item["custom"]
    return csljson._plain_block(record, item)


@property_settings
@given(rich_record_lists())
def test_plain_block_is_the_full_self_check_whenever_it_applies(records: list[Record]) -> None:
    for record in records:
        plain = _plain_block_or_none(record, record.key or record.id)
        if plain is not None:
            assert plain == _full_self_check_block(record, record.key or record.id)


@pytest.mark.parametrize(
    "record",
    [
        Record(id="x", key="", title="", url="", container="", publisher="", language="", note=""),
        Record(id="x", key="k", type="no-such-type", authors=[Name(family="A", given=""), Name(literal="")]),
        Record(id="x", key="k", authors=[Name(), Name(family="van", given="B", suffix="Jr.")]),
        Record(id="x", key="k", note="\u200bvolume: 3", tags=["a, b", " c"]),
        Record(id="x", key="k", note="volume: 3", tags=["a, b"], extra={"bibtex:journal": "J"}),
        Record(id="x", key="k", issued=PartialDate(0), accessed=PartialDate(0, 1)),
        Record(id="x", key="k", tags=[" spaced"]),
        Record(id="x", key="k", extra={"csl:volume": "3"}),
    ],
)
def test_plain_block_agrees_with_the_full_self_check_on_lossy_fields(record: Record) -> None:
    plain = _plain_block_or_none(record, record.key or "item-1")
    full = _full_self_check_block(record, record.key or "item-1")
    assert plain is None or plain == full
    assert csljson.read(csljson.write([record]).encode("utf-8"), "x.json").records == [record]


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",))))
def test_markdown_escape_is_undone_exactly(value: str) -> None:
    assert csljson._markdown_unescape(csljson._markdown_escape(value)) == value


# --- tolerant reading of foreign CSL-JSON ---------------------------------------------------


def read_one(item: Any) -> Record:
    result = csljson.read(json.dumps(item, ensure_ascii=False).encode("utf-8"), "in.json")
    assert result.problems == []
    assert len(result.records) == 1
    return result.records[0]


def test_reads_a_single_object_numeric_id_string_names_and_lower_case_url() -> None:
    record = read_one(
        {"id": 42, "type": "webpage", "author": "Smith", "url": "https://a.example/x", "title": "T"}
    )
    assert record.key == "42"
    assert record.authors == [Name(literal="Smith")]
    assert record.url == "https://a.example/x"
    assert record.id == record_id("https://a.example/x", "42")
    assert record.extra == {"csl:id": 42, "csl:author": "Smith"}
    assert record.language is None and record.tags == []


def test_reads_raw_literal_range_season_and_circa_dates() -> None:
    cases = [
        ({"raw": "2022-07-14"}, PartialDate(2022, 7, 14)),
        ("2022-07", PartialDate(2022, 7)),
        (
            {"date-parts": [["1999", "21"], ["2001", "22"]], "raw": "Spring 1999 - Summer 2001"},
            PartialDate(1999),
        ),
        ({"date-parts": [[2003, 8, 10], [2003, 8, 23]]}, PartialDate(2003, 8, 10)),
        ({"date-parts": [[2000]], "season": 3}, PartialDate(2000)),
        ({"circa": 1, "date-parts": [[2005, 12, 15]]}, PartialDate(2005, 12, 15)),
        ({"date-parts": [], "literal": "(in press)"}, None),
        ({"literal": "民国二十年"}, None),
        ({"raw": "2019-03/2019-05"}, PartialDate(2019, 3)),
        ({"date-parts": [[-44, 3, 15]]}, PartialDate(-44, 3, 15)),
    ]
    for value, expected in cases:
        record = read_one({"id": "d", "type": "book", "issued": value})
        assert record.issued == expected, value
        if value != {"date-parts": [expected.parts()]} if expected else True:
            assert record.extra["csl:issued"] == value  # the original is kept whole
    exact = read_one({"id": "d", "type": "book", "issued": {"date-parts": [[2020, 1, 2]]}})
    assert exact.issued == PartialDate(2020, 1, 2) and exact.extra == {}


def test_foreign_shapes_are_written_back_natively() -> None:
    original = [
        {
            "id": "r1",
            "type": "book",
            "issued": {"date-parts": [[2005, 11, 15], [2006, 12, 20]]},
            "author": [{"comma-suffix": True, "family": "Doe", "given": "Jeffrey", "suffix": "Jr."}],
            "volume": "30",
            "DOI": "10.1177/0269881116652578",
            "language": "en",
        }
    ]
    records = csljson.read(json.dumps(original).encode(), "in.json").records
    assert records[0].issued == PartialDate(2005, 11, 15)
    item = json.loads(csljson.write(records))[0]
    for var in ("issued", "author", "volume", "DOI"):
        assert item[var] == original[0][var], var
    assert "extra" not in item["custom"]["refexport"]
    assert round_trip_json(records) == records


def test_an_edited_field_wins_over_the_stale_original_in_extra() -> None:
    record = read_one({"id": "r", "type": "book", "issued": {"date-parts": [[2005], [2006]]}})
    record.issued = PartialDate(2010)
    item = json.loads(csljson.write([record]))[0]
    assert item["issued"] == {"date-parts": [[2010]]}
    assert round_trip_json([record]) == [record]


def test_unknown_type_unknown_variables_and_missing_id() -> None:
    record = read_one({"type": "blog", "title": "x", "system_id": 7, "multi": {"_keys": {}}})
    assert record.key == "item-1"
    assert record.type == "document"
    assert record.extra == {"csl:type": "blog", "csl:system_id": 7, "csl:multi": {"_keys": {}}}
    assert round_trip_json([record]) == [record]
    assert_schema_valid(json.loads(csljson.write([record])))


def test_keyword_becomes_tags() -> None:
    record = read_one({"id": "k", "type": "book", "keyword": "ml, systems"})
    assert record.tags == ["ml", "systems"] and record.extra == {}
    odd = read_one({"id": "k", "type": "book", "keyword": "ml,systems"})
    assert odd.tags == ["ml", "systems"] and odd.extra == {"csl:keyword": "ml,systems"}
    assert json.loads(csljson.write([odd]))[0]["keyword"] == "ml,systems"


# --- bad input -----------------------------------------------------------------------------


def test_bad_items_become_problems_and_good_ones_are_kept() -> None:
    data = json.dumps(
        [
            {"id": "good", "type": "book"},
            "not an item",
            {"id": ["x"], "type": "book"},
            {"id": "t", "type": "book", "title": {"nested": 1}},
            {"id": "n", "type": "book", "author": [7]},
            {"id": "GOOD", "type": "book"},
            {"id": "c", "type": "book", "custom": {"refexport": {"issued": [2020, 13]}}},
            {"id": "ok2", "type": "book"},
        ]
    ).encode()
    result = csljson.read(data, "bad.json")
    assert [r.key for r in result.records] == ["good", "ok2"]
    messages = [str(p) for p in result.problems]
    assert messages[0] == "bad.json: item 2: expected an object, found a string"
    assert messages[1].startswith("bad.json: item 3: id must be a string or a number")
    assert messages[2] == "bad.json: item 4 (t): title must be text, found an object"
    assert messages[3].startswith("bad.json: item 5 (n): author 1 must be a name object")
    assert messages[4].startswith("bad.json: item 6 (GOOD): id 'GOOD' repeats 'good'")
    assert messages[5].startswith("bad.json: item 7 (c): custom.refexport is damaged")
    assert len(messages) == 6


@pytest.mark.parametrize(
    ("data", "line", "fragment"),
    [
        (b'[\n  {"id": "a",\n  "type": }\n]', 3, "not valid JSON"),
        (b'[\n{"id": "a", "title": "\xff"}]', 2, "not UTF-8"),
        (b'"just a string"', None, "expected an array of CSL items, found a string"),
        (b"", 1, "not valid JSON"),
    ],
)
def test_unreadable_json_raises_input_error_with_line(data: bytes, line: int | None, fragment: str) -> None:
    with pytest.raises(InputError) as caught:
        csljson.read(data, "refs.json")
    assert caught.value.problem.file == "refs.json"
    assert caught.value.problem.where == line
    assert fragment in caught.value.problem.message


def test_utf8_bom_and_utf16_are_read() -> None:
    item = [{"id": "a", "type": "book", "title": "标题"}]
    for data in (
        b"\xef\xbb\xbf" + json.dumps(item).encode(),
        json.dumps(item, ensure_ascii=False).encode("utf-16"),
    ):
        assert csljson.read(data, "bom.json").records[0].title == "标题"


def test_bad_yaml_raises_input_error_with_line() -> None:
    with pytest.raises(InputError) as caught:
        csljson.read_yaml(b"---\nreferences:\n- id: a\n  title: [unclosed\n", "refs.yaml")
    assert caught.value.problem.where == 5  # the end of input, where the flow list is still open
    with pytest.raises(InputError, match="no `references:`"):
        csljson.read_yaml(b"title: a post\n", "post.md")


# --- CSL YAML forms ------------------------------------------------------------------------


def test_yaml_document_shape() -> None:
    text_out = csljson.write_yaml([mixed_record()])
    assert text_out.startswith("---\nreferences:\n- id: mixed-1\n") and text_out.endswith("\n...\n")


def test_yaml_reads_bare_list_mapping_and_markdown_front_matter() -> None:
    bare = b"- id: a\n  type: book\n  title: 'x\\_y'\n  issued: 2023-06-15\n"
    mapping = b"references:\n" + bare
    markdown = b"---\ntitle: post\n" + mapping + b"---\n\n# Body\n\nText with --- inside.\n"
    for data in (bare, mapping, markdown):
        result = csljson.read_yaml(data, "refs.md")
        assert result.problems == []
        [record] = result.records
        assert (record.key, record.title, record.issued) == ("a", "x_y", PartialDate(2023, 6, 15))


# --- corpus sweeps -------------------------------------------------------------------------


def sweep(folder: Path) -> int:
    files = sorted(folder.glob("*.json"))
    assert files
    for path in files:
        result = csljson.read(path.read_bytes(), path.name)
        assert result.records, path.name
        written = csljson.write(result.records)
        assert_schema_valid(json.loads(written))
        assert round_trip_json(result.records) == result.records, path.name
        assert round_trip_yaml(result.records) == result.records, path.name
    return len(files)


def test_csl_suite_copies_read_write_and_round_trip() -> None:
    assert sweep(SUITE) == 27


def test_shared_csl_corpus_sweep() -> None:
    sweep(shared_corpus("csl"))


def test_suite_details_survive() -> None:
    [institution, smith, _] = csljson.read(
        (SUITE / "testers_FirstAutoGeneratedZoteroPluginTest.json").read_bytes(), "t.json"
    ).records
    assert institution.key == "1"
    assert institution.authors == [Name(literal="Center\xa0<sup>for</sup> History <sub>and</sub> New Media")]
    assert smith.issued == PartialDate(2000)
    [item] = csljson.read((SUITE / "date_InPress.json").read_bytes(), "t.json").records
    assert item.issued is None and item.extra["csl:issued"]["literal"] == "(in press)"
    written = json.loads(csljson.write([item]))[0]
    assert written["issued"] == {"literal": "(in press)"}
    assert round_trip_json([item]) == [item]


# --- real client: pandoc -------------------------------------------------------------------


def pandoc(*args: str, stdin: str = "", cwd: Path | None = None) -> str:
    completed = subprocess.run(
        [require_tool("pandoc"), *args], input=stdin, capture_output=True, text=True, cwd=cwd, check=False
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def reference_summary(items: list[dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
    def date_parts(item: dict[str, Any], var: str) -> Any:
        return [[int(p) for p in d] for d in item.get(var, {}).get("date-parts", [])]

    return {
        item["id"]: (
            item.get("title"),
            item.get("URL"),
            date_parts(item, "issued"),
            date_parts(item, "accessed"),
        )
        for item in items
    }


def client_records() -> list[Record]:
    return [*sample_records(), mixed_record()]


def test_pandoc_reads_our_csljson_to_the_same_titles_urls_and_dates(tmp_path: Path) -> None:
    ours = json.loads(csljson.write(client_records()))
    (tmp_path / "refs.json").write_text(csljson.write(client_records()), encoding="utf-8")
    theirs = json.loads(pandoc("-f", "csljson", "-t", "csljson", "refs.json", cwd=tmp_path))
    assert reference_summary(theirs) == reference_summary(ours)
    # the guarded note did not turn into a publisher
    mixed = next(item for item in theirs if item["id"] == "mixed-1")
    assert "publisher" not in mixed and "publisher: 新浪博客" in mixed["note"]
    sql = next(item for item in theirs if item["id"] == "meiyou_chun_sql-x9")
    assert [display(name) for name in sql["author"]] == ["机器之心", "Vincent van Gogh Jr."]


@pytest.mark.parametrize("bibliography", ["refs.json", "refs.yaml"])
def test_pandoc_citeproc_renders_every_entry_without_title_casing_chinese(
    tmp_path: Path, bibliography: str
) -> None:
    records = client_records()
    write = csljson.write if bibliography.endswith(".json") else csljson.write_yaml
    (tmp_path / bibliography).write_text(write(records), encoding="utf-8")
    (tmp_path / "doc.md").write_text("---\nnocite: |\n  @*\n---\n", encoding="utf-8")
    rendered = pandoc(
        "-s",
        "--citeproc",
        "--bibliography",
        bibliography,
        "-t",
        "plain",
        "--columns=10000",
        "doc.md",
        cwd=tmp_path,
    )
    for record in records:
        assert record.url in rendered
        if record.title:
            assert record.title.split("{")[0] in rendered
    assert MIXED_TITLE in rendered  # not "Torch.autograd 与 Deep Learning"
    assert "Inference CookBook" in rendered


def test_pandoc_reads_our_csl_yaml_metadata_to_the_same_titles_urls_and_dates(tmp_path: Path) -> None:
    records = client_records()
    (tmp_path / "doc.md").write_text(csljson.write_yaml(records), encoding="utf-8")
    theirs = json.loads(pandoc("-s", "-f", "markdown", "-t", "csljson", "doc.md", cwd=tmp_path))
    assert reference_summary(theirs) == reference_summary(json.loads(csljson.write(records)))
    by_id = {item["id"]: item for item in theirs}
    assert by_id["meiyou_chun_sql-x9"]["note"] == sample_records()[1].note  # line breaks kept
    assert [display(name) for name in by_id["meiyou_chun_sql-x9"]["author"]] == [
        "机器之心",
        "Vincent van Gogh Jr.",
    ]


def display(csl_name: dict[str, str]) -> str:
    """pandoc splits "van Gogh" into particle + family (as citeproc-js does); the name stays."""
    return Name.from_dict(csl_name).display().replace(", ", " ")


def test_source_model_is_untouched_by_writing() -> None:
    records = sample_records()
    csljson.write(records)
    csljson.write_yaml(records)
    assert records == sample_records()
    assert records[0].source == [
        Source("2023-06-15-parallel_5.md", 11, "https://mp.weixin.qq.com/s/ai_XI8ddP5I2m3ChCqnQsA")
    ]


def test_output_is_the_items_with_one_variable_per_line() -> None:
    text = csljson.write(sample_records())
    assert json.loads(text) == csljson.csl_items(sample_records())
    assert text.startswith('[\n  {\n    "id": "gaoxiao_daguimo_jiqixuexi-k3",\n    "type": "webpage",\n')
    assert '\n    "author": [{"literal": "机器之心"}, {"family": "van Gogh"' in text
