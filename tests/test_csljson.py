"""CSL-JSON and CSL YAML: schema validity, round trips, faithful same-format conversion,
tolerant and hostile input, and what pandoc, citeproc and Zotero make of our files."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings

from refexport import stash
from refexport.errors import InputError
from refexport.formats import WriteOptions, csl
from refexport.formats.csl.mapping import SCHEMA_EXTRA_NUMBER, SCHEMA_EXTRA_TEXT
from refexport.model import (
    CSL_TYPES,
    DATE_VARIABLES,
    NAME_VARIABLES,
    NUMBER_VARIABLES,
    TEXT_VARIABLES,
    Date,
    Name,
    Origin,
    PartialDate,
    Record,
    record_id,
)

from conftest import DATA, require_tool, run_cli, sample_records, shared_corpus
from strategies import record_lists

CSL_DATA = DATA / "csl"
SUITE = CSL_DATA / "suite"
SCHEMA = json.loads((CSL_DATA / "csl-data.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)
MIXED_TITLE = "源码解读之 torch.autograd 与 deep learning 系统"
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def write_json(records: list[Record]) -> str:
    return "".join(csl.write(records, WriteOptions()))


def write_yaml(records: list[Record]) -> str:
    return "".join(csl.write_yaml(records, WriteOptions()))


def read_json(text: str | bytes, name: str = "refs.json") -> list[Record]:
    result = csl.read(text.encode("utf-8") if isinstance(text, str) else text, name)
    assert result.problems == []
    return result.records


def read_yaml(text: str, name: str = "refs.yaml") -> list[Record]:
    result = csl.read_yaml(text.encode("utf-8"), name)
    assert result.problems == []
    return result.records


def assert_schema_valid(document: Any) -> None:
    errors = sorted(VALIDATOR.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def web_record(key: str = "mixed-1", **variables: Any) -> Record:
    url = "https://mp.weixin.qq.com/s/mixed"
    values = {"title": MIXED_TITLE, "URL": url, "author": [Name(literal="OpenMMLab")], "language": "zh-CN"}
    values.update(variables)
    return Record(id=record_id(url, key), key=key, type="webpage", variables=values)


# --- the schema ----------------------------------------------------------------------------


def test_the_models_variables_and_types_are_the_schemas() -> None:
    properties = SCHEMA["items"]["properties"]

    def by(predicate: Any) -> set[str]:
        return {name for name, spec in properties.items() if predicate(spec)}

    text = by(lambda s: s.get("type") == "string") - {"type"}
    assert text == TEXT_VARIABLES | SCHEMA_EXTRA_TEXT
    numbers = by(lambda s: s.get("type") == ["string", "number"]) - {"id"}
    assert numbers == NUMBER_VARIABLES | SCHEMA_EXTRA_NUMBER
    assert by(lambda s: s.get("$ref") == "#/definitions/date-variable") == DATE_VARIABLES
    assert by(lambda s: s.get("items", {}).get("$ref") == "#/definitions/name-variable") == NAME_VARIABLES
    assert set(properties["type"]["enum"]) == CSL_TYPES


def test_output_is_a_schema_valid_array_one_variable_per_line() -> None:
    text = write_json(sample_records())
    assert text.startswith('[\n  {\n    "id": "gaoxiao_daguimo_jiqixuexi-k3",\n    "type": "webpage",\n')
    assert text.endswith("\n]\n") and "高效大规模" in text  # UTF-8, not \\u escapes
    assert '\n    "author": [{"literal":"机器之心"},{"family":"Gogh"' in text
    items = json.loads(text)
    assert_schema_valid(items)
    assert items == csl.items(sample_records())
    article = items[4]
    assert article["issued"] == {"date-parts": [[2020, 5], [2020, 6]]}
    assert article["author"][1] == {"family": "Heuvel", "given": "Charles", "dropping-particle": "van den"}
    assert (article["DOI"], article["page"], article["container-title-short"]) == (
        "10.1038/xyz",
        "100-110",
        "Nat.",
    )
    assert article["citation-key"] == article["id"] == "smith2020study"
    assert write_json([]) == "[]\n"


def test_the_stash_holds_only_what_the_item_cannot_say() -> None:
    plain = web_record(accessed=Date.of(2024, 5, 1))
    [item] = csl.items([plain])
    assert "custom" not in item  # the common case is stash-free
    catalog = web_record(accessed=Date.of(2024, 5, 1))
    catalog.collection, catalog.origin, catalog.tags = ["Catalog", "Sub"], [Origin("a.md", 3, None)], ["ml"]
    [item] = csl.items([catalog])
    assert item["keyword"] == "ml"
    assert item["custom"] == {
        "refexport": {"collection": ["Catalog", "Sub"], "origin": [{"file": "a.md", "line": 3, "url": None}]}
    }
    assert "custom" not in csl.items([catalog], stash=False)[0]


@SETTINGS
@given(record_lists())
def test_the_stash_is_the_delta_of_the_native_item(records: list[Record]) -> None:
    """What `custom.refexport` holds is exactly what reading the item without it gets wrong."""
    for record, item in zip(records, csl.items(records), strict=True):
        saved = item.get("custom", {}).pop(stash.NAME, {})
        if item.get("custom") == {}:
            del item["custom"]
        [native] = read_json(json.dumps([item]))
        assert saved == stash.delta(record, native)


# --- round trips ---------------------------------------------------------------------------


def test_sample_records_round_trip() -> None:
    assert read_json(write_json(sample_records())) == sample_records()
    assert read_yaml(write_yaml(sample_records())) == sample_records()


@SETTINGS
@given(record_lists())
def test_any_records_round_trip_through_csl_json_and_are_schema_valid(records: list[Record]) -> None:
    text = write_json(records)
    assert_schema_valid(json.loads(text))
    assert read_json(text) == records


@SETTINGS
@given(record_lists())
def test_any_records_round_trip_through_csl_yaml(records: list[Record]) -> None:
    assert read_yaml(write_yaml(records)) == records


def test_writing_leaves_the_records_alone() -> None:
    records = sample_records()
    write_json(records)
    write_yaml(records)
    assert records == sample_records()


# --- types every consumer accepts ----------------------------------------------------------


def test_software_is_written_as_book_with_a_version_else_webpage() -> None:
    repo = web_record("repo", title="bcc")
    repo.type = "software"
    released = web_record("released", title="bcc", version="0.29")
    released.type = "software"
    items = csl.items([repo, released])
    assert [item["type"] for item in items] == ["webpage", "book"]
    assert [item["custom"]["refexport"]["type"] for item in items] == ["software", "software"]
    assert [r.type for r in read_json(write_json([repo, released]))] == ["software", "software"]
    odd = web_record("odd")
    odd.type = "blog"
    assert csl.items([odd])[0]["type"] == "document"
    assert read_json(write_json([odd]))[0].type == "blog"


# --- the note guard ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("note", "written"),
    [
        ("publisher: 新浪博客\n这不是字段", " publisher: 新浪博客\n这不是字段"),
        ("Publisher: X", " Publisher: X"),  # pandoc's variable names ignore case
        ("{:volume:3} text", " {:volume:3} text"),
        ("prose first\npublisher: X", "prose first\n publisher: X"),  # citeproc-js reads on
        ("publisher: X\nvolume: 3", " publisher: X\n volume: 3"),
        ("TODO: x\nissued: 2020\nrest", "TODO: x\n issued: 2020\nrest"),
        ("http://x.org\nmore", "http://x.org\nmore"),  # no variable: left alone
        ("plain note: no variable name has spaces", "plain note: no variable name has spaces"),
        ("SQL跑神经网络，没有意义", "SQL跑神经网络，没有意义"),
        ("  publisher: spaced", "   publisher: spaced"),
    ],
)
def test_note_lines_a_processor_would_read_as_variables_are_guarded(note: str, written: str) -> None:
    record = web_record(note=note)
    assert csl.items([record])[0]["note"] == written
    assert "\u200b" not in write_json([record])
    assert read_json(write_json([record])) == [record]
    assert read_yaml(write_yaml([record])) == [record]
    if not note.startswith(" "):  # pandoc reads no variables from YAML notes: no guard there
        assert 'note: "&#32;' not in write_yaml([record])


# --- tolerant reading ----------------------------------------------------------------------


def read_one(item: Any) -> Record:
    [record] = read_json(json.dumps(item, ensure_ascii=False))
    return record


def test_reads_what_processors_tolerate() -> None:
    record = read_one(
        {
            "id": 42,
            "type": "webpage",
            "author": "Smith",
            "editor": [{"family": "Doe Inc.", "isInstitution": True}],
            "url": "https://a.example/x",
            "journalAbbreviation": "J. Ex.",
            "shortTitle": "Short",
            "title": "T",
            "volume": 3,
            "keyword": "ml, C\\, C++, systems",
        }
    )
    assert record.key == "42" and record.id == record_id("https://a.example/x", "42")
    assert record.authors == [Name(literal="Smith")]
    assert record.variables["editor"] == [Name(literal="Doe Inc.")]
    assert record.url == "https://a.example/x"
    assert record.variables["container-title-short"] == "J. Ex."
    assert record.variables["title-short"] == "Short"
    assert record.variables["volume"] == 3
    assert record.tags == ["ml", "C, C++", "systems"]


@pytest.mark.parametrize(
    ("value", "date"),
    [
        ({"date-parts": [[2020, 1, 2]]}, Date.of(2020, 1, 2)),
        ({"date-parts": [["1965", "6", "1"]]}, Date.of(1965, 6, 1)),
        ({"raw": "2022-07-14"}, Date.of(2022, 7, 14)),
        ("2022-07", Date.of(2022, 7)),
        ("2019/2020", Date((PartialDate(2019), PartialDate(2020)))),
        ("2019~", Date((PartialDate(2019),), circa=True)),
        ({"date-parts": [[1987], [0]]}, Date((PartialDate(1987), PartialDate(0)))),
        ({"date-parts": [[2000]], "season": 3}, Date((PartialDate(2000),), season=3)),
        ({"date-parts": [[2000, 22]]}, Date((PartialDate(2000),), season=2)),
        ({"circa": 1, "date-parts": [[2005, 12, 15]]}, Date((PartialDate(2005, 12, 15),), circa=True)),
        ({"date-parts": [], "literal": "(in press)"}, Date(literal="(in press)")),
        ({"raw": "Spring 1999"}, Date(literal="Spring 1999")),
        ({"date-parts": [[-44, 3, 15]]}, Date.of(-44, 3, 15)),
    ],
)
def test_reads_every_date_form(value: Any, date: Date) -> None:
    record = read_one({"id": "d", "type": "book", "issued": value})
    assert record.issued == date
    assert read_json(write_json([record])) == [record]


# --- bad input -----------------------------------------------------------------------------


def test_bad_items_become_problems_naming_the_item_and_good_ones_are_kept() -> None:
    data = json.dumps(
        [
            {"id": "good", "type": "book"},
            "not an item",
            {"id": ["x"], "type": "book"},
            {"id": "t", "type": "book", "title": {"nested": 1}},
            {"id": "n", "type": "book", "author": [7]},
            {"id": "GOOD", "type": "book"},
            {"id": "c", "type": "book", "custom": {"refexport": {"issued": [2020, 13]}}},
            {"id": "m", "type": "book", "issued": {"date-parts": [[2020, 17]]}},
            {"id": "ok2", "type": "book"},
        ]
    ).encode()
    result = csl.read(data, "bad.json")
    assert [r.key for r in result.records] == ["good", "ok2"]
    messages = [str(p) for p in result.problems]
    assert messages[0] == "bad.json: item 2: expected an object, found a string"
    assert messages[1].startswith("bad.json: item 3: id must be a string or a number")
    assert messages[2] == "bad.json: item 4 (t): title must be text, found an object"
    assert messages[3] == "bad.json: item 5 (n): author 1 must be a name object, found a number"
    assert messages[4].startswith("bad.json: item 6 (GOOD): id 'GOOD' repeats 'good'")
    assert messages[5].startswith("bad.json: item 7 (c): custom.refexport is damaged")
    assert messages[6] == "bad.json: item 8 (m): bad date: month 17 out of range"
    assert len(messages) == 7


def test_a_number_beyond_pythons_digit_limit_is_a_problem_of_its_item() -> None:
    huge = "9" * 5000
    data = f'[{{"id": "a", "type": "book"}}, {{"id": "b", "type": "book", "volume": {huge}}}]'
    result = csl.read(data.encode(), "huge.json")
    assert [r.key for r in result.records] == ["a"]
    assert [str(p) for p in result.problems] == ["huge.json: item 2 (b): volume is a number of 5,000 digits"]
    big = csl.read(b'[{"id": "c", "type": "book", "volume": 123456789012345678901234567890}]', "big.json")
    assert big.records[0].variables["volume"] == 123456789012345678901234567890


@pytest.mark.parametrize(
    ("data", "line", "fragment"),
    [
        (b'[\n  {"id": "a",\n  "type": }\n]', 3, "not valid JSON"),
        (b'[\n{"id": "a", "title": "\xff"}]', 2, "not UTF-8"),
        (b'"just a string"', None, "expected an array of CSL items, found a string"),
        (b"", 1, "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, 1, "nested too deeply"),
    ],
)
def test_unreadable_json_is_refused_in_one_line(data: bytes, line: int | None, fragment: str) -> None:
    with pytest.raises(InputError) as caught:
        csl.read(data, "refs.json")
    problem = caught.value.problem
    assert (problem.file, problem.where) == ("refs.json", line)
    assert fragment in problem.message and "\n" not in str(caught.value)


def test_utf8_bom_and_utf16_are_read() -> None:
    item = [{"id": "a", "type": "book", "title": "标题"}]
    for data in (
        b"\xef\xbb\xbf" + json.dumps(item).encode(),
        json.dumps(item, ensure_ascii=False).encode("utf-16"),
    ):
        assert read_json(data)[0].title == "标题"


def test_yaml_alias_bomb_ends_in_one_line_quickly(tmp_path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for number in range(1, 9):
        previous = chr(ord("a") + number - 1)
        lines.append(
            f"{chr(ord('a') + number)}: &{chr(ord('a') + number)} [{','.join(['*' + previous] * 9)}]"
        )
    lines.append("references: *i")
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert len(bomb.read_bytes()) < 400
    started = time.perf_counter()
    run = run_cli("--catalog", str(bomb), "records")
    assert time.perf_counter() - started < 5
    assert run.code == 2 and run.stdout == ""
    assert run.stderr.strip().count("\n") == 0 and "aliases expand" in run.stderr


def test_bad_yaml_is_refused_with_its_line() -> None:
    with pytest.raises(InputError) as caught:
        csl.read_yaml(b"---\nreferences:\n- id: a\n  title: [unclosed\n", "refs.yaml")
    assert caught.value.problem.where == 5
    with pytest.raises(InputError, match="no `references:`"):
        csl.read_yaml(b"title: a post\n", "post.md")


# --- CSL YAML: pandoc's Markdown -----------------------------------------------------------


def test_yaml_reads_pandocs_markdown_forms_and_its_own_csl_yaml() -> None:
    text = (
        "---\nreferences:\n- id: a\n  type: book\n  issued: 2023-06-15\n"
        '  title: "*i* **b** ^sup^ ~sub~ [DNA]{.nocase} [sc]{.smallcaps} a\\\\_b 2 \\\\< 3 x&#32;&#32;y"\n'
        "  accessed: 2020-05/2021\n---\n\n# Body\n"
    )
    [record] = read_yaml(text, "doc.md")
    assert record.title == (
        '<i>i</i> <b>b</b> <sup>sup</sup> <sub>sub</sub> <span class="nocase">DNA</span> '
        '<span style="font-variant:small-caps;">sc</span> a_b 2 < 3 x  y'
    )
    assert record.issued == Date.of(2023, 6, 15)
    assert record.accessed == Date((PartialDate(2020, 5), PartialDate(2021)))


def test_yaml_writes_markup_as_markdown_and_dates_as_dates() -> None:
    text = write_yaml([sample_records()[4]])
    assert 'title: "A study of Cu~2~O in *Nature*: the [DNA]{.nocase} case"' in text
    assert 'issued: "2020-05/2020-06"' in text
    assert "<span" not in text and "**" not in text


# --- same-format conversion is faithful ----------------------------------------------------

# Where our output differs from the input natively (the stash keeps the rest), by file:
# deliberately schema-invalid inputs and what the model holds in another way.
SAME_FORMAT_EXCEPTIONS = {
    "flipflop_ApostropheInsideTag.json": {"custom"},  # `multi` (citeproc-js's extension, no schema key)
    "group_ComplexNesting.json": {"custom"},  # `isInstitution` (written as a literal name)
    "testers_FirstAutoGeneratedZoteroPluginTest.json": {"custom"},  # `isInstitution`
    "variables_ContainerTitleShort.json": {"custom"},  # `collection-title-short` (no schema key)
}


def same_format_differences(folder: Path) -> dict[str, set[str]]:
    """For every file: the fields in which our CSL-JSON, read without its stash, differs
    from what the input says (read → write → read, field by field)."""
    found: dict[str, set[str]] = {}
    for path in sorted(folder.glob("*.json")):
        original = read_json(path.read_bytes(), path.name)
        items = json.loads(write_json(original))
        assert_schema_valid(items)
        for item in items:
            item.get("custom", {}).pop(stash.NAME, None)
            if item.get("custom") == {}:
                del item["custom"]
        native = read_json(json.dumps(items))
        for before, after in zip(original, native, strict=True):
            wanted, got = before.to_dict(), after.to_dict()
            fields = {k for k in wanted.keys() | got.keys() if wanted.get(k) != got.get(k)}
            if fields:
                found.setdefault(path.name, set()).update(fields)
        assert read_json(write_json(original)) == original
        assert read_yaml(write_yaml(original)) == original
    return found


def test_csl_json_to_csl_json_keeps_every_variable_natively() -> None:
    assert same_format_differences(SUITE) == SAME_FORMAT_EXCEPTIONS


def test_shared_csl_corpus_is_converted_faithfully() -> None:
    differences = same_format_differences(shared_corpus("csl"))
    assert differences == {k: v for k, v in SAME_FORMAT_EXCEPTIONS.items() if k in differences}


# --- real clients: pandoc ------------------------------------------------------------------


def pandoc(*args: str, stdin: str = "", cwd: Path | None = None) -> str:
    done = subprocess.run(
        [require_tool("pandoc"), *args], input=stdin, capture_output=True, text=True, cwd=cwd, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def client_records() -> list[Record]:
    guarded = web_record("guarded", note="publisher: 新浪博客\n这不是字段")
    literal = web_record("literal-date", title="In press", issued=Date(literal="in press"))
    software = web_record("bcc", title="bcc", version="0.29", publisher="GitHub")
    software.type = "software"
    markup = web_record("markup", title='2 < 3 & *not* <i>it</i>alic [x] <span class="nocase">DNA</span>')
    markup.language = "en"
    return [*sample_records(), guarded, literal, software, markup]


def test_pandoc_reads_our_csl_json_and_csl_yaml_to_the_same_references(tmp_path: Path) -> None:
    records = client_records()
    (tmp_path / "refs.json").write_text(write_json(records), encoding="utf-8")
    (tmp_path / "doc.md").write_text(write_yaml(records), encoding="utf-8")
    from_json = json.loads(pandoc("-f", "csljson", "-t", "csljson", "refs.json", cwd=tmp_path))
    from_yaml = json.loads(pandoc("-s", "-f", "markdown", "-t", "csljson", "doc.md", cwd=tmp_path))
    assert [comparable(item) for item in from_yaml] == [comparable(item) for item in from_json]
    by_id = {item["id"]: item for item in from_json}
    assert "publisher" not in by_id["guarded"] and by_id["guarded"]["note"].endswith("这不是字段")
    assert by_id["meiyou_chun_sql-x9"]["note"] == sample_records()[1].note  # line breaks kept
    assert by_id["smith2020study"]["issued"] == {"date-parts": [[2020, 5], [2020, 6]]}
    assert by_id["markup"]["title"].startswith("2 < 3 & *not* <i>it</i>alic [x]")


def comparable(item: dict[str, Any]) -> dict[str, Any]:
    """pandoc's CSL-JSON of a reference, less what differs for reasons of pandoc's own: it
    drops `custom` from CSL-JSON but prints it as "" from YAML, and its CSL-JSON writer drops
    a literal date it read from CSL-JSON (pandoc 2.17). The guard space of a note line stays
    in pandoc's note (where it is invisible when printed)."""
    out = {k: v for k, v in item.items() if k != "custom"}
    for name, value in out.items():
        if isinstance(value, dict) and "literal" in value:
            out[name] = {k: v for k, v in value.items() if k != "literal"}
    if "note" in out:
        out["note"] = "\n".join(line.removeprefix(" ") for line in out["note"].split("\n"))
    return out


