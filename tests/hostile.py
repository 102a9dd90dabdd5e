"""The hostile-input corpus: small generated inputs every reader must survive.

Deterministic (every random choice is seeded by a file name), built in memory at test time;
`python tests/hostile.py FOLDER` writes it out as files (to try other tools on it). Each
case ends, in every reader, in records, `file:line` problems, or a one-line refusal
(`InputError`) — never a traceback, a hang or unbounded memory (tests/test_hostile_input.py).

Kinds of case: bombs (YAML aliases, XML entities, BibTeX @string macros), deep nesting
(JSON, YAML, XML, Markdown lists and quotes, BibTeX braces), huge numbers, bad bytes at
several offsets of a real file of each format, truncations of every file in tests/data,
mixed encodings, NULs, lone surrogates (CESU-8 bytes and JSON/YAML/XML escapes), BOMs in the
middle, 10 MB lines, empty inputs, pathological Markdown (inputs that make a careless parser
quadratic), and the regression files in tests/data/hostile/ (what fuzzing found).
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

from refexport import formats

TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"
REGRESSIONS = DATA / "hostile"
MIB = 2**20

# Formats whose modules another helper is still porting: while their module does not
# import, their cases are expected to fail (xfail, not run). The lead empties this set once
# every format is merged; from then on a module that does not import fails the tests.
NOT_YET_PORTED: frozenset[str] = frozenset()

# A line of /etc/passwd: an XML external entity (XXE) that worked would put it in a record.
LEAK_MARKER = "root:x:0:0"


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    cli: bool = False  # also through `refexport --catalog FILE --from FMT records`

    @property
    def timeout(self) -> float:
        """Seconds before the case counts as a hang: ample for a linear reader on a slow CI
        machine, far below what a quadratic one needs on the pathological cases."""
        return 10.0 + 3.0 * len(self.data) / MIB

    @property
    def memory_bound(self) -> int:
        """Resident bytes a reader may add: a base for the interpreter's own growth (lazy
        imports, caches) plus 40 times the input (every character a Python object's worth
        of records for a dense input; the 50 MB .bib goal of issue 11 is 10 times)."""
        return 192 * MIB + 40 * len(self.data)


def unported(name: str) -> str | None:
    """Why the format `name` cannot be tested on this branch yet (None: it can)."""
    if name not in NOT_YET_PORTED:
        return None
    try:
        import_module(formats.get(name).module)
    except ImportError as error:
        return f"{name} is not ported on this branch yet ({error}); see hostile.NOT_YET_PORTED"
    return None


def test_files() -> list[Path]:
    """Every valid input in tests/data (the regression files of hostile/ excepted)."""
    return sorted(
        path
        for path in DATA.rglob("*")
        if path.is_file() and path.name != "SOURCES.md" and REGRESSIONS not in path.parents
    )


# --- seeds: one real file of each format, to damage ---

_CSL_YAML = b"""---
references:
- id: smith2020
  type: article-journal
  title: "A study of Cu<sub>2</sub>O in <i>Nature</i>"
  author:
  - family: Smith
    given: John
  - literal: \xe6\x9c\xba\xe5\x99\xa8\xe4\xb9\x8b\xe5\xbf\x83
  issued:
    date-parts:
    - [2020, 5]
  URL: https://doi.org/10.1038/xyz
...
"""

_ZOTERO_RDF = b"""<rdf:RDF
 xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
 xmlns:z="http://www.zotero.org/namespaces/export#"
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:dcterms="http://purl.org/dc/terms/"
 xmlns:bib="http://purl.org/net/biblio#"
 xmlns:foaf="http://xmlns.com/foaf/0.1/">
    <bib:Document rdf:about="https://example.org/a">
        <z:itemType>webpage</z:itemType>
        <dc:title>\xe9\xab\x98\xe6\x95\x88 title &amp; more</dc:title>
        <dc:identifier><dcterms:URI><rdf:value>https://example.org/a</rdf:value></dcterms:URI></dc:identifier>
        <dc:date>2023-06-15</dc:date>
    </bib:Document>
