"""HTML: the catalog as one self-contained page people browse, search and cite from.

One file, no external requests (works from `file://`): the entries travel as compact JSON
inside the page and a small script (data/html/page.js) searches, filters and lists them a
page at a time, so 25,000 entries stay fast; the style sheet (data/html/page.css) gives light
and dark themes, a print layout and a phone layout. The charts are SVG drawn here. Each entry
carries its formatted reference (refexport.citeproc, in one CSL style) with copy buttons.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from html import escape
from typing import Any
from urllib.parse import urlsplit

from refexport.citeproc import DEFAULT_STYLE, entries
from refexport.formats import WriteOptions
from refexport.formats.csl import items as csl_items
from refexport.model import Date, Record
from refexport.resources import data_dir

SECTION_SEPARATOR = " › "
_SAFE_SCHEMES = ("http", "https", "ftp", "mailto")
_TOP_SITES = 12

# Interface text by the page's language (the catalog's most common one).
LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "skip": "跳到条目",
        "entries": "条",
        "sections": "目录",
        "overview": "概览",
        "per_site": "各站点条目数",
        "per_month": "每月条目数",
        "issued": "发布",
        "accessed": "访问",
        "no_dates": "本目录没有日期。",
        "others": "其他",
        "search": "搜索",
        "placeholder": "标题、站点、笔记、标签……",
        "section": "章节",
        "site": "站点",
        "tag": "标签",
        "lang": "语言",
        "all": "全部",
        "clear": "清除",
        "more": "显示更多",
        "status": "显示 {shown} / {matches} 条（共 {total} 条）",
        "copyRef": "复制参考文献",
        "copyKey": "复制引用键",
        "copied": "已复制",
        "copyFailed": "复制失败",
        "tags": "标签",
        "nojs": "搜索与筛选需要 JavaScript。",
        "style": "参考文献格式",
        "no_section": "（无章节）",
    },
    "en": {
        "skip": "Skip to entries",
        "entries": "entries",
        "sections": "Sections",
        "overview": "Overview",
        "per_site": "Entries per site",
        "per_month": "Entries per month",
        "issued": "published",
        "accessed": "accessed",
        "no_dates": "No dates in this catalog.",
        "others": "others",
        "search": "Search",
        "placeholder": "title, site, note, tag…",
        "section": "Section",
        "site": "Site",
        "tag": "Tag",
        "lang": "Language",
        "all": "All",
        "clear": "Clear",
        "more": "Show more",
        "status": "Showing {shown} of {matches} matching entries ({total} in all)",
        "copyRef": "Copy reference",
        "copyKey": "Copy key",
        "copied": "Copied",
        "copyFailed": "Copy failed",
        "tags": "Tags",
        "nojs": "Search and filters need JavaScript.",
        "style": "References in",
        "no_section": "(no section)",
    },
}


def write(records: Sequence[Record], options: WriteOptions) -> Iterator[str]:
    """The page in the `style` option's references (refexport.citeproc.CiteError when they
    cannot be formatted)."""
    yield page(records, options.title, options.get("style", DEFAULT_STYLE))


def page(records: Sequence[Record], title: str | None = None, style: str = DEFAULT_STYLE) -> str:
    items = csl_items(records, stash=False)
    references = dict(entries(items, style, fmt="html", number=False))
    languages = [str(item.get("language") or "") for item in items]
    page_language = _page_language(languages)
    labels = LABELS["zh" if page_language.startswith("zh") else "en"]
    data = _data(records, items, references, languages, labels)
    title = title or "refexport"
    body = "\n".join(
        [
            f'<a class="skip" href="#results">{escape(labels["skip"])}</a>',
            '<div class="layout">',
            _header(title, len(records), labels),
            _toc(data["sections"], [e[7] for e in data["entries"]], labels),
            '<main id="main">',
            _overview(records, labels),
            _filters(data, labels),
            '<p id="status" role="status" aria-live="polite"></p>',
            f'<noscript><p class="nojs">{escape(labels["nojs"])}</p></noscript>',
            '<div id="results" tabindex="-1"></div>',
            f'<button type="button" id="more" hidden>{escape(labels["more"])}</button>',
            '<p id="announce" class="visually-hidden" aria-live="assertive"></p>',
            "</main>",
            _footer(style, labels),
            "</div>",
            f'<script type="application/json" id="refexport-data">{_script_json(data)}</script>',
            f"<script>{(data_dir() / 'html' / 'page.js').read_text(encoding='utf-8')}</script>",
        ]
    )
    css = (data_dir() / "html" / "page.css").read_text(encoding="utf-8")
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(page_language)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="refexport">\n'
        f"<title>{escape(title)}</title>\n<style>{css}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def _page_language(languages: list[str]) -> str:
    counts = Counter(lang for lang in languages if lang)
    return counts.most_common(1)[0][0] if counts else "en"


def _data(
    records: Sequence[Record],
    items: list[dict[str, Any]],
    references: dict[str, str],
    languages: list[str],
    labels: dict[str, str],
) -> dict[str, Any]:
    """Tables of sections, sites, tags and languages, and one compact array per entry."""
    tables: dict[str, dict[str, int]] = {"sections": {}, "sites": {}, "tags": {}, "langs": {}}

    def index(table: str, value: str) -> int:
        return tables[table].setdefault(value, len(tables[table]))

    rows = []
    for record, item, language in zip(records, items, languages, strict=True):
        site = site_of(record)
        section = SECTION_SEPARATOR.join(record.collection) or labels["no_section"]
        rows.append(
            [
                record.title or record.url or record.key,
                _safe_url(record.url),
                index("sites", site) if site else -1,
                _date_text(record.issued),
                _date_text(record.accessed),
                record.note or "",
                [index("tags", tag) for tag in record.tags],
                index("sections", section),
                index("langs", language),
                item["id"],
                references.get(item["id"], ""),
            ]
        )
    ui = {
        key: labels[key]
        for key in ("accessed", "copyRef", "copyKey", "copied", "copyFailed", "tags", "status")
    }
    return {**{name: list(values) for name, values in tables.items()}, "entries": rows, "labels": ui}


def site_of(record: Record) -> str | None:
    """Where an entry was published: its container (account, column, site name), else the
    URL's host without `www.`."""
    if record.container:
        return record.container
    if record.url:
        host = urlsplit(record.url).hostname or ""
        return host.removeprefix("www.") or None
    return None


