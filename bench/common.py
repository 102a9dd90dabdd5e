"""Helpers shared by the benchmark scripts: child processes timed with their peak memory."""

from __future__ import annotations

import compileall
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BLOG = REPO.parent / "shared" / "corpus" / "blog" / "_posts"

# The child interpreters time refexport as an installation runs it, from bytecode: where
# PYTHONDONTWRITEBYTECODE is set (this machine's image sets it), a module changed since its
# last compilation was compiled again in every child (10-20 ms each for model.py).
compileall.compile_dir(REPO / "refexport", quiet=1)


def run_child(argv: Sequence[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Run a command; return (wall seconds, peak RSS in MB as the child reports it through
    `python_stage`, else NaN, stdout). Raises on failure."""
    start = time.perf_counter()
    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **(env or {})}
    )
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - start
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {stderr.decode(errors='replace')[-2000:]}")
    return wall, _peak_mb(stderr), stdout.decode("utf-8", errors="replace")


def python_stage(code: str, env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Run `code` in a fresh interpreter that reports its own peak memory on stderr."""
    # VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child of a big parent
    # reported the parent's peak
    wrapper = (
        "import sys\n"
        f"{code}\n"
        "peak = next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:'))\n"
        "sys.stderr.write(f'\\nPEAK_KB {peak}\\n')\n"
    )
    return run_child([sys.executable, "-c", wrapper], env)


def _peak_mb(stderr: bytes) -> float:
    for line in reversed(stderr.decode(errors="replace").splitlines()):
        if line.startswith("PEAK_KB "):
            return int(line.split()[1]) / 1024
    return float("nan")


def median_of(runs: int, measure: Callable[[], float]) -> tuple[float, list[float]]:
    samples = [measure() for _ in range(runs)]
    return statistics.median(samples), samples


def row(name: str, seconds: float, target: str = "", extra: str = "") -> str:
    return f"| {name} | {seconds:.3f} s | {target} | {extra} |"
