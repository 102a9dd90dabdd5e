"""XML text: the characters XML 1.0 cannot hold, and escaping for text and attributes."""

from __future__ import annotations

import re

# Characters XML 1.0 cannot hold at all, not even as references.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TEXT_SPECIAL = re.compile(r"[&<>]")
_ATTRIBUTE_SPECIAL = re.compile(r'[&<>"\t\n\r]')
_ENTITIES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "\t": "&#9;",
    "\n": "&#10;",
    "\r": "&#13;",
}


def _entity(match: re.Match[str]) -> str:
    return _ENTITIES[match.group()]


def escape_text(text: str) -> str:
    """Element content: `& < >` escaped, characters XML cannot hold dropped."""
    return _TEXT_SPECIAL.sub(_entity, XML_ILLEGAL.sub("", text))


def escape_attribute(text: str) -> str:
    """An attribute value in double quotes: also `"`, tab and line breaks escaped (a parser
    would otherwise normalise them to spaces)."""
    return _ATTRIBUTE_SPECIAL.sub(_entity, XML_ILLEGAL.sub("", text))
