"""Benchmark of the BibTeX format against its peers: every figure a ratio from ONE run.

    python bench/bench_bibtex.py [--n 10000] [--rounds 5] [--citation-js DIR] [--no-pandoc]
                                 [--big 64000]

Inputs: `gen_bib.py N` (realistic mixed works, /work/shared/tools/bench-peers) writes the same
bibliography as BibLaTeX, BibTeX and CSL-JSON. Each round runs every step once, in turn
(interleaved, so that the machine's noise falls on all of them alike); the table gives the
median of the rounds, and the ratios are taken between medians of this run only.

Steps:
- in this process: bibtexparser 2's bare `parse_string` (the floor any reader on it pays),
  our `read` (.bib → records) of both files, our `write` (records → .bib) in both dialects of
  the records the CSL-JSON reader makes of the CSL-JSON file (what CSL-JSON → BibLaTeX writes);
- whole processes: `refexport convert` .bib → CSL-JSON (with its peak RSS), citation-js
  (`node citation-js-convert.js IN FORMAT OUT`, installed with `npm install` in a copy of
  bench-peers given by --citation-js) BibLaTeX → CSL-JSON and CSL-JSON → BibLaTeX/BibTeX, and
  pandoc BibLaTeX → CSL-JSON.

--big N also reads a gen_bib file of N entries (64,000 ≈ 50 MB) once, in a fresh process, for
issue 11's limits (≤ 30 s, ≤ 500 MB peak RSS), and fits peak RSS = a + b × size over the two
sizes to report the largest .bib that converts to CSL-JSON in 2 GB.

`synthetic_biblatex(n)` (WeChat-style @online entries) is shared with other benchmarks.
"""

from __future__ import annotations

import argparse
import gc
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]
from refexport.workers import idle_cores  # noqa: E402

from common import REPO, run_child  # noqa: E402

_CHILD_ENV = {"PYTHONPATH": str(REPO)}  # child interpreters import this checkout

PEERS = REPO.parent / "shared" / "tools" / "bench-peers"

PARSE = "bibtexparser parse_string (BibLaTeX)"
READ = "read BibLaTeX → records"
READ_BIBTEX = "read BibTeX → records"
WRITE = "write records → BibLaTeX"
WRITE_BIBTEX = "write records → BibTeX"
CONVERT = "refexport convert BibLaTeX → CSL-JSON (process)"
CJS_READ = "citation-js BibLaTeX → CSL-JSON"
CJS_WRITE = "citation-js CSL-JSON → BibLaTeX"
CJS_WRITE_BIBTEX = "citation-js CSL-JSON → BibTeX"
PANDOC = "pandoc BibLaTeX → CSL-JSON"
# (what the ratio says, slower step, faster step, target)
RATIOS = (
    ("citation-js BibLaTeX → CSL-JSON ÷ our read", CJS_READ, READ, "≥ 1"),
    ("our read ÷ bare parse_string", READ, PARSE, "floor"),
    ("citation-js BibLaTeX → CSL-JSON ÷ our whole process", CJS_READ, CONVERT, "≥ 1"),
    ("pandoc ÷ our whole process", PANDOC, CONVERT, "≥ 5"),
    ("pandoc ÷ our read", PANDOC, READ, "≥ 5"),
    ("citation-js CSL-JSON → BibLaTeX ÷ our write", CJS_WRITE, WRITE, "≥ 1.5"),
    ("citation-js CSL-JSON → BibTeX ÷ our write", CJS_WRITE_BIBTEX, WRITE_BIBTEX, "≥ 1.5"),
)

_ACCOUNTS = ("机器之心", "量子位", "新智元", "AI科技评论", "PaperWeekly")
_WORDS = (
    "大模型",
    "推理加速",
    "分布式训练",
    "注意力机制",
    "量化",
    "KV Cache",
    "PagedAttention",
    "向量数据库",
)


