"""The text toolkit: JSON and YAML emitters, the safe YAML loader, CSL markup, scripts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refexport.text.json import pretty_json
from refexport.text.markup import plain
from refexport.text.script import has_cjk, language_of_text
from refexport.text.yaml import YAMLError, is_plain_yaml_string, load_yaml, yaml_document

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_pretty_json_writes_what_json_dumps_writes(value: Any) -> None:
    assert pretty_json(value) == json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


@settings(max_examples=200, deadline=None)
@given(json_values, st.integers(0, 3))
def test_pretty_json_at_any_depth_reads_back(value: Any, levels: int) -> None:
    assert json.loads(pretty_json(value, levels)) == value


def test_load_yaml_is_safe() -> None:
    assert load_yaml("a: [1, 二]") == {"a": [1, "二"]}
    with pytest.raises(Exception, match="could not determine a constructor"):
        load_yaml("!!python/object/apply:os.system ['true']")


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(text, json_values, max_size=4))
def test_yaml_document_reads_back_exactly(value: dict[str, Any]) -> None:
    assert load_yaml(yaml_document(value)) == value


def test_yaml_document_layout() -> None:
    document = yaml_document({"references": [{"id": "a", "issued": {"date-parts": [[2023, 6]]}}]})
    assert document == "---\nreferences:\n- id: a\n  issued:\n    date-parts:\n    - [2023, 6]\n...\n"


@pytest.mark.parametrize(
    "value",
    [
        "yes",
        "No",
        "null",
        "2023-06-15",
        "1:20",
        "a: b",
        "a #b",
        "end:",
        "x, y",
        "[a]",
        " lead",
        "two  spaces",
        "\x85",
    ],
)
def test_yaml_strings_that_could_mean_something_else_are_quoted(value: str) -> None:
    document = yaml_document({"v": value})
    assert document.startswith('---\nv: "')
    assert load_yaml(document) == {"v": value}


def test_yaml_plain_strings() -> None:
    assert yaml_document({"v": ["高效 & 框架（五）", "https://a.example/x_y?q=1#f", "a\\_b"]}) == (
        "---\nv: [高效 & 框架（五）, https://a.example/x_y?q=1#f, a\\_b]\n...\n"
    )


def test_plain_yaml_strings() -> None:
    assert is_plain_yaml_string("并行 & 框架 & 优化（五）——参考资料")
    assert is_plain_yaml_string("DL acceleration")
    for value in ["yes", "2015-1-8", "a: b", "", " x", "x,y", "#x", "'q'"]:
        assert not is_plain_yaml_string(value), value


def test_pretty_json_levels_lay_out_only_the_outer_containers() -> None:
    value = [{"id": "a", "author": [{"literal": "机器之心"}], "issued": {"date-parts": [[2023, 6]]}}]
    assert pretty_json(value, levels=2) == (
        '[\n  {\n    "id": "a",\n    "author": [{"literal":"机器之心"}],\n'
        '    "issued": {"date-parts":[[2023,6]]}\n  }\n]\n'
    )
    assert json.loads(pretty_json(value, levels=1)) == value
    assert pretty_json(value, levels=0) == json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"


@pytest.mark.parametrize(("value", "error"), [({1, 2}, TypeError), (10**30, TypeError)])
def test_pretty_json_refuses_what_json_refuses_at_every_level(value: Any, error: type[Exception]) -> None:
    for levels in (0, 1, 2):
        with pytest.raises(error):
            pretty_json([{"a": value}], levels=levels)


_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_an_alias_bomb_is_refused_before_it_expands() -> None:
    with pytest.raises(YAMLError, match="aliases expand to more than") as caught:
        load_yaml(_BOMB)
    assert caught.value.line is not None
    assert len(_BOMB) < 400


def test_recursive_aliases_are_refused_and_plain_ones_kept() -> None:
    with pytest.raises(YAMLError, match="recursive"):
        load_yaml("a: &x [1, *x]")
    assert load_yaml("a: &x [1, 2]\nb: *x") == {"a": [1, 2], "b": [1, 2]}


def test_syntax_errors_name_their_line() -> None:
    with pytest.raises(YAMLError) as caught:
        load_yaml("a: 1\nb: [\n")
    assert caught.value.line == 3


def test_csl_markup_is_stripped_for_people_and_nothing_else() -> None:
    assert plain('Cu<sub>2</sub>O in <i>Nature</i> <span class="nocase">DNA</span>') == "Cu2O in Nature DNA"
    assert plain("a < b & <c>") == "a < b & <c>"


@pytest.mark.parametrize(
    ("text", "language"),
    [("深度学习", "zh-CN"), ("ひらがな と 漢字", "ja"), ("한국어", "ko"), ("Привет", "ru"), ("Hello", "en"),
     ("Café", None), ("2023", None), ("𠀀", "zh-CN"), ("大型语言模型(LLM)训练指南", "zh-CN"),
     ("LLM Inference CookBook", "en"), ("李鸿章：中国拍Ｘ光片第一人", "zh-CN"), ("Ｘ線", "zh-CN"),
     ("10^31", None), ("café crème", None), ("", None)],
)  # fmt: skip
def test_language_of_text(text: str, language: str | None) -> None:
    assert language_of_text(text) == language
    assert has_cjk(text) == (language in {"zh-CN", "ja", "ko"})


# --- XML escaping ----------------------------------------------------------------------------


@settings(max_examples=500, deadline=None)
@given(st.text(st.characters(exclude_categories=()), max_size=30))
def test_xml_escapes_read_back_as_the_text_without_illegal_characters(text: str) -> None:
    import xml.etree.ElementTree as ElementTree

    from refexport.text.xml import XML_ILLEGAL, escape_attribute, escape_text

    double, single = escape_attribute(text), escape_attribute(text, quote="'")
    document = f"<a b=\"{double}\" c='{single}'>{escape_text(text)}</a>"
    element = ElementTree.fromstring(document.encode("utf-8"))
    legal = XML_ILLEGAL.sub("", text)
    assert element.get("b") == element.get("c") == legal
    # element content: a parser turns a written CR (and CRLF) into LF
    assert (element.text or "") == legal.replace("\r\n", "\n").replace("\r", "\n")
