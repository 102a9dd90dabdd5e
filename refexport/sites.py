"""The site registry (`data/sites.yaml`): container, CSL type and language hint by host and path.

Loaded lazily once and cached; validated on load so a typo in a type or a path pattern is a
clear error naming the file and the entry, not a wrong export later.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from refexport.errors import InputError
from refexport.fileio import load_yaml_file
from refexport.model import CSL_TYPES
from refexport.resources import data_dir
from refexport.urls import split_authority

REGISTRY_NAME = "sites.yaml"
_KEYS = frozenset({"host", "path", "container", "type", "language"})
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True, slots=True)
class Site:
    """What a site says about the records found on it; None where it says nothing."""

    container: str | None = None
    type: str | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class _Entry:
    host: str  # exact host, or the suffix ".example.com" of a "*.example.com" entry
    wildcard: bool
    path: re.Pattern[str] | None
    site: Site

    def specificity(self) -> tuple[int, int, int]:
        return (0 if self.wildcard else 1, 1 if self.path else 0, len(self.host))


@dataclass(frozen=True, slots=True)
class Registry:
    exact: dict[str, list[_Entry]]
    wildcards: list[_Entry]

    def lookup(self, url: str) -> Site | None:
        host, path = _host_and_path(url)
        if not host:
            return None
        candidates = list(self.exact.get(host, ()))
        candidates += [entry for entry in self.wildcards if host.endswith(entry.host)]
        matches = [entry for entry in candidates if entry.path is None or entry.path.match(path)]
        if not matches:
            return None
        return max(matches, key=_Entry.specificity).site


def load_registry(path: str | Path) -> Registry:
    """Read and validate a registry file; InputError(file, entry, message) when it is wrong."""
    name = str(path)
    try:
        document = load_yaml_file(path)
    except (OSError, ValueError) as error:  # UnicodeDecodeError is a ValueError
        raise InputError(name, None, f"cannot read the site registry: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("sites"), list):
        raise InputError(name, None, "a site registry is a mapping with a `sites:` list")
    exact: dict[str, list[_Entry]] = {}
    wildcards: list[_Entry] = []
    for number, raw in enumerate(document["sites"], start=1):
        entry = _entry(raw, name, number)
        if entry.wildcard:
            wildcards.append(entry)
        else:
            exact.setdefault(entry.host, []).append(entry)
    return Registry(exact, wildcards)


def _entry(raw: Any, name: str, number: int) -> _Entry:
    where = f"entry {number}"
    if not isinstance(raw, dict):
        raise InputError(
            name, where, "an entry is a mapping with `host` and optional path/container/type/language"
        )
    unknown = sorted(set(map(str, raw)) - _KEYS)
    if unknown:
        raise InputError(
            name, where, f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(_KEYS))}"
        )
    host = raw.get("host")
    if not isinstance(host, str) or not host.strip() or "/" in host:
        raise InputError(name, where, f"`host` must be a host name such as example.com, not {host!r}")
    where = f"entry {number} ({host})"
    for key in ("path", "container", "type", "language"):
        if raw.get(key) is not None and not isinstance(raw[key], str):
            raise InputError(name, where, f"`{key}` must be a string")
    site_type = raw.get("type")
    if site_type is not None and site_type not in CSL_TYPES:
        raise InputError(name, where, f"unknown CSL type {site_type!r}")
    language = raw.get("language")
    if language is not None and not _LANGUAGE.match(language):
        raise InputError(name, where, f"`language` must be a BCP 47 tag such as zh-CN, not {language!r}")
    path_pattern = None
    if raw.get("path") is not None:
        try:
            path_pattern = re.compile(raw["path"])
        except re.error as error:
            raise InputError(name, where, f"bad `path` pattern: {error}") from None
    host = host.strip().lower()
    wildcard = host.startswith("*.")
    return _Entry(
        host=host[1:] if wildcard else host,
        wildcard=wildcard,
        path=path_pattern,
        site=Site(container=raw.get("container"), type=site_type, language=language),
    )


def _host_and_path(url: str) -> tuple[str, str]:
    """Lower-cased host without user info and port, and the path (`/` when empty)."""
    scheme_end = url.find("://")
    if scheme_end == -1:
        return "", ""
    authority, path = split_authority(url[scheme_end + 3 :])
    host = authority.rpartition("@")[2]
    host = host if host.startswith("[") else host.split(":")[0]
    path = path.split("#")[0].split("?")[0]
    return host.lower().rstrip("."), path or "/"


@functools.cache
def default_registry() -> Registry:
    """The shipped registry, loaded once."""
    return load_registry(data_dir() / REGISTRY_NAME)


def lookup(url: str) -> Site | None:
    """The most specific registry entry matching `url`, or None."""
    return default_registry().lookup(url)
