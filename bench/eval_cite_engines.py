"""Which engine formats references: citeproc-py, pandoc's citeproc, citeproc-js, measured.

    python bench/eval_cite_engines.py [--suite GITDIR] [--locales GITDIR] [--citeproc-js PATH]
                                      [--pandoc PATH] [--json OUT] [--write-fixtures]

1. The CSL test suite's bibliography fixtures (citation-style-language/test-suite, mode
   `bibliography`, `processor-tests/machines/*.json`): each engine renders every fixture in
   citeproc-js's HTML conventions, the way its own suite runner does (citeproc-js: Juris-M's
   citeproc-test-runner; citeproc-py: its tests/citeproc-test.py, including its `&amp;` ->
   `&#38;`; pandoc: jgm/citeproc's test/Spec.hs, here from pandoc's JSON AST through
   `refexport.cite`), and the result is compared with the fixture's RESULT after collapsing
   whitespace runs to one space. Pass/fail/error are counted exactly.
2. Agreement with citeproc-js over our exports: the default catalog's and a synthetic
   catalog's CSL-JSON (refexport.csljson.csl_items) in GB/T 7714-2015 numeric and APA 7,
   plain text, entry by entry. GB/T's reference run enables the style's own (commented-out)
   CSL-M `<layout locale="en">`, the per-language rule refexport.cite applies.
3. Speed: each engine's wall time for the default catalog in GB/T numeric (median of 5).

Inputs are fetched data (the test suite and the locales repository as git directories) and
the npm `citeproc` package; nothing from them is committed. `--write-fixtures` refreshes
tests/data/cite/ (the synthetic catalog and citeproc-js's text for both catalogs) for
tests/test_cite.py.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from refexport import citeproc as cite  # noqa: E402
from refexport.catalog import load  # noqa: E402
from refexport.formats.csl import items as csl_items  # noqa: E402
from refexport.model import Date, Name, PartialDate, Record  # noqa: E402

MIRROR = Path("/work/.mirror")
FIXTURES = REPO / "tests" / "data" / "cite"
RUNNER = Path(__file__).with_name("citeproc_js_runner.js")
AGREEMENT_STYLES = ("gb-t-7714-2015-numeric", "apa")
NO_PRINTED_FORM = "[CSL STYLE ERROR: reference with no printed form.]"


_AROUND_DIV = re.compile(r"\s*(</?div[^>]*>)\s*")


def collapse(text: str) -> str:
    """The only normalisation, whitespace: runs become one space, ends are trimmed, and
    whitespace beside a `<div>` tag (a block boundary, where HTML renders none) goes."""
    return _AROUND_DIV.sub(r"\1", re.sub(r"\s+", " ", text)).strip()


def git_tree(git_dir: Path, path: str) -> Path:
    """Extract `path` of HEAD of a bare snapshot into a temporary folder."""
    archive = subprocess.run(
        ["git", f"--git-dir={git_dir}", "archive", "HEAD", path], capture_output=True, check=True
    ).stdout
    folder = Path(tempfile.mkdtemp(prefix="cite-eval-"))
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder / path


def suite_fixtures(git_dir: Path) -> list[dict[str, Any]]:
    machines = git_tree(git_dir, "processor-tests/machines")
    fixtures = []
    for path in sorted(machines.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["mode"] == "bibliography":
            data["name"] = path.stem
            fixtures.append(data)
    return fixtures


# ---------------------------------------------------------------------------------------
# citeproc-js (node)


def run_citeproc_js(jobs: list[dict[str, Any]], locales: Path, citeproc_js: str) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as folder:
        jobs_file = Path(folder) / "jobs.json"
        jobs_file.write_text(json.dumps(jobs, ensure_ascii=False), encoding="utf-8")
        completed = subprocess.run(
            ["node", str(RUNNER), str(jobs_file), str(locales)],
            capture_output=True,
            check=True,
            env={**os.environ, "CITEPROC_JS": citeproc_js},
        )
    results: list[dict[str, Any]] = json.loads(completed.stdout)
    return results


def suite_job(fixture: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": fixture["name"],
        "csl": fixture["csl"],
        "items": fixture["input"],
        "format": "html",
        "lang": None,
        "bibentries": fixture.get("bibentries") or None,
        "bibsection": fixture.get("bibsection") or None,
        "citations": fixture.get("citations") or None,
        "citation_items": fixture.get("citation_items") or None,
    }


def citeproc_js_suite(fixtures: list[dict[str, Any]], locales: Path, citeproc_js: str) -> dict[str, str]:
    out = {}
    for result in run_citeproc_js([suite_job(f) for f in fixtures], locales, citeproc_js):
        if "error" in result:
            out[result["name"]] = "ERROR: " + result["error"]
        else:
            out[result["name"]] = result["bibstart"] + "".join(result["entries"]) + result["bibend"]
    return out


# ---------------------------------------------------------------------------------------
# citeproc-py (its own runner's procedure)


def citeproc_py_suite(fixture: dict[str, Any]) -> str:
    from citeproc import CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source import Citation, CitationItem
    from citeproc.source.json import CiteProcJSON

    items = json.loads(json.dumps(fixture["input"]))
    for index, item in enumerate(items):  # tests/citeproc-test.py _fix_input
        item.setdefault("id", index)
        item.setdefault("type", "book")
    style = CitationStylesStyle(BytesIO(fixture["csl"].encode("utf-8")), validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.html)
    for ids in _citeproc_py_citations(fixture, items):
        bibliography.register(Citation([CitationItem(str(i)) for i in ids]))
    if style.has_bibliography():
        bibliography.sort()
    lines = ['<div class="csl-bib-body">']
    lines += [f'  <div class="csl-entry">{entry}</div>' for entry in bibliography.bibliography()]
    lines.append("</div>")
    return "\n".join(lines).replace("&amp;", "&#38;")


def _citeproc_py_citations(fixture: dict[str, Any], items: list[dict[str, Any]]) -> list[list[Any]]:
    if fixture.get("citation_items"):
        return [[c["id"] for c in cluster] for cluster in fixture["citation_items"]]
    if fixture.get("citations"):
        return [[c["id"] for c in cit[0]["citationItems"]] for cit in fixture["citations"]]
    if fixture.get("bibentries"):
        return [list(fixture["bibentries"][-1])]
    return [[item["id"] for item in items]]


# ---------------------------------------------------------------------------------------
# pandoc (jgm/citeproc's runner procedure, through the JSON AST)


def _pandoc_clusters(fixture: dict[str, Any]) -> list[list[str]]:
    if fixture.get("citations"):
        return [[str(c["id"]) for c in cit[0]["citationItems"]] for cit in fixture["citations"]]
    if fixture.get("citation_items"):
        return [[str(c["id"]) for c in cluster] for cluster in fixture["citation_items"]]
    ids = fixture["bibentries"][-1] if fixture.get("bibentries") else [i.get("id") for i in fixture["input"]]
    return [[str(i)] for i in dict.fromkeys(ids)]


def pandoc_suite(fixture: dict[str, Any], pandoc: str) -> str:
    with tempfile.TemporaryDirectory() as folder:
        refs = Path(folder) / "refs.json"
        style = Path(folder) / "style.csl"
        items = [{**item, "id": str(item.get("id", i))} for i, item in enumerate(fixture["input"])]
        refs.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
        style.write_text(fixture["csl"], encoding="utf-8")
        document = _pandoc_document(_pandoc_clusters(fixture), refs, style)
        completed = subprocess.run(
            [pandoc, "-f", "json", "-t", "json", "--citeproc"],
            input=json.dumps(document).encode(),
            capture_output=True,
            check=False,
        )
    if completed.returncode != 0:
        return "ERROR: " + completed.stderr.decode(errors="replace")[-300:]
    entries = [
        text or NO_PRINTED_FORM for _, text in cite.entries_from_pandoc(json.loads(completed.stdout), "html")
    ]
    lines = ['<div class="csl-bib-body">']
    for text in entries:  # jgm/citeproc test/Spec.hs addDivs
        if text.startswith("<div"):
            lines.append(f'  <div class="csl-entry">\n    {text}\n  </div>')
        else:
            lines.append(f'  <div class="csl-entry">{text}</div>')
    lines.append("</div>")
    return "\n".join(lines)


def _pandoc_document(clusters: list[list[str]], refs: Path, style: Path) -> dict[str, Any]:
    def citation(key: str, note: int) -> dict[str, Any]:
        return {
            "citationId": key,
            "citationPrefix": [],
            "citationSuffix": [],
            "citationMode": {"t": "NormalCitation"},
            "citationNoteNum": note,
            "citationHash": 0,
        }

    cites = [
        {"t": "Cite", "c": [[citation(key, n) for key in cluster], []]}
        for n, cluster in enumerate(clusters, start=1)
    ]
    return {
        "pandoc-api-version": [1, 23, 1, 1],
        "meta": {
            "bibliography": {"t": "MetaString", "c": str(refs)},
            "csl": {"t": "MetaString", "c": str(style)},
            "link-bibliography": {"t": "MetaBool", "c": False},
        },
        "blocks": [{"t": "Para", "c": cites}],
    }


def score_suite(
    fixtures: list[dict[str, Any]], outputs: dict[str, str]
) -> tuple[dict[str, int], list[str], list[str]]:
    counts = {"pass": 0, "fail": 0, "error": 0}
    failed, errored = [], []
    for fixture in fixtures:
        actual = outputs.get(fixture["name"], "ERROR: no output")
        if actual.startswith("ERROR:"):
            counts["error"] += 1
            errored.append(fixture["name"])
        elif collapse(actual) == collapse(fixture["result"]):
            counts["pass"] += 1
        else:
            counts["fail"] += 1
            failed.append(fixture["name"])
    return counts, failed, errored


def guarded(render: Callable[[], str]) -> str:
    try:
        return render()
    except Exception as error:  # an engine crash counts as an error, never stops the run
        return f"ERROR: {type(error).__name__}: {error}"


# ---------------------------------------------------------------------------------------
# Our exports: the default catalog and a synthetic one


def synthetic_records() -> list[Record]:
    """60 records like a reading list's: Chinese entries by CJK persons (split or not) or
    accounts and organisations, English entries by persons (particles, suffixes, four
    authors for `et al.`) or organisations; full, partial and missing dates, access dates,
    web-like types. The last four are crossovers (a Latin name on a Chinese article and the
    reverse), which engines may treat differently."""
    chinese_authors = [
        [Name(family="张", given="三")],
        [Name(family="欧阳", given="修")],
        [
            Name(family="李", given="小龙"),
            Name(family="王", given="芳"),
            Name(family="赵", given="四"),
            Name(family="钱", given="五"),
        ],
        [Name(literal="机器之心")],
        [Name(literal="张三丰")],
        [Name(family="王", given="芳"), Name(family="李", given="雷")],
        [],
    ]
    english_authors = [
        [Name(family="Gogh", given="Vincent", non_dropping_particle="van")],
        [Name(family="Smith", given="John", suffix="Jr.")],
        [Name(family="Doe", given="Jane"), Name(family="Roe", given="Richard")],
        [
            Name(family="Lee", given="Ann"),
            Name(family="Kim", given="Bo"),
            Name(family="Park", given="Cy"),
            Name(family="Chen", given="Dan"),
        ],
        [Name(literal="Google Research")],
        [Name(family="Müller", given="Jürgen")],
        [Name(family="la Fontaine", given="Jean", dropping_particle="de")],
        [],
    ]
    titles_zh = [
        "PyTorch 源码解读之 torch.autograd：梯度计算详解",
        "如何评价 openmlsys？",
        "分布式训练的一些思考",
        "深度学习编译器综述",
    ]
    titles_en = [
        "a beginner's guide to word2vec",
        "Attention Is All You Need",
        "Scaling laws for neural language models",
        "The Illustrated Transformer",
    ]
    containers_zh = ["知乎", "微信公众号", None, "机器之心"]
    containers_en = ["Skymind Engineering", "GitHub", None, "Distill", "Medium"]
    types = ["webpage", "post-weblog", "post", "software"]
    dates = [
        PartialDate(2021, 3, 5),
        PartialDate(2016, 2),
        PartialDate(2019),
        None,
        PartialDate(2023, 12, 31),
    ]
    accessed = [PartialDate(2024, 5, 1), None, PartialDate(2023, 6, 15)]
    crossover = {
        56: (True, [Name(family="Smith", given="John")]),
        57: (True, [Name(family="Doe", given="Jane"), Name(family="Roe", given="Richard")]),
        58: (False, [Name(family="张", given="三")]),
        59: (False, [Name(literal="机器之心")]),
    }
    records = []
    for n in range(60):
        chinese = n % 2 == 0
        authors = (
            chinese_authors[n // 2 % len(chinese_authors)]
            if chinese
            else english_authors[n // 2 % len(english_authors)]
        )
        if n in crossover:
            chinese, authors = crossover[n]
        titles, containers = (titles_zh, containers_zh) if chinese else (titles_en, containers_en)
        record = Record(
            id=f"syn{n:03d}", key=f"syn-{n:03d}", type=types[n % len(types)], collection=["Synthetic"]
        )
        record.title = f"{titles[n // 2 % len(titles)]} {n}"
        record.url = f"https://example.org/{'zh' if chinese else 'en'}/{n}"
        record.authors = authors
        record.container = containers[n % len(containers)]
        record.language = "zh-CN" if chinese else "en"
        issued, seen = dates[n % len(dates)], accessed[n % len(accessed)]
        record.issued = Date((issued,)) if issued else None
        record.accessed = Date((seen,)) if seen else None
        records.append(record)
    return records


def catalogs() -> dict[str, list[dict[str, Any]]]:
    strip = lambda items: [{k: v for k, v in item.items() if k != "custom"} for item in items]  # noqa: E731
    return {"default": strip(csl_items(load().records)), "synthetic": strip(csl_items(synthetic_records()))}


def multilingual_style(style: str) -> str:
    """The bundled style's text, with GB/T 7714's CSL-M per-language layout switched on."""
    text = cite.style_file(style).read_text(encoding="utf-8")
    match = re.search(r"<!--\s*(<layout[^>]*locale=\"en\".*?</layout>)\s*-->", text, re.S)
    return text.replace(match.group(0), match.group(1)) if match else text


def citeproc_js_text(catalog: list[dict[str, Any]], style: str, locales: Path, js: str) -> dict[str, str]:
    job = {"name": style, "csl": multilingual_style(style), "items": catalog, "format": "text", "lang": None}
    result = run_citeproc_js([job], locales, js)[0]
    if "error" in result:
        raise RuntimeError(result["error"])
    # makeBibliography keeps the registry's order; the entry ids come back with the entries
    return dict(zip(result["ids"], (collapse(e) for e in result["entries"]), strict=True))


def citeproc_py_text(catalog: list[dict[str, Any]], style: str) -> dict[str, str]:
    from citeproc import CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source import Citation, CitationItem
    from citeproc.source.json import CiteProcJSON

    csl = CitationStylesStyle(str(cite.style_file(style)), validate=False)
    bib = CitationStylesBibliography(csl, CiteProcJSON(json.loads(json.dumps(catalog))), formatter.plain)
    for item in catalog:
        bib.register(Citation([CitationItem(item["id"])]))
    bib.sort()
    original = {str(item["id"]).lower(): str(item["id"]) for item in catalog}  # citeproc-py lower-cases ids
    return {
        original[str(key)]: collapse(str(text))
        for key, text in zip(bib.keys, bib.bibliography(), strict=True)
    }


def pandoc_text(catalog: list[dict[str, Any]], style: str) -> dict[str, str]:
    return {key: collapse(text) for key, text in cite.entries(catalog, style, fmt="text")}


def agreement(reference: dict[str, str], other: dict[str, str]) -> tuple[int, list[dict[str, str]]]:
    same, differences = 0, []
    for key, expected in reference.items():
        got = other.get(key, "<missing>")
        if got == expected:
            same += 1
        else:
            differences.append({"id": key, "citeproc-js": expected, "engine": got})
    return same, differences


def median_seconds(action: Callable[[], object], runs: int = 5) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--suite", type=Path, default=MIRROR / "citation-style-language+test-suite/repo")
    parser.add_argument("--locales", type=Path, default=MIRROR / "citation-style-language+locales/repo")
    parser.add_argument("--citeproc-js", default=os.environ.get("CITEPROC_JS", "citeproc"))
    parser.add_argument("--pandoc", default=None, help="pandoc binary (default: as refexport.cite finds it)")
    parser.add_argument("--json", type=Path, help="write every figure and difference here")
    parser.add_argument("--write-fixtures", action="store_true", help="refresh tests/data/cite/")
    parser.add_argument("--skip-suite", action="store_true")
    args = parser.parse_args()
    if args.pandoc:
        os.environ["REFEXPORT_PANDOC"] = args.pandoc
    pandoc = cite.pandoc_binary()
    locales = git_tree(args.locales, ".")
    report: dict[str, Any] = {
        "pandoc": subprocess.run([pandoc, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    }

    if not args.skip_suite:
        fixtures = suite_fixtures(args.suite)
        print(f"CSL test suite: {len(fixtures)} bibliography fixtures")
        outputs = {
            "citeproc-js": citeproc_js_suite(fixtures, locales, args.citeproc_js),
            "citeproc-py": {f["name"]: guarded(lambda f=f: citeproc_py_suite(f)) for f in fixtures},
            "pandoc": {f["name"]: guarded(lambda f=f: pandoc_suite(f, pandoc)) for f in fixtures},
        }
        report["suite"] = {}
        for engine, output in outputs.items():
            counts, failed, errored = score_suite(fixtures, output)
            rate = counts["pass"] / len(fixtures)
            tally = f"pass {counts['pass']:3}  fail {counts['fail']:3}  error {counts['error']:3}"
            print(f"  {engine:12} {tally}  ({rate:.1%})")
            report["suite"][engine] = {**counts, "rate": rate, "failed": failed, "errored": errored}

    data = catalogs()
    report["agreement"] = {}
    for name, catalog in data.items():
        for style in AGREEMENT_STYLES:
            reference = citeproc_js_text(catalog, style, locales, args.citeproc_js)
            row: dict[str, Any] = {"entries": len(reference)}
            for engine, render in (("pandoc", pandoc_text), ("citeproc-py", citeproc_py_text)):
                try:
                    same, differences = agreement(reference, render(catalog, style))
                except Exception as error:
                    same, differences = 0, [{"error": f"{type(error).__name__}: {error}"}]
                row[engine] = {"same": same, "rate": same / len(reference), "differences": differences}
                print(
                    f"  {name:9} {style:24} {engine:12} {same}/{len(reference)} ({same / len(reference):.1%})"
                )
            report["agreement"][f"{name}/{style}"] = row
            if args.write_fixtures:
                FIXTURES.mkdir(parents=True, exist_ok=True)
                path = FIXTURES / f"citeproc-js-{name}-{style}.json"
                path.write_text(json.dumps(reference, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if args.write_fixtures:
        (FIXTURES / "synthetic.json").write_text(
            json.dumps(data["synthetic"], ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )

    default = data["default"]
    report["seconds_default_gbt"] = {
        "pandoc": median_seconds(lambda: pandoc_text(default, "gb-t-7714-2015-numeric")),
        "citeproc-py": median_seconds(lambda: citeproc_py_text(default, "gb-t-7714-2015-numeric")),
        "citeproc-js": median_seconds(
            lambda: citeproc_js_text(default, "gb-t-7714-2015-numeric", locales, args.citeproc_js)
        ),
    }
    print(
        "  seconds, default catalog in GB/T numeric (median of 5):",
        {k: round(v, 3) for k, v in report["seconds_default_gbt"].items()},
    )
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
