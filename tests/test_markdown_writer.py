"""The Markdown writer: both styles read back through the Markdown reader, and pandoc reads them."""

from __future__ import annotations

import subprocess
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refexport.catalog import load
from refexport.formats.markdown import read
from refexport.formats.markdown.writer import write
from refexport.model import Origin, Record

from conftest import make_record, require_tool

STYLES = ("post", "list")

# Arbitrary Unicode (no NUL, which CommonMark replaces, no lone surrogates), with the
# characters Markdown gives meaning to made frequent.
MARKUP = list("[]()*_<>#|`\\!$~&{}:：-+=.>\n\r\t ")
text = st.text(
    st.one_of(
        st.sampled_from(MARKUP), st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
    ),
    min_size=1,
    max_size=40,
).filter(lambda value: value.strip() != "" and "://" not in value)
URL_CHARS = st.sampled_from(list("abcxyz0129-._~:/?#@!$&'()*+,;=%") + list("图灵机"))
urls = st.builds(lambda path: f"https://x.example/{path}", st.text(URL_CHARS, max_size=20))


# Built once, outside the draws (building them per draw was most of the generation time).
_TAGS = st.lists(text, max_size=3, unique_by=str.strip)
_SECTIONS = st.lists(st.lists(text, max_size=3), min_size=1, max_size=3)
_URLS = st.lists(urls, min_size=1, max_size=6)
_OPTIONAL_TEXT = st.none() | text


@st.composite
def catalogs(draw: st.DrawFn) -> tuple[str, list[str], list[Record]]:
    name = draw(text)
    tags = draw(_TAGS)
    sections = draw(_SECTIONS)
    records = []
    for url in draw(_URLS):
        title = draw(_OPTIONAL_TEXT)
        if title is not None and title.strip() == url:
            title = None
        records.append(
            make_record(
                url=url,
                title=title,
                note=draw(_OPTIONAL_TEXT),
                collection=[name, *draw(st.sampled_from(sections))],
                tags=list(tags),
                origin=[Origin("in.md", 1, url)],
            )
        )
    return name, tags, records


def expected_note(note: str | None, style: str) -> str | None:
    """A post writes a note as `>` lines: the ends of each line are not kept; a list item keeps
    the note whole but for its two ends (a note without a letter or digit follows it as a quote)."""
    if note is None or not note.strip():
        return None
    if style == "list":
        note = note.strip()
        if any(char.isalnum() for char in note):
            return note
    return "\n".join(line.strip() for line in note.replace("\r\n", "\n").split("\n"))


def summary(records: list[Record]) -> Counter[tuple[object, ...]]:
    return Counter((r.url, r.title, r.note, tuple(r.collection), tuple(r.tags)) for r in records)


@pytest.mark.parametrize("style", STYLES)
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalog=catalogs())
def test_both_styles_read_back_url_title_note_section_and_tags(
    style: str, catalog: tuple[str, list[str], list[Record]]
) -> None:
    name, tags, records = catalog
    written = write(records, name, style)
    result = read(written.encode("utf-8"), "out.md")
    assert result.problems == []
    wanted_tags = tuple(tag.strip() for tag in tags)
    wanted = Counter(
        (
            r.url,
            r.title.strip() if r.title else None,
            expected_note(r.note, style),
            tuple(part.strip() for part in r.collection),
            wanted_tags,
        )
        for r in records
    )
    assert summary(result.records) == wanted, written
    assert result.title == name.strip()


def test_post_style_is_the_seed_layout() -> None:
    catalog = load()
    written = write(catalog.records, catalog.title, "post")
    assert written.startswith(
        "---\nlayout: post\ntitle: 并行 & 框架 & 优化（五）——参考资料\ncategory: DL acceleration\n"
    )
    assert (
        "# 并行 & 框架 & 优化\n\nhttps://mp.weixin.qq.com/s/ai_XI8ddP5I2m3ChCqnQsA\n\n"
        "高效大规模机器学习训练，198页PDF带你概览领域前沿进展\n\n" in written
    )
    noted = next(r for r in catalog.records if r.note)
    assert f"{noted.title}\n\n>{noted.note.splitlines()[0]}\n" in written  # type: ignore[union-attr]
    again = read(written.encode(), "refs.md").records
    assert [(r.url, r.title, r.note) for r in again] == [(r.url, r.title, r.note) for r in catalog.records]


def test_list_style_items() -> None:
    records = [
        make_record(
            url="https://a.example/x_(y)",
            title="A *star* [1]",
            note="line one\nline two",
            collection=["L", "S"],
        ),
        make_record(url="https://b.example/", title=None, note="n", collection=["L", "S"]),
        make_record(url=None, title="A book without URL", collection=["L"]),
    ]
    written = write(records, "L", "list")
    assert "# S\n\n" in written
    assert r"- [A \*star\* \[1\]](https://a.example/x_(y)) — line one&#10;line two" in written
    assert "- A book without URL\n" in written
    back = read(written.encode(), "l.md").records
    assert [(r.url, r.title, r.note) for r in back] == [
        ("https://a.example/x_(y)", "A *star* [1]", "line one\nline two"),
        ("https://b.example/", None, "n"),
    ]


def test_unknown_style_is_refused() -> None:
    with pytest.raises(ValueError, match="style"):
        write([], None, "table")


AWKWARD = [
    make_record(
        url="https://a.example/",
        title="# not a heading | pipe",
        note="> quoted\n```\ncode?",
        collection=["T", "A"],
    ),
    make_record(url="https://b.example/p q", title="参考：", note=None, collection=["T", "A", "B #"]),
    make_record(
        url="https://c.example/", title="line\nbreak <b>bold</b> $x$", note="- item\n---", collection=["T"]
    ),
    make_record(url="https://d.example/", title=None, note=None, collection=["T", "[x](#y)"]),
]


@pytest.mark.parametrize("style", STYLES)
def test_pandoc_reads_both_styles_without_warnings(style: str) -> None:
    pandoc = require_tool("pandoc")
    catalog = load()
    for records, title in ((catalog.records, catalog.title), (AWKWARD, "T")):
        written = write(records, title, style)
        for reader in ("markdown", "gfm", "commonmark_x"):
            done = subprocess.run(
                [pandoc, "--fail-if-warnings", "-f", reader, "-t", "html"],
                input=written.encode(),
                capture_output=True,
                check=False,
            )
            assert done.returncode == 0 and not done.stderr, (reader, done.stderr.decode())
        back = read(written.encode(), "x.md").records
        assert {r.url for r in back} == {r.url for r in records}
