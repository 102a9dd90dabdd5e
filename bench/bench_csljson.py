"""Benchmark: convert one 10,000-entry BibLaTeX file to CSL-JSON, refexport against pandoc.

Run `python bench/bench_csljson.py [n] [runs]`. Both sides run as fresh processes on the same
file in the same run (interpreter / binary start-up included, output written to a file), the
median of `runs` (default 3) is taken and the ratio printed. Target: refexport ≥ 4× faster
than `pandoc -f biblatex -t csljson`. The in-process times of `bibtex.read` and of
`csljson.write` are printed as well, so each side's share is visible.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_bibtex import synthetic_biblatex  # the shared generator

from refexport import bibtex, csljson

# The command a user runs: `refexport convert refs.bib --to csljson -o refs.json`.
REFEXPORT = [sys.executable, "-m", "refexport"]


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def run(argv: Sequence[str]) -> None:
    completed = subprocess.run(argv, capture_output=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed: {completed.stderr.decode(errors='replace')[-2000:]}")


def row(label: str, times: Sequence[float]) -> str:
    return f"{label:<44} {statistics.median(times):8.2f}   {', '.join(f'{t:.2f}' for t in times)}"


def main(n: int = 10_000, runs: int = 3) -> None:
    pandoc = shutil.which("pandoc")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "synthetic.bib"
        source.write_text(synthetic_biblatex(n), encoding="utf-8")
        ours, theirs = Path(folder) / "refexport.json", Path(folder) / "pandoc.json"

        data = source.read_bytes()
        records = bibtex.read(data, source.name).records
        assert len(records) == n, f"refexport read {len(records)} of {n} entries"
        read_runs = [timed(lambda: bibtex.read(data, source.name)) for _ in range(runs)]
        write_runs = [timed(lambda: csljson.write(records)) for _ in range(runs)]
        refexport_runs = [
            timed(lambda: run([*REFEXPORT, "convert", str(source), "--to", "csljson", "-o", str(ours)]))
            for _ in range(runs)
        ]
        pandoc_command = [pandoc or "pandoc", "-f", "biblatex", "-t", "csljson", str(source)]
        pandoc_command += ["-o", str(theirs)]
        pandoc_runs = [timed(lambda: run(pandoc_command)) for _ in range(runs)] if pandoc is not None else []

        print(f"{n:,} @online entries, {len(data) / 1e6:.1f} MB BibLaTeX, median of {runs} runs (seconds)")
        print(f"{'':<44} {'median':>8}   runs")
        print(row("refexport in-process: bibtex.read", read_runs))
        print(row("refexport in-process: csljson.write", write_runs))
        print(row("`refexport convert --to csljson` (process)", refexport_runs))
        if not pandoc_runs:
            print("pandoc is not installed: no comparison")
            return
        print(row("pandoc -f biblatex -t csljson", pandoc_runs))
        ratio = statistics.median(pandoc_runs) / statistics.median(refexport_runs)
        verdict = "OK" if ratio >= 4 else "BELOW TARGET"
        print(f"ratio pandoc / refexport: {ratio:.1f}x  (target >= 4x) {verdict}")
        counts = (len(json.loads(ours.read_text("utf-8"))), len(json.loads(theirs.read_text("utf-8"))))
        print(f"items written: refexport {counts[0]:,}, pandoc {counts[1]:,}")


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
