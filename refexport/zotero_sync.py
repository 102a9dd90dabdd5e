"""Idempotent sync of records into a Zotero library through pyzotero 1.6.11.

Why it cannot duplicate: every item and collection key is derived from the record id /
collection path (`refexport.formats.zotero.items.object_key`) and new objects are written
with `version: 0`, which the server refuses (per-object 412) when the key already exists.
A retry after a crash, a dropped connection or a timeout therefore finds the object and
turns into an update (or nothing). Libraries synced by the previous version have the same
keys, so they converge in place (`refexport.zotero_merge`).

What it writes: the native Zotero item of `refexport.formats.zotero.items.item_of` (no
bookkeeping of its own: no marker tag, no JSON, no private Extra lines). What it remembers
lives on this machine, in the sync state (`SyncState`): per object the server version and
the data refexport wrote, so that an unchanged object needs no read and no write, and so
that a later sync knows refexport's part of an item from the user's (see `zotero_merge`).

Requests: one `format=versions` read for items and one for collections; objects whose
server version and content match the state need nothing more. Changed ones are fetched
(≤ 50 keys per request), merged, and written in batches of ≤ 50 (`refexport.zotero_client`
retries what is worth retrying).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from refexport.formats import where
from refexport.formats.zotero.items import (
    LEGACY_TAG,
    api_problems,
    collection_data,
    collection_key,
    collection_problems,
    collection_tree,
    item_of,
    record_paths,
)
from refexport.model import Problem, Record
from refexport.resources import cache_dir
from refexport.zotero_client import BATCH_SIZE, ClientSettings, SyncError, ZoteroClient, chunked, redact
from refexport.zotero_merge import Owned, collection_patch, is_legacy_own, item_patch, merge_item

__all__ = ["SyncError", "SyncOptions", "SyncReport", "redact", "sync"]

log = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "https://api.zotero.org"
CONFLICT_ROUNDS = 3  # re-read-and-reapply rounds after per-object 412s
STATE_FORMAT = 2  # 1: the previous version's (versions and hashes only)


@dataclass(slots=True)
class SyncOptions:
    library_id: str
    library_type: str = "user"
    api_key: str = ""
    endpoint: str = DEFAULT_ENDPOINT
    top_collection: str = ""
    dry_run: bool = False
    prune: bool = False
    state_path: Path | None = None
    max_attempts: int = 6  # per request
    max_wait: float = 600.0  # longest single wait the server may ask for before we give up
    sleep: Callable[[float], None] = time.sleep
    timeout: float = 60.0
    progress: Callable[[int, int], None] | None = None  # (done write batches, total)
    after_batch: Callable[[int], None] | None = None  # test hook: called with the batch number


@dataclass(slots=True)
class PlanEntry:
    action: str  # create | update | restore | unchanged | trash
    kind: str  # item | collection
    key: str
    title: str


@dataclass(slots=True)
class SyncReport:
    plan: list[PlanEntry] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    trashed: int = 0
    failures: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # what the API will refuse (dry run)
    requests: int = 0
    write_requests: int = 0
    library_version: int = 0
    dry_run: bool = False

    def summary(self) -> str:
        if self.dry_run:
            return self._dry_run_summary()
        return (
            f"zotero sync: {self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.trashed} trashed, {len(self.failures)} failed "
            f"({self.requests} requests, {self.write_requests} writes, "
            f"library version {self.library_version})"
        )

    def _dry_run_summary(self) -> str:
        def count(action: str, kind: str = "item") -> int:
            return sum(1 for e in self.plan if e.action == action and e.kind == kind)

        collections = count("create", "collection") + count("update", "collection")
        return (
            f"zotero sync --dry-run: would create {count('create')} items, update {count('update')}, "
            f"restore {count('restore')}, trash {count('trash')}, leave {count('unchanged')} unchanged, "
            f"and create or update {collections} collections; "
            f"{len(self.warnings)} warnings; nothing written ({self.requests} requests)"
        )

    def plan_text(self) -> str:
        lines = []
        for action in ("create", "update", "restore", "trash", "unchanged"):
            entries = [e for e in self.plan if e.action == action]
            lines.append(f"{action}: {len(entries)}")
            if action != "unchanged":
                lines.extend(f"  {e.kind} {e.key} {e.title}" for e in entries)
        return "\n".join(lines)


# --- local sync state ----------------------------------------------------------------------


def default_state_path(options: SyncOptions) -> Path:
    endpoint_tag = hashlib.sha256(options.endpoint.encode()).hexdigest()[:8]
    return cache_dir() / "zotero" / f"{options.library_type}-{options.library_id}-{endpoint_tag}.json"


@dataclass(slots=True)
class Seen:
    version: int  # the server version after refexport's last write or check; -1: re-check
    data: dict[str, Any]  # what refexport wrote (its part of the object), without the key


@dataclass(slots=True)
class SyncState:
    """What the last sync saw and wrote, per object key. Losing this file costs reads, and
    the knowledge of refexport's own part of an item (see `zotero_merge`): never data."""

    items: dict[str, Seen] = field(default_factory=dict)
    collections: dict[str, Seen] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None) -> SyncState:
        if path is None or not path.is_file():
            return cls()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if raw.get("format") != STATE_FORMAT:
                return cls()
            return cls(
                items={k: Seen(int(v["version"]), dict(v["data"])) for k, v in raw["items"].items()},
                collections={
                    k: Seen(int(v["version"]), dict(v["data"])) for k, v in raw["collections"].items()
                },
            )
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            log.warning("ignoring unreadable sync state %s", path)
            return cls()

    def save(self, path: Path | None) -> None:
        if path is None:
            return
        from refexport.fileio import atomic_write

        path.parent.mkdir(parents=True, exist_ok=True)
        document = {
            "format": STATE_FORMAT,
            "items": {k: {"version": s.version, "data": s.data} for k, s in self.items.items()},
            "collections": {k: {"version": s.version, "data": s.data} for k, s in self.collections.items()},
        }
        atomic_write(path, json.dumps(document, ensure_ascii=False, sort_keys=True))