def _safe_url(url: str | None) -> str:
    """Only links a reader can follow safely (no `javascript:` or `data:` URLs)."""
    if url and urlsplit(url).scheme.lower() in _SAFE_SCHEMES:
        return url
    return ""


def _script_json(data: dict[str, Any]) -> str:
    """JSON that cannot end its <script> element early (`</` is written `<\\/`)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def _header(title: str, count: int, labels: dict[str, str]) -> str:
    return f'<header class="site"><h1>{escape(title)}</h1><p>{count} {escape(labels["entries"])}</p></header>'


def _toc(sections: list[str], entry_sections: list[int], labels: dict[str, str]) -> str:
    counts = Counter(entry_sections)
    rows = "".join(
        f'<li><a href="#results" data-section="{n}">{escape(name)}</a>'
        f'<span class="count">{counts[n]}</span></li>'
        for n, name in enumerate(sections)
    )
    heading = f'<h2 id="toc-h">{escape(labels["sections"])}</h2>'
    return f'<nav class="toc" aria-labelledby="toc-h">{heading}<ol id="toc">{rows}</ol></nav>'


def _filters(data: dict[str, Any], labels: dict[str, str]) -> str:
    rows = data["entries"]
    counts = {
        "section": Counter(r[7] for r in rows),
        "site": Counter(r[2] for r in rows),
        "tag": Counter(t for r in rows for t in r[6]),
        "lang": Counter(r[8] for r in rows),
    }
    tables = {"section": data["sections"], "site": data["sites"], "tag": data["tags"], "lang": data["langs"]}
    fields = [
        '<div class="query">'
        f'<label for="q">{escape(labels["search"])}</label>'
        '<input type="search" id="q" name="q" autocomplete="off" '
        f'placeholder="{escape(labels["placeholder"])}">'
        "</div>"
    ]
    for name, table in tables.items():
        # the commonest first in site and tag lists; sections and languages in catalog order
        order = (
            sorted(range(len(table)), key=lambda n: -counts[name][n])
            if name in ("site", "tag")
            else range(len(table))
        )
        options = "".join(
            f'<option value="{n}">{escape(table[n])} ({counts[name][n]})</option>' for n in order
        )
        fields.append(
            f'<div><label for="f-{name}">{escape(labels[name])}</label>'
            f'<select id="f-{name}" name="{name}"><option value="">{escape(labels["all"])}</option>'
            f"{options}</select></div>"
        )
    fields.append(f'<button type="reset">{escape(labels["clear"])}</button>')
    return f'<search><form id="filters" class="filters" role="search">{"".join(fields)}</form></search>'


def _overview(records: Sequence[Record], labels: dict[str, str]) -> str:
    from refexport.formats.html.charts import month_chart, site_chart

    sites = Counter(site_of(r) or labels["others"] for r in records)
    issued = Counter(month for r in records if r.issued and (month := _month(r.issued)))
    accessed = Counter(month for r in records if r.accessed and (month := _month(r.accessed)))
    return (
        f'<section class="overview" aria-labelledby="overview-h"><h2 id="overview-h" class="visually-hidden">'
        f"{escape(labels['overview'])}</h2>"
        f"{site_chart(sites, labels, _TOP_SITES)}{month_chart(issued, accessed, labels)}</section>"
    )


def _date_text(date: Date | None) -> str:
    if date is None:
        return ""
    return date.iso() or date.literal or str(date.year or "")


def _month(date: Date) -> str | None:
    """`2023-06` for a date with a known month (the start of a range)."""
    start = date.start
    return start.iso()[:7] if start is not None and start.month is not None and start.year > 0 else None


def _footer(style: str, labels: dict[str, str]) -> str:
    from refexport.citeproc import style_file, style_title

    name = escape(style_title(style_file(style)))
    return (
        f"<footer><p>{escape(labels['style'])}: {name}. CSL styles and locales: "
        '<a href="https://citationstyles.org/">Citation Style Language</a> project, CC BY-SA 3.0. '
        "Made by refexport.</p></footer>"
    )
