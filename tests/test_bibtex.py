"""BibTeX/BibLaTeX through the public `read`/`write`: mapping, round trips, hostile input."""

from __future__ import annotations

import json
import re

import bibtexparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refexport.errors import InputError
from refexport.formats import WriteOptions
from refexport.formats.bibtex import read, write
from refexport.model import Date, Name, Origin, Record, record_id
from tests.conftest import sample_records
from tests.strategies import record_lists

DIALECTS = ("bibtex", "biblatex")


def write_text(records: list[Record], dialect: str = "bibtex", notices: list[object] | None = None) -> str:
    options = WriteOptions(settings={"dialect": dialect})
    text = "".join(write(records, options))
    if notices is not None:
        notices.extend(options.notices)
    return text


def read_text(text: str, name: str = "in.bib") -> list[Record]:
    result = read(text.encode("utf-8"), name)
    assert result.problems == [], result.problems
    return result.records


def fields_of(text: str) -> dict[str, dict[str, str]]:
    """Each entry's fields as bibtexparser reads them (enclosing braces removed)."""
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    return {
        entry.key: {f.key: f.value for f in entry.fields} | {"@": entry.entry_type}
        for entry in library.entries
    }


def wechat_record() -> Record:
    """The worked example of the BibTeX notes (§0.2)."""
    url = "https://mp.weixin.qq.com/s/AbCdEfGhIjKlMnOp_QrStU"
    return Record(
        id=record_id(url),
        key="zhangsan2023dmxtljs",
        type="webpage",
        variables={
            "title": "大模型推理加速：从 KV Cache 到 PagedAttention",
            "URL": url,
            "author": [Name(literal="张三")],
            "container-title": "机器之心",
            "language": "zh-CN",
            "issued": Date.of(2023, 6, 15),
            "accessed": Date.of(2024, 5, 1),
        },
        tags=["大模型", "推理加速", "KV Cache"],
        origin=[Origin("post.md", 4, url)],
    )


HOSTILE_TEXTS = [
    "unbalanced } brace { here }}",
    "{{{",
    "a\\b\\\\c\\",
    "50% & #1 _x_ ~ $ ^ \\LaTeX \\}",
    "line one\n@misc{evil, title={x}}\n  @comment{y}",
    "control \x00\x01\x1b\x7f and \r\n CRLF \u2028 sep",
    "}{",
    "quote \" and comma, equals = sign -- `` '' <i>not a tag",
    "  leading and trailing spaces  ",
]


def hostile_records() -> list[Record]:
    return [
        Record(
            id=f"h{index}",
            key=f"hostile{index}",
            type="article-journal" if index % 2 else "webpage",
            variables={
                "title": text,
                "URL": f"https://example.org/{index}?a={{b}}&c=%20#{text[:3]}",
                "author": [Name(literal=text), Name(family=text or "x", given=text)],
                "container-title": text,
                "publisher": text,
                "note": text,
                "abstract": text,
                "issued": Date.of(2020, 1 + index % 12),
            },
            tags=[text, "plain"],
            collection=[text],
            origin=[Origin(text, index, None)],
            custom={"bibtex:groups": text, "csl:genre": text},
        )
        for index, text in enumerate(HOSTILE_TEXTS)
    ]


# --------------------------------------------------------------------------- round trips


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record_lists(), st.sampled_from(DIALECTS))
def test_read_write_round_trip_full_model(records: list[Record], dialect: str) -> None:
    text = write_text(records, dialect)
    assert fields_of(text)  # every entry parses
    assert read_text(text) == records


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("make", [sample_records, hostile_records, lambda: [wechat_record()]])
def test_round_trip_samples(make: object, dialect: str) -> None:
    records = make()  # type: ignore[operator]
    text = write_text(records, dialect)
    assert "\n@misc{evil" not in text
    back = read_text(text)
    assert [r.to_dict() for r in back] == [r.to_dict() for r in records]


