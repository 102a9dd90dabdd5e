from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refexport.fileio import (
    atomic_write,
    is_plain_yaml_string,
    load_yaml,
    load_yaml_file,
    pretty_json,
    yaml_document,
)

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_pretty_json_writes_what_json_dumps_writes(value: Any) -> None:
    assert pretty_json(value) == json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def test_atomic_write_replaces_and_uses_the_umask_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    atomic_write(target, "一\n")
    assert target.read_text(encoding="utf-8") == "一\n"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    target.chmod(0o600)
    atomic_write(target, "二\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # an existing file keeps its mode
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]  # no temporary file left


def test_atomic_write_leaves_the_old_file_when_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        atomic_write(target, "\ud800")  # a lone surrogate cannot be encoded
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


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


def test_yaml_data_file_is_parsed_once_per_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    data = tmp_path / "sites.yaml"
    data.write_text("sites:\n- host: a.example\n  container: 甲\n", encoding="utf-8")
    assert load_yaml_file(data) == {"sites": [{"host": "a.example", "container": "甲"}]}
    memos = list((tmp_path / "cache" / "refexport" / "yaml").iterdir())
    assert (
        len(memos) == 1 and json.loads(memos[0].read_text(encoding="utf-8"))["sites"][0]["container"] == "甲"
    )
    data.write_text("sites: []\n", encoding="utf-8")  # edited: parsed afresh, not the old memo
    assert load_yaml_file(data) == {"sites": []}
    data.write_text("sites: [unclosed\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid YAML"):
        load_yaml_file(data)


def test_plain_yaml_strings() -> None:
    assert is_plain_yaml_string("并行 & 框架 & 优化（五）——参考资料")
    assert is_plain_yaml_string("DL acceleration")
    for value in ["yes", "2015-1-8", "a: b", "", " x", "x,y", "#x", "'q'"]:
        assert not is_plain_yaml_string(value), value


def test_pretty_json_levels_lay_out_only_the_outer_containers() -> None:
    value = [{"id": "a", "author": [{"literal": "机器之心"}], "issued": {"date-parts": [[2023, 6]]}}]
    assert pretty_json(value, levels=2) == (
        '[\n  {\n    "id": "a",\n    "author": [{"literal": "机器之心"}],\n'
        '    "issued": {"date-parts": [[2023, 6]]}\n  }\n]\n'
    )
    assert json.loads(pretty_json(value, levels=1)) == value
    assert pretty_json(value, levels=0) == json.dumps(value, ensure_ascii=False) + "\n"


@pytest.mark.parametrize(("value", "error"), [(float("nan"), ValueError), ({1, 2}, TypeError)])
def test_pretty_json_refuses_what_json_refuses_at_every_level(value: Any, error: type[Exception]) -> None:
    for levels in (None, 0, 1, 2):
        with pytest.raises(error):
            pretty_json([{"a": value}], levels=levels)
