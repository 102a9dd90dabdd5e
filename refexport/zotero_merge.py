"""What a sync writes to an item that is already in the library: refexport's part replaced,
the user's part kept (`refexport.zotero_sync` decides when to write).

refexport's part of an item is what it wrote last time: the sync state keeps it per item
(`Owned.from_state`). For a library synced by the previous version, which kept its part
inside the item (Extra lines `refexport-id:`/`refexport-data: {json}` and the marker tag
`refexport`), the part is read from those (`Owned.from_legacy`), and the sync rewrites
the item without them. With neither (the state was lost), refexport's part is only what
it wants now: nothing the user might have written is removed, at the price of leaving a
tag, field or Extra line refexport has since dropped.

- fields: refexport's fields are written; a field it wrote before and no longer wants is
  cleared; every other field (the user's rights, short title …) is left alone;
- tags and collections: refexport's are replaced, the user's kept;
- Extra: refexport's lines (citation key, CSL lines, the note) first, then the user's lines;
  a citation key Zotero 8 moved into its `citationKey` field is not written again.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from refexport.formats.zotero.extra import CITATION_KEY, LEGACY_DATA, LEGACY_ID, LEGACY_LABELS
from refexport.formats.zotero.items import LEGACY_TAG, STRUCTURAL, item_key
from refexport.formats.zotero.schema import schema

# The fields the previous version always wrote (even empty), as base fields.
_LEGACY_FIELDS = (
    "title",
    "abstractNote",
    "publicationTitle",
    "publisher",
    "date",
    "url",
    "accessDate",
    "language",
)


@dataclass(frozen=True, slots=True)
class Owned:
    """refexport's part of an item, as it wrote it last."""

    fields: frozenset[str]
    tags: frozenset[str]
    extra_lines: tuple[str, ...] | None  # None: not known (only what refexport wants now)

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> Owned:
        extra = data.get("extra") or ""
        return cls(
            frozenset(k for k in data if k not in STRUCTURAL),
            frozenset(tag_names(data.get("tags"))),
            tuple(extra.split("\n")) if extra else (),
        )

    @classmethod
    def from_legacy(cls, server: dict[str, Any]) -> Owned | None:
        """The previous version's part, when the item carries its bookkeeping lines."""
        lines = (server.get("extra") or "").split("\n")
        ours = [line for line in lines if line.partition(": ")[0] in (CITATION_KEY, *LEGACY_LABELS)]
        if not any(line.startswith(LEGACY_LABELS) for line in ours):
            return None
        spec = schema().item_types.get(server.get("itemType") or "")
        fields = {spec.field_for(base) for base in _LEGACY_FIELDS} if spec else set(_LEGACY_FIELDS)
        return cls(
            frozenset(f for f in fields if f), frozenset({LEGACY_TAG, *_legacy_tags(ours)}), tuple(ours)
        )


def _legacy_tags(lines: list[str]) -> list[str]:
    for line in lines:
        if line.startswith(f"{LEGACY_DATA}: "):
            try:
                data = json.loads(line.partition(": ")[2])
            except ValueError:
                return []
            tags = data.get("tags") if isinstance(data, dict) else None
            return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []
    return []


def is_legacy_own(server: dict[str, Any]) -> bool:
    """An item the previous version created: its key is the one derived from its
    `refexport-id` line, and it carries the marker tag."""
    for line in (server.get("extra") or "").split("\n"):
        label, _, value = line.partition(": ")
        if label == LEGACY_ID:
            return item_key(value) == server.get("key") and LEGACY_TAG in tag_names(server.get("tags"))
    return False


def tag_names(tags: Any) -> list[str]:
    return [t["tag"] for t in tags or [] if isinstance(t, dict) and isinstance(t.get("tag"), str)]


def merge_item(
    server: dict[str, Any], wanted: dict[str, Any], own_collections: set[str], owned: Owned | None
) -> dict[str, Any]:
    """The item refexport wants, merged with the server's copy (see the module docstring)."""
    merged = {k: v for k, v in wanted.items() if k != "key"}
    before = owned or Owned.from_legacy(server) or Owned(frozenset(), frozenset(), None)
    valid = schema().item_types[wanted["itemType"]].fields
    for name in before.fields - set(wanted):
        if name in valid and server.get(name):
            merged[name] = ""
    wanted_names = set(tag_names(wanted["tags"]))
    user_tags = [
        t
        for t in server.get("tags") or []
        if isinstance(t, dict) and t.get("tag") not in before.tags and t.get("tag") not in wanted_names
    ]
    merged["tags"] = list(wanted["tags"]) + user_tags
    user_collections = [c for c in server.get("collections") or [] if c not in own_collections]
    merged["collections"] = list(wanted["collections"]) + [
        c for c in user_collections if c not in wanted["collections"]
    ]
    merged["extra"] = merge_extra(server, wanted, before.extra_lines)
    return merged


def merge_extra(server: dict[str, Any], wanted: dict[str, Any], previous: tuple[str, ...] | None) -> str:
    """refexport's Extra lines, then the user's (the server's lines that are not refexport's)."""
    ours = (wanted.get("extra") or "").split("\n") if wanted.get("extra") else []
    native_key = server.get("citationKey")
    if native_key and ours and ours[0] == f"{CITATION_KEY}: {native_key}":
        ours = ours[1:]  # Zotero 8 moved the key into its field
    theirs = (server.get("extra") or "").split("\n") if server.get("extra") else []
    if previous is None:
        previous = tuple(ours) + tuple(line for line in theirs if line.startswith(f"{CITATION_KEY}: "))
    left = Counter(previous)
    user = []
    for line in theirs:
        if left[line] > 0:
            left[line] -= 1
        else:
            user.append(line)
    return "\n".join([*ours, *user])


def item_patch(server: dict[str, Any], merged: dict[str, Any]) -> dict[str, Any]:
    """Only the properties that differ (PATCH semantics); empty when nothing needs writing.
    A type change rewrites every property refexport owns."""
    patch: dict[str, Any] = {}
    for name, value in merged.items():
        current = server.get(name, "" if isinstance(value, str) else None)
        if name == "tags":
            if sorted(tag_names(current)) != sorted(tag_names(value)):
                patch[name] = value
        elif name == "collections":
            if sorted(current or []) != sorted(value):
                patch[name] = value
        elif current != value:
            patch[name] = value
    if "itemType" in patch:
        patch = dict(merged)
    if server.get("deleted"):
        patch["deleted"] = 0
    return patch


def collection_patch(server: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    patch = {}
    for name in ("name", "parentCollection"):
        current = server.get(name) or False
        if current != (wanted[name] or False):
            patch[name] = wanted[name]
    return patch
