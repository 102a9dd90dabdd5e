"""Benchmark: the CSL-JSON reader and writer in-process (they sit on the critical path of
BibLaTeX → CSL-JSON and CSL-JSON → BibLaTeX), CSL YAML beside them.

Run `python bench/bench_csljson.py [n] [runs]` from the repository root. Inputs: the
realistic bibliography of `../shared/tools/bench-peers/gen_bib.py` (n works, default
10,000, as CSL-JSON) and the blog corpus's catalog (`../shared/corpus/blog`, ~24,765
records). Prints the median of `runs` (default 5) runs of each step, in seconds.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from refexport.catalog import load
from refexport.formats import WriteOptions, csl
from refexport.model import Record

from common import BLOG, REPO

GEN_BIB = REPO.parent / "shared" / "tools" / "bench-peers" / "gen_bib.py"


def median(action: Callable[[], object], runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def report(label: str, runs: int, action: Callable[[], object]) -> None:
    middle, times = median(action, runs)
    print(f"| {label} | {middle:.3f} | {', '.join(f'{t:.3f}' for t in times)} |")


def write_json(records: list[Record]) -> str:
    return "".join(csl.write(records, WriteOptions()))


def write_yaml(records: list[Record]) -> str:
    return "".join(csl.write_yaml(records, WriteOptions()))


def main(n: int = 10_000, runs: int = 5) -> None:
    print(f"| step (median of {runs}, seconds) | median | runs |")
    print("|---|---|---|")
    if GEN_BIB.exists():
        with tempfile.TemporaryDirectory() as folder:
            subprocess.run([sys.executable, str(GEN_BIB), str(n), folder], check=True, capture_output=True)
            data = (Path(folder) / f"real-{n}.csl.json").read_bytes()
        records = csl.read(data, "real.csl.json").records
        assert len(records) == n, len(records)
        report(
            f"read {n:,} realistic items ({len(data) / 1e6:.1f} MB CSL-JSON)",
            runs,
            lambda: csl.read(data, "x"),
        )
        report(f"write {n:,} records as CSL-JSON", runs, lambda: write_json(records))
        yaml_text = write_yaml(records).encode("utf-8")
        report(f"write {n:,} records as CSL YAML", runs, lambda: write_yaml(records))
        report(f"read {n:,} items of CSL YAML", runs, lambda: csl.read_yaml(yaml_text, "x.yaml"))
    else:
        print(f"({GEN_BIB} is not here: no realistic bibliography)")
    if BLOG.is_dir():
        blog = load(sorted(str(p) for p in BLOG.iterdir())).records
        blog_json = write_json(blog).encode("utf-8")
        report(f"write the blog catalog ({len(blog):,} records) as CSL-JSON", runs, lambda: write_json(blog))
        report(f"read it back ({len(blog_json) / 1e6:.1f} MB)", runs, lambda: csl.read(blog_json, "x"))
        report("write the blog catalog as CSL YAML", runs, lambda: write_yaml(blog))


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
