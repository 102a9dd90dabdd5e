"""Normalisation fills what is missing and never overwrites."""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from refexport.model import Origin
from refexport.normalize import normalise

from conftest import make_record, sample_records


def test_catalog_record_gets_canonical_url_container_type_and_language() -> None:
    written = "https://mp.weixin.qq.com/s?__biz=Mz&mid=1&idx=1&sn=ab&scene=21#rd"
    record = make_record(title="高效大规模机器学习训练", url=written, origin=[Origin("a.md", 3, written)])
    normalise(record)
    assert record.url == "https://mp.weixin.qq.com/s?__biz=Mz&mid=1&idx=1&sn=ab"
    assert record.origin == [Origin("a.md", 3, written)]
    assert (record.container, record.type, record.language) == ("微信公众号", "webpage", "zh-CN")


def test_type_comes_from_the_site_only_for_catalog_records() -> None:
    catalog = make_record(title="bcc", url="https://github.com/iovisor/bcc")
    normalise(catalog)
    assert (catalog.type, catalog.container, catalog.language) == ("software", "GitHub", "en")
    keyed = make_record(key="bcc2020", title="bcc", url="https://github.com/iovisor/bcc")
    normalise(keyed)
    assert keyed.type == "webpage"  # a bibliography said webpage on purpose


def test_title_script_beats_the_site_hint_and_site_hint_fills_untitled() -> None:
    english = make_record(title="LLM Inference CookBook", url="https://zhuanlan.zhihu.com/p/619596323")
    normalise(english)
    assert (english.language, english.type) == ("en", "post-weblog")
    untitled = make_record(url="https://zhuanlan.zhihu.com/p/1")
    normalise(untitled)
    assert untitled.language == "zh-CN"
    unknown = make_record(url="https://unknown.example/x")
    normalise(unknown)
    assert (unknown.container, unknown.type, unknown.language) == (None, "webpage", None)


def test_never_overwrites_and_is_idempotent_on_rich_records() -> None:
    for original in sample_records():
        record = copy.deepcopy(original)
        normalise(record)
        assert (record.type, record.key, record.id, record.origin) == (
            original.type,
            original.key,
            original.id,
            original.origin,
        )
        assert record.variables == original.variables  # every one already set and canonical
        once = copy.deepcopy(record)
        normalise(record)
        assert record == once


@settings(max_examples=100, deadline=None)
@given(
    st.text(max_size=40),
    st.sampled_from(["https://mp.weixin.qq.com/s/x?scene=1#rd", "HTTP://GitHub.com/a/b", "x"]),
)
def test_normalise_is_idempotent(title: str, url: str) -> None:
    record = make_record(title=title or None, url=url)
    normalise(record)
    once = copy.deepcopy(record)
    normalise(record)
    assert record == once
