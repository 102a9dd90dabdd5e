"""Benchmark: convert one 10,000-entry BibLaTeX file to CSL-JSON, refexport against pandoc.

Run `python bench/bench_csljson.py [n] [runs]`. Both sides run as fresh processes on the same
file in the same run (interpreter / binary start-up included, output written to a file), the
median of `runs` (default 3) is taken and the ratio printed. Target: refexport ≥ 4× faster
than `pandoc -f biblatex -t csljson`. The in-process time of `bibtex.read` + `csljson.write`
is printed as well.
"""

from __future__ import annotations

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

REFEXPORT_CONVERSION = (
    "import sys\n"
    "from pathlib import Path\n"
    "from refexport import bibtex, csljson\n"
    "source = Path(sys.argv[1])\n"
    "result = bibtex.read(source.read_bytes(), source.name)\n"
    "Path(sys.argv[2]).write_text(csljson.write(result.records), encoding='utf-8')\n"
)


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def run(argv: Sequence[str]) -> None:
    completed = subprocess.run(argv, capture_output=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed: {completed.stderr.decode(errors='replace')[-2000:]}")


def main(n: int = 10_000, runs: int = 3) -> None:
    pandoc = shutil.which("pandoc")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "synthetic.bib"
        source.write_text(synthetic_biblatex(n), encoding="utf-8")
        ours, theirs = Path(folder) / "refexport.json", Path(folder) / "pandoc.json"

        data = source.read_bytes()
        records = bibtex.read(data, source.name).records
        assert len(records) == n, f"refexport read {len(records)} of {n} entries"
        in_process = statistics.median(
            timed(lambda: csljson.write(bibtex.read(data, source.name).records)) for _ in range(runs)
        )
        refexport_runs = [
            timed(lambda: run([sys.executable, "-c", REFEXPORT_CONVERSION, str(source), str(ours)]))
            for _ in range(runs)
        ]
        print(f"{n:,} @online entries, {len(data) / 1e6:.1f} MB BibLaTeX, median of {runs} runs")
        print(f"refexport in-process (bibtex.read + csljson.write): {in_process:8.2f} s")
        print(f"refexport as a process:                            {statistics.median(refexport_runs):8.2f} s"
              f"   runs {', '.join(f'{t:.2f}' for t in refexport_runs)}")
        if pandoc is None:
            print("pandoc is not installed: no comparison")
            return
        pandoc_runs = [
            timed(lambda: run([pandoc, "-f", "biblatex", "-t", "csljson", str(source), "-o", str(theirs)]))
            for _ in range(runs)
        ]
        print(f"pandoc -f biblatex -t csljson:                     {statistics.median(pandoc_runs):8.2f} s"
              f"   runs {', '.join(f'{t:.2f}' for t in pandoc_runs)}")
        ratio = statistics.median(pandoc_runs) / statistics.median(refexport_runs)
        verdict = "OK" if ratio >= 4 else "BELOW TARGET"
        print(f"ratio pandoc / refexport: {ratio:.1f}x  (target ≥ 4x) {verdict}")
        import json

        counts = (len(json.loads(ours.read_text("utf-8"))), len(json.loads(theirs.read_text("utf-8"))))
        print(f"items written: refexport {counts[0]:,}, pandoc {counts[1]:,}")


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