def synthetic_biblatex(n: int) -> str:
    """`n` WeChat-style `@online` entries with Chinese titles, literal authors, dates, tags
    and some LaTeX escapes (`\\&`, `\\%`, `\\_`, an accent), deterministic for a given `n`."""
    entries = []
    for index in range(n):
        word_a, word_b = _WORDS[index % len(_WORDS)], _WORDS[(index * 7 + 3) % len(_WORDS)]
        account = _ACCOUNTS[index % len(_ACCOUNTS)]
        escapes = r" 50\% \& C\_{}x M{\"u}ller" if index % 5 == 0 else ""
        month, day = index % 12 + 1, index % 28 + 1
        entries.append(
            f"@online{{wx{index:06d},\n"
            f"  author       = {{{{{account}}}}},\n"
            f"  title        = {{{word_a}：从{word_b}到工程实践（第{index}篇）{escapes}}},\n"
            f"  date         = {{2023-{month:02d}-{day:02d}}},\n"
            f"  organization = {{微信公众号“{account}”}},\n"
            f"  url          = {{https://mp.weixin.qq.com/s/Ab{index:08d}_QrStU}},\n"
            f"  urldate      = {{2024-05-01}},\n"
            f"  langid       = {{chinese}},\n"
            f"  keywords     = {{{word_a},{word_b}}},\n"
            f"}}\n"
        )
    return "\n".join(entries)


def generate(n: int, folder: Path) -> dict[str, Path]:
    """gen_bib.py's three files for `n` works."""
    subprocess.run(
        [sys.executable, str(PEERS / "gen_bib.py"), str(n), str(folder)], check=True, capture_output=True
    )
    return {
        "biblatex": folder / f"real-{n}.biblatex.bib",
        "bibtex": folder / f"real-{n}.bibtex.bib",
        "csljson": folder / f"real-{n}.csl.json",
    }


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _stage(code: str) -> tuple[float, float, str]:
    """Run `code` in a fresh interpreter of this checkout: (wall seconds, peak RSS in MB,
    stdout). The peak is the child's own high-water mark (/proc/self/status `VmHWM`):
    `getrusage` would report this big parent's RSS, which Linux carries across `exec`."""
    wrapper = (
        f"{code}\n"
        "import sys\n"
        "hwm = [line for line in open('/proc/self/status') if line.startswith('VmHWM')][0]\n"
        "sys.stderr.write(f'\\nPEAK_KB {hwm.split()[1]}\\n')\n"
    )
    return run_child([sys.executable, "-c", wrapper], _CHILD_ENV)


def _convert_code(source: Path, target: Path) -> str:
    """A fresh interpreter running `refexport convert SOURCE --to csljson -o TARGET`."""
    return (
        "from refexport.cli import main\n"
        "try:\n"
        f"    main(['convert', {str(source)!r}, '--from', 'bibtex', '--to', 'csljson',"
        f" '-o', {str(target)!r}])\n"
        "except SystemExit as done:\n"
        "    if done.code: raise\n"
    )


class Bench:
    def __init__(self, args: argparse.Namespace, files: dict[str, Path], scratch: Path) -> None:
        from bibtexparser.entrypoint import parse_string

        from refexport.formats import WriteOptions, get
        from refexport.formats.bibtex import read, write

        self.samples: dict[str, list[float]] = {}
        self.peaks: list[float] = []
        self.files = files
        self.scratch = scratch
        data = {dialect: files[dialect].read_bytes() for dialect in ("biblatex", "bibtex")}
        text = data["biblatex"].decode("utf-8")
        records = get("csljson").read(files["csljson"].read_bytes(), files["csljson"].name).records
        self.n = len(records)
        self.size_mb = len(data["biblatex"]) / 1e6

        def write_all(dialect: str) -> str:
            return "".join(write(records, WriteOptions(settings={"dialect": dialect})))

        self.steps: list[tuple[str, Callable[[], object]]] = [
            (PARSE, lambda: parse_string(text)),
            (READ, lambda: read(data["biblatex"], "in.bib")),
            (READ_BIBTEX, lambda: read(data["bibtex"], "in.bib")),
            (WRITE, lambda: write_all("biblatex")),
            (WRITE_BIBTEX, lambda: write_all("bibtex")),
        ]
        self.processes: list[tuple[str, Callable[[], float]]] = [
            (CONVERT, self.convert),
        ]
        node = shutil.which("node")
        if args.citation_js and node:
            script = str(Path(args.citation_js) / "citation-js-convert.js")
            for label, source, fmt in (
                (CJS_READ, files["biblatex"], "data"),
                (CJS_WRITE, files["csljson"], "biblatex"),
                (CJS_WRITE_BIBTEX, files["csljson"], "bibtex"),
            ):
                argv = [node, script, str(source), fmt, str(scratch / f"cjs-{fmt}.out")]
                self.processes.append((label, lambda argv=argv: run_child(argv)[0]))
        pandoc = shutil.which("pandoc")
        if pandoc and not args.no_pandoc:
            argv = [
                pandoc,
                "-f",
                "biblatex",
                "-t",
                "csljson",
                "-o",
                str(scratch / "pandoc.json"),
                str(files["biblatex"]),
            ]
            self.processes.append((PANDOC, lambda: run_child(argv)[0]))

    def convert(self) -> float:
        code = _convert_code(self.files["biblatex"], self.scratch / "ours.json")
        wall, peak, _ = _stage(code)
        self.peaks.append(peak)
        return wall

    def round(self) -> None:
        for label, action in self.steps:
            gc.collect()
            self.samples.setdefault(label, []).append(_timed(action))
        for label, measure in self.processes:
            self.samples.setdefault(label, []).append(measure())

    def median(self, label: str) -> float | None:
        samples = self.samples.get(label)
        return statistics.median(samples) if samples else None


