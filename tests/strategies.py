"""Hypothesis strategies for records: arbitrary Unicode in every field of the full model."""

from __future__ import annotations

import functools

import hypothesis.strategies as st

from refexport.model import (
    CSL_TYPES,
    DATE_VARIABLES,
    NAME_VARIABLES,
    NUMBER_VARIABLES,
    TEXT_VARIABLES,
    Date,
    Name,
    Origin,
    PartialDate,
    Record,
    Value,
    record_id,
)

# Any Unicode except surrogates (not encodable as UTF-8 at all).
text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)
optional_text = st.none() | text
# `[a-z][a-z0-9_]{0,12}-[a-z0-9]{2}`, built from alphabets: hypothesis's regex strategy
# was a third of the round-trip tests' time.
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_LOWER_DIGITS = _LOWER + "0123456789"
keys = st.builds(
    lambda first, rest, tail: f"{first}{rest}-{tail}",
    st.sampled_from(_LOWER),
    st.text(_LOWER_DIGITS + "_", max_size=12),
    st.text(_LOWER_DIGITS, min_size=2, max_size=2),
)
urls = st.builds(
    lambda host, path: f"https://{host}.example/{path}",
    st.builds(str.__add__, st.sampled_from(_LOWER), st.text(_LOWER_DIGITS, max_size=10)),
    st.text(
        st.characters(min_codepoint=0x21, max_codepoint=0x7E, blacklist_characters='"<>\\^`{|}#?%'),
        max_size=20,
    ),
)
partial_dates = st.builds(
    lambda y, m, d: PartialDate(y, m, d if m else None),
    st.integers(1000, 2100),
    st.none() | st.integers(1, 12),
    st.none() | st.integers(1, 28),
)
# Dates as the web catalogs have them: one calendar date.
simple_dates = st.builds(lambda p: Date((p,)), partial_dates)
# Every CSL date form: ranges (open ones too), seasons, circa, BC years, literals.
dates = st.one_of(
    simple_dates,
    st.builds(lambda a, b: Date((a, b)), partial_dates, partial_dates),
    st.builds(lambda a: Date((a, PartialDate(0))), partial_dates),
    st.builds(lambda y, s: Date((PartialDate(y),), season=s), st.integers(1000, 2100), st.integers(1, 4)),
    st.builds(lambda p: Date((p,), circa=True), partial_dates),
    st.builds(lambda y: Date((PartialDate(y),)), st.integers(-500, -1)),
    st.builds(lambda t: Date(literal=t), text),
)
names = st.one_of(
    st.builds(Name, literal=text),
    st.builds(Name, family=text, given=optional_text),
    st.builds(
        Name,
        family=text,
        given=text,
        non_dropping_particle=optional_text,
        dropping_particle=optional_text,
        suffix=optional_text,
        comma_suffix=st.booleans(),
    ),
    st.builds(Name, family=text, given=text, static_ordering=st.just(True)),
)
paths = st.lists(text, min_size=1, max_size=3)
_NUMBER = st.one_of(text, st.integers(0, 10**6))


# Strategies are built once: building one inside a draw costs hypothesis a validation pass
# every time (it was most of the generation time of the round-trip tests).
_TEXT_NAMES = st.lists(st.sampled_from(sorted(TEXT_VARIABLES - {"URL", "language"})), max_size=4)
_NUMBER_NAMES = st.lists(st.sampled_from(sorted(NUMBER_VARIABLES)), max_size=2)
_NAME_NAMES = st.lists(st.sampled_from(sorted(NAME_VARIABLES)), max_size=2)
_DATE_NAMES = st.lists(st.sampled_from(sorted(DATE_VARIABLES)), max_size=2)
_NAME_LISTS = st.lists(names, min_size=1, max_size=3)
_LANGUAGES = st.none() | st.sampled_from(["zh-CN", "en", "zh-TW", "ja", "de-DE"])


@st.composite
def variables(draw: st.DrawFn) -> dict[str, Value]:
    """A few variables of every kind (title, URL and language as the catalog has them)."""
    out: dict[str, Value] = {}
    for name in draw(_TEXT_NAMES):
        out[name] = draw(text)
    for name in draw(_NUMBER_NAMES):
        out[name] = draw(_NUMBER)
    for name in draw(_NAME_NAMES):
        out[name] = draw(_NAME_LISTS)
    for name in draw(_DATE_NAMES):
        out[name] = draw(dates)
    language = draw(_LANGUAGES)
    if language:
        out["language"] = language
    return out


_VARIABLES = variables()
_OPTIONAL_URLS = st.none() | urls
_TYPES = st.sampled_from(sorted(CSL_TYPES))
_TAGS = st.lists(text, max_size=3, unique=True)
_ALSO_IN = st.lists(paths, max_size=2)
_ORIGINS = st.lists(
    st.builds(Origin, file=text, line=st.none() | st.integers(1, 10**6), url=_OPTIONAL_URLS),
    min_size=1,
    max_size=2,
)
_CUSTOM = st.dictionaries(
    st.sampled_from(["bibtex:file", "bibtex:groups", "opml:xmlUrl", "zotero:rights"]), text, max_size=2
)


@st.composite
def records(draw: st.DrawFn) -> Record:
    url = draw(_OPTIONAL_URLS)
    key = draw(keys)
    record = Record(
        id=record_id(url, key),
        key=key,
        type=draw(_TYPES),
        variables=draw(_VARIABLES),
        tags=draw(_TAGS),
        collection=draw(paths),
        also_in=draw(_ALSO_IN),
        origin=draw(_ORIGINS),
        custom=draw(_CUSTOM),
    )
    record.url = url
    return record


def _distinct_key(record: Record) -> str:
    return record.key.lower()


def _distinct_id(record: Record) -> str:
    return record.id


@functools.cache
def record_lists(max_size: int = 5) -> st.SearchStrategy[list[Record]]:
    """Records with distinct keys (case-insensitively) and distinct ids, as a catalog has."""
    return st.lists(records(), min_size=1, max_size=max_size, unique_by=(_distinct_key, _distinct_id))
