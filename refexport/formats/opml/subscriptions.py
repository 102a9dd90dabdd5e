"""Feed subscriptions as OPML 2.0 (`refexport opml --feeds`, `--to opml-feeds`).

One `type="rss"` outline (`text` = `title`, `xmlUrl`, `htmlUrl` when known) per distinct
feed, in the folder of the record's top heading (`collection[1]`, the level below the
catalog title) where the feed first occurs; records without one are listed flat. One folder
level only, and no `link` outlines: NetNewsWire, FreshRSS and Miniflux flatten deeper trees,
and newsboat would subscribe to a link's page.

A record's feed: the feed it is (a record read from a subscription list, `outline.is_feed`),
else a feed address it carries (`custom["opml:xmlUrl"]`), else the one the feed registry
derives from its URL (`feeds.derive_feed`; RSSHub-style routes only with `feed_base`).
Records with none are not subscriptions and are left out without a word: this list is the
sources' feeds, not the records.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from refexport.formats import WriteOptions
from refexport.formats.opml.feeds import Feed, derive_feed
from refexport.formats.opml.outline import CUSTOM, is_feed, visible
from refexport.formats.opml.reading_list import DOCUMENT_END, default_title, document_head, outline_line
from refexport.model import Record
from refexport.text.markup import plain

NO_FEEDS_TEXT = "(no feeds could be derived)"


def feed_of(item: Record, feed_base: str | None) -> Feed | None:
    url = item.url
    if url and is_feed(item):
        page = item.custom.get(CUSTOM + "htmlUrl")
        return Feed(url, page if isinstance(page, str) else "", item.title or url)
    carried = item.custom.get(CUSTOM + "xmlUrl")
    if isinstance(carried, str) and carried.strip():
        return Feed(carried.strip(), url or "", item.title or carried.strip())
    return derive_feed(url, feed_base) if url else None


def write(records: Sequence[Record], options: WriteOptions) -> Iterator[str]:
    """The subscription list (see the module docstring), in pieces."""
    feed_base = options.get("feed_base")
    folders: dict[str | None, list[Feed]] = {}
    seen: set[str] = set()
    for item in records:
        feed = feed_of(item, feed_base)
        if feed is None or feed.xml_url in seen:
            continue
        seen.add(feed.xml_url)
        folder = item.collection[1] if len(item.collection) > 1 else None
        folders.setdefault(folder, []).append(feed)
    title = options.title if options.title is not None else default_title(records)
    yield document_head(title, None, namespace=False)
    lines: list[str] = []
    for folder, feeds in folders.items():
        depth = 2
        if folder is not None:
            name = visible(folder) or "(untitled)"
            lines.append(outline_line(2, {"text": name, "title": name}, close=False))
            depth = 3
        for feed in feeds:
            text = visible(plain(feed.title)) or visible(feed.xml_url)
            values = {"type": "rss", "text": text, "title": text, "xmlUrl": visible(feed.xml_url)}
            if feed.html_url:
                values["htmlUrl"] = visible(feed.html_url)
            lines.append(outline_line(depth, values))
        if folder is not None:
            lines.append("    </outline>")
        yield "\n".join(lines) + "\n"
        lines.clear()
    if not folders:
        yield outline_line(2, {"text": NO_FEEDS_TEXT, "title": NO_FEEDS_TEXT}) + "\n"
    yield DOCUMENT_END
