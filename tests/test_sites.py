"""The site registry and the script-based language guess."""

from __future__ import annotations

from pathlib import Path

import pytest

from refexport.errors import InputError
from refexport.model import CSL_TYPES
from refexport.resources import data_dir
from refexport.sites import Site, load_registry, lookup

_TOP_30 = """mp.weixin.qq.com zhuanlan.zhihu.com www.zhihu.com github.com blog.csdn.net www.cnblogs.com
www.sohu.com www.jianshu.com view.inews.qq.com new.qq.com news.ifeng.com www.163.com en.wikipedia.org
baijiahao.baidu.com kexue.fm pytorch.org wenku.baidu.com www.bilibili.com www.thepaper.cn www.ibm.com
blog.sina.com.cn web.stanford.edu cloud.tencent.com segmentfault.com www.runoob.com www.ruanyifeng.com
baike.baidu.com tensorflow.google.cn www.cs.cmu.edu mlir.llvm.org"""
TOP_30_HOSTS = _TOP_30.split()


def test_shipped_registry_is_valid_and_covers_the_top_hosts() -> None:
    registry = load_registry(data_dir() / "sites.yaml")
    for host in TOP_30_HOSTS:
        site = registry.lookup(f"https://{host}/some/page")
        assert site is not None and site.container and site.type in CSL_TYPES, host


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://mp.weixin.qq.com/s/ai_XI8ddP5I2m3ChCqnQsA", Site("微信公众号", "webpage", "zh-CN")),
        ("https://zhuanlan.zhihu.com/p/58806183", Site("知乎专栏", "post-weblog", "zh-CN")),
        ("https://www.zhihu.com/question/454589636", Site("知乎", "post", "zh-CN")),
        ("https://github.com/iovisor/bcc", Site("GitHub", "software", None)),
        ("https://github.com/iovisor/bcc/blob/master/README.md", Site("GitHub", "software", None)),
        ("https://github.com/topics/llm", Site("GitHub", "webpage", None)),
        ("https://GitHub.com:443", Site("GitHub", "webpage", None)),
        ("https://arxiv.org/abs/1706.03762", Site("arXiv", "article", "en")),
        ("https://en.wikipedia.org/wiki/Matrix_(mathematics)", Site("Wikipedia", "entry-encyclopedia", "en")),
        ("https://de.wikipedia.org/wiki/Matrix", Site("Wikipedia", "entry-encyclopedia", None)),  # wildcard
        ("https://baike.baidu.com/item/图灵机", Site("百度百科", "entry-encyclopedia", "zh-CN")),
        ("https://www.bilibili.com/video/BV1xx", Site("哔哩哔哩", "motion_picture", "zh-CN")),
    ],
)
def test_lookup_most_specific_wins(url: str, expected: Site) -> None:
    assert lookup(url) == expected


@pytest.mark.parametrize("url", ["https://unknown.example/", "not a url", "", "https://wikipedia.org/"])
def test_lookup_unknown_is_none(url: str) -> None:
    assert lookup(url) is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("sites:\n  - {host: a.org, type: blogpost}\n", "unknown CSL type 'blogpost'"),
        ("sites:\n  - {host: a.org, path: '(['}\n", "bad `path` pattern"),
        ("sites:\n  - {host: a.org, colour: red}\n", "unknown key(s) colour"),
        ("sites:\n  - {container: X}\n", "`host` must be a host name"),
        ("sites:\n  - {host: a.org, language: Chinese}\n", "BCP 47"),
        ("hosts: []\n", "`sites:` list"),
        ("sites: [\n", "cannot read"),
    ],
)
def test_bad_registry_is_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "sites.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_registry(path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)
