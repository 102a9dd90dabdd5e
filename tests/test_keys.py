from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refexport.keys import KeyCache, assign_keys, is_valid_key, key_words
from refexport.model import Date, Name, Record, Value, record_id
from refexport.workers import count


def _record(title: str | None, url: str, **variables: Value) -> Record:
    record = Record(id=record_id(url), variables=variables)
    record.title = title
    record.url = url
    return record


def _words(record: Record) -> str:
    return key_words(record, KeyCache(path=None))


def test_pinyin_reads_phrases_not_characters() -> None:
    assert _words(_record("重庆银行", "https://a.example/1")) == "chongqingyinhang"


def test_a_word_reads_as_pypinyin_reads_it_in_its_phrase_whatever_came_before() -> None:
    """Readings are remembered per word: a character read one way in one phrase (行 in 银行,
    重 in 重庆) is still read as pypinyin reads it in another phrase, before and after."""
    from pypinyin import lazy_pinyin

    titles = ["银行行走", "行走银行", "重庆重要", "重要重庆", "长城长大", "长大长城", "银行行走"]
    assert [_words(_record(t, f"https://a.example/{i}")) for i, t in enumerate(titles)] == [
        "".join(lazy_pinyin(t)) for t in titles
    ]
    assert _words(_record("银行行走", "https://a.example/x")) == "yinhangxingzou"


def test_english_words_skip_stop_words_and_fold_accents() -> None:
    assert _words(_record("The Art of Müller's Parsing", "https://a.example/2")) == "art_muller_s_parsing"


def test_author_and_year_are_part_of_the_key() -> None:
    record = _record(
        "大模型推理加速", "https://a.example/3", author=[Name(literal="张三")], issued=Date.of(2023, 6)
    )
    assert _words(record) == "zhangsan_damoxingtuilijiasu_2023"


def test_untitled_record_is_named_after_its_url() -> None:
    assert _words(_record(None, "https://github.com/iovisor/bcc")) == "github_iovisor_bcc"


def test_keys_are_ascii_and_unique_case_insensitively() -> None:
    records = [_record("同一个标题", f"https://a.example/{i}") for i in range(200)]
    records.append(
        Record(
            id=record_id("https://b.example"), key="Tongyigebiaoti-AB", variables={"URL": "https://b.example"}
        )
    )
    assign_keys(records)
    keys = [r.key for r in records]
    assert all(is_valid_key(k) and k.isascii() for k in keys)
    assert len({k.lower() for k in keys}) == len(keys)
    assert records[-1].key == "Tongyigebiaoti-AB"  # a key the input brought is kept


def test_clashing_input_keys_get_a_suffix_the_first_keeps_its_key() -> None:
    first = Record(id=record_id("https://a.example/1"), key="smith2020")
    second = Record(id=record_id("https://a.example/2"), key="Smith2020")
    renamed = assign_keys([first, second])
    assert first.key == "smith2020"
    assert second.key.startswith("Smith2020-") and second.key.lower() != "smith2020"
    assert renamed == [(second, "Smith2020")]


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.sampled_from(["同一个标题", "LLM Inference", "重庆", "x"]), min_size=2, max_size=30),
    st.data(),
)
def test_adding_or_removing_records_never_changes_an_existing_key(
    titles: list[str], data: st.DataObject
) -> None:
    def fresh() -> list[Record]:
        return [_record(t, f"https://a.example/{i}") for i, t in enumerate(titles)]

    everything = fresh()
    assign_keys(everything)
    keep = data.draw(st.sets(st.integers(0, len(titles) - 1), min_size=1))
    subset = [r for i, r in enumerate(fresh()) if i in keep]
    assign_keys(subset)
    full_keys = {r.id: r.key for r in everything}
    assert all(full_keys[r.id] == r.key for r in subset)


def test_cache_survives_a_new_process_and_ignores_damage(tmp_path: Path) -> None:
    path = tmp_path / "keys.sqlite"
    cache = KeyCache(path)
    word = cache.romanise("机器学习", 8)
    cache.save()
    assert word == ["ji", "qi", "xue", "xi"]
    with sqlite3.connect(path) as db:
        rows = db.execute(f"SELECT k, v FROM {KeyCache.TABLE}").fetchall()
    assert rows == [("8:机器学习", "ji qi xue xi")]
    path.write_bytes(b"this is not a database" * 100)
    again = KeyCache(path)
    assert again.romanise("机器学习", 8) == word  # recomputed
    again.save()
    reopened = KeyCache(path)
    reopened.prefetch(["8:机器学习"])
    assert reopened.known("8:机器学习") == "ji qi xue xi"  # and the file is usable again


def test_the_cache_is_bounded_and_keeps_what_was_used_recently(tmp_path: Path) -> None:
    path = tmp_path / "keys.sqlite"
    old = KeyCache(path, today=100)
    old.max_rows = 10
    for n in range(8):
        old.memoised(f"old-{n}", lambda n=n: f"v{n}")
    old.save()
    reused = KeyCache(path, today=200)
    reused.prefetch(["old-0"])  # used again on a later day: kept
    reused.save()
    new = KeyCache(path, today=300)
    new.max_rows = 10
    for n in range(6):
        new.memoised(f"new-{n}", lambda n=n: f"w{n}")
    new.save()
    with sqlite3.connect(path) as db:
        kept = {k for (k,) in db.execute(f"SELECT k FROM {KeyCache.TABLE}")}
    assert len(kept) <= 10
    assert "old-0" in kept and {f"new-{n}" for n in range(6)} <= kept
    assert not {"old-1", "old-2", "old-3", "old-4"} & kept


def test_keys_are_the_same_with_and_without_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def keys() -> list[str]:
        titles = ["重庆银行", "LLM Inference", "x"]
        records = [_record(t, f"https://a.example/{i}") for i, t in enumerate(titles)]
        assign_keys(records)
        return [r.key for r in records]

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cold, warm = keys(), keys()
    monkeypatch.setenv("REFEXPORT_NO_CACHE", "1")
    assert cold == warm == keys()
    assert (tmp_path / "refexport" / "keys.sqlite").is_file()


def test_a_large_first_run_gives_the_keys_small_ones_give(monkeypatch: pytest.MonkeyPatch) -> None:
    """Thousands of new Han titles are romanised in parallel processes; a catalog of a few
    hundred one by one: the keys are the same (the words; suffixes depend on the set)."""
    monkeypatch.setenv("REFEXPORT_NO_CACHE", "1")
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))  # idle cores, whatever else runs
    assert count(True, None) >= 1  # so the large run does use workers
    han = [chr(0x4E00 + step * 37) for step in range(500)]  # CJK Unified Ideographs
    titles = [
        "".join((han[i % 500], han[i // 500], han[(i * 7) % 500], han[(i * 13) % 500])) for i in range(6000)
    ]
    assert len(set(titles)) == 6000  # thousands of runs to romanise: enough for workers
    records = [_record(t, f"https://a.example/{i}") for i, t in enumerate(titles)]
    assign_keys(records)
    alone = [_record(t, f"https://a.example/{i}") for i, t in enumerate(titles)]
    for start in range(0, len(alone), 500):
        assign_keys(alone[start : start + 500])
    assert [r.key.rsplit("-", 1)[0] for r in records] == [r.key.rsplit("-", 1)[0] for r in alone]
