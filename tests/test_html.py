"""The catalog page: what the HTML holds, and (in headless Chromium) what a reader gets."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from refexport.catalog import load
from refexport.citeproc import entries
from refexport.formats.csl import items as csl_items
from refexport.formats.html import SECTION_SEPARATOR, site_of
from refexport.formats.html import page as write
from refexport.model import Date, Name, Record, Value

from conftest import require_pandoc_citeproc, require_tool, sample_records

pytestmark = pytest.mark.xdist_group("chromium")

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("REFEXPORT_ARTIFACTS", REPO / ".artifacts")) / "screenshots"


@pytest.fixture(scope="module", autouse=True)
def _engine() -> None:
    require_pandoc_citeproc()


def hostile_records() -> list[Record]:
    records = sample_records()
    records[0].title = "</script><script>window.pwned = 1</script> & <b>bold</b>"
    records[1].url = "javascript:window.pwned=2"
    return records


def many_records(count: int) -> list[Record]:
    """`count` records in three sections, two sites, two languages, with dates."""
    records = []
    for n in range(count):
        english = n % 3 == 0
        variables: dict[str, Value] = {
            "title": f"{'Guide to topic' if english else '主题文章'} {n}",
            "URL": f"https://{'blog.example.org' if n % 2 else 'zhuanlan.zhihu.com'}/p/{n}",
            "language": "en" if english else "zh-CN",
            "issued": Date.of(2020 + n % 3, 1 + n % 12),
            "accessed": Date.of(2024, 1 + n % 6, 1),
        }
        if n % 5 == 0:
            variables["author"] = [Name(literal="作者")]
        if n % 2 == 0:
            variables["container-title"] = "知乎专栏"
        records.append(
            Record(
                id=f"r{n:05d}",
                key=f"key-{n:05d}",
                type="webpage",
                variables=variables,
                tags=["even"] if n % 2 == 0 else ["odd"],
                collection=["Big", f"Part {n % 3}"],
            )
        )
    return records


def test_page_is_one_self_contained_file() -> None:
    page = write(load().records, "Catalog")
    assert not re.search(r"<(script|img|iframe|link)\b[^>]*\b(src|href)=", page)
    assert "@import" not in page and "url(" not in page
    assert page.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in page


def test_data_cannot_break_out_of_its_script_and_unsafe_links_are_dropped() -> None:
    page = write(hostile_records(), "Catalog")
    assert "</script><script>window.pwned" not in page
    assert '"javascript:' not in page  # never a link (the reference may print it as text)


def test_site_is_the_container_else_the_host() -> None:
    records = sample_records()
    assert site_of(records[0]) == "微信公众号"
    records[3].container = None
    assert site_of(records[3]) == "github.com"


# ---------------------------------------------------------------------------------------
# In the browser


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    require_tool("chromium")
    require_tool("chromedriver")
    if not os.environ.get("CI"):
        pytest.importorskip("selenium")
    from browser import chromium

    with chromium() as browser:
        yield browser


def open_page(driver: Any, tmp_path: Path, records: list[Record], title: str = "Catalog") -> None:
    page = tmp_path / "refs.html"
    page.write_text(write(records, title), encoding="utf-8")
    driver.get(page.as_uri())
    driver.find_element("id", "status")


def shown(driver: Any) -> int:
    return int(driver.execute_script("return document.querySelectorAll('#results .entry').length"))


def status(driver: Any) -> str:
    return str(driver.find_element("id", "status").text)


def choose(driver: Any, select_id: str, label_start: str) -> None:
    from selenium.webdriver.support.ui import Select

    select = Select(driver.find_element("id", select_id))
    for option in select.options:
        if option.text.startswith(label_start):
            select.select_by_visible_text(option.text)
            return
    raise AssertionError(f"no option {label_start!r} in #{select_id}")


def type_query(driver: Any, text: str) -> None:
    box = driver.find_element("id", "q")
    box.clear()
    box.send_keys(text)


def test_default_catalog_loads_without_errors_with_every_entry(driver: Any, tmp_path: Path) -> None:
    from browser import severe_console_messages

    records = load().records
    open_page(driver, tmp_path, records)
    assert severe_console_messages(driver) == []
    assert shown(driver) == len(records)
    titles = driver.execute_script(
        "return [...document.querySelectorAll('#results .entry .title')].map(e => e.textContent)"
    )
    assert titles == [r.title or r.url for r in records]
    assert driver.execute_script("return window.pwned") is None


def test_search_and_filters_give_the_expected_counts(driver: Any, tmp_path: Path) -> None:
    records = load().records
    open_page(driver, tmp_path, records)

    def expected(term: str) -> int:
        def text(r: Record) -> str:
            fields = [
                r.title,
                r.url,
                site_of(r),
                r.note,
                r.key,
                SECTION_SEPARATOR.join(r.collection),
                *r.tags,
            ]
            return "\n".join(f for f in fields if f).lower()

        return sum(1 for r in records if term.lower() in text(r))

    for term in ("分布式", "tensorflow", "zhuanlan"):
        type_query(driver, term)
        assert shown(driver) == expected(term) > 0, term
    type_query(driver, "no such words anywhere")
    assert shown(driver) == 0 and status(driver).startswith("显示 0 / 0")
    type_query(driver, "")
    choose(driver, "f-site", "知乎专栏")
    assert shown(driver) == sum(1 for r in records if r.container == "知乎专栏")
    choose(driver, "f-lang", "en")
    assert shown(driver) == sum(1 for r in records if r.container == "知乎专栏" and r.language == "en")
    driver.find_element("css selector", "button[type=reset]").click()
    time.sleep(0.05)
    assert shown(driver) == len(records)


def test_large_catalog_pages_filters_and_toc(driver: Any, tmp_path: Path) -> None:
    records = many_records(450)
    open_page(driver, tmp_path, records, "Big")
    assert shown(driver) == 200 and status(driver).startswith("显示 200 / 450")
    more = driver.find_element("id", "more")
    more.click()
    more.click()
    assert shown(driver) == 450 and not more.is_displayed()
    choose(driver, "f-tag", "odd")
    assert shown(driver) == 200 and status(driver).startswith("显示 200 / 225")
    choose(driver, "f-section", "Big › Part 1")
    assert shown(driver) == sum(1 for n in range(450) if n % 2 and n % 3 == 1)
    driver.find_element("css selector", "button[type=reset]").click()
    driver.find_element("css selector", '#toc a[data-section="2"]').click()
    assert shown(driver) == 150
    assert driver.execute_script("return document.activeElement.id") == "results"
    type_query(driver, "guide")  # English titles are those with n % 3 == 0: none in Part 2
    assert shown(driver) == 0
    type_query(driver, "主题文章 299")  # every word must occur, anywhere in the entry
    assert shown(driver) == 1
    type_query(driver, "主题文章 3000")
    assert shown(driver) == 0


def test_copy_buttons_put_the_reference_and_the_key_on_the_clipboard(driver: Any, tmp_path: Path) -> None:
    from browser import grant_clipboard

    records = load().records
    open_page(driver, tmp_path, records)
    grant_clipboard(driver)
    first = driver.find_element("css selector", "#results .entry")
    first.find_element("css selector", 'button[data-copy="ref"]').click()
    time.sleep(0.2)
    clipboard = driver.execute_async_script(
        "navigator.clipboard.readText().then(arguments[0], e => arguments[0]('ERROR ' + e))"
    )
    items = csl_items(records[:1])
    text = dict(entries(items, "gb-t-7714-2015-numeric", fmt="text", number=False))[items[0]["id"]]
    assert clipboard == text and "[EB/OL]" in text
    first.find_element("css selector", 'button[data-copy="key"]').click()
    time.sleep(0.2)
    assert driver.execute_async_script("navigator.clipboard.readText().then(arguments[0])") == records[0].key


def test_keyboard_and_screen_reader_structure(driver: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.keys import Keys

    open_page(driver, tmp_path, load().records)
    driver.find_element("tag name", "body").send_keys(Keys.TAB)
    assert driver.execute_script("return document.activeElement.className") == "skip"
    landmarks = driver.execute_script(
        "return ['header', 'nav', 'main', 'footer', 'form[role=search]']"
        ".map(s => document.querySelectorAll(s).length)"
    )
    assert landmarks == [1, 1, 1, 1, 1]
    unlabelled = driver.execute_script(
        "return [...document.querySelectorAll('input, select')].filter("
        "e => !document.querySelector('label[for=\"' + e.id + '\"]')).length"
    )
    assert unlabelled == 0
    assert driver.execute_script("return document.querySelectorAll('svg[role=img] desc').length") >= 1
    assert driver.find_element("id", "status").get_attribute("aria-live") == "polite"


def test_both_themes_render_and_screenshots(driver: Any, tmp_path: Path) -> None:
    """Light and dark follow prefers-color-scheme; the screenshots go to .artifacts/."""
    from browser import chromium, set_color_scheme

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    records = load().records
    open_page(driver, tmp_path, records, "并行 & 框架 & 优化（五）——参考资料")
    background = "return getComputedStyle(document.body).backgroundColor"
    set_color_scheme(driver, "light")
    assert driver.execute_script(background) == "rgb(253, 253, 252)"
    driver.save_screenshot(str(ARTIFACTS / "light.png"))
    set_color_scheme(driver, "dark")
    assert driver.execute_script(background) == "rgb(21, 23, 26)"
    driver.save_screenshot(str(ARTIFACTS / "dark.png"))
    set_color_scheme(driver, "light")
    with chromium(390, 844) as phone:
        phone.get((tmp_path / "refs.html").as_uri())
        assert phone.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
        phone.save_screenshot(str(ARTIFACTS / "phone.png"))
    assert all((ARTIFACTS / f"{name}.png").stat().st_size > 10_000 for name in ("light", "dark", "phone"))