@pytest.mark.parametrize("bibliography", ["refs.json", "refs.yaml"])
def test_pandoc_citeproc_renders_every_entry(tmp_path: Path, bibliography: str) -> None:
    records = client_records()
    text = write_json(records) if bibliography.endswith(".json") else write_yaml(records)
    (tmp_path / bibliography).write_text(text, encoding="utf-8")
    (tmp_path / "doc.md").write_text('---\nnocite: "[@*]"\n---\n', encoding="utf-8")
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
    assert MIXED_TITLE in rendered  # not title-cased into "Torch.autograd 与 Deep Learning"
    assert "bcc (version 0.29). GitHub." in rendered  # software with a version, written as a book
    assert "Cu₂O" in rendered or "Cu2O" in rendered
    assert "新浪博客" not in rendered  # the guarded note did not become a publisher


def test_markdown_escaping_agrees_with_pandoc(tmp_path: Path) -> None:
    """Awkward strings through our CSL YAML and pandoc: pandoc reads each as we meant it."""
    titles = [
        "1984. A start",
        "- dash",
        "# hash",
        "> quote",
        'It\'s "quoted" -- ... ---',
        "a_b _c_ *d*",
        "x  y",
        " lead",
        "trail ",
        "tab\there",
        "line\nbreak\n\nparagraph",
        "\nfirst",
        "last\n",
        "@cite [@x] $x$ `c` ~ ^ \\LaTeX",
        "&amp; &#32; &",
        "<b>bold <i>both</i></b>",
        "H<sub>2</sub>O e=mc<sup>2</sup>",
        '<span class="nocase">iPhone</span> and <span style="font-variant:small-caps;">sc</span>',
        "50% off | a:b {c}",
        "http://x.org/a_b_c?q=*",
        "a\\",
        "\\*",
        "2. x",
        "3) y",
        "+ plus",
    ]
    records = [web_record(f"t{i}", title=title, language="en") for i, title in enumerate(titles)]
    (tmp_path / "doc.md").write_text(write_yaml(records), encoding="utf-8")
    theirs = json.loads(pandoc("-s", "-f", "markdown", "-t", "csljson", "doc.md", cwd=tmp_path))
    got = {item["id"]: item["title"] for item in theirs}
    for record, title in zip(records, titles, strict=True):
        # pandoc's CSL-JSON writer drops nocase spans (it writes their text)
        assert got[record.key] == title.replace('<span class="nocase">iPhone</span>', "iPhone"), title


