"""Benchmark: RIS and browser bookmarks, write and read, on the blog corpus's records.

Run `python bench/bench_ris_bookmarks.py [runs]` from the repository root (needs
../shared/corpus/blog/_posts). Loads the catalog of every post once (the Markdown reader),
then times each writer (all records into one string) and each reader (that string back to
records, checked equal), and prints the median of `runs` (default 5) runs per step with the
output size. Times are CPU seconds of this process. Also times Python's html.parser alone on
the bookmark file (the reader's floor).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from refexport import formats
from refexport.catalog import load

BLOG = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "blog" / "_posts"


def median(runs: int, step: Callable[[], object]) -> tuple[float, list[float]]:
    """Median CPU seconds of `runs` runs (process time: steady on a shared 2-core machine,
    where wall time swings with the other jobs), and the samples."""
    samples = []
    for _ in range(runs):
        start = time.process_time()
        step()
        samples.append(time.process_time() - start)
    return statistics.median(samples), samples


def _row(step: str, seconds: float, samples: list[float], note: str) -> str:
    return f"| {step} | {seconds:.2f} s | {', '.join(f'{s:.2f}' for s in samples)} | {note} |"


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    start = time.perf_counter()
    catalog = load(sorted(BLOG.glob("*.markdown")))
    records = catalog.records
    posts = len(list(BLOG.glob("*.markdown")))
    print(f"{len(records)} records from {posts} posts ({time.perf_counter() - start:.1f} s to load)")
    print("| step | median CPU | runs | output |")
    print("|---|---|---|---|")
    for name, file_name in (("ris", "refs.ris"), ("bookmarks", "bookmarks.html")):
        fmt = formats.get(name)
        options = formats.WriteOptions(catalog.title)
        text = "".join(fmt.write(records, options))
        data = text.encode("utf-8")
        seconds, samples = median(runs, lambda: "".join(fmt.write(records, options)))  # noqa: B023
        print(_row(f"{name} write", seconds, samples, f"{len(data) / 2**20:.1f} MiB"))
        result = fmt.read(data, file_name)
        expected = [r for r in records if r.url] if name == "bookmarks" else records
        assert result.problems == [] and result.records == expected, f"{name}: round trip differs"
        seconds, samples = median(runs, lambda: fmt.read(data, file_name))  # noqa: B023
        print(_row(f"{name} read", seconds, samples, f"{len(result.records)} records"))
        if name == "bookmarks":
            seconds, samples = median(runs, lambda: _bare_parse(text))  # noqa: B023
            print(_row("html.parser alone", seconds, samples, "the parser without our handlers"))


def _bare_parse(text: str) -> None:
    parser = HTMLParser(convert_charrefs=True)
    parser.feed(text)
    parser.close()


if __name__ == "__main__":
    main()
