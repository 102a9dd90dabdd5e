"""Hostile input through every reader and through the command line, each case sandboxed.

The corpus is tests/hostile.py. Every case goes through every reader of the registry
(`formats.get(name).read(data, name)`), and the `cli=True` cases also through
`refexport --catalog FILE --from NAME records`, each in a forked child with a timeout and a
memory bound (tests/sandbox.py): a hang, a blow-up or an interpreter crash fails that case.
All the cases selected for a run are run once, two at a time (the cores), when the first of
them is needed; each test then judges its own case.

Coverage follows the registry: a format added to `refexport.formats` is covered with no
change here. Formats still being ported (`hostile.NOT_YET_PORTED`, while their module does
not import) are xfailed without running; `KNOWN` lists what this corpus found in a ported
reader and is not fixed yet (strict: a fixed one turns into a failure that says to delete
its entry).
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from refexport import formats

import hostile
from hostile import Case, Verdict
from sandbox import MIB, Outcome, run_bounded, run_one

pytestmark = [pytest.mark.robustness, pytest.mark.xdist_group("hostile")]

CASES = hostile.cases()
CLI_CASES = [case for case in CASES if case.cli]
HARD_LIMIT = 1024 * MIB  # the sandbox's RLIMIT_AS headroom: the machine's safety net

# What the corpus found in ported readers and is not fixed yet: (format, case) -> (finding,
# where: "read" for the reader, "cli" for the command line, or both). Strict: once fixed,
# the case fails as XPASS(strict) and its entry is to be deleted.
KNOWN: dict[tuple[str, str], tuple[str, str]] = {}


def _params(cases: list[Case], kind: str) -> Iterator[Any]:
    for fmt in formats.readable():
        reason = hostile.unported(fmt)
        for case in cases:
            marks: list[Any] = []
            finding, where = KNOWN.get((fmt, case.name), ("", ""))
            if reason:
                marks.append(pytest.mark.xfail(reason=reason, run=False))
            elif kind in where.split():
                marks.append(pytest.mark.xfail(reason=finding, strict=True))
            yield pytest.param(fmt, case, id=f"{fmt}-{case.name}", marks=marks)


def _selected(request: pytest.FixtureRequest, test_name: str) -> list[tuple[str, Case]]:
    """The (format, case) pairs of `test_name` this run will execute (after -k, xfail run=False)."""
    pairs = []
    for item in request.session.items:
        xfail = item.get_closest_marker("xfail")
        if getattr(item, "originalname", None) != test_name or (xfail and not xfail.kwargs.get("run", True)):
            continue
        params = item.callspec.params  # type: ignore[attr-defined]
        pairs.append((params["fmt"], params["case"]))
    return pairs


def _read(fmt: str, case: Case) -> Any:
    name = f"hostile/{case.name}"
    return lambda: hostile.read_verdict(fmt, case.data, name)


@pytest.fixture(scope="module")
def read_outcomes(request: pytest.FixtureRequest) -> dict[tuple[str, str], Outcome]:
    pairs = _selected(request, "test_reader_ends_cleanly")
    hostile.warm_up(sorted({fmt for fmt, _ in pairs}))
    outcomes = run_bounded(
        [_read(fmt, case) for fmt, case in pairs],
        timeout=[case.timeout for _, case in pairs],
        hard_limit=HARD_LIMIT,
    )
    done = {(fmt, case.name): outcome for (fmt, case), outcome in zip(pairs, outcomes, strict=True)}
    _report("read", done)
    return done


@pytest.fixture(scope="module")
def cli_outcomes(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[tuple[str, str], Outcome]:
    folder = tmp_path_factory.mktemp("hostile")
    pairs = _selected(request, "test_command_line_ends_cleanly")
    hostile.warm_up(sorted({fmt for fmt, _ in pairs}))
    calls = []
    for fmt, case in pairs:
        path = folder / f"{case.name}.in"
        if not path.exists():
            path.write_bytes(case.data)
        calls.append(lambda fmt=fmt, path=str(path): hostile.cli_verdict(fmt, path))
    outcomes = run_bounded(calls, timeout=[case.timeout for _, case in pairs], hard_limit=HARD_LIMIT)
    done = {(fmt, case.name): outcome for (fmt, case), outcome in zip(pairs, outcomes, strict=True)}
    _report("cli", done)
    return done


def _report(kind: str, outcomes: dict[tuple[str, str], Outcome]) -> None:
    """With REFEXPORT_HOSTILE_TIMES=FILE, each case's time and memory (to size the corpus)."""
    path = os.environ.get("REFEXPORT_HOSTILE_TIMES")
    if path:
        with open(path, "a", encoding="utf-8") as report:
            for (fmt, name), outcome in outcomes.items():
                report.write(
                    f"{kind}\t{fmt}\t{name}\t{outcome.kind}\t{outcome.seconds:.3f}\t{outcome.peak}\n"
                )