# --- real clients: Zotero ------------------------------------------------------------------


def test_every_type_we_write_imports_into_zotero(zotero_translate: Any) -> None:
    records = []
    for csl_type in sorted(CSL_TYPES):
        record = web_record(f"type-{csl_type}", title=f"A {csl_type}")
        record.type = csl_type
        records.append(record)
    imported = zotero_translate.import_items(write_json(records))
    assert len(imported) == len(records)
    # the title of a case or a statute is its caseName / nameOfAct
    by_title = {
        item.get("title") or item.get("caseName") or item["nameOfAct"]: item["itemType"] for item in imported
    }
    assert len(by_title) == len(records)
    assert by_title["A software"] == "webpage" and by_title["A webpage"] == "webpage"
    assert by_title["A article-journal"] == "journalArticle"


def test_a_catalog_with_github_links_imports_into_zotero(zotero_translate: Any) -> None:
    imported = zotero_translate.import_items(write_json(client_records()))
    assert len(imported) == len(client_records())
    by_title = {item.get("title"): item for item in imported}
    assert by_title["bcc"]["itemType"] == "computerProgram" and by_title["bcc"]["versionNumber"] == "0.29"


def zotero_fields(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": item["itemType"],
        "title": item.get("title"),
        "url": item.get("url"),
        "container": item.get("websiteTitle")
        or item.get("blogTitle")
        or item.get("forumTitle")
        or item.get("publicationTitle"),
        "language": item.get("language"),
        "tags": [t["tag"] for t in item.get("tags", [])],
        "creators": [
            (c.get("lastName") or c.get("name"), c.get("firstName")) for c in item.get("creators", [])
        ],
        "date": item.get("date"),
        "accessed": item.get("accessDate"),
        "key": item.get("citationKey"),
        "extra": item.get("extra"),
    }