_TITLE_TOKENS = st.sampled_from(
    [
        "a", "study", "of", "the", "Cu", "DNA", "Nature", "iPhone", "x-ray", "3D", "’s", ":", "Über",
        "<i>Nature</i>", "<sub>2</sub>", '<span class="nocase">DNA</span>',
        '<span class="nocase">big data</span>', '<span class="nocase"><span class="nocase">X</span></span>',
        '<span style="font-variant:small-caps;">Abc</span>', "<b>bold words</b>",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(_TITLE_TOKENS, st.sampled_from([" ", "", ", "])), min_size=1, max_size=8),
    st.sampled_from(["title", "container-title"]),
    st.sampled_from(DIALECTS),
)
def test_english_titles_with_capitals_and_nocase_spans_round_trip(
    tokens: list[tuple[str, str]], variable: str, dialect: str
) -> None:
    """The capitals of a sentence-case English title are protected with braces (so that
    BibTeX styles and pandoc keep them) and read back as the title was."""
    title = "".join(token + sep for token, sep in tokens).strip(" ,")
    record = Record(key="k", type="chapter", variables={variable: title, "language": "en"})
    record.id = record_id(None, "k")
    assert read_text(write_text([record], dialect)) == [record]


def test_capitals_of_sentence_case_english_titles_are_protected() -> None:
    record = sample_records()[4]  # `A study of Cu<sub>2</sub>O in <i>Nature</i>: the … DNA … case`
    fields = fields_of(write_text([record], "biblatex"))[record.key]
    assert fields["title"] == r"A study of {Cu}\textsubscript{2}{O} in \textit{{Nature}}: the {{DNA}} case"
    title_case = Record(key="t", variables={"title": "A Study of Things", "language": "en"})
    assert fields_of(write_text([title_case], "bibtex"))["t"]["title"] == "A Study of Things"
    unknown = Record(key="u", variables={"title": "A study of DNA"})  # no language: as it is
    assert fields_of(write_text([unknown], "bibtex"))["u"]["title"] == "A study of DNA"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_record_that_maps_exactly_carries_only_bookkeeping(dialect: str) -> None:
    """The journal article of the samples: every variable native, the stash holds only
    where it was read and its catalog sections."""
    article = sample_records()[4]
    article.variables["issued"] = Date.of(2020, 5)
    article.id = record_id(article.url, article.key)
    text = write_text([article], dialect)
    stash = re.search(r"(?:refexport|verba)\s+= \{(\{.*\})\}", text)
    assert stash is not None
    assert set(json.loads(stash.group(1))) == {"collection", "origin"}


# --------------------------------------------------------------------------- writing


def test_biblatex_worked_example() -> None:
    fields = fields_of(write_text([wechat_record()], "biblatex"))["zhangsan2023dmxtljs"]
    assert fields["@"] == "online"
    assert fields["author"] == "{张三}"
    assert fields["title"] == "大模型推理加速：从 KV Cache 到 PagedAttention"
    assert fields["organization"] == "机器之心"
    assert fields["date"] == "2023-06-15"
    assert fields["urldate"] == "2024-05-01"
    assert fields["langid"] == "chinese"
    assert fields["language"] == "zh-CN"  # Zotero's import reads `language`, not `langid`
    assert fields["keywords"] == "大模型, 推理加速, KV Cache"
    assert "howpublished" not in fields and "month" not in fields


def test_bibtex_worked_example() -> None:
    text = write_text([wechat_record()], "bibtex")
    fields = fields_of(text)["zhangsan2023dmxtljs"]
    assert fields["@"] == "misc"
    assert fields["title"] == "{大模型推理加速：从 KV Cache 到 PagedAttention}"  # BibTeX has no langid
    assert fields["howpublished"] == "机器之心"  # what plain.bst prints
    assert fields["organization"] == "机器之心"  # a document's publisher in Zotero's import
    assert (fields["year"], fields["day"]) == ("2023", "15")
    assert re.search(r"month\s+= jun,", text)  # the bare macro, not {jun}
    assert "date" not in fields


