"""Time the OPML writers and the reader (medians of `RUNS` runs, wall clock and CPU time).

Run: python bench/bench_opml.py [count]          25,000 synthetic records by default
     python bench/bench_opml.py --blog [folder]   the blog corpus's catalog (../shared/corpus/blog/_posts)
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))
from refexport import formats
from refexport.model import Date, Name, Origin, Record

from common import BLOG

T = TypeVar("T")

RUNS = 5

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
        record = Record(
            id=f"{n:016x}",
            key=f"key-{n}",
            variables={
                "title": f'标题 {n} & <tag> "quoted"',
                "URL": url,
                "author": [Name(literal="机器之心")],
                "container-title": "微信公众号",
                "language": "zh-CN",
                "accessed": Date.of(2023, 6, 1 + n % 28),
            },
            tags=["DL acceleration"],
            collection=[f"Post {n // 30}", f"Section {n // 10 % 3}"],
            origin=[Origin(f"post-{n // 30}.md", n % 500 + 1, url)],
        )
        if n % 3 == 0:
            record.note = "第一行\n第二行"
        records.append(record)
    return records


def blog_records(folder: Path) -> list[Record]:
    from refexport.catalog import load

    posts = sorted(str(p) for p in folder.iterdir() if p.suffix in (".md", ".markdown"))
    return load(posts).records


def timed(label: str, action: Callable[[], T]) -> T:
    """Run `action` RUNS times; print the median wall and CPU seconds (CPU time is the steadier
    figure on a shared machine)."""
    walls, cpus = [], []
    for _ in range(RUNS):
        wall, cpu = time.perf_counter(), time.process_time()
        result = action()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    print(f"{label:<30} {wall:7.3f} s wall {cpu:7.3f} s cpu (median of {RUNS})")
    return result


def main() -> None:
    gc.disable()  # as the CLI runs (refexport.cli.main): no cyclic-GC passes over the records
    arguments = sys.argv[1:]
    if arguments and arguments[0] == "--blog":
        records = blog_records(Path(arguments[1]) if len(arguments) > 1 else BLOG)
    else:
        records = synthetic_records(int(arguments[0]) if arguments else 25_000)
    print(f"{len(records)} records")
    opml = formats.get("opml")
    options = formats.WriteOptions("Bench")
    text = timed("write (reading list)", lambda: "".join(opml.write(records, options)))
    print(f"{'  size':<34} {len(text.encode()) / 1e6:7.2f} MB")
    feeds_options = formats.WriteOptions("Bench", {"feeds": True})
    feeds = timed("write --feeds (no feed base)", lambda: "".join(opml.write(records, feeds_options)))
    rss = feeds.count('type="rss"')
    print(f"{'  feeds':<34} {rss:7d}")
    data = text.encode("utf-8")
    result = timed("read (our reading list)", lambda: opml.read(data, "bench.opml"))
    assert result.records == records, "round-trip lost data"


if __name__ == "__main__":
    main()