def test_what_zotero_keeps_from_our_csl_json(zotero_translate: Any) -> None:
    """The per-field table of the README (CSL-JSON row): what Zotero's own importer keeps."""
    record = web_record(
        "openmmlab2021",
        **{"container-title": "OpenMMLab", "issued": Date.of(2021, 3, 5), "accessed": Date.of(2024, 5, 1)},
    )
    record.variables["author"] = [
        Name(literal="OpenMMLab"),
        Name(family="Gogh", given="Vincent", non_dropping_particle="van"),
    ]
    record.tags = ["ml", "systems"]
    record.note = "publisher: 新浪博客\n这不是字段"
    record.collection, record.origin = ["Catalog"], [Origin("a.md", 1, None)]
    [item] = zotero_translate.import_items(write_json([record]))
    assert zotero_fields(item) == {
        "type": "webpage",
        "title": MIXED_TITLE,
        "url": "https://mp.weixin.qq.com/s/mixed",
        "container": "OpenMMLab",
        "language": "zh-CN",
        "tags": [],  # ✗ CSL `keyword` is not read by Zotero's importer
        "creators": [("OpenMMLab", None), ("Gogh", "Vincent")],  # ✗ the particle (family/given/literal only)
        "date": "March 5, 2021",
        "accessed": "2024-05-01",
        "key": None,  # ✗ neither `id` nor `citation-key` is read (its schema has no citationKey)
        "extra": "publisher: 新浪博客\n这不是字段",  # the note, exactly: the guard space is trimmed
    }


