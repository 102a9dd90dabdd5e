"""Score the Markdown reader on third-party reading lists against a CommonMark reference,
and on the blog against a baseline of records.

    python bench/score_markdown.py [--lists ../shared/corpus/markdown-lists] [--verbose]
    python bench/score_markdown.py --blog-baseline base.jsonl [--blog ../shared/corpus/blog/_posts]
    python bench/score_markdown.py --dump out.jsonl --blog ...   # records of the current tree

Reference (third-party lists): pandoc's CommonMark+GFM reader (`-f gfm+sourcepos`, GFM bare
URLs autolinked) renders each file to HTML; every `<a href>` with an http/https/ftp
destination is a reference link — Markdown links, autolinks, bare URLs and the `<a>` tags of
raw HTML — except links whose content is only images (badges) and `www.` autolinks without a
scheme (not URLs of the catalog format). Scores:

* URL recall / precision: multisets of URLs per file (reference links vs. records).
* exact titles: links with a link text (Markdown, reference-style, HTML `<a>`), placeholder
  texts (data/placeholder-link-texts.txt, numbers) excluded: the record at the same URL (and
  line, where the reference knows it) has the link text as title, whitespace collapsed.
* descriptions: a link followed in its list item or paragraph line by ` - `, ` — `, ` – `,
  `: `, `：` or `，` and text: the record's note is that text.
* clean sections: records whose section names hold no Markdown or HTML markup.
* tracebacks: files of either corpus the reader raised on (other than a refused input).

Blog baseline: a JSON Lines dump (this script's --dump) of another reader's records; each
record is matched by (file, line, URL) and its title, note and section compared.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from refexport.errors import InputError
from refexport.formats.markdown import read
from refexport.model import Record

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
PLACEHOLDERS = Path(__file__).resolve().parent.parent / "data" / "placeholder-link-texts.txt"
_SEPARATOR = re.compile(r"^(?:\s+[-—–]{1,2}\s+|\s*[:：，]\s*)")
_MARKUP = re.compile(r"\]\(|\[[^\]]*\]\[|</?[A-Za-z][^>]*>|&[a-z]+;|&#\d+;|\*\*|__|`|\{[#:.]|^#|\]$|^\[")
_BLOCKS = frozenset("p li td th h1 h2 h3 h4 h5 h6 blockquote div dt dd ul ol table tr pre summary br".split())


class _Links(HTMLParser):
    """<a href> of rendered HTML: destination, line (data-pos), text, image-only, the text
    after it in its block (for descriptions)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[dict[str, Any]] = []
        self.stack: list[dict[str, Any]] = []
        self.after: list[dict[str, Any]] = []  # links whose following text is being gathered
        self.code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in _BLOCKS:
            self.after = []
        if tag == "a" and self.stack:  # pandoc autolinks a URL inside a link's text
            self.stack.append({"nested": True, "text": "", "img": False})
        elif tag == "a":
            pos = values.get("data-pos") or ""
            line = int(pos.split(":")[0].split("@")[-1]) if pos[:1].isdigit() or "@" in pos else None
            link = {"href": values.get("href") or "", "line": line, "text": "", "img": False, "tail": ""}
            link["auto"] = "uri" in (values.get("class") or "").split()
            self.stack.append(link)
        elif tag == "img":
            for link in self.stack:
                link["img"] = True
        elif tag in ("code", "pre"):
            self.code += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.stack:
            link = self.stack.pop()
            if link.get("nested"):
                for outer in self.stack:
                    outer["text"] += link["text"]
                return
            self.links.append(link)
            for earlier in self.after:
                earlier["tail"] += link["text"]
            self.after.append(link)
        elif tag in ("code", "pre"):
            self.code = max(0, self.code - 1)
        if tag in _BLOCKS:
            self.after = []

    def handle_data(self, data: str) -> None:
        if self.stack:
            self.stack[-1]["text"] += data
        if not self.stack:
            for link in self.after:
                link["tail"] += data