def test_the_issues_article_is_native_in_both_dialects() -> None:
    """volume, issue, pages, DOI, ISSN, editor: fields, not stashed JSON (issue 7)."""
    article = sample_records()[4]
    for dialect in DIALECTS:
        fields = fields_of(write_text([article], dialect))["smith2020study"]
        assert fields["@"] == "article"
        assert fields["journaltitle" if dialect == "biblatex" else "journal"] == "Nature"
        assert (fields["volume"], fields["number"], fields["pages"]) == ("581", "7", "100--110")
        assert (fields["doi"], fields["issn"]) == ("10.1038/xyz", "0028-0836")
        assert fields["editor"] == "Doe, Jane"
        # capitals protected (a sentence-case English title); the record's own nocase span doubled
        title = r"A study of {Cu}\textsubscript{2}{O} in \textit{{Nature}}: the {{DNA}} case"
        assert fields["title"] == title
        assert fields["author"].startswith("Smith, John and van den Heuvel, Charles and {World Health")


def test_dates_without_xxxx() -> None:
    """No `date = {XXXX}` for a work without a date (Zotero read it as the date "XXXX")."""
    record = sample_records()[0]
    assert record.issued is None
    for dialect in DIALECTS:
        fields = fields_of(write_text([record], dialect))[record.key]
        assert not {"date", "year"} & set(fields)


def test_particles_that_stay_are_said_once_or_in_biblatexs_extended_names() -> None:
    gogh = Name(family="Gogh", given="Vincent", non_dropping_particle="van")
    fontaine = Name(family="La Fontaine", given="Jean", dropping_particle="de")
    text = write_text([Record(key="k", type="book", variables={"author": [gogh]})], "biblatex")
    fields = fields_of(text)["k"]
    assert (fields["author"], fields["options"]) == ("van Gogh, Vincent", "useprefix=true")
    assert read_text(text)[0].authors == [gogh]
    text = write_text([Record(key="k", type="book", variables={"author": [gogh, fontaine]})], "biblatex")
    assert fields_of(text)["k"]["author"] == (
        "family={Gogh}, given={Vincent}, prefix={van}, useprefix=true and de {La Fontaine}, Jean"
    )
    assert read_text(text)[0].authors == [gogh, fontaine]


@pytest.mark.parametrize(
    ("key", "written"),
    [("Dobrovol'skii_1963", "Dobrovolskii_1963"), ("a b,c{d}", "abcd"), ("", "ref-x")],
)
def test_a_key_the_format_cannot_hold_is_sanitised_with_a_notice(key: str, written: str) -> None:
    """biber refuses `'s` in keys (`Dobrovol'skii`): sanitised, said, the rest written."""
    notices: list[object] = []
    good = Record(id="g", key="good", type="book", variables={"title": "Good"}, origin=[Origin("in.bib", 1)])
    bad = Record(id="x", key=key, type="book", variables={"title": "Bad"}, origin=[Origin("in.bib", 7)])
    text = write_text([good, bad], "bibtex", notices)
    assert list(fields_of(text)) == ["good", written]
    assert [str(n) for n in notices] == [
        f"in.bib:7: citation key {key!r} has characters BibTeX, biber or "
        f"pandoc refuse: written as {written!r}"
    ]
    assert read_text(text)[1].key == key  # the stash keeps the key as it was


def test_keys_equal_ignoring_case_get_a_suffix_with_a_notice() -> None:
    notices: list[object] = []
    text = write_text([Record(key="Abc"), Record(key="aBC")], "bibtex", notices)
    assert list(fields_of(text)) == ["Abc", "aBC-1"]
    assert len(notices) == 1 and "is used twice" in str(notices[0])


