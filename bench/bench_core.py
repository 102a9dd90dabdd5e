"""Benchmark of the everyday commands: the CLI on the default catalog, the blog corpus to
records and to every export (`refexport build`), a first run (no key cache) against a warm
one. Prints a Markdown table of medians of several runs, each a fresh process.

    python bench/bench_core.py [--runs 5] [--blog ../shared/corpus/blog/_posts]

Targets (issues 7, 8): `refexport bibtex` on the default catalog ≤ 0.3 s; blog corpus →
records ≤ 1.5 s; blog → the four exports issue 7 times (BibTeX, CSL-JSON, OPML, Zotero)
≤ 6 s; a first run ≤ 2× a warm one. `refexport build` (every export) is timed too.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BLOG, REPO, python_stage, run_child

_ENV = {"PYTHONPATH": str(REPO)}  # child interpreters import this checkout


def _median(runs: int, measure: Callable[[], tuple[float, float]]) -> tuple[float, float]:
    """Median seconds and the largest peak RSS (MB) of `runs` measurements."""
    samples = [measure() for _ in range(runs)]
    return statistics.median(s for s, _ in samples), max(m for _, m in samples)


def _cli(refexport: str, runs: int) -> None:
    with tempfile.TemporaryDirectory() as cache:
        env = {**_ENV, "XDG_CACHE_HOME": cache}

        def cold() -> tuple[float, float]:
            shutil.rmtree(Path(cache) / "refexport", ignore_errors=True)  # no key cache: pypinyin loads
            return run_child([refexport, "bibtex"], env)[:2]

        first, _ = _median(runs, cold)
        warm, _ = _median(runs, lambda: run_child([refexport, "bibtex"], env)[:2])
    bare, _ = _median(runs, lambda: run_child([sys.executable, "-c", "pass"])[:2])
    print(f"| `refexport bibtex`, default catalog, warm key cache | {warm:.3f} s | ≤ 0.3 s | whole process |")
    print(f"| `refexport bibtex`, default catalog, first run | {first:.3f} s | | no key cache |")
    print(f"| bare `python -c pass` (for reference) | {bare:.3f} s | | interpreter start-up |")


def _blog(blog: Path, runs: int) -> None:
    posts = sorted(str(p) for p in blog.iterdir() if p.suffix in (".md", ".markdown"))
    load = (
        "import time\nfrom refexport.catalog import load\n"
        f"paths = {posts!r}\n"
        "t = time.perf_counter(); catalog = load(paths); t1 = time.perf_counter()\n"
    )
    to_records = load + "print(t1 - t, len(catalog.records))"
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as out:
        env = {**_ENV, "XDG_CACHE_HOME": cache}
        cold_code = (
            "import shutil, pathlib\n"
            f"shutil.rmtree(pathlib.Path({cache!r}) / 'refexport', ignore_errors=True)\n" + to_records
        )

        def stage(code: str) -> Callable[[], tuple[float, float]]:
            def measure() -> tuple[float, float]:
                _, peak, stdout = python_stage(code, env)
                return float(stdout.split()[0]), peak

            return measure

        first, first_peak = _median(runs, stage(cold_code))
        warm, warm_peak = _median(runs, stage(to_records))
        count = python_stage(to_records, env)[2].split()[1]
        four = load + (
            "from refexport import formats\n"
            "for fmt in ('bibtex', 'csljson', 'opml', 'zotero'):\n"
            "    ''.join(formats.get(fmt).write(catalog.records, formats.WriteOptions(catalog.title)))\n"
            "print(time.perf_counter() - t)"
        )
        exports = statistics.median(float(python_stage(four, env)[2].split()[0]) for _ in range(runs))
        argv = [sys.executable, "-m", "refexport", *(a for p in posts for a in ("--catalog", p))]
        build, _ = _median(runs, lambda: run_child([*argv, "build", "--out", out], env)[:2])
    name = f"blog corpus ({len(posts)} posts, {count} records)"
    print(f"| {name} → records, warm key cache | {warm:.3f} s | ≤ 1.5 s | peak RSS {warm_peak:.0f} MB |")
    print(
        f"| {name} → records, first run | {first:.3f} s | ≤ 2× warm ({first / warm:.2f}×) "
        f"| peak RSS {first_peak:.0f} MB |"
    )
    print(f"| {name} → BibTeX + CSL-JSON + OPML + Zotero JSON (read included) | {exports:.3f} s | ≤ 6 s | |")
    print(f"| {name} → `refexport build` (process, every export) | {build:.3f} s | | warm caches |")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--blog", type=Path, default=BLOG)
    args = parser.parse_args()
    refexport = shutil.which("refexport")
    if not refexport:
        sys.exit("install refexport first: pip install -e .")
    print(f"runs: {args.runs} (median), cores: {os.cpu_count()}, python {sys.version.split()[0]}\n")
    print("| stage | median wall | target | notes |")
    print("|---|---|---|---|")
    _cli(refexport, args.runs)
    if args.blog.is_dir():
        _blog(args.blog, args.runs)
    else:
        print(f"| blog corpus | skipped | | {args.blog} not found |")


if __name__ == "__main__":
    main()