def test_nothing_of_ours_reaches_zotero_or_its_exports(zotero_translate: Any) -> None:
    records = client_records()
    for record in records:
        record.note = "publisher: x\nnote" if record.note is None else record.note
    imported = zotero_translate.import_items(write_json(records))
    text = json.dumps(imported, ensure_ascii=False)
    for fmt in ("csljson", "bibtex"):
        text += zotero_translate.export(fmt, imported)
    for leak in ("refexport", "custom", "\u200b", "collection", "origin"):
        assert leak not in text, leak


def test_zotero_does_not_read_csl_yaml(zotero_translate: Any) -> None:
    """Zotero has no CSL YAML importer: CSL YAML is for pandoc (README: use CSL-JSON)."""
    from conftest import ZoteroTranslateError

    with pytest.raises(ZoteroTranslateError, match="No suitable translators"):
        zotero_translate.import_items(write_yaml(client_records()))


def test_we_read_pandocs_own_csl_yaml_as_pandocs_csl_json(tmp_path: Path) -> None:
    """pandoc writes CSL YAML itself (`-t markdown -s` of CSL-JSON): we read it to the same
    titles, names and dates as the CSL-JSON pandoc writes of the same references (whose
    writer drops nocase spans, which its Markdown keeps)."""
    (tmp_path / "refs.json").write_text(write_json(client_records()), encoding="utf-8")
    their_yaml = pandoc("-f", "csljson", "-t", "markdown", "-s", "refs.json", cwd=tmp_path)
    their_json = pandoc("-f", "csljson", "-t", "csljson", "refs.json", cwd=tmp_path)
    from_yaml = read_yaml(their_yaml, "pandoc.md")
    from_json = read_json(their_json, "pandoc.json")

    def summary(record: Record) -> tuple[Any, ...]:
        names = {k: v for k, v in record.variables.items() if k in NAME_VARIABLES}
        title = (
            record.title.replace('<span class="nocase">', "").replace("</span>", "") if record.title else None
        )
        return record.key, title, names, record.issued if record.issued and record.issued.parts else None

    assert [summary(r) for r in from_yaml] == [summary(r) for r in from_json]