def reference_links(path: Path) -> list[dict[str, Any]]:
    html = subprocess.run(
        ["pandoc", "-f", "gfm+sourcepos", "-t", "html", str(path)], capture_output=True, check=True
    ).stdout.decode("utf-8")
    parser = _Links()
    parser.feed(html)
    parser.close()
    found = []
    for link in parser.links:
        text = " ".join(link["text"].split())
        href = link["href"]
        if not re.match(r"(?:https?|ftp)://", href, re.IGNORECASE):
            continue
        if link["img"] and not text:
            continue  # a badge or an image-only link
        if link["auto"] and not re.match(r"(?:https?|ftp)://", text, re.IGNORECASE):
            continue  # `www.example.org`: no scheme, not a catalog URL
        link["text"] = text
        found.append(link)
    return found


def _placeholders(path: Path = PLACEHOLDERS) -> frozenset[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip()[:1] not in ("", "#"))


def _is_placeholder(text: str, placeholders: frozenset[str]) -> bool:
    """A role word (`[Paper]`, also qualified: `Paper-CVPR14`, `code (official)`) or a number."""
    stripped = text.strip().strip("[]()（）【】<>《》").strip()
    core = stripped.casefold()
    if core in placeholders or re.match(r"^\[?\(?\d{1,4}\)?\]?$", core):
        return True
    pattern = r"^([A-Za-z]+)(?:-(?=[A-Za-z0-9.]*[A-Z0-9])[A-Za-z0-9.]{1,15}|\s*[(（][^()（）]{1,30}[)）])$"
    qualified = re.match(pattern, stripped) or re.match(pattern, text.strip().strip("[]【】").strip())
    return qualified is not None and qualified.group(1).casefold() in placeholders


def _html_unescape_url(url: str) -> str:
    import html

    return html.unescape(url)


def score_lists(folder: Path, verbose: bool, placeholder_file: Path = PLACEHOLDERS) -> dict[str, float]:
    placeholders = _placeholders(placeholder_file)
    totals: Counter[str] = Counter()
    for path in sorted(folder.glob("*.md")):
        if path.name in ("README.md", "SOURCES.md"):
            continue
        records = read(path.read_bytes(), path.name).records
        reference = reference_links(path)
        mine = Counter(_url(r) for r in records)
        theirs = Counter(_html_unescape_url(link["href"]) for link in reference)
        common = mine & theirs
        totals["ref"] += sum(theirs.values())
        totals["mine"] += sum(mine.values())
        totals["common"] += sum(common.values())
        if verbose:
            for url, n in (theirs - mine).items():
                print(f"  missed {path.name}: {url} ×{n}")
            for url, n in (mine - theirs).items():
                print(f"  extra  {path.name}: {url} ×{n}")
        _score_titles_and_notes(path.name, records, reference, placeholders, totals, verbose)
        for record in records:
            totals["records"] += 1
            if all(not _MARKUP.search(name) for name in record.collection[1:]):
                totals["clean"] += 1
            elif verbose:
                print(f"  section {path.name}:{record.origin[0].line}: {record.collection[1:]}")
    return {
        "URL recall": totals["common"] / totals["ref"],
        "URL precision": totals["common"] / totals["mine"],
        "exact titles": totals["title_ok"] / max(1, totals["titled"]),
        "descriptions kept as notes": totals["desc_ok"] / max(1, totals["desc"]),
        "sections free of markup": totals["clean"] / max(1, totals["records"]),
        "reference links": totals["ref"],
        "titled links": totals["titled"],
        "descriptions": totals["desc"],
    }


def _url(record: Record) -> str:
    return record.origin[0].url or record.url or ""


def _score_titles_and_notes(
    name: str,
    records: list[Record],
    reference: list[dict[str, Any]],
    placeholders: frozenset[str],
    totals: Counter[str],
    verbose: bool,
) -> None:
    # The n-th reference link to a URL is the n-th record of that URL (both in reading order).
    by_url: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        by_url[_url(record)].append(record)
    seen: Counter[str] = Counter()

    def match(link: dict[str, Any]) -> Record | None:
        url = _html_unescape_url(link["href"])
        candidates = by_url.get(url, [])
        seen[url] += 1
        return candidates[seen[url] - 1] if seen[url] <= len(candidates) else None

    for link in reference:
        text = link["text"]
        record = match(link)
        if text and not link["auto"] and text != link["href"] and not _is_placeholder(text, placeholders):
            totals["titled"] += 1
            if record is not None and " ".join((record.title or "").split()) == text:
                totals["title_ok"] += 1
            elif verbose:
                print(f"  title {name}:{link['line']}: {text!r} got {record.title if record else None!r}")
        tail = link["tail"]
        separator = _SEPARATOR.match(tail)
        description = " ".join(tail[separator.end() :].split()) if separator else ""
        if description and any(char.isalnum() for char in description):
            totals["desc"] += 1
            note = " ".join((record.note or "").split()) if record else ""
            if note == description:
                totals["desc_ok"] += 1
            elif verbose:
                print(f"  note {name}:{link['line']}: {description[:60]!r} got {note[:60]!r}")