def test_unknown_dialect_is_refused() -> None:
    with pytest.raises(ValueError, match="dialect"):
        write_text([Record(key="a")], "ris")


def test_foreign_customs_are_written_natively_and_other_formats_stashed() -> None:
    record = Record(
        key="k",
        type="article-journal",
        variables={"title": "T", "author": [Name(family="A", given="B")], "container-title": "J"},
        custom={"bibtex:crossref": "parent", "bibtex:groups": "Reading", "zotero:rights": "CC"},
    )
    for dialect in DIALECTS:
        text = write_text([record], dialect)
        fields = fields_of(text)["k"]
        assert (fields["crossref"], fields["groups"]) == ("parent", "Reading")
        assert '"zotero:rights":"CC"' in text
        assert read_text(text) == [record]


# --------------------------------------------------------------------------- reading


def test_reader_maps_the_issues_article_like_pandoc() -> None:
    (record,) = read_text(
        "@article{smith2020,\n  author = {Smith, John},\n  title = {A Study},\n  journal = {Nature},\n"
        "  volume = {581},\n  number = {7},\n  pages = {100--110},\n  year = {2020},\n"
        "  doi = {10.1038/xyz},\n  issn = {0028-0836},\n  editor = {Doe, Jane}\n}\n"
    )
    assert record.type == "article-journal"
    assert record.variables == {
        "author": [Name(family="Smith", given="John")],
        "title": "A Study",
        "container-title": "Nature",
        "volume": "581",
        "issue": "7",
        "page": "100-110",
        "issued": Date.of(2020),
        "DOI": "10.1038/xyz",
        "ISSN": "0028-0836",
        "editor": [Name(family="Doe", given="Jane")],
    }
    assert record.custom == {}
    assert record.origin == [Origin("in.bib", 1, None)]
    assert record.id == record_id(None, "smith2020")


def test_reader_keeps_biblatex_as_biblatex() -> None:
    """`@inreference`, `booktitle`, edition/pages/publisher and `langid = {austrian}` come back
    as they were (issue 7's BibLaTeX → BibLaTeX)."""
    text = (
        "@inreference{k,\n  author = {A, B},\n  editor = {C, D},\n  title = {Lemma},\n"
        "  booktitle = {Lexikon},\n  edition = {2},\n  pages = {3--4},\n  publisher = {Verlag},\n"
        "  location = {Wien},\n  date = {1999},\n  langid = {austrian},\n}\n"
    )
    (record,) = read_text(text)
    assert record.type == "entry-encyclopedia"
    assert record.container == "Lexikon" and record.publisher == "Verlag"
    assert (record.variables["edition"], record.variables["page"]) == ("2", "3-4")
    assert record.language == "de-AT"
    fields = fields_of(write_text([record], "biblatex"))["k"]
    assert fields["@"] == "inreference"
    assert {k: fields[k] for k in ("booktitle", "edition", "pages", "publisher", "langid")} == {
        "booktitle": "Lexikon",
        "edition": "2",
        "pages": "3--4",
        "publisher": "Verlag",
        "langid": "austrian",
    }
    assert "language" not in fields  # the entry had none


