"""Shared test helpers: where test data lives, real-client tools, sample records."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from refexport.model import Date, Name, Origin, PartialDate, Record

TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"
# The shared corpus sits beside the repository on developer machines and in CI; tests
# that sweep it skip when it is absent (a user's clone), never fail.
SHARED_CORPUS = TESTS.parent.parent / "shared" / "corpus"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests that use Zotero's translators run on one pytest-xdist worker (`--dist
    loadgroup`), so that one `zotero-translate serve` (3 s to start) serves them all."""
    for item in items:
        if "zotero_translate" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("zotero-translators"))


@pytest.fixture(autouse=True, scope="session")
def _private_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the tests' key cache (and Zotero sync state) out of the user's ~/.cache."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str


def run_cli(*args: str, stdin: str | bytes | None = None) -> Run:
    """`refexport ARGS` in-process, through the real entry point (its error handling and exit
    statuses included), with stdin/stdout/stderr captured."""
    from click.testing import CliRunner

    from refexport.cli import main

    code: int | str | None = 0
    with CliRunner().isolation(input=stdin) as (out, err, _):
        try:
            main(list(args))
        except SystemExit as done:
            code = done.code
    assert isinstance(code, int), code
    return Run(code, out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8"))


def require_tool(name: str) -> str:
    """Path of a real client program. Missing: skip on a user's machine, fail in CI."""
    path = shutil.which(name)
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail(f"{name} must be installed in CI (see .ci/run)")
    pytest.skip(f"{name} is not installed")


ZOTERO_TRANSLATE = SHARED_CORPUS.parent / "tools" / "zotero-translators" / "zotero-translate"


class ZoteroTranslate:
    """Zotero's own import and export translators (`zotero-translate serve`): what Zotero
    desktop makes of a file we write, and what Zotero's exporters write from items."""

    def __init__(self, port: int, env: dict[str, str]) -> None:
        self.port = port
        self.env = env

    def _post(self, path: str, body: bytes, content_type: str) -> str:
        import urllib.error
        import urllib.request

        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", data=body, headers={"Content-Type": content_type}
        )
        try:
            with urllib.request.urlopen(request, timeout=300) as response:
                return response.read().decode("utf-8")  # type: ignore[no-any-return]
        except urllib.error.HTTPError as error:
            raise ZoteroTranslateError(
                f"HTTP {error.code}: {error.read().decode('utf-8', 'replace')}"
            ) from None

    def import_items(self, text: str) -> list[dict[str, Any]]:
        """The Zotero items (API JSON) Zotero's import makes of `text` (child notes included)."""
        import json

        return json.loads(self._post("/import", text.encode("utf-8"), "text/plain"))  # type: ignore[no-any-return]

    def export(self, fmt: str, items: list[dict[str, Any]]) -> str:
        """What Zotero's exporter `fmt` (bibtex, biblatex, csljson, ris, rdf_zotero, bookmarks …)
        writes for these items."""
        import json

        body = json.dumps(items, ensure_ascii=False).encode("utf-8")
        return self._post(f"/export?format={fmt}", body, "application/json")

    def collections(self, text: str) -> dict[str, Any]:
        """The collection tree Zotero's import builds from `text`."""
        import json
        import subprocess

        done = subprocess.run(
            [str(ZOTERO_TRANSLATE), "collections", "-"],
            input=text.encode("utf-8"),
            capture_output=True,
            env=self.env,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            raise ZoteroTranslateError(done.stderr.decode("utf-8", "replace"))
        return json.loads(done.stdout)  # type: ignore[no-any-return]


class ZoteroTranslateError(Exception):
    """Zotero's translators refused the input (e.g. "No suitable translators found")."""


@pytest.fixture(scope="session")
def zotero_translate() -> Iterator[ZoteroTranslate]:
    """One `zotero-translate serve` for the test session. Missing node or the tool: skip on
    a user's machine, fail in CI. Its npm cache lives in the real ~/.cache, so only the first
    run on a machine pays for `npm ci`."""
    import subprocess

    require_tool("node")
    if not ZOTERO_TRANSLATE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{ZOTERO_TRANSLATE} must exist in CI (../shared beside the clone)")
        pytest.skip("Zotero's translators (../shared/tools/zotero-translators) are not here")
    home_cache = (
        Path(os.environ.get("REFEXPORT_REAL_HOME", str(Path.home()))) / ".cache" / "zotero-translators"
    )
    env = {
        **os.environ,
        "ZOTERO_TRANSLATORS_CACHE": os.environ.get("ZOTERO_TRANSLATORS_CACHE", str(home_cache)),
    }
    server = subprocess.Popen(
        [str(ZOTERO_TRANSLATE), "serve"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        if not line.strip().isdigit():
            pytest.fail(f"zotero-translate serve did not start: {line!r}")
        yield ZoteroTranslate(int(line), env)
    finally:
        server.terminate()
        server.wait(30)


def require_pandoc_citeproc() -> None:
    """The engine of refexport.citeproc (pypandoc-binary's pandoc). Missing: skip, or fail in CI."""
    from refexport.citeproc import CiteError, pandoc_binary

    try:
        pandoc_binary()
    except CiteError:
        if os.environ.get("CI"):
            pytest.fail("pandoc (pip install '.[cite]') must be installed in CI")
        pytest.skip("pandoc is not installed")


def shared_corpus(folder: str) -> Path:
    path = SHARED_CORPUS / folder
    if not path.is_dir():
        pytest.skip(f"{path} is not here (only the copies in tests/data are)")
    return path


_FRIENDLY = {
    "title": "title",
    "url": "URL",
    "note": "note",
    "language": "language",
    "container": "container-title",
    "publisher": "publisher",
    "authors": "author",
    "issued": "issued",
    "accessed": "accessed",
}


def make_record(**fields: Any) -> Record:
    """A record from the names tests use most (`title`, `url`, `container`, `authors`,
    `issued` … as CSL variables; `PartialDate`s as dates; None and empty values left out)
    and the record's own fields (`key`, `type`, `tags`, `collection`, `origin` …)."""
    variables = {}
    for name, value in list(fields.items()):
        if name in _FRIENDLY:
            del fields[name]
            if isinstance(value, PartialDate):
                value = Date((value,))
            if value not in (None, "", []):
                variables[_FRIENDLY[name]] = value
    return Record(variables=variables, **fields)


def sample_records() -> list[Record]:
    """Hand-made records covering every kind of field and the awkward cases writers must survive."""
    return [
        Record(
            id="1f0c3a9e5b7d2c41",
            key="gaoxiao_daguimo_jiqixuexi-k3",
            type="webpage",
            variables={
                "title": "高效大规模机器学习训练，198页PDF带你概览领域前沿进展",
                "URL": "https://mp.weixin.qq.com/s/ai_XI8ddP5I2m3ChCqnQsA",
                "container-title": "微信公众号",
                "language": "zh-CN",
                "accessed": Date.of(2023, 6, 15),
            },
            collection=["并行 & 框架 & 优化（五）——参考资料", "并行 & 框架 & 优化"],
            tags=["DL acceleration"],
            origin=[
                Origin("2023-06-15-parallel_5.md", 11, "https://mp.weixin.qq.com/s/ai_XI8ddP5I2m3ChCqnQsA")
            ],
        ),
        Record(
            id="9a8b7c6d5e4f3a2b",
            key="meiyou_chun_sql-x9",
            type="post-weblog",
            variables={
                "title": "没错，纯SQL查询语句可以实现神经网络。{braces} 50% & #1 $x_1^2$ ~ \\LaTeX",
                "URL": "https://example.org/a_b%20c?q=1&r=2#frag",
                "author": [
                    Name(literal="机器之心"),
                    Name(family="Gogh", given="Vincent", non_dropping_particle="van", suffix="Jr."),
                ],
                "container-title": "Blog & Co",
                "publisher": "Pub_lisher",
                "language": "zh-CN",
                "issued": Date.of(2018, 3),
                "accessed": Date.of(2023, 6, 15),
                "note": "SQL跑神经网络固然没有太大意义，\n@misc{inject, title={x}}\n第二行",
            },
            tags=["sql", "neural networks"],
            collection=["Catalog", "并行 & 框架 & 优化", "Sub"],
            also_in=[["Catalog", "Other section"]],
            origin=[
                Origin("a.md", 3, "http://EXAMPLE.org:80/a_b%20c?q=1&r=2&utm_origin=x#frag"),
                Origin("b.md", 40, "https://example.org/a_b%20c?q=1&r=2#frag"),
            ],
            custom={"bibtex:groups": "Reading"},
        ),
        Record(
            id="0000aaaa1111bbbb",
            key="llm_inference_cookbook-2m",
            type="post",
            variables={
                "title": "LLM Inference CookBook",
                "URL": "https://zhuanlan.zhihu.com/p/619596323",
                "container-title": "知乎专栏",
                "language": "en",
            },
            collection=["Catalog"],
            origin=[Origin("c.md", 7, "https://zhuanlan.zhihu.com/p/619596323")],
        ),
        Record(
            id="2222cccc3333dddd",
            key="github_iovisor_bcc-7q",
            type="software",
            variables={
                "URL": "https://github.com/iovisor/bcc",
                "container-title": "GitHub",
                "language": "en",
            },
            collection=["Catalog", "Tools"],
            origin=[Origin("d.md", 1, "https://github.com/iovisor/bcc")],
        ),
        Record(
            id="3333eeee4444ffff",
            key="smith2020study",
            type="article-journal",
            variables={
                "title": (
                    'A study of Cu<sub>2</sub>O in <i>Nature</i>: the <span class="nocase">DNA</span> case'
                ),
                "author": [
                    Name(family="Smith", given="John"),
                    Name(family="Heuvel", given="Charles", dropping_particle="van den"),
                    Name(literal="World Health Organization"),
                    Name(family="张", given="三"),
                ],
                "editor": [Name(family="Doe", given="Jane")],
                "container-title": "Nature",
                "container-title-short": "Nat.",
                "volume": "581",
                "issue": "7",
                "page": "100-110",
                "DOI": "10.1038/xyz",
                "ISSN": "0028-0836",
                "issued": Date((PartialDate(2020, 5), PartialDate(2020, 6))),
                "URL": "https://doi.org/10.1038/xyz",
                "language": "en",
                "abstract": "We study things.",
            },
            collection=["Catalog", "Papers"],
            origin=[Origin("refs.bib", 1, None)],
        ),
    ]
