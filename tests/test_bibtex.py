"""BibTeX/BibLaTeX writer and reader: round trips, hostile text, real clients, the corpus."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import bibtexparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refexport import bibtex
from refexport.catalog import assemble, load
from refexport.errors import InputError
from refexport.formats import ReadResult
from refexport.model import Name, PartialDate, Record, Source, record_id
from tests.conftest import DATA, require_tool, sample_records, shared_corpus

BIB_DATA = DATA / "bib"
DIALECTS = ("bibtex", "biblatex")


def wechat_record() -> Record:
    """The worked example of the BibTeX notes (§0.2)."""
    url = "https://mp.weixin.qq.com/s/AbCdEfGhIjKlMnOp_QrStU"
    return Record(
        id=record_id(url),
        key="zhangsan2023dmxtljs",
        type="webpage",
        title="大模型推理加速：从 KV Cache 到 PagedAttention",
        url=url,
        authors=[Name(literal="张三")],
        container="机器之心",
        language="zh-CN",
        issued=PartialDate(2023, 6, 15),
        accessed=PartialDate(2024, 5, 1),
        tags=["大模型", "推理加速", "KV Cache"],
        source=[Source("post.md", 4, url)],
    )


HOSTILE_TEXTS = [
    "unbalanced } brace { here }}",
    "{{{",
    "a\\b\\\\c\\",
    "50% & #1 _x_ ~ $ ^ \\LaTeX \\}",
    "line one\n@misc{evil, title={x}}\n  @comment{y}",
    "control \x00\x01\x1b\x7f and \r\n CRLF \u2028 sep",
    "}{",
    'quote " and comma, equals = sign',
    "  leading and trailing spaces  ",
]


def hostile_records() -> list[Record]:
    records = []
    for index, text in enumerate(HOSTILE_TEXTS):
        records.append(
            Record(
                id=f"h{index}",
                key=f"hostile{index}",
                type="article-journal" if index % 2 else "webpage",
                title=text,
                url=f"https://example.org/{index}?a={{b}}&c=%20#{text[:3]}",
                authors=[Name(literal=text), Name(family=text or "x", given=text)],
                container=text,
                publisher=text,
                note=text,
                tags=[text, "plain"],
                collection=[text],
                issued=PartialDate(2020, 1 + index % 12),
                extra={"bibtex:abstract": text, "csl:genre": text},
            )
        )
    return records


def failed_blocks(text: str) -> list[object]:
    return list(bibtexparser.parse_string(text).failed_blocks)


def assert_same(expected: list[Record], actual: list[Record]) -> None:
    assert len(actual) == len(expected)
    for want, got in zip(expected, actual, strict=True):
        assert got.to_dict() == want.to_dict()
        assert got == want


# --------------------------------------------------------------------------- writer


@pytest.mark.parametrize("dialect", DIALECTS)
def test_sample_records_round_trip(dialect: str) -> None:
    records = sample_records()
    text = bibtex.write(records, dialect)
    assert failed_blocks(text) == []
    result = bibtex.read(text.encode(), "out.bib")
    assert result.problems == []
    assert_same(records, result.records)
    assert [r.key for r in result.records] == [r.key for r in records]  # input order


@pytest.mark.parametrize("dialect", DIALECTS)
def test_hostile_text_round_trips_and_reparses(dialect: str) -> None:
    records = hostile_records()
    text = bibtex.write(records, dialect)
    assert failed_blocks(text) == []
    assert "\n@misc{evil" not in text
    assert_same(records, bibtex.read(text.encode(), "out.bib").records)


def test_bibtex_dialect_worked_example() -> None:
    text = bibtex.write([wechat_record()], "bibtex")
    assert text.startswith("@misc{zhangsan2023dmxtljs,")
    assert re.search(r"author\s+= \{\{张三\}\},", text)
    assert re.search(r"title\s+= \{\{大模型推理加速：从 KV Cache 到 PagedAttention\}\},", text)
    assert re.search(r"howpublished\s+= \{机器之心\},", text)
    assert re.search(r"year\s+= \{2023\},", text)
    assert re.search(r"month\s+= jun,", text)  # the bare macro, not {jun}
    assert re.search(r"url\s+= \{https://mp.weixin.qq.com/s/AbCdEfGhIjKlMnOp_QrStU\},", text)
    assert re.search(r"urldate\s+= \{2024-05-01\},", text)
    assert re.search(r"langid\s+= \{chinese\},", text)
    assert re.search(r"keywords\s+= \{大模型,推理加速,KV Cache\},", text)
    # id equals record_id(url): only the source is bookkeeping
    stash = re.search(r"refexport\s+= \{(.*)\}\n", text)
    assert stash and json.loads(stash.group(1)) == {"source": [["post.md", 4]]}


def test_biblatex_dialect_worked_example() -> None:
    text = bibtex.write([wechat_record()], "biblatex")
    assert text.startswith("@online{zhangsan2023dmxtljs,")
    assert re.search(r"title\s+= \{大模型推理加速：从 KV Cache 到 PagedAttention\},", text)
    assert re.search(r"organization\s+= \{机器之心\},", text)
    assert re.search(r"date\s+= \{2023-06-15\},", text)
    assert "howpublished" not in text and "month" not in text


def test_english_titles_with_capitals_are_protected_whole() -> None:
    capitals = Record(key="k", title="Why LLM Inference CookBook matters", language="en", url="https://x.org")
    plain = Record(key="p", title="Why this matters", language="en", url="https://y.org")
    lower = Record(key="l", title="why this matters", language="en", url="https://z.org")
    for dialect in bibtex.DIALECTS:
        text = bibtex.write([capitals, plain, lower], dialect)
        assert re.search(r"title\s+= \{\{Why LLM Inference CookBook matters\}\},", text)
        assert re.search(r"title\s+= \{Why this matters\},", text)  # sentence case: the style may recase
        assert re.search(r"title\s+= \{\{why this matters\}\},", text)


def test_names_in_bibtex_order() -> None:
    record = Record(
        key="k",
        authors=[
            Name(literal="World Health Organization"),
            Name(family="Berg", given="Jan", non_dropping_particle="van der", suffix="Jr."),
            Name(family="Knuth", given="Donald E."),
        ],
    )
    text = bibtex.write([record], "bibtex")
    assert "{World Health Organization} and van der Berg, Jr., Jan and Knuth, Donald E." in text
    assert bibtex.read(text.encode(), "x.bib").records[0].authors == record.authors


@pytest.mark.parametrize(
    "key", ["a b", "a,b", "a}b", "a{b", "a%b", "a#b", "a=b", "a~b", "a'b", 'a"b', "", "张三"]
)
def test_unsafe_keys_are_refused(key: str) -> None:
    with pytest.raises(ValueError, match="citation key"):
        bibtex.write([Record(key=key, title="t")])


def test_duplicate_keys_and_unknown_dialect_are_refused() -> None:
    with pytest.raises(ValueError, match="used twice"):
        bibtex.write([Record(key="Abc"), Record(key="aBC")])
    with pytest.raises(ValueError, match="dialect"):
        bibtex.write([Record(key="a")], "ris")


def test_bibtex_extras_are_written_natively() -> None:
    record = Record(
        key="k",
        type="article-journal",
        title="T",
        authors=[Name(family="A", given="B")],
        container="J",
        issued=PartialDate(2020),
        extra={"bibtex:volume": "12", "bibtex:pages": "1--9", "bibtex:crossref": "parent_key", "csl:x": "y"},
    )
    for dialect in DIALECTS:
        text = bibtex.write([record], dialect)
        assert re.search(r"volume\s+= \{12\}", text)
        assert re.search(r"pages\s+= \{1--9\}", text)
        assert re.search(r"crossref\s+= \{parent_key\}", text)
        assert '"csl:x":"y"' in text
        assert bibtex.read(text.encode(), "x.bib").records == [record]


# Arbitrary Unicode in every field: output always re-parses cleanly and reads back equal.
_text = st.text(max_size=30)
_opt_text = st.none() | _text
_dates = st.none() | st.builds(
    lambda y, m, d: PartialDate(y, m, d if m else None),
    st.integers(0, 9999),
    st.none() | st.integers(1, 12),
    st.none() | st.integers(1, 28),
)
_names = st.builds(
    Name,
    family=_opt_text,
    given=_opt_text,
    literal=_opt_text,
    non_dropping_particle=_opt_text,
    dropping_particle=_opt_text,
    suffix=_opt_text,
)
_records = st.builds(
    Record,
    id=_text,
    key=st.just(""),
    type=st.sampled_from(
        ["webpage", "post", "article-journal", "book", "thesis", "report", "software", "chapter"]
    ),
    title=_opt_text,
    url=_opt_text,
    authors=st.lists(_names, max_size=3),
    container=_opt_text,
    publisher=_opt_text,
    language=st.none() | st.sampled_from(["zh-CN", "zh-TW", "en", "en-US", "de"]) | _text,
    issued=_dates,
    accessed=_dates,
    note=_opt_text,
    tags=st.lists(_text, max_size=3),
    collection=st.lists(_text, max_size=2),
    also_in=st.lists(st.lists(_text, max_size=2), max_size=2),
    source=st.lists(st.builds(Source, _text, st.none() | st.integers(0, 10**6), _opt_text), max_size=2),
    extra=st.dictionaries(
        st.sampled_from(["bibtex:volume", "bibtex:abstract", "bibtex:entrytype", "bibtex:url", "csl:x"])
        | _text,
        _text | st.integers() | st.booleans(),
        max_size=3,
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_records, min_size=1, max_size=3), st.sampled_from(DIALECTS))
def test_property_arbitrary_unicode_round_trips(records: list[Record], dialect: str) -> None:
    for index, record in enumerate(records):
        record.key = f"k{index}"
    text = bibtex.write(records, dialect)
    assert failed_blocks(text) == []
    result = bibtex.read(text.encode(), "p.bib")
    assert result.problems == []
    assert_same(records, result.records)


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_property_escape_decode_is_exact(text: str) -> None:
    escaped = bibtex.escape_text(text)
    assert failed_blocks(f"@misc{{k, note = {{{escaped}}}}}\n@misc{{next, title={{x}}}}\n") == []
    clean = re.sub("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]", "", text)
    assert bibtex.decode_text(escaped) == clean


# --------------------------------------------------------------------------- real clients


@pytest.mark.parametrize("dialect", DIALECTS)
def test_pandoc_reads_titles_urls_and_dates(dialect: str, tmp_path: Path) -> None:
    pandoc = require_tool("pandoc")
    records = [wechat_record(), *sample_records()]
    path = tmp_path / "refs.bib"
    path.write_text(bibtex.write(records, dialect), encoding="utf-8")
    run = subprocess.run([pandoc, "-f", dialect, "-t", "csljson", str(path)], capture_output=True, check=True)
    items = {item["id"]: item for item in json.loads(run.stdout)}
    assert set(items) == {r.key for r in records}
    for record in records:
        item = items[record.key]
        assert item.get("URL") == record.url
        if record.title and record.language != "en":
            assert item["title"] == record.title
        for field, date in (("issued", record.issued), ("accessed", record.accessed)):
            if date is not None:
                assert item[field]["date-parts"][0] == date.parts()
            else:
                assert field not in item or not item[field].get("date-parts", [[0]])[0][0]


def test_pandoc_reads_hostile_text_without_failing(tmp_path: Path) -> None:
    pandoc = require_tool("pandoc")
    for dialect in DIALECTS:
        path = tmp_path / f"{dialect}.bib"
        path.write_text(bibtex.write(hostile_records(), dialect), encoding="utf-8")
        run = subprocess.run([pandoc, "-f", dialect, "-t", "csljson", str(path)], capture_output=True)
        assert run.returncode == 0, run.stderr
        assert len(json.loads(run.stdout)) == len(HOSTILE_TEXTS)


@pytest.mark.parametrize("records", [sample_records(), hostile_records(), [wechat_record()], load().records])
def test_classic_bibtex_with_plain_bst(records: list[Record], tmp_path: Path) -> None:
    bibtex_program = require_tool("bibtex")
    (tmp_path / "refs.bib").write_text(bibtex.write(records, "bibtex"), encoding="utf-8")
    (tmp_path / "doc.aux").write_text("\\citation{*}\n\\bibdata{refs}\n\\bibstyle{plain}\n", encoding="utf-8")
    run = subprocess.run([bibtex_program, "doc"], cwd=tmp_path, capture_output=True, text=True)
    log = (tmp_path / "doc.blg").read_text(encoding="utf-8", errors="replace")
    assert run.returncode == 0, log
    assert "error message" not in log
    bbl = (tmp_path / "doc.bbl").read_text(encoding="utf-8", errors="replace")
    assert bbl.count("\\bibitem") == len(records)


@pytest.mark.parametrize("records", [sample_records(), hostile_records(), [wechat_record()], load().records])
def test_biber_validates_biblatex_output(records: list[Record], tmp_path: Path) -> None:
    biber = require_tool("biber")
    (tmp_path / "refs.bib").write_text(bibtex.write(records, "biblatex"), encoding="utf-8")
    run = subprocess.run(
        [biber, "--tool", "--validate-datamodel", "--output-file", str(tmp_path / "out.bib"), "refs.bib"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert not re.search(r"^(WARN|ERROR)", output, re.MULTILINE), output


# --------------------------------------------------------------------------- reader


def read_text(text: str, name: str = "in.bib") -> bibtex.ReadResult:
    return bibtex.read(text.encode("utf-8"), name)


def test_reader_maps_fields_macros_and_latex() -> None:
    text = r"""@string{wx = "微信公众号"}