</rdf:RDF>
"""

_RECORDS = (
    b'{"id":"1f0c3a9e5b7d2c41","key":"gaoxiao-k3","type":"webpage","title":"\xe9\xab\x98\xe6\x95\x88",'
    b'"URL":"https://mp.weixin.qq.com/s/ai","accessed":{"date-parts":[[2023,6,15]]},"tags":["DL"],'
    b'"collection":["A","B"],"also_in":[],"origin":[{"file":"a.md","line":11,"url":null}],"custom":{}}\n'
)


def seeds() -> dict[str, bytes]:
    """A small valid input of each format family (named by family)."""
    return {
        "bib": (DATA / "bib" / "real-biber-xdata.bib").read_bytes(),
        "markdown": (DATA / "markdown" / "2015-1-8-emacs.markdown").read_bytes(),
        "opml": (DATA / "opml" / "plenary_HongKong_with_category.opml").read_bytes(),
        "csljson": (DATA / "csl" / "csl-data.json").read_bytes(),
        "zotero": (DATA / "zotero" / "quick_start_item.json").read_bytes(),
        "cslyaml": _CSL_YAML,
        "rdf": _ZOTERO_RDF,
        "records": _RECORDS,
        "ris": (DATA / "ris" / "cnki-style-gbk.ris").read_bytes().decode("gbk").encode(),
        "bookmarks": (DATA / "bookmarks" / "firefox-bookmarks.preplaces.html").read_bytes(),
    }


_FAMILY = {"bibtex": "bib", "csl-yaml": "cslyaml", "zotero-rdf": "rdf"}


def seeds_for(fmt: str, largest: int = 16_384) -> list[bytes]:
    """Valid inputs of the format `fmt` to mutate: the files of tests/data it is detected
    for (up to `largest` bytes), its family seed, and what its writer makes of the sample
    records when it has a working writer (so a format added to the registry has seeds)."""
    from conftest import sample_records

    found = [seeds().get(_FAMILY.get(fmt, fmt), b"")]
    for path in test_files():
        data = path.read_bytes()
        if len(data) <= largest and formats.detect(data, path.name).name == fmt:
            found.append(data)
    entry = formats.get(fmt)
    if entry.writer is not None:
        with contextlib.suppress(Exception):  # not ported yet: its other seeds serve
            found.append("".join(entry.write(sample_records(), formats.WriteOptions("Seeds"))).encode())
    return [seed for seed in dict.fromkeys(found) if seed]


# --- the cases ---


def cases() -> list[Case]:
    """The whole corpus, in a fixed order with unique names."""
    found = [
        *_empty(),
        *_bombs(),
        *_deep(),
        *_numbers(),
        *_surrogates(),
        *_encodings(),
        *_bad_bytes(),
        *_big_lines(),
        *_pathological_markdown(),
        *_truncations(),
        *_regressions(),
    ]
    names = [case.name for case in found]
    assert len(names) == len(set(names)), "case names must be unique"
    return found


def _empty() -> Iterator[Case]:
    yield Case("empty", b"", cli=True)
    yield Case("bom-only", b"\xef\xbb\xbf", cli=True)
    yield Case("blank-lines", b" \t\r\n" * 10_000, cli=True)
    yield Case("nuls", b"\x00" * 4096, cli=True)
    yield Case(
        "control-characters",
        bytes(range(32)) + b"\x7f\xc2\x80\xc2\x85\xe2\x80\xa8\xe2\x80\xa9" * 50,
        cli=True,
    )


_YAML_LAUGHS = b"".join(
    b"%c: &%c [%s]\n" % (name, name, b",".join([b'"lol"' if name == ord("a") else b"*%c" % (name - 1)] * 9))
    for name in b"abcdefghi"
)


def _bombs() -> Iterator[Case]:
    # issue 11 item 2: 345 bytes of YAML aliases that expand to 9^9 strings
    yield Case("yaml-alias-bomb", _YAML_LAUGHS, cli=True)
    yield Case("csl-yaml-alias-bomb", _YAML_LAUGHS + b"references: *i\n", cli=True)
    yield Case(
        "markdown-front-matter-alias-bomb",
        b"---\n" + _YAML_LAUGHS + b"title: *i\n---\nhttps://example.org/a\n",
        cli=True,
    )
    yield Case("yaml-recursive-alias", b"references: &r\n- id: a\n  note: *r\n", cli=True)
    yield Case(
        "yaml-python-tag", b"references:\n- id: !!python/object/apply:os.system [echo pwned]\n", cli=True
    )
    entities = b"".join(
        b'<!ENTITY l%d "%s">' % (n, b"&l%d;" % (n - 1) * 10 if n else b"lol") for n in range(10)
    )
    yield Case("xml-entity-bomb-opml", _opml(b"&l9;", entities), cli=True)
    yield Case("xml-entity-bomb-rdf", _rdf(b"&l9;", entities), cli=True)
    quadratic = b'<!ENTITY a "' + b"x" * 100_000 + b'">'
    yield Case("xml-quadratic-blowup", _opml(b"&a;" * 10_000, quadratic), cli=True)
    for scheme, target in (("file", b"file:///etc/passwd"), ("http", b"http://127.0.0.1:9/x.dtd")):
        external = b'<!ENTITY xxe SYSTEM "%s">' % target
        yield Case(f"xml-external-entity-{scheme}", _opml(b"&xxe;", external), cli=True)
    external_dtd = _opml(b"x").replace(b"<opml ", b'<!DOCTYPE opml SYSTEM "file:///etc/passwd"><opml ')
    yield Case("xml-external-dtd", external_dtd, cli=True)
    parameter = b'<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;'
    yield Case("xml-parameter-entity", _opml(b"x", parameter), cli=True)
    yield Case("rdf-external-entity", _rdf(b"&xxe;", b'<!ENTITY xxe SYSTEM "file:///etc/passwd">'), cli=True)
    # @string macros that double at each level: 2^40 characters if expanded
    macros = b'@string{m0 = "lol"}\n' + b"".join(
        b"@string{m%d = m%d # m%d}\n" % (n, n - 1, n - 1) for n in range(1, 41)
    )
    yield Case("bibtex-macro-bomb", macros + b"@misc{bomb, title = m40, url = {https://e.org/}}\n", cli=True)
    yield Case(
        "bibtex-crossref-cycle",
        b"@misc{a, crossref = {b}, title = {A}}\n@misc{b, crossref = {a}, title = {B}}\n",
        cli=True,
    )
    yield Case(
        "bibtex-unbalanced-closers",
        b"@misc{k, title = {Too many }} closers}}}, url = {https://e.org/}}\n",
        cli=True,
    )


def _opml(text: bytes, doctype: bytes | None = None) -> bytes:
    """An OPML file whose title and outline say `text` (entity references allowed)."""
    head = b'<?xml version="1.0"?>' + (b"<!DOCTYPE opml [%s]>" % doctype if doctype else b"")
    return head + (
        b'<opml version="2.0"><head><title>%s</title></head><body>'
        b'<outline text="%s" type="link" url="https://e.org/" xmlUrl="https://e.org/feed"/></body></opml>'
    ) % (text, text)


def _rdf(text: bytes, doctype: bytes) -> bytes:
    """A Zotero RDF item titled `text`."""
    return (
        b'<?xml version="1.0"?><!DOCTYPE rdf:RDF [%s]>' % doctype
        + (
            b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
            b' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:z="http://www.zotero.org/namespaces/export#">'
            b'<rdf:Description rdf:about="https://e.org/"><z:itemType>webpage</z:itemType>'
            b"<dc:title>%s</dc:title></rdf:Description></rdf:RDF>"
        )
        % text
    )


def _deep() -> Iterator[Case]:
    depth = 100_000
    yield Case("json-deep-arrays", b"[" * depth + b"]" * depth, cli=True)
    yield Case("json-deep-objects", b'{"a":' * depth + b"1" + b"}" * depth, cli=True)
    yield Case(
        "records-deep-custom",
        b'{"id":"a","key":"k","origin":[],"custom":{"x":' + b"[" * depth + b"]" * depth + b"}}\n",
        cli=True,
    )
    yield Case(
        "csljson-deep-title",
        b'[{"id":"a","type":"book","title":' + b"[" * depth + b"]" * depth + b"}]",
        cli=True,
    )
    yield Case("yaml-deep-flow", b"references: " + b"[" * depth + b"]" * depth + b"\n", cli=True)
    yield Case("yaml-deep-block-sequence", b"references:\n" + b"- " * (2 * depth) + b"x\n", cli=True)
    yield Case(
        "markdown-front-matter-deep",
        b"---\ntitle: " + b"[" * depth + b"]" * depth + b"\n---\nhttps://example.org/a\n",
        cli=True,
    )
    yield Case(
        "xml-deep-outlines",
        b'<?xml version="1.0"?><opml version="2.0"><body>'
        + b'<outline text="x">' * depth
        + b'<outline text="y" url="https://e.org/"/>'
        + b"</outline>" * depth
        + b"</body></opml>",
        cli=True,
    )
    yield Case("markdown-deep-quotes", b"> " * depth + b"https://example.org/a\n", cli=True)
    yield Case(
        "markdown-deep-lists",
        b"".join(b"  " * level + b"- https://e.org/%d\n" % level for level in range(1500)),
        cli=True,
    )
    yield Case(
        "markdown-many-headings",
        b"".join(
            b"#" * (1 + level % 6) + b" h%d\nhttps://e.org/%d\n" % (level, level) for level in range(5_000)
        ),
    )
    yield Case(
        "bibtex-deep-braces",
        b"@misc{k, title = {" + b"{" * depth + b"x" + b"}" * depth + b"}, url = {https://e.org/}}\n",
        cli=True,
    )


def _numbers() -> Iterator[Case]:
    huge = b"9" * 4400  # beyond Python's 4,300-digit limit for int(str)
    yield Case("json-huge-integer", huge, cli=True)
    yield Case("records-huge-integer", b'{"id":"a","key":"k","volume":' + huge + b',"origin":[]}\n', cli=True)
    yield Case(
        "records-big-integer", b'{"id":"a","key":"k","volume":' + b"9" * 4000 + b',"origin":[]}\n', cli=True
    )
    yield Case(
        "records-infinite-float",
        b'{"id":"a","key":"k","volume":1e999,"issued":{"date-parts":[[1e999]]},"origin":[]}\n',
        cli=True,
    )
    yield Case("records-nan", b'{"id":"a","key":"k","volume":NaN,"origin":[]}\n', cli=True)
    yield Case(
        "csljson-huge-numbers",
        b'[{"id":"a","type":"book","volume":' + huge + b',"issued":{"date-parts":[[' + huge + b"]]}}]",
        cli=True,
    )
    yield Case(
        "csljson-huge-year",
        b'[{"id":"a","type":"book","issued":{"date-parts":[[99999999999, 13, 42]]}}]',
        cli=True,
    )
    yield Case(
        "zotero-huge-numbers",
        b'[{"key":"ABCD2345","version":' + huge + b',"itemType":"book","title":"t","date":"' + huge + b'"}]',
        cli=True,
    )
    yield Case(
        "yaml-huge-integer",
        b"references:\n- id: a\n  type: book\n  volume: " + huge + b"\n  issued: " + huge + b"\n",
        cli=True,
    )
    yield Case(
        "bibtex-huge-year", b"@book{k, title = {T}, year = " + huge + b", month = " + huge + b"}\n", cli=True
    )
    yield Case(
        "markdown-huge-post-date", b"---\ntitle: t\ndate: " + huge + b"\n---\nhttps://e.org/\n", cli=True
    )


def _surrogates() -> Iterator[Case]:
    cesu = b"\xed\xa0\x80"  # U+D800 encoded as if it were a character (CESU-8): not UTF-8
    yield Case("cesu-surrogate-in-text", b"# T\nhttps://e.org/a\ntitle " + cesu + b"\n", cli=True)
    yield Case("cesu-surrogate-pair", b"https://e.org/\xed\xa0\xbd\xed\xb8\x80\n", cli=True)
    yield Case("records-surrogate-escape", b'{"id":"a","key":"k","title":"\\ud800","origin":[]}\n', cli=True)
    yield Case(
        "records-reversed-pair", b'{"id":"a","key":"k","title":"\\udc00\\ud800","origin":[]}\n', cli=True
    )
    yield Case(
        "csljson-surrogate-escape",
        b'[{"id":"a","type":"book","title":"x\\udc00y","URL":"https://e.org/\\ud800"}]',
        cli=True,
    )
    yield Case(
        "zotero-surrogate-escape",
        b'[{"key":"ABCD2345","itemType":"book","title":"\\ud800","tags":[{"tag":"\\udfff"}]}]',
        cli=True,
    )
    yield Case("yaml-surrogate-escape", b'references:\n- id: a\n  type: book\n  title: "\\ud800"\n', cli=True)
    yield Case(
        "markdown-front-matter-surrogate",
        b'---\ntitle: "\\ud800"\ncategory: ["\\udc00"]\n---\nhttps://e.org/\n',
        cli=True,
    )
    yield Case("xml-surrogate-reference", _opml(b"&#xD800;x&#xDC00;"), cli=True)
    yield Case(
        "bibtex-surrogate-escape",
        b'@misc{k, title = {\\char"D800 \\symbol{"DC00}}, url = {https://e.org/}}\n',
        cli=True,
    )


def _encodings() -> Iterator[Case]:
    text = "高效大规模机器学习 https://e.org/a «café»\n"
    yield Case(
        "mixed-utf8-gbk-latin1",
        text.encode() + text.encode("gbk", "replace") + text.encode("latin-1", "replace"),
        cli=True,
    )
    yield Case("utf16-with-bom", "\ufeff".encode("utf-16-le") + text.encode("utf-16-le"), cli=True)
    yield Case("utf16-without-bom", text.encode("utf-16-be"), cli=True)
    yield Case("utf32", text.encode("utf-32"), cli=True)
    yield Case("shift-jis", "論文 https://e.org/ジ\n".encode("shift_jis"), cli=True)
    yield Case("overlong-utf8", b"https://e.org/\xc0\xaf\xe0\x80\xaf\n", cli=True)
    for family, seed in seeds().items():
        lines = seed.split(b"\n")
        yield Case(f"{family}-bom-every-line", b"\n".join(b"\xef\xbb\xbf" + line for line in lines), cli=True)
        yield Case(f"{family}-double-bom", b"\xef\xbb\xbf\xef\xbb\xbf" + seed)
        yield Case(
            f"{family}-nuls-every-100", b"\x00".join(seed[i : i + 100] for i in range(0, len(seed), 100))
        )
        yield Case(f"{family}-cr-line-ends", seed.replace(b"\r\n", b"\n").replace(b"\n", b"\r"))
        yield Case(f"{family}-unicode-line-separators", seed.replace(b"\n", b"\xe2\x80\xa8\xc2\x85\n"))


_BAD = (b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xc0\xaf", b"\x00", b"\xef\xbb\xbf", b"\x1b]0;pwned\x07")


def _bad_bytes() -> Iterator[Case]:
    """Each bad sequence in the middle of each seed, and one at each of several offsets."""
    for family, seed in seeds().items():
        for number, bad in enumerate(_BAD):
            yield Case(f"{family}-bad-{number}-middle", _insert(seed, len(seed) // 2, bad), cli=number < 2)
        rng = random.Random(family)
        for offset in (0, 1, rng.randrange(len(seed)), len(seed) - 1, len(seed)):
            bad = _BAD[offset % len(_BAD)]
            yield Case(f"{family}-bad-at-{offset}", _insert(seed, offset, bad))


def _insert(data: bytes, offset: int, bad: bytes) -> bytes:
    return data[:offset] + bad + data[offset:]


def _big_lines() -> Iterator[Case]:
    ten = 10 * MIB
    yield Case("10mb-line-of-letters", b"a" * ten + b"\n")
    yield Case("10mb-url", b"https://e.org/" + b"a" * ten + b"\n")
    yield Case("10mb-line-of-braces", b"{" * ten)
    yield Case("line-of-16384-urls", b"https://e.org/a " * 16_384 + b"\n")
    yield Case("5000-urls", b"".join(b"- https://e.org/%d\n" % n for n in range(5_000)))
    # a CSL note of 200,000 `author:` lines, each a name (a list copied per line was quadratic)
    note = "\n".join(f"author: Doe{n} || Jane" for n in range(200_000))
    yield Case("csl-note-200000-name-lines", json.dumps([{"id": "a", "type": "book", "note": note}]).encode())


def _pathological_markdown() -> Iterator[Case]:
    """Inputs on which a careless Markdown (or URL) scanner turns quadratic or worse; each is
    read in milliseconds by a linear one."""
    n = 20_000
    yield Case("md-link-openers", b"[a](" * n + b"https://e.org/\n", cli=True)
    yield Case("md-links-and-bare-urls", b"[a](https://e.org/) https://f.org/ " * n + b"\n")
    yield Case("md-open-brackets", b"[" * n + b"](https://e.org/\n", cli=True)
    yield Case("md-image-openers", b"![" * n + b"https://e.org/\n", cli=True)
    yield Case("md-emphasis", b"*a **a " * n + b"https://e.org/\n", cli=True)
    yield Case("md-backticks", b"`a" * n + b" https://e.org/\n", cli=True)
    yield Case("md-angle-brackets", b"<" * n + b"https://e.org/\n", cli=True)
    yield Case("md-url-closing-parens", b"https://e.org/" + b")" * (5 * n) + b"\n", cli=True)
    yield Case("md-url-in-parens", b"(" * n + b"https://e.org/" + b")" * n + b"\n", cli=True)
    yield Case("md-dollars", b"$$a" * n + b" https://e.org/\n", cli=True)
    yield Case("md-html-openers", b"<div>" * n + b"https://e.org/\n", cli=True)
    yield Case(
        "md-reference-definitions",
        b"".join(b"[r%d]: https://e.org/%d\n" % (i, i) for i in range(5_000)) + b"[r1][r2]" * n,
    )
    yield Case("md-fence-openers", b"```\n" * n + b"https://e.org/\n", cli=True)
    yield Case(
        "md-urls-alone-with-titles",
        b"".join(b"https://e.org/%d\ntitle %d\n\n" % (i, i) for i in range(5_000)),
    )


def _truncations() -> Iterator[Case]:
    """Every valid test file cut at two random bytes and at one character boundary."""
    for path in test_files():
        data = path.read_bytes()
        if len(data) < 2:
            continue
        rng = random.Random(path.name)
        cuts = sorted({rng.randrange(1, len(data)) for _ in range(2)})
        boundary = rng.randrange(1, len(data))
        while boundary > 1 and data[boundary] & 0xC0 == 0x80:  # not inside a UTF-8 character
            boundary -= 1
        label = path.relative_to(DATA).as_posix().replace("/", "-")
        for cut in sorted({*cuts, boundary}):
            yield Case(f"cut-{label}-at-{cut}", data[:cut])


def _regressions() -> Iterator[Case]:
    """Inputs that once broke a reader (fuzzing finds), kept as files."""
    if REGRESSIONS.is_dir():
        for path in sorted(REGRESSIONS.iterdir()):
            if path.is_file() and path.suffix != ".md":
                yield Case(f"regression-{path.name}", path.read_bytes(), cli=True)


def warm_up(names: list[str]) -> None:
    """Run each reader, and the command line, once in this process before the cases are
    forked from it: what they import or load lazily (PyYAML, the pinyin tables, the site
    registry) is then loaded once, not once per case."""
    from conftest import run_cli

    for name in names:
        for seed in seeds().values():
            with contextlib.suppress(Exception):  # a refusal, or a reader the cases will judge
                formats.get(name).read(seed, "warm-up")
    run_cli("records")


# --- what every case must end in (run in the sandboxed child) ---


@dataclass(frozen=True)
class Verdict:
    ending: str  # how the input ended: "3 records, 1 problem", "refused: …", "exit 1, …"
    violations: tuple[str, ...] = ()  # each a broken rule; none: the case passes


def read_verdict(fmt: str, data: bytes, name: str) -> Verdict:
    """Read `data` with the reader of `fmt` and judge the ending: records that the records
    writer can serialise (UTF-8, no lone surrogate, JSON-sized numbers), problems that are
    one `name:line: message` line, or an InputError that is one line naming `name`."""
    from refexport.errors import InputError

    try:
        result = formats.get(fmt).read(data, name)
    except InputError as error:
        text = str(error)
        broken = (
            [] if _one_line_about(text, name) else [f"refusal is not one line naming the input: {text!r}"]
        )
        return Verdict(f"refused: {text[:200]}", tuple(broken))
    violations = [
        f"problem is not one line naming the input: {str(p)!r}"
        for p in result.problems
        if p.file != name or not _one_line_about(str(p), name)
    ]
    violations += _unwritable(result.records)
    return Verdict(f"{len(result.records)} records, {len(result.problems)} problems", tuple(violations[:10]))


# What must not reach stderr raw from an input (a report must stay one line and must not
# drive the terminal): C0 controls but tab, DEL, C1 controls, the Unicode line separators.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def _one_line_about(text: str, name: str) -> bool:
    return text.startswith(name) and _CONTROL.search(text) is None


def _unwritable(records: list[Any]) -> list[str]:
    """Why the records writer (the model's lossless JSON form) could not write these records
    as UTF-8, or which of them leaked a local file (an external entity)."""
    from refexport.formats import records as records_format

    broken: list[str] = []
    for number, record in enumerate(records):
        try:
            line = "".join(records_format.write([record], formats.WriteOptions()))
            line.encode("utf-8")
        except (TypeError, ValueError) as error:
            broken.append(f"record {number} cannot be written: {type(error).__name__}: {error}")
            continue
        if LEAK_MARKER in line:
            broken.append(f"record {number} holds a local file's contents (external entity): {line[:200]}")
    return broken[:5]


def cli_verdict(fmt: str, path: str) -> Verdict:
    """`refexport --catalog PATH --from FMT records` through the real entry point: exit 0 or 1
    with JSON Lines our records reader reads back whole (and every stderr line naming the
    input), or exit 2 with one line; never a traceback or an internal error."""
    from refexport.formats import records

    from conftest import run_cli

    run = run_cli("--catalog", path, "--from", fmt, "records")
    lines = run.stderr.splitlines()
    ending = f"exit {run.code}: {run.stderr[:200]!r}"
    violations: list[str] = []
    if run.code not in (0, 1, 2) or "Traceback" in run.stderr or "internal error" in run.stderr:
        violations.append(f"not a clean ending: exit {run.code}, stderr {run.stderr[-2000:]!r}")
    elif run.code == 2 and len(lines) != 1:
        violations.append(f"a refusal must be one line: {run.stderr!r}")
    violations += [
        f"stderr line does not name the input: {line!r}" for line in lines if not line.startswith(path)
    ][:3]
    if run.code in (0, 1):
        try:
            back = records.read(run.stdout.encode("utf-8"), "stdout")
        except Exception as error:
            violations.append(f"output does not read back: {type(error).__name__}: {error}")
        else:
            expected = sum(1 for line in run.stdout.split("\n") if line.strip())
            if back.problems or len(back.records) != expected:
                violations.append(f"output does not read back whole: {[str(p) for p in back.problems[:3]]}")
            violations += _unwritable(back.records)
    return Verdict(ending, tuple(violations))


def main(folder: str) -> None:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for case in cases():
        (out / case.name).write_bytes(case.data)
    print(f"{len(cases())} cases in {out}")


if __name__ == "__main__":
    main(sys.argv[1])