def _judge(outcome: Outcome, case: Case) -> None:
    assert outcome.kind == "returned", outcome.describe()
    verdict: Verdict = outcome.value
    assert not verdict.violations, "\n".join([verdict.ending, *verdict.violations])
    assert outcome.peak <= case.memory_bound, (
        f"{outcome.peak / MIB:.0f} MiB added for a {len(case.data) / MIB:.1f} MiB input "
        f"(bound {case.memory_bound / MIB:.0f} MiB); {verdict.ending}"
    )


@pytest.mark.parametrize(("fmt", "case"), list(_params(CASES, "read")))
def test_reader_ends_cleanly(fmt: str, case: Case, read_outcomes: dict[tuple[str, str], Outcome]) -> None:
    _judge(read_outcomes[fmt, case.name], case)


@pytest.mark.parametrize(("fmt", "case"), list(_params(CLI_CASES, "cli")))
def test_command_line_ends_cleanly(
    fmt: str, case: Case, cli_outcomes: dict[tuple[str, str], Outcome]
) -> None:
    _judge(cli_outcomes[fmt, case.name], case)


# --- inputs that are not files of bytes: only the command line meets them ---


def _cli(*args: str, stdin: bytes | None = None, timeout: float = 30) -> Any:
    from conftest import run_cli

    outcome = run_one(lambda: run_cli(*args, stdin=stdin), timeout=timeout, hard_limit=HARD_LIMIT)
    assert outcome.kind == "returned", outcome.describe()
    return outcome.value


def test_a_folder_as_input_is_refused(tmp_path: Path) -> None:
    run = _cli("--catalog", str(tmp_path), "records")
    assert run.code == 2 and "is a directory" in run.stderr and "Traceback" not in run.stderr


def test_a_fifo_as_input_is_read_to_its_end(tmp_path: Path) -> None:
    fifo = tmp_path / "list.md"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(b"# T\nhttps://example.org/a\n"))
    writer.start()
    run = _cli("--catalog", str(fifo), "records")
    writer.join(10)
    assert run.code == 0 and '"URL":"https://example.org/a"' in run.stdout, run
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_an_endless_input_is_refused_at_the_size_limit() -> None:
    run = _cli("--catalog", "/dev/zero", "--from", "markdown", "records")
    assert run.code == 2 and run.stderr.count("\n") == 1 and "larger than" in run.stderr, run


def test_standard_input_takes_hostile_bytes_too() -> None:
    run = _cli("--from", "records", "convert", "-", "--to", "records", stdin=b"[" * 100_000)
    assert run.code in (1, 2) and "Traceback" not in run.stderr and "internal error" not in run.stderr, run


def test_a_missing_input_is_one_line(tmp_path: Path) -> None:
    run = _cli("--catalog", str(tmp_path / "missing.md"), "records")
    assert run.code == 2 and "missing.md" in run.stderr and "Traceback" not in run.stderr


# --- issue 11 item 2: the 345-byte YAML alias bomb ---


def test_yaml_alias_bomb_through_the_catalog_ends_quickly_in_one_line(tmp_path: Path) -> None:
    reason = hostile.unported("csl-yaml")
    if reason:
        pytest.xfail(reason)
    bomb = tmp_path / "bomb.yaml"
    bomb.write_bytes(hostile._YAML_LAUGHS + b"references: *i\n")
    run = _cli("--catalog", str(bomb), "records", timeout=10)
    assert run.code == 2 and run.stderr.count("\n") == 1 and str(bomb) in run.stderr, run


def test_yaml_alias_bomb_in_markdown_front_matter_ends_quickly(tmp_path: Path) -> None:
    post = tmp_path / "post.md"
    post.write_bytes(b"---\n" + hostile._YAML_LAUGHS + b"title: *i\n---\nhttps://example.org/a\n")
    run = _cli("--catalog", str(post), "records", timeout=10)
    assert run.code in (0, 1, 2) and "Traceback" not in run.stderr and "internal error" not in run.stderr, run


def test_bad_records_are_skipped_one_line_each_and_the_good_ones_kept() -> None:
    path = str(hostile.REGRESSIONS / "records-wrong-kinds.jsonl")
    run = _cli("--catalog", path, "--from", "records", "records")
    lines = run.stderr.splitlines()
    assert run.code == 1 and len(lines) == 12 and all(line.startswith(path + ":") for line in lines), run
    keys = [line.split('"key":"')[1].split('"')[0] for line in run.stdout.splitlines()]
    assert keys == ["good-1", "big-volume", "good-2"]
