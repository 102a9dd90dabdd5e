"""OPML 2.0: the reading list as nested outlines, feed subscriptions, and a reader for both
(and for anybody's OPML).

- `outline`: one outline ↔ one record, the mapping both directions share;
- `reader`: the reader (defusedxml, streaming, declared encodings);
- `reading_list`: the reading list (`refexport opml`);
- `subscriptions`: the subscription list (`refexport opml --feeds`, `--to opml-feeds`);
- `feeds`: the feed registry (`data/feeds.yaml`) that derives a source's feed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from refexport.formats import WriteOptions
from refexport.formats.opml.outline import NAMESPACE
from refexport.formats.opml.reader import read
from refexport.formats.opml.reading_list import PLACEHOLDER_TEXT
from refexport.formats.opml.subscriptions import NO_FEEDS_TEXT
from refexport.model import Record

__all__ = ["NAMESPACE", "NO_FEEDS_TEXT", "PLACEHOLDER_TEXT", "read", "write"]


def write(records: Sequence[Record], options: WriteOptions) -> Iterator[str]:
    """The reading list, or with the `feeds` option the subscription list of the sources'
    feeds (`feed_base`: an RSSHub-style instance for sites without feeds of their own)."""
    if options.get("feeds"):
        from refexport.formats.opml import subscriptions

        return subscriptions.write(records, options)
    from refexport.formats.opml import reading_list

    return reading_list.write(records, options)