def _ratio(bench: Bench, slower: str, faster: str) -> str:
    a, b = bench.median(slower), bench.median(faster)
    return f"{a / b:.2f}×" if a and b else "n/a"


def report(bench: Bench, rounds: int, idle: tuple[int, int]) -> None:
    print(f"{bench.n:,} works, BibLaTeX {bench.size_mb:.1f} MB; medians of {rounds} interleaved rounds")
    # the reader and writer start workers on idle cores only (refexport.workers.idle_cores)
    print(f"idle cores (load average) at the start and end of the run: {idle[0]}, {idle[1]}\n")
    print("| step | median | samples |")
    print("|---|---:|---|")
    for label, samples in bench.samples.items():
        shown = " ".join(f"{s:.2f}" for s in samples)
        print(f"| {label} | {statistics.median(samples):.3f} s | {shown} |")
    peak = statistics.median(bench.peaks)
    ratio = peak / bench.size_mb
    print(f"\npeak RSS of `refexport convert` .bib → CSL-JSON: {peak:.0f} MB ({ratio:.1f}× the input)\n")
    print("| ratio | this run | target |")
    print("|---|---:|---|")
    for label, slower, faster, target in RATIOS:
        print(f"| {label} | {_ratio(bench, slower, faster)} | {target} |")


def big(n: int, small: tuple[float, float], scratch: Path) -> None:
    """Issue 11's 50 MB file: .bib → records once in a fresh process; and peak RSS fitted
    over two sizes for the largest .bib → CSL-JSON conversion in 2 GB."""
    folder = scratch / "big"
    files = generate(n, folder)
    size = files["biblatex"].stat().st_size / 1e6
    code = (
        "import time\n"
        "from refexport.formats.bibtex import read\n"
        f"data = open({str(files['biblatex'])!r}, 'rb').read()\n"
        "start = time.perf_counter(); result = read(data, 'big.bib')\n"
        "print(time.perf_counter() - start, len(result.records))\n"
    )
    _, peak, out = _stage(code)
    seconds, count = out.split()
    print(
        f"\n.bib → records, {int(count):,} entries, {size:.1f} MB: "
        f"{float(seconds):.1f} s, peak RSS {peak:.0f} MB"
    )
    _, convert_peak, _ = _stage(_convert_code(files["biblatex"], folder / "ours.json"))
    small_size, small_peak = small
    slope = (convert_peak - small_peak) / (size - small_size)
    base = small_peak - slope * small_size
    largest = (2048 - base) / slope
    print(
        f".bib → CSL-JSON process, {size:.1f} MB: peak RSS {convert_peak:.0f} MB "
        f"({convert_peak / size:.1f}× the input); "
        f"fit {base:.0f} MB + {slope:.2f} × input: the largest input in 2 GB ≈ {largest:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--citation-js", help="a folder with bench-peers' citation-js-convert.js, npm-installed"
    )
    parser.add_argument("--no-pandoc", action="store_true")
    parser.add_argument("--big", type=int, default=0, help="also read a gen_bib file of this many entries")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        bench = Bench(args, generate(args.n, scratch), scratch)
        idle_at_start = idle_cores()
        for _ in range(args.rounds):
            bench.round()
        report(bench, args.rounds, (idle_at_start, idle_cores()))
        if args.big:
            big(args.big, (bench.size_mb, statistics.median(bench.peaks)), scratch)


if __name__ == "__main__":
    main()
