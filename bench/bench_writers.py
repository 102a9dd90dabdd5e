"""Benchmark: every writer on the whole blog corpus (810 posts, ~25,000 records), and
`refexport build` of all exports as one process. Prints medians of several runs.

    python bench/bench_writers.py [--runs 3] [--blog ../shared/corpus/blog/_posts] [--only zotero,zotero-rdf]

CPU time is printed beside wall time: on a busy machine (2 cores shared) it is the steadier
figure to compare versions by.
"""

from __future__ import annotations

import argparse
import gc
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from refexport import formats
from refexport.catalog import load

from common import BLOG, run_child

# The four exports the issue names: BibTeX, CSL-JSON, OPML and Zotero.
FOUR = ("bibtex", "csljson", "opml", "zotero")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--blog", type=Path, default=BLOG)
    parser.add_argument("--only", help="comma-separated writers (default: every registered one)")
    args = parser.parse_args()
    if not args.blog.is_dir():
        sys.exit(f"{args.blog} not found")
    posts = sorted(str(p) for p in args.blog.iterdir() if p.suffix in (".md", ".markdown"))
    catalog = load(posts)
    records = catalog.records
    gc.disable()  # as the CLI runs (refexport.cli.main)
    print(f"{len(posts)} posts, {len(records)} records; median of {args.runs} runs, GC off as in the CLI")
    print("| writer | median | runs | CPU median | output |")
    print("|---|---|---|---|---|")
    medians: dict[str, float] = {}
    writers = args.only.split(",") if args.only else formats.writable()
    for fmt in writers:
        samples, cpu = [], []
        for _ in range(args.runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            text = "".join(formats.get(fmt).write(records, formats.WriteOptions(catalog.title)))
            samples.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        medians[fmt] = statistics.median(samples)
        runs = ", ".join(f"{s:.2f}" for s in samples)
        size = len(text.encode()) / 1e6
        print(f"| {fmt} | {medians[fmt]:.2f} s | {runs} | {statistics.median(cpu):.2f} s | {size:.1f} MB |")
    if set(FOUR) <= set(medians):
        four = sum(medians[f] for f in FOUR)
        print(f"| **four exports** ({', '.join(FOUR)}) | **{four:.2f} s** | target ≤ 6 s | | |")
    if args.only:
        return

    refexport = shutil.which("refexport")
    if refexport:
        walls = []
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as out:
                argv = [refexport, *(a for p in posts for a in ("--catalog", p)), "build", "--out", out]
                walls.append(run_child(argv)[0])
        print(
            f"| `refexport build` of the blog corpus ({len(writers)} files), whole process "
            f"| {statistics.median(walls):.2f} s | {', '.join(f'{w:.2f}' for w in walls)} | |"
        )


if __name__ == "__main__":
    main()
