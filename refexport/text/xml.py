"""XML text: the characters XML 1.0 cannot hold, and escaping for text and attributes."""

from __future__ import annotations

import re

# Characters XML 1.0 cannot hold at all, not even as references.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Everything either escape function changes: most values have none of it and are returned
# as they are after one scan. (A chain of str.replace beats one sub with a callback by 4×
# on the rest, e.g. a JSON value full of quotes.)
_TEXT_WORK = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f&<>\ud800-\udfff\ufffe\uffff]")
_ATTRIBUTE_WORK = re.compile(r'[\x00-\x1f&<>"\ud800-\udfff\ufffe\uffff]')
_SINGLE_QUOTED_WORK = re.compile(r"[\x00-\x1f&<>'\ud800-\udfff\ufffe\uffff]")


def escape_text(text: str) -> str:
    """Element content: `& < >` escaped, characters XML cannot hold dropped."""
    if _TEXT_WORK.search(text) is None:
        return text
    return XML_ILLEGAL.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_attribute(text: str, quote: str = '"') -> str:
    """An attribute value written between `quote`s (`"`, or `'` for values full of double
    quotes, such as JSON): `&`, `<`, `>` and that quote escaped, and tab and line breaks too (a
    parser would otherwise normalise them to spaces)."""
    if quote == "'":
        if _SINGLE_QUOTED_WORK.search(text) is None:
            return text
        return _attribute_escapes(text).replace("'", "&apos;")
    if _ATTRIBUTE_WORK.search(text) is None:
        return text
    return _attribute_escapes(text).replace('"', "&quot;")


def _attribute_escapes(text: str) -> str:
    return (
        XML_ILLEGAL.sub("", text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\t", "&#9;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
    )
