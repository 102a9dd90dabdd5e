"""Which CommonMark parser the Markdown reader is built on: parse time on the blog corpus,
and how often each parser's links agree with markdown-it-py (the reference implementation's
port, CommonMark mode + GFM tables).

    pip install pyromark markdown-it-pyrs markdown-it-py mistune
    python bench/bench_markdown_parsers.py [--runs 5] [--corpus DIR ...]

For each parser: median wall time to parse all posts (parse only, the form the reader would
consume: events with source ranges, a syntax tree, tokens or an AST), whether inline links
carry a source position (needed for `file:line`), and the share of posts whose multiset of
`<a href>` (rendered HTML) equals the reference's. Parsers that are not installed are skipped.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BLOG

_HREF = re.compile(r'<a href="([^"]*)"')


def _pyromark() -> tuple[Callable[[str], object], Callable[[str], str], str]:
    import pyromark

    md = pyromark.Markdown(options=pyromark.Options.ENABLE_TABLES)
    return (lambda text: list(md.events_with_range(text))), md.html, "yes (byte ranges of every event)"


def _markdown_it_pyrs() -> tuple[Callable[[str], object], Callable[[str], str], str]:
    import markdown_it_pyrs

    md = markdown_it_pyrs.MarkdownIt("commonmark").enable("table")
    return md.tree, md.render, "yes (srcmap of every node)"


def _markdown_it_py() -> tuple[Callable[[str], object], Callable[[str], str], str]:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable("table")
    return md.parse, md.render, "block tokens only (`map`: line range), inline tokens none"


def _mistune() -> tuple[Callable[[str], object], Callable[[str], str], str]:
    import mistune

    ast = mistune.create_markdown(renderer=None, plugins=["table"])
    html = mistune.create_markdown(plugins=["table"])
    return ast, html, "no"  # type: ignore[return-value]


PARSERS = {
    "pyromark (pulldown-cmark)": _pyromark,
    "markdown-it-pyrs (markdown-it.rs)": _markdown_it_pyrs,
    "markdown-it-py": _markdown_it_py,
    "mistune": _mistune,
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--corpus", type=Path, action="append", help=f"folder of posts (repeatable; default {BLOG})"
    )
    args = parser.parse_args()
    for folder in args.corpus or [BLOG]:
        measure(folder, args.runs)


def measure(folder: Path, runs: int) -> None:
    posts = [
        p.read_text(encoding="utf-8-sig")
        for p in sorted(folder.iterdir())
        if p.suffix in (".md", ".markdown")
    ]
    print(
        f"{folder}: {len(posts)} posts, {sum(len(p.encode()) for p in posts) / 1e6:.1f} MB, "
        f"median of {runs} runs"
    )
    reference: list[Counter[str]] | None = None
    print(
        "| parser | version | parse, whole corpus | source positions of inline links "
        "| posts whose links agree |"
    )
    print("|---|---|---|---|---|")
    for name, make in PARSERS.items():
        try:
            parse, render, positions = make()
        except ImportError:
            print(f"| {name} | not installed | | | |")
            continue
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            for post in posts:
                parse(post)
            samples.append(time.perf_counter() - start)
        links = [Counter(_HREF.findall(render(post))) for post in posts]
        if name == "markdown-it-py" or reference is None:
            reference = reference or _reference(posts)
        agree = sum(1 for mine, ref in zip(links, reference, strict=True) if mine == ref)
        print(
            f"| {name} | {_version(name)} | {statistics.median(samples):.2f} s | {positions} "
            f"| {agree}/{len(posts)} |"
        )


def _reference(posts: list[str]) -> list[Counter[str]]:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable("table")
    return [Counter(_HREF.findall(md.render(post))) for post in posts]


def _version(name: str) -> str:
    from importlib.metadata import version

    package = name.split(" ")[0]
    try:
        return version(package)
    except Exception:
        return "?"


if __name__ == "__main__":
    main()
