"""One outline ↔ one record: the mapping the reader applies and the writer inverts.

The writer builds an outline's attributes with `attributes()`, then asks `record()` — the
reader's own function — what a reader will make of them, and stashes only the difference
(`refexport.stash`). So the two directions cannot drift apart.

Native attributes and what they hold:

- `text`, `title`: the title (`text` alone is the title when there is no `title`, unless it
  only repeats the address, as it does for an untitled record);
- `url` (a `link` outline) or `xmlUrl` (a feed, any capitalisation, as listparser reads
  it): `URL`. A feed's record is the feed: its `URL` is the feed's address, and its outline
  `type` (`rss` when the outline had none) stays in `custom["opml:type"]`, which is what
  makes the writer give it back as a feed. A leaf with only `htmlUrl` is a link;
- `created` (RFC 822): `accessed`, the day the link was saved;
- `category`: `tags`, split as listparser does — at `,` into categories, each cut at `/`
  into parts (trimmed, empty ones dropped) and kept as one tag `a/b`;
- `_note`: `note`; `description`: `abstract`; `language`: `language`;
- every other attribute (`htmlUrl`, `version`, a reader's own …) as written, in
  `custom["opml:<name>"]`, and so back natively. A written `text`, `type`, `created` or
  `category` that differs from what the writer would derive is kept there too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from refexport import stash
from refexport.model import Date, Origin, Record, record_id
from refexport.text.xml import XML_ILLEGAL

# Stable namespace of refexport's own attribute. `.invalid` is reserved (RFC 2606), so the
# URI can never be anybody else's; it names the contract and is never fetched.
NAMESPACE = "https://refexport.invalid/ns/opml/1"
PREFIX = stash.NAME
STASH = "stash"  # the one attribute of ours: `refexport:stash` on a record's outline
UNTITLED = "(untitled)"
CUSTOM = "opml:"  # prefix of the `custom` keys of OPML attributes

# Outline types whose address is in `url` (OPML 2.0); any other type with an address is a feed.
LINK_TYPES = frozenset({"link", "include"})
# Attributes the mapping reads into variables; the writer never takes them from `custom`.
_MAPPED = frozenset({"title", "url", "_note", "description", "language"})
# Attributes the writer derives from the record; a foreign value is kept in `custom`.
DERIVED = ("text", "type", "created", "category")
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9._-]*\Z")


def visible(text: str) -> str:
    """`text` without the characters XML 1.0 cannot hold (what an attribute can carry)."""
    return XML_ILLEGAL.sub("", text)


def xml_legal_json(text: str) -> str:
    """JSON text with the characters XML cannot carry written as `\\uXXXX` escapes (they can
    only occur inside JSON strings, where the escape means the same character)."""
    if text.isascii() or XML_ILLEGAL.search(text) is None:
        return text
    return XML_ILLEGAL.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


# ---------------------------------------------------------------- dates and categories


def rfc822(date: Date | None) -> str | None:
    """`created` for a date: RFC 822 at midnight UTC; None unless it is one known day."""
    if date is None or not date.is_simple():
        return None
    day = date.parts[0]
    if day.day is None or day.month is None or day.year < 1:
        return None
    return _rfc822_day(day.year, day.month, day.day)


# Cached: a catalog has few distinct days (one per post), and formatting one costs 5 µs.
@lru_cache(maxsize=4096)
def _rfc822_day(year: int, month: int, day: int) -> str | None:
    from email.utils import format_datetime  # 8 ms to import: only when there are dates

    try:
        return format_datetime(datetime(year, month, day, tzinfo=UTC), usegmt=True)
    except ValueError:  # 31 February
        return None


@lru_cache(maxsize=4096)
def parse_rfc822(text: str) -> Date | None:
    """The day of an RFC 822 date-time, as written (its own time zone); None if it is not one."""
    from email.utils import parsedate_tz

    parts = parsedate_tz(text)
    if parts is None:
        return None
    year, month, day = parts[:3]
    try:
        datetime(year, month, day)
        return Date.of(year, month, day)
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def split_category(value: str) -> tuple[str, ...]:
    """Tags of a `category` attribute, as listparser reads it: comma-separated categories,
    each a slash-separated path (`/Harvard/Berkman`) of trimmed, non-empty parts, kept as
    one tag `Harvard/Berkman`; a category without a slash is a plain tag. Duplicates once."""
    tags: list[str] = []
    for category in value.split(","):
        tag = "/".join(part.strip() for part in category.split("/") if part.strip())
        if tag and tag not in tags:
            tags.append(tag)
    return tuple(tags)


@lru_cache(maxsize=4096)
def _category_safe(tag: str) -> bool:
    """Whether `split_category` gives this tag back from its own text."""
    return "," not in tag and split_category(tag) == (tag,) and visible(tag) == tag


# ---------------------------------------------------------------- outline → record


def kind_of(attributes: Mapping[str, str], leaf: bool) -> tuple[str | None, str | None]:
    """What an outline is, with the attribute holding its address: a feed (`xmlUrl`), an
    `include` of another OPML file, a link (`url`, or `htmlUrl` alone on a leaf), or neither
    (a folder, a note): `(None, None)`."""
    if "xmlUrl" in attributes:
        name: str | None = "xmlUrl"
    else:  # any capitalisation, as listparser reads it
        name = next((a for a in attributes if len(a) == 6 and a.lower() == "xmlurl"), None)
    if name is not None and attributes[name].strip():
        return "feed", name
    if attributes.get("type", "").strip().lower() == "include":
        return "include", "url"
    if attributes.get("url", "").strip():
        return "link", "url"
    if leaf and attributes.get("htmlUrl", "").strip():
        return "link", "htmlUrl"
    return None, None


def record(
    attributes: Mapping[str, str],
    kind: str | None,
    address: str | None,
    collection: list[str],
    origin: Origin | None,
) -> Record:
    """The record an outline holds natively (before its stash, if any, is applied).
    `origin` is where a foreign outline was read; None for our own files, whose records
    carry their origin in the stash and an id made from their address."""
    url = attributes[address].strip() if address is not None else ""
    result = Record(collection=collection)
    variables = result.variables
    if url:
        variables["URL"] = url
        if origin is None:
            result.id = record_id(url)
    title = attributes.get("title")
    if not title:  # `text` is the title, unless it only shows the address
        text = attributes.get("text")
        title = text if text and not (url and text.strip() == url) else None
    if title:
        variables["title"] = title
    for attribute, variable in (("_note", "note"), ("description", "abstract"), ("language", "language")):
        if value := attributes.get(attribute):
            variables[variable] = value
    if category := attributes.get("category"):
        result.tags = list(split_category(category))
    if (created := attributes.get("created")) and (accessed := parse_rfc822(created)) is not None:
        variables["accessed"] = accessed
    if origin is not None:
        result.origin = [origin]
    _keep_attributes(result, attributes, kind, address)
    return result


# Variables a link outline holds exactly as long as they are non-empty, XML-legal text.
_PLAIN_TEXT = ("title", "URL", "note", "abstract", "language")


def plain_read_back(result: Record, collection: list[str]) -> Record | None:
    """What `record()` makes of `attributes(result)` in our own file, worked out directly for
    the common record whose outline holds its native fields exactly (a link, no foreign
    attributes, XML-legal text, tags a category gives back, a whole-day `accessed`); None
    for any other record. It spares the writer a second mapping per record; a test checks
    it against `record()`."""
    if result.custom:
        return None
    variables = result.variables
    url = variables.get("URL")
    if not isinstance(url, str) or not url or url.strip() != url:
        return None
    kept: dict[str, Any] = {}
    for name in _PLAIN_TEXT:
        value = variables.get(name)
        if value is not None:
            if not isinstance(value, str) or not value:
                return None
            kept[name] = value
    if XML_ILLEGAL.search("".join(kept.values())) is not None:
        return None
    accessed = variables.get("accessed")
    if accessed is not None:
        created = rfc822(accessed) if isinstance(accessed, Date) else None
        if created is None or parse_rfc822(created) != accessed:  # two-digit years come back 19xx/20xx
            return None
        kept["accessed"] = accessed
    tags = result.tags
    if tags and not (_category_safe(tags[0]) if len(tags) == 1 else _distinct_categories(tags)):
        return None
    return Record(id=record_id(url), variables=kept, tags=list(tags), collection=collection)


def _distinct_categories(tags: list[str]) -> bool:
    return len(set(tags)) == len(tags) and all(_category_safe(tag) for tag in tags)


def _keep_attributes(
    result: Record, attributes: Mapping[str, str], kind: str | None, address: str | None
) -> None:
    """Put what no variable holds into `custom`: every other attribute as written, and the
    derived ones whose written value differs from what the writer would derive."""
    derived = derived_attributes(result)
    custom = result.custom
    for name, value in attributes.items():
        if name in _MAPPED or name == address:
            continue
        if name not in derived or value != derived[name]:
            custom[CUSTOM + name] = value
    if kind == "feed":  # the mark of a feed's record, whose URL is the feed's address
        custom[CUSTOM + "type"] = attributes.get("type") or "rss"


def derived_attributes(result: Record) -> dict[str, str | None]:
    """The attributes the writer computes from a record (`DERIVED`)."""
    variables = result.variables
    title = variables.get("title")
    url = variables.get("URL")
    accessed = variables.get("accessed")
    text = visible(title) if isinstance(title, str) else ""
    if not text and isinstance(url, str):
        text = visible(url)
    return {
        "text": text or UNTITLED,
        "type": "link" if isinstance(url, str) else None,
        "created": rfc822(accessed) if isinstance(accessed, Date) else None,
        "category": ",".join(tag for tag in result.tags if _category_safe(tag)) or None,
    }


# ---------------------------------------------------------------- record → outline


def is_feed(result: Record) -> bool:
    """A record read from a feed outline (or given a feed type): its URL is a feed's address."""
    kind = result.custom.get(CUSTOM + "type")
    return bool(result.url) and isinstance(kind, str) and kind.strip().lower() not in LINK_TYPES


