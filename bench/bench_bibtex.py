"""Benchmark: read a synthetic 10,000-entry BibLaTeX file and write 10,000 records in both dialects.

Run `python bench/bench_bibtex.py [n]`. Prints the median of 5 runs per step (target: reading
10k entries in about a second). `synthetic_biblatex(n)` is shared with the CSL benchmark.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from refexport import bibtex

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


def _median_seconds(action: Callable[[], object], runs: int = 5) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main(n: int = 10_000) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "synthetic.bib"
        path.write_text(synthetic_biblatex(n), encoding="utf-8")
        data = path.read_bytes()
        records = bibtex.read(data, path.name).records
        assert len(records) == n, f"read {len(records)} of {n} entries"
        rows = [
            (
                f"read {n:,} @online entries ({len(data) / 1e6:.1f} MB)",
                _median_seconds(lambda: bibtex.read(data, "s.bib")),
            ),
            (f"write {n:,} records, bibtex", _median_seconds(lambda: bibtex.write(records, "bibtex"))),
            (f"write {n:,} records, biblatex", _median_seconds(lambda: bibtex.write(records, "biblatex"))),
        ]
    width = max(len(label) for label, _ in rows)
    print(f"{'step':<{width}}  median of 5")
    for label, seconds in rows:
        print(f"{label:<{width}}  {seconds:8.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
