"""The Markdown reader on inputs that once took it quadratic time or far too much memory.

Each input is read in a forked child (tests/sandbox.py) under a time limit and the memory
bound of the hostile corpus (192 MiB + 40 times the input, tests/hostile.py). The sizes are
chosen so that the code before each fix overran the limit many times (the figures are in
each test), while the reader needs a fraction of a second. The records are checked too: a
fix must not change what the reader makes of its input.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from refexport.formats.markdown import read

from sandbox import MIB, run_one

pytestmark = pytest.mark.robustness

SECONDS = 10.0

Found = tuple[int, str, str | None, str | None]  # line, URL, title, note


@pytest.fixture(scope="module", autouse=True)
def _warm_up() -> Iterator[None]:
    """Load the parser and the data files once, before the children are forked."""
    read(b"# A\n* [a](https://e.org/a) - b\n\nhttps://e.org/b\n", "warm-up.md")
    yield


def read_bounded(data: bytes, seconds: float = SECONDS, memory: int | None = None) -> list[Found]:
    """The records of `data` as (line, URL, title, note), read in a sandboxed child that
    must finish within `seconds` and add at most `memory` bytes (default: the hostile
    corpus's bound)."""

    def call() -> list[Found]:
        records = read(data, "limits.md").records
        return [(record.origin[0].line, record.url or "", record.title, record.note) for record in records]

    outcome = run_one(call, timeout=seconds, hard_limit=1024 * MIB)
    assert outcome.kind == "returned", outcome.describe()
    bound = 192 * MIB + 40 * len(data) if memory is None else memory
    assert outcome.peak <= bound, f"+{outcome.peak / MIB:.0f} MiB (bound {bound / MIB:.0f} MiB)"
    found: list[Found] = outcome.value
    return found


def test_a_url_followed_by_many_closing_parentheses() -> None:
    # The unbalanced `)` were counted again for each one stripped: 40,000 took 1.8 s,
    # these 200,000 (twice) would take about 90 s.
    parens = ")" * 200_000
    data = f"https://e.org/a{parens}\n# H\nsee https://e.org/b{parens} and more\n".encode()
    assert read_bounded(data) == [
        (1, "https://e.org/a" + parens, None, None),  # a URL alone on its line is taken verbatim
        (3, "https://e.org/b", None, None),
    ]


def test_balanced_brackets_stay_in_a_url() -> None:
    data = b"see https://e.org/Foo_(bar)). And [x](https://e.org/(a)), https://e.org/[b]]] too\n"
    assert [url for _, url, _, _ in read_bounded(data)] == [
        "https://e.org/Foo_(bar)",
        "https://e.org/(a)",
        "https://e.org/[b]",
    ]


def test_deeply_nested_list_items() -> None:
    # Each list item searched the rest of the text for a link: 200,000 nested `- ` took
    # about 30 s.
    data = b"- " * 200_000 + b"[a](https://e.org/a) - the end\n"
    assert read_bounded(data) == [(1, "https://e.org/a", "a", "the end")]


def test_a_line_of_many_links_and_urls() -> None:
    # The text after each entry was gathered from a copy of the rest of the line's pieces:
    # 10,000 pairs took 10 s, these 20,000 about 40 s.
    data = b"[a](https://e.org/a) https://e.org/b " * 20_000 + b"\n"
    found = read_bounded(data)
    assert len(found) == 40_000
    assert set(found[:-2]) == {(1, "https://e.org/a", "a", None), (1, "https://e.org/b", None, None)}


def test_a_paragraph_of_many_lines_with_links() -> None:
    # Each line's continuation was looked for in a copy of the rest of the block: 20,000
    # lines took 2 s, these 100,000 about 50 s.
    data = b"[a](https://e.org/a) - x\n" * 100_000
    found = read_bounded(data)
    assert len(found) == 100_000
    assert set(found) == {(line, "https://e.org/a", "a", "x") for line in range(1, 100_001)}


def test_a_10_mb_url_takes_a_few_copies_of_itself() -> None:
    # A backtracking frame per character of the URL-alone-on-its-line regex: 1.3 GB.
    data = b"https://e.org/" + b"a" * (10 * MIB) + b"\n"
    found = read_bounded(data, memory=12 * len(data))
    assert [(line, len(url), title, note) for line, url, title, note in found] == [
        (1, len(data) - 1, None, None)
    ]


def test_a_line_of_many_text_events() -> None:
    # Each `[` that opens no link, and each escape, is a text event of its own, and each was
    # appended to the text so far by copying it: 1,000,000 took 21 s.
    data = b"[" + b"a\\[" * 100_000 + b"](https://e.org/a)\n\n" + b"[" * 1_000_000 + b" https://e.org/b\n"
    found = read_bounded(data)
    assert [(line, url, title) for line, url, title, _ in found] == [
        (1, "https://e.org/a", "a[" * 100_000),
        (3, "https://e.org/b", None),
    ]
    assert found[0][3] == "[" * 1_000_000 + " https://e.org/b"  # the paragraph after a link alone


def test_many_code_blocks() -> None:
    # Each fenced block looked for text after it in a copy of all the lines after it:
    # 150,000 blocks took more than two minutes.
    data = b"```\n" * 300_000 + b"https://e.org/a\n"
    assert read_bounded(data) == [(300_001, "https://e.org/a", None, None)]


def test_deeply_nested_quotes_with_lazy_lines() -> None:
    # Every nested quote, and every list item in a quote, marked all the lines to the end of
    # its container as quote lines again: 25,000 levels with 25,000 lazy continuation lines
    # took 27 s (quotes) and 51 s (list items in a quote). The parser itself needs time in
    # proportion to depth times lines (pulldown-cmark checks every open container on every
    # line), so the sizes stay where that is well under a second.
    lazy = b"y\n" * 20_000
    found = read_bounded(b"> " * 20_000 + b"[a](https://e.org/a)\n" + lazy)
    assert found == [(1, "https://e.org/a", "a", None)]
    note = " ".join(["y"] * 4001)  # the item's text after its link, up to the length a tail is cut at
    found = read_bounded(b"> " + b"- " * 15_000 + b"[a](https://e.org/a)\n" + lazy)
    assert found == [(1, "https://e.org/a", "a", note)]