def attributes(result: Record) -> dict[str, str]:
    """The native attributes of a record's outline, in the order they are written, with the
    characters XML cannot hold removed (so: exactly what a reader will see)."""
    custom = result.custom
    derived = derived_attributes(result)
    if custom:
        for name in DERIVED:
            value = custom.get(CUSTOM + name)
            if isinstance(value, str) and visible(value) == value and _overrides(name, value):
                derived[name] = value
    out: dict[str, str] = {"text": derived["text"] or UNTITLED}
    variables = result.variables
    title = variables.get("title")
    if isinstance(title, str):
        out["title"] = title
    if (kind := derived["type"]) is not None:
        out["type"] = kind
    url = variables.get("URL")
    if isinstance(url, str):
        out["xmlUrl" if is_feed(result) else "url"] = url
    for name in ("created", "category"):
        if (value := derived[name]) is not None:
            out[name] = value
    for attribute, variable in (("_note", "note"), ("description", "abstract"), ("language", "language")):
        value = variables.get(variable)
        if isinstance(value, str):
            out[attribute] = value
    if XML_ILLEGAL.search("".join(out.values())) is not None:  # one scan for the common case
        out = {name: visible(value) for name, value in out.items()}
    if custom:
        out.update(_foreign_attributes(custom))
    return out


def _overrides(name: str, value: str) -> bool:
    """Whether a kept foreign value of a derived attribute can be written as it is: never an
    empty `text`, nor a type that would make the outline an inclusion (not a record)."""
    if name == "text":
        return value != ""
    if name == "type":
        return value.strip().lower() != "include"
    return True


def _foreign_attributes(custom: Mapping[str, Any]) -> dict[str, str]:
    """`custom["opml:<name>"]` strings that read back as themselves as plain attributes."""
    out = {}
    for key, value in custom.items():
        if not key.startswith(CUSTOM) or not isinstance(value, str):
            continue
        name = key[len(CUSTOM) :]
        writable = (
            _PLAIN_NAME.match(name) is not None
            and name not in _MAPPED
            and name not in DERIVED
            and name.lower() != "xmlurl"
            and not name.lower().startswith("xmlns")
            and visible(value) == value
        )
        if writable:
            out[name] = value
    return out