def tracebacks(folders: list[Path]) -> tuple[int, int]:
    files = failures = 0
    for folder in folders:
        for path in sorted(folder.iterdir()):
            if path.suffix not in (".md", ".markdown"):
                continue
            files += 1
            try:
                read(path.read_bytes(), path.name)
            except InputError:
                pass
            except Exception as error:  # the score counts them
                failures += 1
                print(f"  traceback {path}: {error!r}")
    return files, failures


def dump(folder: Path, out: Path) -> None:
    with out.open("w", encoding="utf-8") as stream:
        for path in sorted(folder.iterdir()):
            if path.suffix not in (".md", ".markdown"):
                continue
            for record in read(path.read_bytes(), path.name).records:
                row = {
                    "file": path.name, "line": record.origin[0].line, "url": record.url,
                    "title": record.title, "note": record.note, "collection": record.collection,
                }  # fmt: skip
                stream.write(json.dumps(row, ensure_ascii=False) + "\n")


def score_blog(folder: Path, baseline: Path, verbose: bool) -> dict[str, float]:
    def load(path: Path) -> dict[tuple[str, int, str], list[dict[str, Any]]]:
        rows: dict[tuple[str, int, str], list[dict[str, Any]]] = defaultdict(list)
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            rows[(row["file"], row["line"], row["url"])].append(row)
        return rows

    import tempfile

    out = Path(tempfile.mkdtemp()) / "current.jsonl"
    dump(folder, out)
    base, mine = load(baseline), load(out)
    n_base = sum(len(v) for v in base.values())
    n_mine = sum(len(v) for v in mine.values())
    common = sum(min(len(base[k]), len(mine[k])) for k in base if k in mine)
    same: Counter[str] = Counter()
    for key, rows in base.items():
        for old, new in zip(rows, mine.get(key, []), strict=False):
            for field in ("title", "note", "collection"):
                if old[field] == new[field]:
                    same[field] += 1
                elif verbose:
                    print(f"  {field} {key[0]}:{key[1]}: {old[field]!r} -> {new[field]!r}")
    return {
        "record recall": common / n_base,
        "record precision": common / n_mine,
        "same title": same["title"] / common,
        "same note": same["note"] / common,
        "same section": same["collection"] / common,
        "records (baseline, current)": float(n_mine),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lists", type=Path, default=SHARED / "markdown-lists")
    parser.add_argument("--blog", type=Path, default=SHARED / "blog" / "_posts")
    parser.add_argument("--blog-baseline", type=Path)
    parser.add_argument("--dump", type=Path, help="write the current records of --blog here and stop")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument(
        "--placeholders",
        type=Path,
        default=PLACEHOLDERS,
        help="link texts excluded from the exact-title score (default: the reader's own list)",
    )
    args = parser.parse_args()
    if args.dump:
        dump(args.blog, args.dump)
        return
    start = time.perf_counter()
    print(f"third-party lists ({args.lists}):")
    for name, value in score_lists(args.lists, args.verbose, args.placeholders).items():
        print(f"  {name}: {value:.2%}" if value <= 1 else f"  {name}: {value:.0f}")
    files, failures = tracebacks([args.lists, args.blog])
    print(f"  tracebacks: {failures} of {files} files")
    if args.blog_baseline:
        print(f"blog ({args.blog}) against {args.blog_baseline}:")
        for name, value in score_blog(args.blog, args.blog_baseline, args.verbose).items():
            print(f"  {name}: {value:.2%}" if value <= 1 else f"  {name}: {value:.0f}")
    print(f"({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
