"""CSL rich text: the formatting tags CSL processors and Zotero read inside text variables
(`<i>`, `<b>`, `<sup>`, `<sub>`, `<sc>`, `<span class="nocase">`, `<span
style="font-variant:small-caps;">`). Every other character, `<` and `&` included, is text."""

from __future__ import annotations

import re

TAG = re.compile(
    r'</?(?:i|b|sup|sub|sc)>|<span (?:class="nocase"|style="font-variant: ?small-caps;?")>|</span>'
)


def plain(text: str) -> str:
    """`text` without its formatting tags: what a person reads."""
    return TAG.sub("", text) if "<" in text else text


def has_markup(text: str) -> bool:
    return "<" in text and TAG.search(text) is not None
