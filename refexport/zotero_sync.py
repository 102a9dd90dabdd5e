"""Idempotent sync of records into a Zotero library through pyzotero 1.6.11.

Why it cannot duplicate: every item and collection key is derived from the record id /
collection path (`refexport.zotero.object_key`) and new objects are written with
`version: 0`, which the server refuses (per-object 412) when the key already exists. A
retry after a crash, a dropped connection or a timeout therefore finds the object and
turns into an update (or nothing).

What it owns: the fields `refexport.zotero.record_to_item` writes. Tags, collections and
`extra` are merged: the user's own tags, collections and Extra lines stay, refexport's
are replaced. Fields refexport never writes (rights, short title, child notes and
attachments, ...) are never sent, and writes use PATCH semantics, so they survive.

Requests: one `format=versions` read for items and one for collections; objects whose
server version and content hash match the local sync state need nothing more. Changed
ones are fetched (≤ 50 keys per request), diffed, and written in batches of ≤ 50.

pyzotero 1.6.11 flaws wrapped here: its backoff starts a non-daemon `threading.Timer`
(replaced per instance by a recorder; this module does the waiting), `create_items`
returns the raw result and turns a 429 into a JSONDecodeError or a bogus result, reads
return a 429 body as data, and 503 / network errors are not retried. All calls go through
`ZoteroClient.call`, which retries 429/503/transport errors with bounded waits.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from refexport import zotero
from refexport.model import Record
from refexport.resources import cache_dir

log = logging.getLogger(__name__)

BATCH_SIZE = 50  # Zotero's limit per multi-object write (413 above it)
DEFAULT_ENDPOINT = "https://api.zotero.org"
CONFLICT_ROUNDS = 3  # re-read-and-reapply rounds after per-object 412s
STATE_FORMAT = 1


class SyncError(Exception):
    """The sync cannot go on (authentication, unreachable server, gave up retrying).
    The message never contains the API key."""


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
    requests: int = 0
    write_requests: int = 0
    library_version: int = 0

    def summary(self) -> str:
        return (
            f"zotero sync: {self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.trashed} trashed, {len(self.failures)} failed "
            f"({self.requests} requests, {self.write_requests} writes, "
            f"library version {self.library_version})"
        )

    def plan_text(self) -> str:
        lines = []
        for action in ("create", "update", "restore", "trash", "unchanged"):
            entries = [e for e in self.plan if e.action == action]
            lines.append(f"{action}: {len(entries)}")
            if action != "unchanged":
                lines.extend(f"  {e.kind} {e.key} {e.title}" for e in entries)
        return "\n".join(lines)


def redact(text: str, secret: str) -> str:
    return text.replace(secret, "***") if secret else text


# --- local sync state ----------------------------------------------------------------------


def default_state_path(options: SyncOptions) -> Path:
    endpoint_tag = hashlib.sha256(options.endpoint.encode()).hexdigest()[:8]
    return cache_dir() / "zotero" / f"{options.library_type}-{options.library_id}-{endpoint_tag}.json"


@dataclass(slots=True)
class SyncState:
    """What the last sync saw: object key -> (server version, hash of refexport's content).
    An object whose server version and wanted hash both match needs no read and no write.
    Losing this file costs reads, never correctness."""

    items: dict[str, tuple[int, str]] = field(default_factory=dict)
    collections: dict[str, tuple[int, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None) -> SyncState:
        if path is None or not path.is_file():
            return cls()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if raw.get("format") != STATE_FORMAT:
                return cls()
            return cls(
                items={k: (int(v), str(h)) for k, (v, h) in raw["items"].items()},
                collections={k: (int(v), str(h)) for k, (v, h) in raw["collections"].items()},
            )
        except (OSError, ValueError, TypeError, KeyError):
            log.warning("ignoring unreadable sync state %s", path)
            return cls()

    def save(self, path: Path | None) -> None:
        if path is None:
            return
        from refexport.fileio import atomic_write

        path.parent.mkdir(parents=True, exist_ok=True)
        document = {"format": STATE_FORMAT, "items": self.items, "collections": self.collections}
        atomic_write(path, json.dumps(document, sort_keys=True))


def content_hash(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:20]


# --- pure planning -----------------------------------------------------------------------


def wanted_items(records: Sequence[Record], top: str) -> dict[str, tuple[Record, dict[str, Any]]]:
    """key -> (record, item data refexport wants). Tags are always stashed so a later sync
    knows which tags are its own; source positions are left out (they move with every edit
    of the reading list and are no use in Zotero)."""
    wanted: dict[str, tuple[Record, dict[str, Any]]] = {}
    for record in records:
        data = zotero.record_to_item(
            record, top, always_stash=frozenset({"tags"}), never_stash=frozenset({"source"})
        )
        wanted[data["key"]] = (record, data)
    return wanted


def _tag_names(tags: Any) -> list[str]:
    return [t["tag"] for t in tags or [] if isinstance(t, dict) and isinstance(t.get("tag"), str)]


def _previous_own_tags(server: dict[str, Any]) -> set[str]:
    ours, _ = zotero.split_extra(server.get("extra") or "")
    try:
        stash = json.loads(ours.get(zotero.STASH_LABEL, "{}"))
        tags = stash.get("tags", []) if isinstance(stash, dict) else []
    except ValueError:
        tags = []
    return {zotero.MARKER_TAG, *(t for t in tags if isinstance(t, str))}


def merge_item(server: dict[str, Any], wanted: dict[str, Any], own_collections: set[str]) -> dict[str, Any]:
    """The item refexport wants, merged with the server's copy: the user's tags, collections
    and Extra text are kept; refexport's fields, tags and Extra lines are re-applied."""
    merged = dict(wanted)
    own_tags = _previous_own_tags(server)
    user_tags = [t for t in server.get("tags") or [] if isinstance(t, dict) and t.get("tag") not in own_tags]
    wanted_tag_names = set(_tag_names(wanted["tags"]))
    merged["tags"] = list(wanted["tags"]) + [t for t in user_tags if t.get("tag") not in wanted_tag_names]
    user_collections = [c for c in server.get("collections") or [] if c not in own_collections]
    merged["collections"] = list(wanted["collections"]) + [
        c for c in user_collections if c not in wanted["collections"]
    ]
    wanted_ours, wanted_user_text = zotero.split_extra(wanted.get("extra", ""))
    _, server_user_text = zotero.split_extra(server.get("extra") or "")
    merged["extra"] = zotero.join_extra(wanted_ours, server_user_text or wanted_user_text)
    return merged


def item_patch(server: dict[str, Any], wanted: dict[str, Any], own_collections: set[str]) -> dict[str, Any]:
    """Only the properties that differ (PATCH semantics); empty when nothing needs writing."""
    merged = merge_item(server, wanted, own_collections)
    patch: dict[str, Any] = {}
    for name, value in merged.items():
        if name == "key":
            continue
        current = server.get(name, "" if isinstance(value, str) else None)
        if name == "tags":
            if sorted(_tag_names(current)) != sorted(_tag_names(value)):
                patch[name] = value
        elif name == "collections":
            if sorted(current or []) != sorted(value):
                patch[name] = value
        elif current != value:
            patch[name] = value
    if server.get("deleted"):
        patch["deleted"] = 0
    if "itemType" in patch:
        patch = {k: v for k, v in merged.items() if k != "key"}  # a type change rewrites every owned field
        patch["deleted"] = 0
    return patch


def collection_patch(server: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    patch = {}
    for name in ("name", "parentCollection"):
        current = server.get(name) or False
        if current != (wanted[name] or False):
            patch[name] = wanted[name]
    return patch


def is_own_item(data: dict[str, Any]) -> bool:
    """An item refexport created: its key is the one derived from its `refexport-id` line
    and it carries the marker tag. Nothing else is ever trashed."""
    ours, _ = zotero.split_extra(data.get("extra") or "")
    rec_id = ours.get(zotero.ID_LABEL)
    return (
        rec_id is not None
        and zotero.item_key(rec_id) == data.get("key")
        and zotero.MARKER_TAG in _tag_names(data.get("tags"))
    )


def chunked(values: Sequence[Any], size: int = BATCH_SIZE) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --- the client wrapper ------------------------------------------------------------------


class ZoteroClient:
    """pyzotero with its flaws wrapped: bounded retries for 429/503/network errors, waits
    done here (no timer threads), every request counted, the API key kept out of messages."""

    def __init__(self, options: SyncOptions) -> None:
        import httpx
        from pyzotero import zotero as pyzotero_module

        self.options = options
        self.requests = 0
        self.write_requests = 0
        self._pending_wait = 0.0
        self.zot = pyzotero_module.Zotero(options.library_id, options.library_type, options.api_key or None)
        self.zot.endpoint = options.endpoint.rstrip("/")
        # pyzotero's _set_backoff starts a non-daemon threading.Timer that keeps the process
        # alive; record the wait instead and sleep before the next request ourselves.
        self.zot._set_backoff = self._record_backoff
        loopback = self.zot.endpoint.startswith(("http://127.0.0.1", "http://localhost", "http://[::1]"))
        self.zot.client.close()
        self.zot.client = httpx.Client(
            headers=self.zot.default_headers(),
            follow_redirects=True,
            timeout=options.timeout,
            trust_env=not loopback,
        )

    def close(self) -> None:
        self.zot.client.close()

    def _record_backoff(self, duration: Any) -> None:
        try:
            self._pending_wait = max(self._pending_wait, float(duration))
        except (TypeError, ValueError):
            self._pending_wait = max(self._pending_wait, 1.0)

    def _wait_header(self) -> float | None:
        response = self.zot.request
        if response is None:
            return None
        value = response.headers.get("retry-after") or response.headers.get("backoff")
        try:
            return float(value) if value else None
        except ValueError:
            return None

    def _status(self) -> int | None:
        return self.zot.request.status_code if self.zot.request is not None else None

    def call(self, label: str, function: Callable[[], Any], *, write: bool = False) -> Any:
        import httpx
        from pyzotero import zotero_errors

        last_problem = ""
        for attempt in range(1, self.options.max_attempts + 1):
            if self._pending_wait > 0:
                wait, self._pending_wait = self._pending_wait, 0.0
                if wait > self.options.max_wait:
                    raise SyncError(f"{label}: the server asks to wait {wait:g} s; try again later")
                self.options.sleep(wait)
            self.zot.request = None
            self.zot.url_params = None
            self.requests += 1
            self.write_requests += write
            try:
                result = function()
            except httpx.TransportError as error:
                last_problem = f"network error: {type(error).__name__}"
                self._pending_wait = max(self._pending_wait, min(2.0 ** (attempt - 1), 30.0))
                continue
            except (json.JSONDecodeError, zotero_errors.PyZoteroError) as error:
                status = self._status()
                if status not in (429, 503):
                    message = str(error).strip().replace("\n", " ")
                    raise SyncError(redact(f"{label}: {message}", self.options.api_key)) from None
                last_problem = f"HTTP {status}"
                self._pending_wait = max(self._pending_wait, self._wait_header() or 2.0 ** (attempt - 1))
                continue
            if self._status() == 429:  # pyzotero hands a 429 body back as if it were data
                last_problem = "HTTP 429"
                self._pending_wait = max(self._pending_wait, self._wait_header() or 2.0 ** (attempt - 1))
                continue
            return result
        raise SyncError(f"{label}: gave up after {self.options.max_attempts} attempts ({last_problem})")

    def library_version(self) -> int:
        response = self.zot.request
        return int(response.headers.get("last-modified-version", 0)) if response is not None else 0

    def item_versions(self, **params: Any) -> dict[str, int]:
        return self.call("read item versions", lambda: self.zot.item_versions(**params))

    def collection_versions(self) -> dict[str, int]:
        return self.call("read collection versions", lambda: self.zot.collection_versions())

    def fetch_items(self, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for chunk in chunked(sorted(keys)):
            envelopes = self.call(
                "read items",
                lambda chunk=chunk: self.zot.items(
                    itemKey=",".join(chunk), includeTrashed=1, limit=BATCH_SIZE
                ),
            )
            found.update({e["key"]: e["data"] for e in envelopes})
        return found

    def fetch_collections(self, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for chunk in chunked(sorted(keys)):
            envelopes = self.call(
                "read collections",
                lambda chunk=chunk: self.zot.collections(collectionKey=",".join(chunk), limit=BATCH_SIZE),
            )
            found.update({e["key"]: e["data"] for e in envelopes})
        return found

    def write(self, kind: str, objects: list[dict[str, Any]]) -> dict[str, Any]:
        if kind == "item":
            function = lambda: self.zot.create_items(objects)  # noqa: E731
        else:
            function = lambda: self.zot.create_collections([dict(o) for o in objects])  # noqa: E731
        result = self.call(f"write {len(objects)} {kind}s", function, write=True)
        if not isinstance(result, dict):
            raise SyncError(f"write {kind}s: unexpected response")
        return result


# --- the sync ----------------------------------------------------------------------------


@dataclass(slots=True)
class _Write:
    kind: str
    key: str
    title: str
    payload: dict[str, Any]
    content: str  # hash of what refexport wants, stored in the state after success
    action: str


class Syncer:
    def __init__(self, records: Sequence[Record], options: SyncOptions, client: ZoteroClient) -> None:
        self.options = options
        self.client = client
        first_path = records[0].collection if records else []
        self.top = options.top_collection or (first_path[0] if first_path else "refexport")
        self.records = records
        self.state = SyncState.load(options.state_path)
        self.report = SyncReport()
        self.collections = {spec.key: spec for spec in zotero.collection_tree(records, self.top)}
        self.wanted_collections = {k: zotero.collection_data(s) for k, s in self.collections.items()}
        self.wanted = wanted_items(records, self.top)
        self.own_collections = set(self.collections) | set(self.state.collections)

    def run(self) -> SyncReport:
        collection_versions = self.client.collection_versions()
        item_versions = self.client.item_versions(includeTrashed=1)
        self.report.library_version = self.client.library_version()
        collection_writes = self._plan_collections(collection_versions)
        if any(w.action == "create" and w.key in self.state.collections for w in collection_writes):
            # A deleted collection drops item memberships without bumping item versions.
            self.state.items.clear()
        item_writes = self._plan_items(item_versions, list(self.wanted))
        if self.options.prune:
            item_writes += self._plan_prune()
        self.report.plan.extend(
            PlanEntry(w.action, w.kind, w.key, w.title) for w in collection_writes + item_writes
        )
        if self.options.dry_run:
            return self.report
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
            if key not in versions:
                payload = {**wanted, "version": 0}
                writes.append(
                    _Write("collection", key, wanted["name"], payload, content_hash(wanted), "create")
                )
            elif self.state.collections.get(key) == (versions[key], content_hash(wanted)):
                self._note_unchanged("collection", key, wanted["name"])
            else:
                to_read.append(key)
        return writes + self._diff_collections(to_read, self.client.fetch_collections(to_read))

    def _diff_collections(self, keys: Sequence[str], servers: dict[str, dict[str, Any]]) -> list[_Write]:
        writes = []
        for key in keys:
            wanted = self.wanted_collections[key]
            content = content_hash(wanted)
            server = servers.get(key)
            if server is None:
                writes.append(
                    _Write("collection", key, wanted["name"], {**wanted, "version": 0}, content, "create")
                )
                continue
            patch = collection_patch(server, wanted)
            if patch:
                payload = {"key": key, "version": server["version"], **patch}
                writes.append(_Write("collection", key, wanted["name"], payload, content, "update"))
            else:
                self.state.collections[key] = (server["version"], content)
                self._note_unchanged("collection", key, wanted["name"])
        return writes

    def _plan_items(self, versions: dict[str, int], keys: Sequence[str]) -> list[_Write]:
        writes: list[_Write] = []
        to_read = []
        for key in keys:
            record, data = self.wanted[key]
            if key not in versions:
                title = record.title or record.url or key
                writes.append(
                    _Write("item", key, title, {**data, "version": 0}, content_hash(data), "create")
                )
            elif self.state.items.get(key) == (versions[key], content_hash(data)):
                self._note_unchanged("item", key, record.title or record.url or key)
            else:
                to_read.append(key)
        return writes + self._diff_items(to_read, self.client.fetch_items(to_read))

    def _diff_items(self, keys: Sequence[str], servers: dict[str, dict[str, Any]]) -> list[_Write]:
        """Writes for items refexport has fetched: create (gone from the server), update or
        restore (owned content differs), or nothing."""
        writes = []
        for key in keys:
            record, data = self.wanted[key]
            title = record.title or record.url or key
            content = content_hash(data)
            server = servers.get(key)
            if server is None:
                writes.append(_Write("item", key, title, {**data, "version": 0}, content, "create"))
                continue
            patch = item_patch(server, data, self.own_collections)
            if patch:
                action = "restore" if server.get("deleted") else "update"
                payload = {"key": key, "version": server["version"], **patch}
                writes.append(_Write("item", key, title, payload, content, action))
            else:
                self.state.items[key] = (server["version"], content)
                self._note_unchanged("item", key, title)
        return writes

    def _plan_prune(self) -> list[_Write]:
        tagged = self.client.item_versions(tag=zotero.MARKER_TAG)
        candidates = [k for k in tagged if k not in self.wanted]
        writes = []
        for key, server in self.client.fetch_items(candidates).items():
            in_scope = bool(set(server.get("collections") or []) & self.own_collections)
            if is_own_item(server) and in_scope and not server.get("deleted"):
                title = server.get("title") or server.get("url") or key
                payload = {"key": key, "version": server["version"], "deleted": 1}
                writes.append(_Write("item", key, title, payload, "", "trash"))
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
                "collection": self._replan_collections(retry["collection"]),
                "item": self._replan_items(retry["item"]),
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
        for index, write in enumerate(batch):
            position = str(index)
            states = self.state.items if kind == "item" else self.state.collections
            if position in successful:
                version = int(successful[position].get("version") or successful[position]["data"]["version"])
                self._count_done(write)
                if write.action == "trash":
                    states.pop(write.key, None)
                else:
                    states[write.key] = (version, write.content)
            elif position in (result.get("unchanged") or {}):
                self.report.unchanged += kind == "item"
            elif position in (result.get("failed") or {}):
                failure = result["failed"][position]
                code = failure.get("code")
                if code in (412, 404) and not final and write.action != "trash":
                    conflicts.append(write)
                else:
                    message = redact(str(failure.get("message", "")), self.options.api_key)
                    self.report.failures.append(f"{kind} {write.key} ({write.title}): {code} {message}")
            else:
                self.report.failures.append(f"{kind} {write.key} ({write.title}): not in the server's answer")
        return conflicts

    def _count_done(self, write: _Write) -> None:
        if write.kind != "item":
            return
        if write.action == "create":
            self.report.created += 1
        elif write.action == "trash":
            self.report.trashed += 1
        else:
            self.report.updated += 1

    def _replan_items(self, writes: list[_Write]) -> list[_Write]:
        if not writes:
            return []
        keys = [w.key for w in writes]
        for key in keys:
            self.state.items.pop(key, None)
        return self._diff_items(keys, self.client.fetch_items(keys))

    def _replan_collections(self, writes: list[_Write]) -> list[_Write]:
        if not writes:
            return []
        keys = [w.key for w in writes]
        for key in keys:
            self.state.collections.pop(key, None)
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
    client = ZoteroClient(options)
    try:
        report = Syncer(records, options, client).run()
    finally:
        client.close()
    report.requests = client.requests
    report.write_requests = client.write_requests
    return report
