"""Writing systems: the one Han character class, CJK detection and the language a title's
script implies."""

from __future__ import annotations

import re

# Han ideographs (Unicode script Han): CJK radicals, 々〇〡-〩〸-〻, Extension A, the URO,
# compatibility ideographs and the supplementary planes' extensions B–H.
HAN = (
    "\u2e80-\u2fdf\u3005\u3007\u3021-\u3029\u3038-\u303b\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\U00020000-\U0003ffff"
)
KANA = "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9d"
HANGUL = "\uac00-\ud7af\u1100-\u11ff\u3130-\u318f"
CJK = HAN + KANA + HANGUL

_KANA = re.compile(f"[{KANA}]")
_HANGUL = re.compile(f"[{HANGUL}]")
_HAN = re.compile(f"[{HAN}]")
_CJK = re.compile(f"[{CJK}]")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_ASCII_LETTER = re.compile("[A-Za-z\uff21-\uff3a\uff41-\uff5a]")  # full-width Latin (Ｘ) is Latin
_OTHER_LATIN = re.compile("[\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u00aa\u00b5\u00ba]")


def has_han(text: str) -> bool:
    return _HAN.search(text) is not None


def has_cjk(text: str) -> bool:
    """Han, kana or hangul anywhere in `text` (a CJK name is kept whole, not split)."""
    return _CJK.search(text) is not None


def language_of_text(text: str) -> str | None:
    """A language guessed from the script of `text` (a title): kana → ja, hangul → ko,
    Han → zh-CN, Cyrillic → ru, ASCII letters only → en; None when the script says nothing
    (no letters, or other Latin letters such as é, whose language cannot be told).
    One regex scan per script: this runs once per record (24,000 in the blog corpus)."""
    if _KANA.search(text):
        return "ja"  # Japanese mixes kana with Han; Chinese never uses kana
    if _HANGUL.search(text):
        return "ko"
    if _HAN.search(text):
        return "zh-CN"
    if _CYRILLIC.search(text):
        return "ru"
    if _ASCII_LETTER.search(text) and not _OTHER_LATIN.search(text):
        return "en"
    return None