@online{a1,
  author = {M{\"u}ller, Hans and {机器之心} and van der Berg, Jr., Jan and others},
  title = {{\'E}tude de 50\% \& {DNA}},
  organization = wx # { 机器之心},
  year = 2019, month = jun,
  urldate = {2024-05-01T10:00:00},
  langid = {chinese},
  keywords = {a, b ,c},
  journal = {Second Container},
  doi = {10.1/x_y},
  crossref = {parent},
  howpublished = {\url{https://example.org/a_b}},
}
"""
    (record,) = read_text(text).records
    assert record.key == "a1"
    assert record.type == "webpage"
    assert record.title == "Étude de 50% & DNA"
    assert record.authors == [
        Name(family="Müller", given="Hans"),
        Name(literal="机器之心"),
        Name(family="Berg", given="Jan", non_dropping_particle="van der", suffix="Jr."),
    ]
    assert record.extra["bibtex:author-etal"] is True
    assert record.url == "https://example.org/a_b"
    # `organization` is @online's container field; the other candidate is kept as extra
    assert record.container == "微信公众号 机器之心"
    assert record.extra["bibtex:journal"] == "Second Container"
    assert record.issued == PartialDate(2019, 6)
    assert record.accessed == PartialDate(2024, 5, 1)
    assert record.extra["bibtex:urldate"] == "2024-05-01T10:00:00"
    assert record.language == "zh-CN"
    assert record.tags == ["a", "b", "c"]
    assert record.extra["bibtex:doi"] == "10.1/x_y"
    assert record.extra["bibtex:crossref"] == "parent"
    assert record.source == [Source("in.bib", 2, "https://example.org/a_b")]
    assert record.id == record_id(record.url, "a1")


def test_reader_keeps_good_entries_and_reports_broken_ones_with_lines() -> None:
    text = "@misc{good1, title={One}}\n\n@misc{broken, title={unclosed}\n\n@misc{good2, title={Two}}\n"
    text += "@misc{good1, title={dup}}\n@misc{f, title={a}, title={b}}\n"
    result = read_text(text, "bad.bib")
    assert [r.key for r in result.records] == ["good1", "good2", "f"]
    messages = [str(p) for p in result.problems]
    assert messages[0].startswith("bad.bib:3: cannot parse entry")
    assert any(m.startswith("bad.bib:6: duplicate key 'good1' (first at line 1)") for m in messages)
    assert any(m.startswith("bad.bib:7: entry has the field(s) title twice") for m in messages)
    assert result.records[2].title == "a"


def test_reader_handles_keyless_and_comment_lines() -> None:
    text = "@article{,\n  title={A}}\n@article{,\n  title={B}}\n@book{\n  title = {C},\n  year = {2001}\n}\n"
    text += "@misc{k,\n  % a comment line inside the entry\n  title = {D},\n}\n"
    result = read_text(text)
    assert result.problems == []
    assert [(r.key, r.title) for r in result.records] == [("", "A"), ("", "B"), ("", "C"), ("k", "D")]
    assert result.records[2].issued == PartialDate(2001)


def test_reader_comment_line_at_the_very_start_and_keyless_after_a_comment() -> None:
    text = "% exported by somebody\n@misc{k,\n  title = {A},\n}\n  % another\n@book{\n  title = {B}\n}\n"
    result = read_text(text)
    assert result.problems == []
    assert [(r.key, r.title) for r in result.records] == [("k", "A"), ("", "B")]


# Name lists the one-name shortcut must leave to bibtexparser's splitter, or split alike.
NAME_LISTS = [
    "{机器之心}",
    "  Donald E. Knuth \t",
    "Knuth, Donald and Lamport, Leslie",
    "A AND B",
    "A\tand\nB",
    "{Simon and Schuster}",
    "Anderson, Sandy",
    "a\\xnd b and c",
    "x a\\Xnd y",
    "{A}and{B}",
    "Knuth and others",
    "",
    "   ",
]


@pytest.mark.parametrize("value", NAME_LISTS)
def test_name_list_shortcut_agrees_with_bibtexparser(value: str) -> None:
    from bibtexparser.middlewares.names import split_multiple_persons_names

    raws = split_multiple_persons_names(value)
    etal = bool(raws) and raws[-1].strip().lower() == "others"
    expected = [bibtex._parse_name(raw) for raw in (raws[:-1] if etal else raws) if raw.strip()]
    assert bibtex._parse_names(value) == (expected, etal)


@pytest.mark.parametrize(
    ("text", "braced"),
    [("{Org}", True), ("{A {B} C}", True), ("{A} {B}", False), ("{a\\}", True), ("A", False), ("{}", True)],
)
def test_fully_braced(text: str, braced: bool) -> None:
    assert bibtex._fully_braced(text) is braced


def test_stash_json_escapes_braces_and_unprintables_only_inside_strings() -> None:
    assert bibtex._json_text({"collection": ["a", "b"], "source": [["f", 1]]}) == (
        '{"collection":["a","b"],"source":[["f",1]]}'
    )
    assert bibtex._json_text({"collection": ["x{y}"]}) == '{"collection":["x\\u007by\\u007d"]}'
    assert bibtex._json_text({"title": "a\u2028b"}) == '{"title":"a\\u2028b"}'
    nested = {"authors": [{"literal": "}{"}], "extra": {"k": 1}}
    assert bibtex._json_text(nested) == '{"authors":[{"literal":"\\u007d\\u007b"}],"extra":{"k":1}}'
    assert json.loads(bibtex._json_text(nested)) == nested


@pytest.mark.parametrize("initially_enabled", [True, False])
def test_reading_and_writing_restore_the_garbage_collector(initially_enabled: bool) -> None:
    import gc

    was = gc.isenabled()
    try:
        (gc.enable if initially_enabled else gc.disable)()
        text = bibtex.write([wechat_record()], "biblatex")
        assert gc.isenabled() is initially_enabled
        assert len(bibtex.read(text.encode(), "x.bib").records) == 1
        assert gc.isenabled() is initially_enabled
        with pytest.raises(ValueError):
            bibtex.write([wechat_record(), wechat_record()])  # duplicate key
        assert gc.isenabled() is initially_enabled
    finally:
        (gc.enable if was else gc.disable)()


@pytest.mark.parametrize(
    ("title", "encoding"),
    [
        ("Grüße 标题", "utf-8-sig"),
        ("Grüße 标题", "utf-16"),
        ("Grüße 标题", "utf-16-le"),
        ("机器之心 标题", "gbk"),
    ],
)
def test_reader_sniffs_encodings(title: str, encoding: str) -> None:
    data = f"@misc{{k, title={{{title}}}}}".encode(encoding)
    (record,) = bibtex.read(data, encoding).records
    assert record.title == title


def test_reader_jabref_header_and_cp1252() -> None:
    latin = "% Encoding: ISO-8859-1\n@misc{k, title={Café}}".encode("latin-1")
    assert bibtex.read(latin, "j.bib").records[0].title == "Café"
    cp1252 = "@misc{k, title={“Café” – x}}".encode("cp1252")
    assert bibtex.read(cp1252, "c.bib").records[0].title == "“Café” – x"


def test_binary_input_is_refused_with_the_file_name() -> None:
    with pytest.raises(InputError, match=re.escape("blob.bib")):
        bibtex.read(b"\x00\x01\x02" * 10 + b"\x89PNG\x00\x00", "blob.bib")


def test_foreign_verba_field_is_an_ordinary_field() -> None:
    (record,) = read_text("@online{k, title={T}, url={https://x.org}, verba={raw {stuff}}}").records
    assert record.extra == {"bibtex:verba": "raw {stuff}"}
    assert record.source == [Source("in.bib", 1, "https://x.org")]


# --------------------------------------------------------------------------- corpus


def test_copied_corpus_files() -> None:
    bom = bibtex.read((BIB_DATA / "real-jabref-utf8-bom.bib").read_bytes(), "bom.bib")
    assert len(bom.records) == 2 and bom.problems == []
    endnote = bibtex.read((BIB_DATA / "bbt-Endnote-should-parse.bib").read_bytes(), "e.bib")
    assert [r.title for r in endnote.records] == ["Alzheimer mechanisms and therapeutic strategies"]
    clipboard = bibtex.read(
        (BIB_DATA / "bbt-Import-from-Clipboard-stopped-working-2377.bib").read_bytes(), "c.bib"
    )
    assert clipboard.records == [] and len(clipboard.problems) == 1 and clipboard.problems[0].where == 1
    xdata = bibtex.read((BIB_DATA / "real-biber-xdata.bib").read_bytes(), "x.bib")
    assert len(xdata.records) == 25 and [p.where for p in xdata.problems] == [68]
    crossref_file = (
        BIB_DATA
        / "bbt-Child-items-that-use-the-crossref-field-do-not-have-their-parent-fields-imported-2373.bib"
    )
    crossref = bibtex.read(crossref_file.read_bytes(), "x.bib")
    assert any("bibtex:crossref" in r.extra for r in crossref.records)
    thu = bibtex.read((BIB_DATA / "real-thuthesis-refs.bib").read_bytes(), "t.bib")
    assert len(thu.records) == 34 and thu.problems == []
    assert any(name.literal for r in thu.records for name in r.authors)


def _writable(records: list[Record]) -> bool:
    keys = [r.key.lower() for r in records]
    try:
        [bibtex.check_key(r.key) for r in records]
    except ValueError:
        return False
    return len(set(keys)) == len(keys)


@pytest.mark.parametrize("path", sorted(BIB_DATA.glob("*.bib")), ids=lambda p: p.name[:40])
def test_corpus_file_is_stable_through_both_dialects(path: Path) -> None:
    first = bibtex.read(path.read_bytes(), path.name).records
    if not _writable(first):
        # keyless entries (EndNote, Citavi): the catalog gives them keys before any writing,
        # as `refexport convert` does
        first = assemble([ReadResult(records=first)]).records
        assert _writable(first)
    for dialect in DIALECTS:
        again = bibtex.read(bibtex.write(first, dialect).encode(), "again.bib")
        assert again.problems == []
        assert_same(first, again.records)


def test_shared_corpus_sweep() -> None:
    folder = shared_corpus("bib")
    files = sorted(folder.glob("*.bib"))
    assert len(files) >= 30
    for path in files:
        result = bibtex.read(path.read_bytes(), path.name)
        assert result.records or result.problems or path.name == "real-njhigham-strings.bib", path.name
        for problem in result.problems:
            assert problem.file == path.name and isinstance(problem.where, int) and problem.where >= 1
