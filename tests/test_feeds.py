"""The feed registry (data/feeds.yaml) and derive_feed."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from refexport.formats.opml.feeds import Feed, RegistryError, derive_feed, load_registry, match_rule

BASE = "https://rsshub.example.org"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://github.com/iovisor/bcc",
            Feed(
                "https://github.com/iovisor/bcc/releases.atom",
                "https://github.com/iovisor/bcc",
                "GitHub iovisor/bcc releases",
            ),
        ),
        (
            "https://github.com/openmlsys/openmlsys-zh.git",
            Feed(
                "https://github.com/openmlsys/openmlsys-zh/releases.atom",
                "https://github.com/openmlsys/openmlsys-zh",
                "GitHub openmlsys/openmlsys-zh releases",
            ),
        ),
        (
            "https://github.com/pytorch/pytorch/blob/main/README.md#x",
            Feed(
                "https://github.com/pytorch/pytorch/releases.atom",
                "https://github.com/pytorch/pytorch",
                "GitHub pytorch/pytorch releases",
            ),
        ),
        (
            "https://blog.csdn.net/some_user/article/details/123",
            Feed(
                "https://blog.csdn.net/some_user/rss/list",
                "https://blog.csdn.net/some_user",
                "CSDN some_user",
            ),
        ),
        (
            "https://www.cnblogs.com/abc/p/123.html",
            Feed("https://www.cnblogs.com/abc/rss", "https://www.cnblogs.com/abc", "博客园 abc"),
        ),
        (
            "HTTP://BLOG.SINA.COM.CN/aoizp",
            Feed("http://blog.sina.com.cn/rss/aoizp.xml", "http://blog.sina.com.cn/aoizp", "新浪博客 aoizp"),
        ),
    ],
)
def test_native_feeds_need_no_feed_base(url: str, expected: Feed) -> None:
    assert derive_feed(url, None) == expected
    assert derive_feed(url, BASE) == expected  # a feed base never replaces a native feed


@pytest.mark.parametrize(
    ("url", "route"),
    [
        ("https://zhuanlan.zhihu.com/googledevelopers", "/zhihu/zhuanlan/googledevelopers"),
        ("https://www.zhihu.com/question/454589636", "/zhihu/question/454589636"),
        ("https://www.zhihu.com/question/454589636/answer/1", "/zhihu/question/454589636"),
        ("https://www.zhihu.com/people/someone", "/zhihu/people/activities/someone"),
        ("https://www.jianshu.com/u/abc123", "/jianshu/user/abc123"),
        ("https://space.bilibili.com/39089748", "/bilibili/user/video/39089748"),
    ],
)
def test_routes_only_with_a_feed_base(url: str, route: str) -> None:
    assert derive_feed(url, None) is None
    feed = derive_feed(url, BASE + "/")
    assert feed is not None
    assert feed.xml_url == BASE + route
    assert feed.html_url.startswith("https://")


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("https://mp.weixin.qq.com/s/ai_XI8ddP5I2m3ChCqnQsA", "wechat"),
        ("https://mp.weixin.qq.com/s?__biz=MzI4&mid=2247&idx=1", "wechat"),
        ("https://zhuanlan.zhihu.com/p/619596323", "zhihu-column-article"),
        ("https://www.jianshu.com/p/0123abcd", "jianshu-article"),
        ("http://blog.sina.com.cn/s/blog_81f72ca70101kuk9.html", "sina-blog-article"),
        ("https://openmlsys.github.io", "openmlsys"),
        ("http://engineering.skymind.io/distributed-deep-learning-part-1", "skymind"),
    ],
)
def test_sources_without_feeds_are_recognised_and_skipped(url: str, rule: str) -> None:
    found = match_rule(url)
    assert found is not None and found[0].name == rule and found[0].none
    assert derive_feed(url, BASE) is None


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/topics/machine-learning",
        "https://github.com/iovisor",  # an account, not a repository
        "https://example.org/blog/post",  # unknown site: nothing guessed
        "https://someone.github.io/2020/01/01/post.html",
        "ftp://github.com/iovisor/bcc",
        "not a url",
        "http://[::1",  # urlsplit raises ValueError
        "",
    ],
)
def test_no_feed_for_unknown_or_unsuitable_urls(url: str) -> None:
    assert derive_feed(url, BASE) is None


def test_bundled_registry_templates_only_use_their_groups() -> None:
    rules = load_registry()
    assert len({rule.name for rule in rules}) == len(rules)
    for rule in rules:
        groups = set(rule.path.groupindex)
        assert sum(bool(kind) for kind in (rule.feed, rule.route, rule.none)) == 1, rule.name
        for template in (rule.feed, rule.route, rule.html, rule.title):
            fields = {name for _, name, _, _ in string.Formatter().parse(template or "") if name}
            assert fields <= groups, (rule.name, template)
        if rule.route:
            assert rule.route.startswith("/"), rule.name


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rules: {}", "top-level `rules:` list"),
        ("rules:\n  - name: x\n    path: '/'\n    feed: 'https://a'\n", "`host`"),
        ("rules:\n  - name: x\n    host: a.example\n    feed: 'https://a'\n    none: why\n", "exactly one"),
        ("rules:\n  - name: x\n    host: a.example\n    path: '('\n    feed: 'https://a'\n", "bad `path`"),
    ],
)
def test_malformed_registry_names_file_and_rule(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RegistryError) as caught:
        load_registry(path)
    assert str(path) in str(caught.value) and message in str(caught.value)


def test_custom_registry_is_used(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(
        "rules:\n  - name: mine\n    host: blog.example\n    path: '/(?P<user>\\w+)/'\n"
        "    feed: 'https://blog.example/{user}/atom.xml'\n    title: 'Blog {user}'\n",
        encoding="utf-8",
    )
    feed = derive_feed("https://blog.example/ann/post-1", None, load_registry(path))
    assert feed == Feed("https://blog.example/ann/atom.xml", "https://blog.example/ann/post-1", "Blog ann")
