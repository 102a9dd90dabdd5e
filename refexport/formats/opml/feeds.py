"""Which feed a record's source has: the registry in `data/feeds.yaml`.

A rule matches a URL's host and the start of its path; the path pattern's named groups fill
the feed URL template. A rule gives the site's own feed (`feed:`), an RSSHub-style route that
needs a configured feed base (`route:`), or says why there is none (`none:`, e.g. WeChat
articles). URLs no rule matches have no feed: nothing is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from refexport.fileio import load_yaml_file
from refexport.resources import data_dir

REGISTRY_NAME = "feeds.yaml"


@dataclass(frozen=True, slots=True)
class Feed:
    """A subscribable feed: the feed document, the site page it belongs to, a display title."""

    xml_url: str
    html_url: str
    title: str


@dataclass(frozen=True, slots=True)
class FeedRule:
    name: str
    hosts: frozenset[str]
    path: re.Pattern[str]
    reject: dict[str, frozenset[str]]
    feed: str | None  # the site's own feed URL template
    route: str | None  # RSSHub-style route template, appended to the feed base
    none: str | None  # why this kind of URL has no feed
    html: str
    title: str

    def groups(self, host: str, path: str) -> dict[str, str] | None:
        """The named groups if the rule applies to this host and path, else None."""
        if host not in self.hosts:
            return None
        match = self.path.match(path or "/")
        if match is None:
            return None
        groups = {key: value for key, value in match.groupdict().items() if value is not None}
        if any(groups.get(key, "").lower() in values for key, values in self.reject.items()):
            return None
        return groups


class RegistryError(ValueError):
    """`feeds.yaml` is malformed; names the file and the rule."""


def _rule(entry: Any, index: int, file: str) -> FeedRule:
    where = f"{file}: rule {index + 1}"
    if not isinstance(entry, dict):
        raise RegistryError(f"{where}: not a mapping")
    name = str(entry.get("name") or f"rule-{index + 1}")
    where = f"{file}: rule {index + 1} ({name})"
    hosts = entry.get("host")
    hosts = [hosts] if isinstance(hosts, str) else hosts
    if not hosts or not all(isinstance(host, str) for host in hosts):
        raise RegistryError(f"{where}: `host` must be a host name or a list of them")
    kinds = [kind for kind in ("feed", "route", "none") if entry.get(kind)]
    if len(kinds) != 1:
        raise RegistryError(f"{where}: needs exactly one of `feed`, `route`, `none`")
    try:
        path = re.compile(str(entry.get("path") or "/"))
    except re.error as error:
        raise RegistryError(f"{where}: bad `path` pattern: {error}") from None
    reject = entry.get("reject") or {}
    if not isinstance(reject, dict):
        raise RegistryError(f"{where}: `reject` must map group names to lists")
    return FeedRule(
        name=name,
        hosts=frozenset(host.lower() for host in hosts),
        path=path,
        reject={str(key): frozenset(str(v).lower() for v in values) for key, values in reject.items()},
        feed=entry.get("feed"),
        route=entry.get("route"),
        none=entry.get("none"),
        html=str(entry.get("html") or ""),
        title=str(entry.get("title") or ""),
    )


@cache
def load_registry(path: Path | None = None) -> tuple[FeedRule, ...]:
    """The rules of `path` (default: the bundled `data/feeds.yaml`), in file order."""
    path = path or data_dir() / REGISTRY_NAME
    try:
        document = load_yaml_file(path) or {}
    except (OSError, ValueError) as error:
        raise RegistryError(f"{path}: cannot read the feed registry: {error}") from None
    entries = document.get("rules") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise RegistryError(f"{path}: needs a top-level `rules:` list")
    return tuple(_rule(entry, index, str(path)) for index, entry in enumerate(entries))


def match_rule(url: str, rules: tuple[FeedRule, ...] | None = None) -> tuple[FeedRule, dict[str, str]] | None:
    """The first rule that applies to `url`, with its groups."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
    except ValueError:  # e.g. an invalid IPv6 host
        return None
    if parts.scheme.lower() not in ("http", "https"):
        return None
    for rule in rules if rules is not None else load_registry():
        groups = rule.groups(host, parts.path)
        if groups is not None:
            return rule, groups
    return None


def derive_feed(url: str, feed_base: str | None, rules: tuple[FeedRule, ...] | None = None) -> Feed | None:
    """The feed of the source `url` belongs to, or None when it has none, is unknown, or needs
    an RSSHub-style instance and `feed_base` (its URL, e.g. `https://rsshub.example.org`) is None."""
    found = match_rule(url, rules)
    if found is None:
        return None
    rule, groups = found
    if rule.feed:
        xml_url = rule.feed.format(**groups)
    elif rule.route and feed_base:
        xml_url = feed_base.rstrip("/") + rule.route.format(**groups)
    else:
        return None
    html_url = rule.html.format(**groups) if rule.html else url
    return Feed(xml_url=xml_url, html_url=html_url, title=rule.title.format(**groups) or xml_url)