def test_variable_lines_of_a_note_are_read_as_processors_print_them() -> None:
    """Zotero's CSL export writes what an item type has no field for as `variable: value`
    lines of the note (citeproc-js and pandoc print them as the variables)."""
    item = {
        "id": "bcc",
        "type": "software",
        "title": "BCC",
        "issued": {"date-parts": [[2022, 7]]},
        "note": "TODO: cite\ncontainer-title: GitHub\nissued: 2022-07/2022-08\n"
        "author: Doe || Jane\nauthor: iovisor\nlanguage: en\n\nRead the README first.\nurl: not read",
    }
    [record] = read_json(json.dumps([item]))
    assert record.variables["container-title"] == "GitHub"
    assert record.variables["language"] == "en"
    assert record.variables["issued"] == Date.from_csl({"date-parts": [[2022, 7], [2022, 8]]})
    assert record.variables["author"] == [Name(family="Doe", given="Jane"), Name(literal="iovisor")]
    assert record.note == "TODO: cite\n\nRead the README first.\nurl: not read"
    # a line naming a variable the item has stays in the note; a guarded line is the note's own
    item = {"id": "x", "type": "book", "title": "T", "publisher": "P", "note": "publisher: Q"}
    assert read_json(json.dumps([item]))[0].note == "publisher: Q"
    item = {"id": "y", "type": "book", "title": "T", "note": " publisher: Q"}
    [guarded] = read_json(json.dumps([item]))
    assert (guarded.note, guarded.variables.get("publisher")) == ("publisher: Q", None)
