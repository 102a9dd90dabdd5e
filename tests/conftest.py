"""Shared test helpers: where test data lives, real-client tools, sample records."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from refexport.model import Name, PartialDate, Record, Source

TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"
# The shared corpus sits beside the repository on developer machines and in CI; tests
# that sweep it skip when it is absent (a user's clone), never fail.
SHARED_CORPUS = TESTS.parent.parent / "shared" / "corpus"


@pytest.fixture(autouse=True, scope="session")
def _private_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the tests' key cache (and Zotero sync state) out of the user's ~/.cache."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))


def require_tool(name: str) -> str:
    """Path of a real client program. Missing: skip on a user's machine, fail in CI."""
    path = shutil.which(name)
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail(f"{name} must be installed in CI (see .ci/run)")
    pytest.skip(f"{name} is not installed")


def require_pandoc_citeproc() -> None:
    """The engine of refexport.cite (pypandoc-binary's pandoc). Missing: skip, or fail in CI."""
    from refexport.cite import CiteError, pandoc_binary

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


def sample_records() -> list[Record]:
    """Hand-made records covering every field and the awkward cases writers must survive."""
    return [
        Record(
            id="1f0c3a9e5b7d2c41",
            key="gaoxiao_daguimo_jiqixuexi-k3",
            type="webpage",
            title="高效大规模机器学习训练，198页PDF带你概览领域前沿进展",
            url="https://mp.weixin.qq.com/s/ai_XI8ddP5I2m3ChCqnQsA",
            container="微信公众号",
            language="zh-CN",
            accessed=PartialDate(2023, 6, 15),
            collection=["并行 & 框架 & 优化（五）——参考资料", "并行 & 框架 & 优化"],
            tags=["DL acceleration"],
            source=[
                Source("2023-06-15-parallel_5.md", 11, "https://mp.weixin.qq.com/s/ai_XI8ddP5I2m3ChCqnQsA")
            ],
        ),
        Record(
            id="9a8b7c6d5e4f3a2b",
            key="meiyou_chun_sql-x9",
            type="post-weblog",
            title="没错，纯SQL查询语句可以实现神经网络。{braces} 50% & #1 $x_1^2$ ~ \\LaTeX",
            url="https://example.org/a_b%20c?q=1&r=2#frag",
            authors=[Name(literal="机器之心"), Name(family="van Gogh", given="Vincent", suffix="Jr.")],
            container="Blog & Co",
            publisher="Pub_lisher",
            language="zh-CN",
            issued=PartialDate(2018, 3),
            accessed=PartialDate(2023, 6, 15),
            note="SQL跑神经网络固然没有太大意义，\n@misc{inject, title={x}}\n第二行",
            tags=["sql", "neural networks"],
            collection=["Catalog", "并行 & 框架 & 优化", "Sub"],
            also_in=[["Catalog", "Other section"]],
            source=[
                Source("a.md", 3, "http://EXAMPLE.org:80/a_b%20c?q=1&r=2&utm_source=x#frag"),
                Source("b.md", 40, "https://example.org/a_b%20c?q=1&r=2#frag"),
            ],
            extra={"bibtex:journal": "Some Journal", "csl:volume": "12"},
        ),
        Record(
            id="0000aaaa1111bbbb",
            key="llm_inference_cookbook-2m",
            type="post",
            title="LLM Inference CookBook",
            url="https://zhuanlan.zhihu.com/p/619596323",
            container="知乎专栏",
            language="en",
            collection=["Catalog"],
            source=[Source("c.md", 7, "https://zhuanlan.zhihu.com/p/619596323")],
        ),
        Record(
            id="2222cccc3333dddd",
            key="github_iovisor_bcc-7q",
            type="software",
            title=None,
            url="https://github.com/iovisor/bcc",
            container="GitHub",
            language="en",
            collection=["Catalog", "Tools"],
            source=[Source("d.md", 1, "https://github.com/iovisor/bcc")],
        ),
    ]
