"""Hypothesis strategies for records: arbitrary Unicode in every field."""

from __future__ import annotations

import hypothesis.strategies as st

from refexport.model import CSL_TYPES, Name, PartialDate, Record, Source, record_id

# Any Unicode except surrogates (not encodable as UTF-8 at all).
text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)
optional_text = st.none() | text
keys = st.from_regex(r"[a-z][a-z0-9_]{0,12}-[a-z0-9]{2}", fullmatch=True)
urls = st.builds(
    lambda host, path: f"https://{host}.example/{path}",
    st.from_regex(r"[a-z][a-z0-9]{0,10}", fullmatch=True),
    st.text(
        st.characters(min_codepoint=0x21, max_codepoint=0x7E, blacklist_characters='"<>\\^`{|}#?%'),
        max_size=20,
    ),
)
dates = st.builds(
    lambda y, m, d: PartialDate(y, m, d if m else None),
    st.integers(1000, 2100),
    st.none() | st.integers(1, 12),
    st.none() | st.integers(1, 28),
)
names = st.one_of(
    st.builds(Name, literal=text),
    st.builds(Name, family=text, given=optional_text),
    st.builds(Name, family=text, given=text, non_dropping_particle=optional_text, suffix=optional_text),
)
paths = st.lists(text, min_size=1, max_size=3)


@st.composite
def records(draw: st.DrawFn) -> Record:
    url = draw(st.none() | urls)
    key = draw(keys)
    return Record(
        id=record_id(url, key),
        key=key,
        type=draw(st.sampled_from(sorted(CSL_TYPES))),
        title=draw(optional_text),
        url=url,
        authors=draw(st.lists(names, max_size=3)),
        container=draw(optional_text),
        publisher=draw(optional_text),
        language=draw(st.none() | st.sampled_from(["zh-CN", "en", "zh-TW", "ja", "de-DE"])),
        issued=draw(st.none() | dates),
        accessed=draw(st.none() | dates),
        note=draw(optional_text),
        tags=draw(st.lists(text, max_size=3, unique=True)),
        collection=draw(paths),
        also_in=draw(st.lists(paths, max_size=2)),
        source=draw(
            st.lists(
                st.builds(Source, file=text, line=st.none() | st.integers(1, 10**6), url=st.none() | urls),
                min_size=1,
                max_size=2,
            )
        ),
        extra=draw(
            st.dictionaries(
                st.sampled_from(["bibtex:journal", "csl:volume", "opml:xmlUrl", "bibtex:pages"]),
                text,
                max_size=2,
            )
        ),
    )


@st.composite
def record_lists(draw: st.DrawFn, max_size: int = 5) -> list[Record]:
    """Records with distinct keys (case-insensitively) and distinct ids, as a catalog has."""
    items = draw(
        st.lists(
            records(), min_size=1, max_size=max_size, unique_by=(lambda r: r.key.lower(), lambda r: r.id)
        )
    )
    return items
