"""Fuzzing with hypothesis: every reader over arbitrary bytes and over mutations of real
files, every writer over arbitrary records (its output read back by our reader).

A reader must end in records, one-line `file:line` problems, or a one-line InputError;
records it returns must be writable (the same judgement as the hostile corpus,
`hostile.read_verdict`). A writer must not raise, must write UTF-8, and its own reader must
read what it wrote without an error. Each example runs in-process under a SIGALRM time
limit; the sandboxed corpus (test_hostile_input.py) is where hangs and memory are bounded.

Budget: REFEXPORT_FUZZ_EXAMPLES examples per test (default sized for CI: the whole file in
well under a minute for the ten formats), derandomized so CI runs the same examples every
time. For a longer campaign on your machine: `REFEXPORT_FUZZ_EXAMPLES=5000
REFEXPORT_FUZZ_RANDOM=1 python -m pytest tests/test_fuzz.py` (random, and hypothesis keeps
what failed in .hypothesis/). Put a failing input found that way in tests/data/hostile/
(the corpus then runs it through every reader and the command line), or add it as an
`@example` here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from refexport import formats
from refexport.model import Record

import hostile
from sandbox import time_limit
from strategies import record_lists

pytestmark = pytest.mark.robustness

EXAMPLES = int(os.environ.get("REFEXPORT_FUZZ_EXAMPLES", "150"))
RANDOM = bool(os.environ.get("REFEXPORT_FUZZ_RANDOM"))
fuzz = settings(
    max_examples=EXAMPLES,
    derandomize=not RANDOM,
    database=None if not RANDOM else settings.default.database,
    deadline=None,  # time_limit bounds an example; hypothesis's deadline only measures
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    print_blob=True,
)
SECONDS = 10.0  # per example: a linear reader needs milliseconds for these sizes


# What fuzzing found in a ported format and is not fixed yet: (test, format) -> finding.
# The failing input is also a regression file in tests/data/hostile/, where the corpus
# checks it every run (strictly). Not strict here: which examples a derandomized run draws
# depends on the budget, so the finding may or may not be drawn again.
KNOWN: dict[tuple[str, str], str] = {}


def _formats(test: str, names: list[str]) -> Iterator[Any]:
    for fmt in names:
        reason = hostile.unported(fmt)
        marks = [pytest.mark.xfail(reason=reason, run=False)] if reason else []
        if not reason and (test, fmt) in KNOWN:
            marks.append(pytest.mark.xfail(reason=KNOWN[test, fmt], strict=False))
        yield pytest.param(fmt, id=fmt, marks=marks)


def _judge_read(fmt: str, data: bytes) -> None:
    with time_limit(SECONDS):
        verdict = hostile.read_verdict(fmt, data, "fuzz/input")
    assert not verdict.violations, "\n".join([verdict.ending, *verdict.violations])


# --- readers over bytes ---

# The characters that mean something to one of our formats, so that arbitrary text often
# gets past the first token.
SYNTAX = [*"{}[]()<>\"'`\\:;,.=@#%&*!?-_+/|$~^\n\r\t ", "\x00", "\ufeff", "\u2028", "\x85", "高", "é"]
texts = st.text(st.sampled_from(SYNTAX) | st.characters(blacklist_categories=("Cs",)), max_size=400)
byte_strings = st.one_of(
    st.binary(max_size=400),
    texts.map(lambda text: text.encode("utf-8")),
    texts.map(lambda text: text.encode("utf-16")),
)


@pytest.mark.parametrize("fmt", list(_formats("test_reader_over_arbitrary_bytes", formats.readable())))
@fuzz
@given(data=byte_strings)
@example(data=b"")
@example(data=b"[" * 5000)
@example(data=b'{"title": "\\ud800"}')
def test_reader_over_arbitrary_bytes(fmt: str, data: bytes) -> None:
    _judge_read(fmt, data)


# --- readers over mutations of real files ---

TOKENS = [
    *(c.encode() for c in "{}[]()<>\"'`\\:;,=@#%&*!?-\n"),
    b"\r\n",
    b"\x00",
    b"\xff",
    b"\xc3",
    b"\xef\xbb\xbf",
    b"\xed\xa0\x80",
    b"\xe2\x80\xa8",
    b"&amp;",
    b"&#0;",
    b"&#xD800;",
    b"<!--",
    b"]]>",
    b"<![CDATA[",
    b"<!DOCTYPE x [<!ENTITY a 'b'>]>",
    b"---\n",
    b"...\n",
    b"- ",
    b"? ",
    b"&anchor ",
    b"*anchor",
    b"!!binary ",
    b"!!python/object ",
    b"\\u0000",
    b"\\ud800",
    b"9" * 30,
    b"-1e999",
    b"NaN",
    b"null",
    b"true",
    b"@string{",
    b"@comment{",
    b"@preamble{",
    b"crossref = ",
    b" # ",
    b"\\'",
    b"{\\",
    b"$",
    b"https://",
    b"[x](",
    b"](",
    b"![",
    b"```",
    b"$$",
    b"> ",
    b"# ",
    "高".encode(),
]


@st.composite
def mutations(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """A seed with a few edits: bytes deleted, duplicated, replaced by syntax tokens or
    random bytes, the whole cut short, or two pieces swapped."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        length = draw(st.integers(0, 64))
        edit = draw(st.sampled_from(["delete", "insert", "duplicate", "random", "cut", "swap"]))
        if edit == "delete":
            del data[at : at + length]
        elif edit == "insert":
            data[at:at] = draw(st.sampled_from(TOKENS)) * draw(st.integers(1, 3))
        elif edit == "duplicate":
            data[at:at] = data[at : at + length] * draw(st.integers(1, 20))
        elif edit == "random":
            data[at : at + len(chunk)] = (chunk := draw(st.binary(min_size=1, max_size=8)))
        elif edit == "cut":
            del data[at:]
        else:
            other = draw(st.integers(0, len(data)))
            low, high = sorted((at, other))
            data[low:high] = data[high : high + length] + data[low + length : high] + data[low : low + length]
    return bytes(data)


@pytest.mark.parametrize(
    "fmt", list(_formats("test_reader_over_mutations_of_real_files", formats.readable()))
)
@fuzz
@given(data=st.data())
def test_reader_over_mutations_of_real_files(fmt: str, data: st.DataObject) -> None:
    _judge_read(fmt, data.draw(mutations(_seeds(fmt))))


_SEEDS: dict[str, list[bytes]] = {}


def _seeds(fmt: str) -> list[bytes]:
    if fmt not in _SEEDS:
        _SEEDS[fmt] = hostile.seeds_for(fmt)
    return _SEEDS[fmt]


# --- writers over arbitrary records ---


@pytest.mark.parametrize("fmt", list(_formats("test_writer_output_reads_back", formats.writable())))
@settings(fuzz, max_examples=max(1, EXAMPLES // 3))
@given(records=record_lists())
def test_writer_output_reads_back(fmt: str, records: list[Record]) -> None:
    entry = formats.get(fmt)
    options = formats.WriteOptions("Fuzz 标题 <&>", {})
    with time_limit(SECONDS):
        text = "".join(entry.write(records, options))
    data = text.encode("utf-8")  # UTF-8 throughout: no lone surrogate reached the output
    for problem in [*options.skipped, *options.notices]:
        assert "\n" not in str(problem), problem
    if entry.reader is None:
        return
    with time_limit(SECONDS):
        result = entry.read(data, "fuzz/output")  # our own output: no InputError either
    for problem in result.problems:
        assert problem.file == "fuzz/output" and "\n" not in str(problem), problem