def test_reader_decodes_latex_names_dates_and_keywords() -> None:
    text = r"""@string{wx = "微信公众号"}
@online{a1,
  author = {M{\"u}ller, Hans and {机器之心} and van der Berg, Jr., Jan and
            family=Heuvel, given=Charles, prefix=van den, useprefix=false and others},
  title = {{\'E}tude de 50\% \& {DNA}: Cu$_2$O -- ``quoted''},
  organization = wx # { 机器之心},
  date = {2019-06},
  urldate = {2024-05-01T10:00:00},
  langid = {chinese},
  keywords = {a, b; c},
  eprinttype = {arxiv}, eprint = {2101.00001},
}
"""
    (record,) = read_text(text)
    assert record.type == "webpage"
    assert record.title == 'Étude de 50% & <span class="nocase">DNA</span>: Cu<sub>2</sub>O – “quoted”'
    assert record.authors == [
        Name(family="Müller", given="Hans"),
        Name(literal="机器之心"),
        Name(family="Berg", given="Jan", dropping_particle="van der", suffix="Jr."),
        Name(family="Heuvel", given="Charles", dropping_particle="van den"),
        Name(literal="others"),
    ]
    assert record.container == "微信公众号 机器之心"
    assert record.issued == Date.of(2019, 6)
    assert record.accessed == Date.of(2024, 5, 1)
    assert record.custom["bibtex:urldate"] == "2024-05-01T10:00:00"  # the time of day, kept
    assert record.language == "zh-CN"
    assert record.tags == ["a", "b", "c"]  # JabRef/biblatex separators `,` and `;`
    assert record.url == "https://arxiv.org/abs/2101.00001"  # pandoc's URL of an arXiv eprint
    assert (record.custom["bibtex:eprint"], record.custom["bibtex:eprinttype"]) == ("2101.00001", "arxiv")


def test_reader_reports_broken_entries_with_their_lines_and_keeps_the_good() -> None:
    text = "@misc{good1, title={One}}\n\n@misc{broken, title={unclosed}\n\n@misc{good2, title={Two}}\n"
    text += "@misc{good1, title={dup}}\n@misc{f, title={a}, title={b}}\n"
    result = read(text.encode(), "bad.bib")
    assert [r.key for r in result.records] == ["good1", "good2", "f"]
    messages = [str(p) for p in result.problems]
    assert messages[0].startswith("bad.bib:3: cannot parse entry")
    assert "bad.bib:6: duplicate key 'good1' (first at line 1); this entry was skipped" in messages
    assert any(m.startswith("bad.bib:7: entry has the field(s) title twice") for m in messages)
    assert result.records[2].title == "a"


def test_too_many_closing_braces_do_not_cut_a_title_silently() -> None:
    """`{Too many }} closers}}}` (issue 11): the entry is reported with its line, not read
    as the title "Too many "."""
    text = "@misc{ok, title={Fine}}\n@misc{bad, title = {Too many }} closers}}}, year = 2000}\n"
    result = read(text.encode(), "x.bib")
    assert [r.key for r in result.records] == ["ok"]
    assert [str(p) for p in result.problems] == [
        "x.bib:2: text after the entry's closing brace on its last line (unbalanced braces?); entry skipped"
    ]


def test_a_file_without_entries_is_refused_but_comments_alone_are_empty() -> None:
    with pytest.raises(InputError, match=r"^notes\.md: no BibTeX entries"):
        read(b"# My reading list\n\n* [a link](https://example.org)\n", "notes.md")
    assert read(b"% only a comment\n\n", "empty.bib").records == []
    assert read(b"@string{a = {b}}\n", "strings.bib").records == []


def test_keyless_entries_and_comment_lines_inside_entries() -> None:
    text = "% exported by somebody\n@article{,\n  title={A}}\n@book{\n  title = {B},\n  year = {2001}\n}\n"
    text += "@misc{k,\n  % a comment line inside the entry\n  title = {C},\n%  note = {commented out},\n}\n"
    records = read_text(text)
    assert [(r.key, r.title) for r in records] == [("", "A"), ("", "B"), ("k", "C")]
    assert records[1].issued == Date.of(2001)
    assert records[2].note is None


@pytest.mark.parametrize(
    ("data", "title"),
    [
        ("% Encoding: ISO-8859-1\n@misc{k, title={Gödel}}".encode("latin-1"), "Gödel"),
        ("@misc{k, title={Kurt Gödel und Café}}".encode("latin-1"), "Kurt Gödel und Café"),  # not G鰀el
        ("@misc{k, title={“Café” – x}}".encode("cp1252"), "“Café” – x"),
        ("@misc{k, title={机器之心 标题}}".encode("gbk"), "机器之心 标题"),
        ("@misc{k, title={Grüße 标题}}".encode("utf-8-sig"), "Grüße 标题"),
        ("@misc{k, title={Grüße 标题}}".encode("utf-16"), "Grüße 标题"),
    ],
)
def test_encodings(data: bytes, title: str) -> None:
    (record,) = read(data, "e.bib").records
    assert record.title == title


