"""Benchmark: formatted references and the catalog page (issue 10, part 5).

    python bench/bench_cite.py [--runs 5] [--blog DIR]

Measures, as medians of `--runs`:
- `refexport cite` on the default catalog, whole process (target ≤ 1 s);
- `refexport html` of the blog corpus (810 posts, ~24,765 records), whole process, with the
  formatted-reference memo cold (first run, fresh cache folder) and warm (target ≤ 5 s), and
  the page's size (target ≤ 20 MB);
- in headless Chromium (Debian's, through selenium): the page's load time (navigation start
  to the first list rendered, `performance.now()` in the page; target ≤ 2 s) and a search
  keystroke's re-filter time, both the script's own time and until the next frame is drawn
  (target ≤ 100 ms).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from common import BLOG, REPO, median_of, run_child

REFEXPORT = [sys.executable, "-m", "refexport"]
QUERIES = ["分", "分布", "分布式", "t", "te", "ten", "tens", "tensorflow", "知乎", "深度学习 gpu"]
KEYSTROKE = """
const [text, done] = arguments;
const box = document.getElementById('q');
const start = performance.now();
box.value = text;
box.dispatchEvent(new Event('input'));
requestAnimationFrame(() => setTimeout(() => done([window.refexportLastFilterMs, performance.now() - start,
    document.querySelectorAll('#results .entry').length]), 0));
"""


def median_runs(runs: int, argv: list[str], env: dict[str, str] | None = None) -> float:
    return median_of(runs, lambda: run_child(argv, env)[0])[0]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--blog", type=Path, default=BLOG)
    args = parser.parse_args()
    os.chdir(REPO)
    print("| measure | median | target |")
    print("|---|---|---|")
    run_child([*REFEXPORT, "cite"])  # warm the key cache
    cite = median_runs(args.runs, [*REFEXPORT, "cite"])
    print(f"| `refexport cite`, default catalog, whole process | {cite:.3f} s | ≤ 1 s |")

    posts = sorted(str(p) for p in args.blog.iterdir() if p.suffix in (".md", ".markdown"))
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "blog.html"
        catalogs = [arg for post in posts for arg in ("--catalog", post)]
        argv = [*REFEXPORT, *catalogs, "html", "-o", str(page)]
        cache = {"XDG_CACHE_HOME": str(Path(folder) / "cache")}
        first = run_child(argv, cache)[0]  # key cache and reference memo both cold
        print(f"| `refexport html`, blog corpus ({len(posts)} posts), every cache cold | {first:.2f} s | |")
        colds = []
        for _ in range(max(1, args.runs // 2)):  # key cache warm, reference memo cold
            (Path(folder) / "cache" / "refexport" / "references.sqlite").unlink()
            colds.append(run_child(argv, cache)[0])
        warm = median_runs(args.runs, argv, cache)
        size = page.stat().st_size / 1e6
        print(
            f"| `refexport html`, blog corpus ({len(posts)} posts), reference memo cold | "
            f"{statistics.median(colds):.2f} s | ≤ 5 s |"
        )
        print(f"| `refexport html`, blog corpus, reference memo warm | {warm:.2f} s | ≤ 5 s |")
        print(f"| page size | {size:.1f} MB | ≤ 20 MB |")
        browser_figures(page, args.runs)


def browser_figures(page: Path, runs: int) -> None:
    from browser import chromium

    loads, script_ms, frame_ms = [], [], []
    with chromium() as driver:
        for _ in range(runs):
            driver.get(page.as_uri())
            loads.append(driver.execute_script("return window.refexportReadyMs"))
            for query in QUERIES:
                own, frame, _ = driver.execute_async_script(KEYSTROKE, query)
                script_ms.append(own)
                frame_ms.append(frame)
            driver.execute_async_script(KEYSTROKE, "")
    load = statistics.median(loads)
    print(f"| page load in Chromium (navigation start → list shown) | {load:.0f} ms | ≤ 2000 ms |")
    print(
        f"| search keystroke: filter + list (script) | {statistics.median(script_ms):.1f} ms "
        f"(max {max(script_ms):.1f}) | ≤ 100 ms |"
    )
    print(
        f"| search keystroke: until the next frame | {statistics.median(frame_ms):.1f} ms "
        f"(max {max(frame_ms):.1f}) | ≤ 100 ms |"
    )


if __name__ == "__main__":
    main()
