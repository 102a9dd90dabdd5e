"""URL canonicalisation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refexport.urls import canonical_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Example.COM:80/A_b?q=1#Frag", "http://example.com/A_b?q=1#Frag"),
        ("https://example.com:443/", "https://example.com/"),
        ("https://example.com:8443/", "https://example.com:8443/"),
        ("ftp://Mirrors.USTC.edu.cn:21/gnu/", "ftp://mirrors.ustc.edu.cn/gnu/"),
        ("https://x.org/a?utm_source=wx&b=2&UTM_Medium=m&fbclid=1&c=3", "https://x.org/a?b=2&c=3"),
        ("https://x.org/a?gclid=1&mc_cid=2&mc_eid=3", "https://x.org/a"),
        ("https://x.org/a?from=timeline&spm=1", "https://x.org/a?from=timeline&spm=1"),  # not well-known
        (
            "https://mp.weixin.qq.com/s?__biz=MzA3&mid=26&idx=1&sn=9f&chksm=84&scene=21&sharer_sharetime=1"
            "&sharer_shareid=a&srcid=0&key=k&uin=u&pass_ticket=p&lang=zh_CN#rd",
            "https://mp.weixin.qq.com/s?__biz=MzA3&mid=26&idx=1&sn=9f",
        ),
        (
            "https://mp.weixin.qq.com/s/lPm8S46l0cV5BRbTsUKgjg?",
            "https://mp.weixin.qq.com/s/lPm8S46l0cV5BRbTsUKgjg",
        ),
        (
            "https://other.org/page?lang=en#rd",
            "https://other.org/page?lang=en#rd",
        ),  # WeChat rules only on WeChat
        ("https://baike.baidu.com/item/图灵机", "https://baike.baidu.com/item/图灵机"),
        ("https://x.org/a%20b#", "https://x.org/a%20b"),
        (
            "http://en.wikipedia.org/wiki/Matrix_(mathematics)#Decomposition",
            "http://en.wikipedia.org/wiki/Matrix_(mathematics)#Decomposition",
        ),
        ("  https://x.org/  ", "https://x.org/"),
        ("http://User:Pw@Host.ORG:80/p", "http://User:Pw@host.org/p"),
        ("http://[::1]:80/a", "http://[::1]/a"),
        ("not a url ", "not a url"),
        ("", ""),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


urlish = st.one_of(
    st.text(),
    st.builds(
        lambda scheme, host, rest: f"{scheme}://{host}{rest}",
        st.sampled_from(["http", "HTTPS", "ftp", "git", "Http"]),
        st.text(st.characters(blacklist_characters="/?#"), max_size=20),
        st.lists(
            st.sampled_from([*"/?#&=:@._-aZ0é图 ", "utm_x=1", "scene=2", "#rd", ":80", ":443", "?", "#"]),
            max_size=12,
        ).map("".join),
    ),
)


@settings(max_examples=400, deadline=None)
@given(urlish)
def test_canonical_url_is_idempotent_and_never_raises(url: str) -> None:
    once = canonical_url(url)
    assert canonical_url(once) == once
