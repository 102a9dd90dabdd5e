"""Time the OPML writers and the reader (median of `RUNS` runs; wall clock, so noisy).

Run: python bench/bench_opml.py [count]        25,000 synthetic records by default
     python bench/bench_opml.py records.pkl    a pickled list of records, e.g. the blog corpus
"""

from __future__ import annotations

import pickle
import statistics
import sys
import time
from collections.abc import Callable
from typing import TypeVar

from refexport import opml
from refexport.model import Name, PartialDate, Record, Source

T = TypeVar("T")

RUNS = 3

HOSTS = (
    "https://mp.weixin.qq.com/s/{n}",
    "https://zhuanlan.zhihu.com/p/{n}",
    "https://github.com/owner{m}/repo{n}",
    "https://blog.csdn.net/user{m}/article/details/{n}",
    "https://www.cnblogs.com/user{m}/p/{n}.html",
)


def synthetic_records(count: int) -> list[Record]:
    records = []
    for n in range(count):
        url = HOSTS[n % len(HOSTS)].format(n=n, m=n % 97)
        records.append(
            Record(
                id=f"{n:016x}",
                key=f"key-{n}",
                title=f"标题 {n} & <tag> \"quoted\"",
                url=url,
                authors=[Name(literal="机器之心")],
                container="微信公众号",
                language="zh-CN",
                accessed=PartialDate(2023, 6, 1 + n % 28),
                note="第一行\n第二行" if n % 3 == 0 else None,
                tags=["DL acceleration"],
                collection=[f"Post {n // 30}", f"Section {n // 10 % 3}"],
                source=[Source(f"post-{n // 30}.md", n % 500 + 1, url)],
            )
        )
    return records


def timed(label: str, action: Callable[[], T]) -> T:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    print(f"{label:<34} {statistics.median(times):7.3f} s  (median of {RUNS})")
    return result


def main() -> None:
    argument = sys.argv[1] if len(sys.argv) > 1 else "25000"
    if argument.isdigit():
        records = synthetic_records(int(argument))
    else:
        with open(argument, "rb") as stream:
            records = pickle.load(stream)  # only for files you made yourself: pickle runs code
    print(f"{len(records)} records")
    text = timed("write (reading list)", lambda: opml.write(records, "Bench"))
    print(f"{'  size':<34} {len(text.encode()) / 1e6:7.2f} MB")
    feeds = timed("write_feeds (no feed base)", lambda: opml.write_feeds(records, "Bench"))
    rss_count = feeds.count('type="rss"')
    print(f"{'  feeds':<34} {rss_count:7d}")
    result = timed("read (our reading list)", lambda: opml.read(text.encode("utf-8"), "bench.opml"))
    assert result.records == records, "round-trip lost data"


if __name__ == "__main__":
    main()