def test_one_bad_byte_in_utf8_is_reported_with_its_line_not_mojibake() -> None:
    data = "@misc{a, title={Grüße}}\n@misc{b,\n  title={caf\xff}}\n@misc{c, title={标题}}\n"
    result = read(data.encode("utf-8").replace(b"\xc3\xbf", b"\xff"), "u.bib")
    assert [(r.key, r.title) for r in result.records] == [("a", "Grüße"), ("c", "标题")]
    assert [str(p) for p in result.problems] == [
        "u.bib:3: byte 0xff is not text in this file's encoding; entry 'b' skipped"
    ]


def test_binary_input_is_refused_with_the_file_name() -> None:
    with pytest.raises(InputError, match=re.escape("blob.bib")):
        read(b"\x00\x01\x02" * 10 + b"\x89PNG\x00\x00", "blob.bib")


def test_a_foreign_verba_field_is_an_ordinary_field() -> None:
    (record,) = read_text("@online{k, title={T}, url={https://x.org}, verba={raw {stuff}}}")
    assert record.custom == {"bibtex:verba": "raw {stuff}"}
    assert record.origin == [Origin("in.bib", 1, "https://x.org")]


def test_reading_is_chunked_with_strings_carried_across(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    monkeypatch.setattr(importlib.import_module("refexport.formats.bibtex.read"), "CHUNK_CHARS", 64)
    text = "@string{j = {Journal of Tests}}\n" + "".join(
        f"@article{{k{i},\n  title = {{T{i}}},\n  journal = j,\n}}\n" for i in range(20)
    )
    text += "@article{k0, title={again}}\n"
    result = read(text.encode(), "c.bib")
    assert len(result.records) == 20
    assert {r.container for r in result.records} == {"Journal of Tests"}
    assert [r.origin[0].line for r in result.records][:3] == [2, 6, 10]
    assert [str(p) for p in result.problems] == [
        "c.bib:82: duplicate key 'k0' (first at line 2); this entry was skipped"
    ]


def test_lines_after_a_line_ending_in_a_backslash_are_counted() -> None:
    # JabRef wraps its group lists at 70 columns, `\;` and all: a line may end in `\`
    # (bibtexparser's own count skips that line break, and every later one of the chunk).
    text = (
        "@comment{jabref-meta: groupstree:\n1 ExplicitGroup:a\\;0\\\n;b\\;;\n}\n"
        "\n@misc{a, title={x}}\n@misc{a, title={y}}\n"
    )
    result = read(text.encode(), "x.bib")
    assert [record.origin[0].line for record in result.records] == [6]
    assert [(problem.where, problem.message.split(" (")[0]) for problem in result.problems] == [
        (7, "duplicate key 'a'")
    ]


@pytest.mark.parametrize(
    "stash", ['{"id":5}', '{"collection":"a"}', '{"origin":[{"line":1}]}', '{"type":[]}']
)
def test_a_damaged_bookkeeping_field_skips_its_entry_with_a_problem(stash: str) -> None:
    text = (
        "@online{good,\n  title = {Good},\n  url = {https://a.example/good}\n}\n"
        f"@online{{bad,\n  title = {{Bad}},\n  url = {{https://a.example/bad}},\n  verba = {{{stash}}}\n}}\n"
    )
    result = read(text.encode("utf-8"), "x.bib")
    assert [r.key for r in result.records] == ["good"]
    problems = [(p.where, p.message.split(":")[0]) for p in result.problems]
    assert problems == [(5, "cannot convert entry 'bad'")]
