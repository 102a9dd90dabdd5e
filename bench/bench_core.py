"""Benchmark of the foundation: the CLI on the default catalog, the blog corpus to records
and to BibTeX, reading a 10,000-entry .bib. Prints medians of several runs.

    python bench/bench_core.py [--runs 5] [--blog ../shared/corpus/blog/_posts]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BLOG, median_of, python_stage, run_child


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--blog", type=Path, default=BLOG)
    args = parser.parse_args()
    refexport = shutil.which("refexport")
    if not refexport:
        sys.exit("install refexport first: pip install .")

    print(f"runs: {args.runs} (median), cores: {os.cpu_count()}, python {sys.version.split()[0]}")
    print("| stage | median wall | target | notes |")
    print("|---|---|---|---|")

    with tempfile.TemporaryDirectory() as cache:
        env = {"XDG_CACHE_HOME": cache}
        cold = []
        for _ in range(args.runs):  # a cold cache each time: pypinyin is loaded
            shutil.rmtree(Path(cache) / "refexport", ignore_errors=True)
            cold.append(run_child([refexport, "bibtex"], env)[0])
        cold.sort()
        warm, _ = median_of(args.runs, lambda: run_child([refexport, "bibtex"], env)[0])
    print(f"| `refexport bibtex`, default catalog, warm key cache | {warm:.3f} s | ≤ 0.3 s | whole process |")
    print(
        f"| `refexport bibtex`, default catalog, first run (no key cache) | {cold[len(cold) // 2]:.3f} s "
        "| | loads pypinyin's dictionaries |"
    )
    startup, _ = median_of(args.runs, lambda: run_child([sys.executable, "-c", "pass"])[0])
    print(f"| bare `python -c pass` (for reference) | {startup:.3f} s | | interpreter start-up |")

    if args.blog.is_dir():
        posts = sorted(str(p) for p in args.blog.iterdir() if p.suffix in (".md", ".markdown"))
        load = (
            "import time\nfrom refexport.catalog import load\n"
            f"paths = {posts!r}\n"
            "t = time.perf_counter(); catalog = load(paths); t1 = time.perf_counter()\n"
        )
        with tempfile.TemporaryDirectory() as cache:
            env = {"XDG_CACHE_HOME": cache}
            stages = {
                "blog corpus → records": (
                    load + "print(t1 - t, len(catalog.records), len(catalog.problems))",
                    "≤ 3 s",
                ),
                "blog corpus → BibTeX": (
                    load + "from refexport.bibtex import write\ntext = write(catalog.records)\n"
                    "print(time.perf_counter() - t, len(catalog.records), len(text))",
                    "≤ 5 s",
                ),
            }
            python_stage(stages["blog corpus → records"][0], env)  # warm the key cache once
            for name, (code, target) in stages.items():
                results = [python_stage(code, env) for _ in range(args.runs)]
                seconds = sorted(float(r[2].split()[0]) for r in results)
                peak = max(r[1] for r in results)
                count = results[0][2].split()[1]
                print(
                    f"| {name} ({len(posts)} posts, {count} records) | {seconds[len(seconds) // 2]:.3f} s "
                    f"| {target} | peak RSS {peak:.0f} MB (≤ 300 MB) |"
                )
    else:
        print(f"| blog corpus | skipped | | {args.blog} not found |")

    code = (
        "import time, sys\n"
        f"sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})\n"
        "from bench_bibtex import synthetic_biblatex\n"
        "from refexport.bibtex import read\n"
        "data = synthetic_biblatex(10_000).encode()\n"
        "t = time.perf_counter(); result = read(data, 'synthetic.bib')\n"
        "print(time.perf_counter() - t, len(result.records))"
    )
    results = [python_stage(code) for _ in range(args.runs)]
    seconds = sorted(float(r[2].split()[0]) for r in results)
    print(
        f"| read a 10,000-entry .bib | {seconds[len(seconds) // 2]:.3f} s | ≈ 1 s "
        f"| {results[0][2].split()[1]} records, peak RSS {max(r[1] for r in results):.0f} MB |"
    )


if __name__ == "__main__":
    main()