def _owned(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "key"}


# --- the sync ----------------------------------------------------------------------------


@dataclass(slots=True)
class _Write:
    kind: str
    key: str
    title: str
    payload: dict[str, Any]
    wanted: dict[str, Any]  # refexport's part, stored in the state after success
    action: str


class Syncer:
    def __init__(self, records: Sequence[Record], options: SyncOptions, client: ZoteroClient) -> None:
        self.options = options
        self.client = client
        first_path = records[0].collection if records else []
        self.top = options.top_collection or (first_path[0] if first_path else "refexport")
        self.records = records
        self.state = SyncState.load(options.state_path)
        self.report = SyncReport(dry_run=options.dry_run)
        specs = collection_tree(records, self.top)
        self.collections = {spec.key: spec for spec in specs}
        self.wanted_collections = {k: collection_data(s) for k, s in self.collections.items()}
        self.wanted: dict[str, tuple[Record, dict[str, Any]]] = {}
        for record in records:
            data = item_of(record, [collection_key(p) for p in record_paths(record, self.top)])
            self.wanted[data["key"]] = (record, data)
            if options.dry_run:
                self.report.warnings.extend(where(record, m) for m in api_problems(record, data))
        if options.dry_run:
            self.report.warnings.extend(Problem(self.top, None, m) for m in collection_problems(specs))
        self.own_collections = set(self.collections) | set(self.state.collections)

    def run(self) -> SyncReport:
        collection_versions = self.client.collection_versions()
        item_versions = self.client.item_versions(includeTrashed=1)
        self.report.library_version = self.client.library_version()
        collection_writes = self._plan_collections(collection_versions)
        if any(w.action == "create" and w.key in self.state.collections for w in collection_writes):
            # A deleted collection drops item memberships without bumping item versions.
            for seen in self.state.items.values():
                seen.version = -1
        item_writes = self._plan_items(item_versions, list(self.wanted))
        if self.options.prune:
            item_writes += self._plan_prune(item_versions)
        self.report.plan.extend(
            PlanEntry(w.action, w.kind, w.key, w.title) for w in collection_writes + item_writes
        )
        if not self.options.dry_run:
            try:
                self._apply(collection_writes, item_writes)
            finally:
                self.state.save(self.options.state_path)
        self.report.requests = self.client.requests
        self.report.write_requests = self.client.write_requests
        return self.report

    def _note_unchanged(self, kind: str, key: str, title: str) -> None:
        self.report.plan.append(PlanEntry("unchanged", kind, key, title))
        self.report.unchanged += kind == "item"

    def _plan_collections(self, versions: dict[str, int]) -> list[_Write]:
        writes: list[_Write] = []
        to_read = []
        for key, wanted in self.wanted_collections.items():
            seen = self.state.collections.get(key)
            if key not in versions:
                writes.append(
                    _Write("collection", key, wanted["name"], {**wanted, "version": 0}, wanted, "create")
                )
            elif seen is not None and seen.version == versions[key] and seen.data == _owned(wanted):
                self._note_unchanged("collection", key, wanted["name"])
            else:
                to_read.append(key)
        return writes + self._diff_collections(to_read, self.client.fetch_collections(to_read))

    def _diff_collections(self, keys: Sequence[str], servers: dict[str, dict[str, Any]]) -> list[_Write]:
        writes = []
        for key in keys:
            wanted = self.wanted_collections[key]
            server = servers.get(key)
            if server is None:
                writes.append(
                    _Write("collection", key, wanted["name"], {**wanted, "version": 0}, wanted, "create")
                )
                continue
            patch = collection_patch(server, wanted)
            if patch:
                payload = {"key": key, "version": server["version"], **patch}
                writes.append(_Write("collection", key, wanted["name"], payload, wanted, "update"))
            else:
                self.state.collections[key] = Seen(server["version"], _owned(wanted))
                self._note_unchanged("collection", key, wanted["name"])
        return writes

    def _plan_items(self, versions: dict[str, int], keys: Sequence[str]) -> list[_Write]:
        writes: list[_Write] = []
        to_read = []
        for key in keys:
            record, data = self.wanted[key]
            seen = self.state.items.get(key)
            if key not in versions:
                title = record.title or record.url or key
                writes.append(_Write("item", key, title, {**data, "version": 0}, data, "create"))
            elif seen is not None and seen.version == versions[key] and seen.data == _owned(data):
                self._note_unchanged("item", key, record.title or record.url or key)
            else:
                to_read.append(key)
        return writes + self._diff_items(to_read, self.client.fetch_items(to_read))

    def _diff_items(self, keys: Sequence[str], servers: dict[str, dict[str, Any]]) -> list[_Write]:
        """Writes for items refexport has fetched: create (gone from the server), update or
        restore (refexport's part differs), or nothing."""
        writes = []
        for key in keys:
            record, data = self.wanted[key]
            title = record.title or record.url or key
            server = servers.get(key)
            if server is None:
                writes.append(_Write("item", key, title, {**data, "version": 0}, data, "create"))
                continue
            seen = self.state.items.get(key)
            owned = Owned.from_state(seen.data) if seen is not None else None
            patch = item_patch(server, merge_item(server, data, self.own_collections, owned))
            if patch:
                action = "restore" if server.get("deleted") else "update"
                payload = {"key": key, "version": server["version"], **patch}
                writes.append(_Write("item", key, title, payload, data, action))
            else:
                self.state.items[key] = Seen(server["version"], _owned(data))
                self._note_unchanged("item", key, title)
        return writes

    def _plan_prune(self, versions: dict[str, int]) -> list[_Write]:
        """Trash the items refexport made (known from the state, or by the previous version's
        marks) whose records are gone; only inside refexport's collections."""
        legacy = self.client.item_versions(tag=LEGACY_TAG)
        candidates = {k for k in [*self.state.items, *legacy] if k in versions and k not in self.wanted}
        writes = []
        for key, server in self.client.fetch_items(sorted(candidates)).items():
            in_scope = bool(set(server.get("collections") or []) & self.own_collections)
            own = key in self.state.items or is_legacy_own(server)
            if own and in_scope and not server.get("deleted"):
                title = server.get("title") or server.get("url") or key
                payload = {"key": key, "version": server["version"], "deleted": 1}
                writes.append(_Write("item", key, title, payload, {}, "trash"))
        return writes

    def _apply(self, collection_writes: list[_Write], item_writes: list[_Write]) -> None:
        pending = {"collection": collection_writes, "item": item_writes}
        total = sum(-(-len(w) // BATCH_SIZE) for w in pending.values())
        done = 0
        for round_number in range(CONFLICT_ROUNDS + 1):
            retry: dict[str, list[_Write]] = {"collection": [], "item": []}
            for kind in ("collection", "item"):
                for batch in chunked(pending[kind]):
                    retry[kind] += self._write_batch(kind, list(batch), final=round_number == CONFLICT_ROUNDS)
                    done += 1
                    if self.options.progress:
                        self.options.progress(done, max(total, done))
                    if self.options.after_batch:
                        self.options.after_batch(done)
            if not retry["collection"] and not retry["item"]:
                return
            # Someone else wrote meanwhile (or an earlier attempt did): re-read, re-apply.
            pending = {
                "collection": self._replan("collection", retry["collection"]),
                "item": self._replan("item", retry["item"]),
            }

    def _write_batch(self, kind: str, batch: list[_Write], *, final: bool) -> list[_Write]:
        try:
            result = self.client.write(kind, [w.payload for w in batch])
        except SyncError as error:
            self.report.failures.extend(f"{w.kind} {w.key} ({w.title}): {error}" for w in batch)
            return []
        self.report.library_version = max(self.report.library_version, self.client.library_version())
        conflicts = []
        successful = result.get("successful") or {}
        states = self.state.items if kind == "item" else self.state.collections
        for index, write in enumerate(batch):
            position = str(index)
            if position in successful:
                version = int(successful[position].get("version") or successful[position]["data"]["version"])
                self._count_done(write)
                if write.action == "trash":
                    states.pop(write.key, None)
                else:
                    states[write.key] = Seen(version, _owned(write.wanted))
            elif position in (result.get("unchanged") or {}):
                self.report.unchanged += kind == "item"
            elif position in (result.get("failed") or {}):
                if self._failed(write, result["failed"][position], final):
                    conflicts.append(write)
            else:
                self.report.failures.append(f"{kind} {write.key} ({write.title}): not in the server's answer")
        return conflicts

    def _failed(self, write: _Write, failure: dict[str, Any], final: bool) -> bool:
        """Record a per-object failure; True when it is a conflict worth a re-read."""
        code = failure.get("code")
        if code in (412, 404) and not final and write.action != "trash":
            return True
        message = redact(str(failure.get("message", "")), self.options.api_key)
        self.report.failures.append(f"{write.kind} {write.key} ({write.title}): {code} {message}")
        return False

    def _count_done(self, write: _Write) -> None:
        if write.kind != "item":
            return
        if write.action == "create":
            self.report.created += 1
        elif write.action == "trash":
            self.report.trashed += 1
        else:
            self.report.updated += 1

    def _replan(self, kind: str, writes: list[_Write]) -> list[_Write]:
        if not writes:
            return []
        keys = [w.key for w in writes]
        if kind == "item":
            return self._diff_items(keys, self.client.fetch_items(keys))
        return self._diff_collections(keys, self.client.fetch_collections(keys))


def sync(records: Sequence[Record], options: SyncOptions) -> SyncReport:
    """Make the library hold exactly the records (see the module docstring). Raises
    SyncError when it cannot start or a read fails for good; per-object failures are in
    `report.failures` (the other objects are written)."""
    if options.library_type not in ("user", "group"):
        raise SyncError(f"library type must be 'user' or 'group', not {options.library_type!r}")
    if not options.library_id:
        raise SyncError("no library id (set ZOTERO_LIBRARY_ID or pass --library-id)")
    if options.state_path is None:
        options.state_path = default_state_path(options)
    settings = ClientSettings(
        options.library_id,
        options.library_type,
        options.api_key,
        options.endpoint,
        options.timeout,
        options.max_attempts,
        options.max_wait,
        options.sleep,
    )
    client = ZoteroClient(settings)
    try:
        return Syncer(records, options, client).run()
    finally:
        client.close()
