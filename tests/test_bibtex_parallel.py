"""Large inputs and outputs shared with worker processes: the records, text and notices
one process alone gives."""

from __future__ import annotations

import json

import pytest

from refexport.errors import InputError
from refexport.formats import WriteOptions, zotero
from refexport.formats.bibtex import read, write
from refexport.formats.bibtex.read import CHUNK_CHARS
from refexport.formats.csl import json as csljson
from refexport.model import ReadResult, Record
from refexport.workers import count


@pytest.fixture(autouse=True)
def _workers_can_start() -> None:
    """These tests compare work done by workers with work done alone: if workers could not
    start here (a thread left running by another test), both sides would be done alone."""
    assert count(True, 2) == 2, "worker processes cannot start in this test process"


def _entry(index: int) -> str:
    """An entry of many kinds, by `index`: macros (defined and redefined along the file),
    keys repeated in later chunks, a broken entry, text after a closing brace, a keyless
    entry, a field twice, a byte that is not text."""
    kind = index % 9
    body = (
        f"  author = {{Müller, Jörg and van der Berg, Anna}},\n"
        f"  title = {{On {{LaTeX}} \\& CSL, part {index}: a longer title for a realistic size}},\n"
        f"  journal = jnl # {{, Series {index % 4}}},\n"
        f"  year = {{{1990 + index % 30}}}, month = {('jan', 'feb', 'mar')[index % 3]},\n"
        f"  pages = {{{index}--{index + 9}}},\n"
        f"  abstract = {{{'Lorem ipsum dolor sit amet. ' * 8}}},\n"
    )
    if kind == 0:
        return f'@string{{jnl = "Journal {index}"}}\n@article{{k{index},\n{body}}}\n'
    if kind == 1:
        return f"@article{{k{index - 1000},\n{body}}}\n"  # a key from an earlier chunk
    if kind == 2:
        return f"@article{{broken{index},\n  title = {{unclosed,\n  year = 2000\n\n"
    if kind == 3:
        return f"@misc{{junk{index}, title = {{Too many }}}} closers}}}}\n"
    if kind == 4:
        return f"@article{{\n{body}}}\n"  # keyless
    if kind == 5:
        return f"@book{{twice{index}, title = {{A}}, title = {{B}}, year = 2001}}\n"
    if kind == 6:
        return f"@misc{{bad{index},\n  title = {{caf\udce9}},\n}}\n"
    # a line ending in a backslash: bibtexparser's line count skips it
    comment = f"% a comment {index}\n@comment{{group\\;{index}\\\n;}}\n"
    return f"{comment}@inproceedings{{k{index},\n{body}  booktitle = jnl,\n}}\n"


@pytest.fixture(scope="module")
def big_bib() -> bytes:
    text = "".join(_entry(index) for index in range(4_000))
    data = text.encode("utf-8", errors="surrogateescape")
    assert len(data) > 3 * CHUNK_CHARS  # several chunks
    return data


@pytest.fixture(scope="module")
def serial(big_bib: bytes) -> ReadResult:
    """The file read without workers, once for the module (the writers leave records as they are)."""
    return read(big_bib, "big.bib", workers=0)


def test_a_file_split_by_workers_gives_the_same_records_and_problems(
    big_bib: bytes, serial: ReadResult
) -> None:
    parallel = read(big_bib, "big.bib", workers=2)
    assert len(serial.records) > 2_000
    assert {p.message.split(" ", 2)[1] for p in serial.problems} >= {"key", "0xe9", "after", "parse"}
    assert [r.to_dict() for r in parallel.records] == [r.to_dict() for r in serial.records]
    assert parallel.problems == serial.problems  # same order, same lines
    lines = [p.where for p in serial.problems]
    assert max(lines) > 20_000  # line numbers carried across chunks  # type: ignore[operator]


def test_macros_redefined_along_the_file_apply_from_their_definition_on(big_bib: bytes) -> None:
    records = read(big_bib, "big.bib", workers=2).records
    journals = {r.key: r.container for r in records if r.key in ("k0", "k9", "k3600")}
    assert journals == {
        "k0": "Journal 0, Series 0",
        "k9": "Journal 9, Series 1",
        "k3600": "Journal 3600, Series 0",
    }


def test_binary_data_is_refused_by_workers_too(big_bib: bytes) -> None:
    data = big_bib + b"@misc{x, title = {\x00}}\n"
    with pytest.raises(InputError, match="binary data"):
        read(data, "big.bib", workers=2)


@pytest.mark.parametrize(("dialect", "workers"), [("bibtex", 2), ("biblatex", 3)])
def test_entries_formatted_by_workers_are_the_same_text_and_notices(
    serial: ReadResult, dialect: str, workers: int
) -> None:
    records = serial.records
    alone, together = WriteOptions(settings={"dialect": dialect}), WriteOptions(settings={"dialect": dialect})
    text = "".join(write(records, alone, workers=0))
    assert "".join(write(records, together, workers=workers)) == text
    assert together.notices == alone.notices
    assert alone.notices  # the keyless entries' keys
    assert [r.to_dict() for r in read(text.encode(), "again.bib", workers=2).records] == [
        r.to_dict() for r in read(text.encode(), "again.bib", workers=0).records
    ]


def test_csljson_items_written_by_workers_are_the_same_text(serial: ReadResult) -> None:
    records = serial.records
    alone, together = WriteOptions(), WriteOptions()
    text = "".join(csljson.write(records, alone, workers=0))
    assert "".join(csljson.write(records, together, workers=2)) == text
    assert len(json.loads(text)) == len(records)
    assert together.skipped == alone.skipped


def test_zotero_items_made_by_workers_are_the_same_text_and_notices(serial: ReadResult) -> None:
    records = [Record.from_dict(r.to_dict()) for r in serial.records]
    for record in records[::100]:
        record.tags.append("t" * 300)  # longer than the Zotero API takes: a notice
    alone, together = WriteOptions(), WriteOptions()
    text = "".join(zotero.write(records, alone, workers=0))
    assert "".join(zotero.write(records, together, workers=2)) == text
    assert len(json.loads(text)["items"]) == len(records)
    assert len(alone.notices) >= len(records[::100])
    assert together.notices == alone.notices
