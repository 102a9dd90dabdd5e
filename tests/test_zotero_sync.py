"""The sync engine against the loopback Zotero Web API server, through real pyzotero over HTTP."""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from refexport import zotero
from refexport.model import Record
from refexport.zotero_sync import SyncError, SyncOptions, SyncReport, item_patch, merge_item, sync

from zotero_server import Fault, LoggedRequest, ZoteroServer, make_records

API_KEY = "testkey"


@pytest.fixture
def server() -> Iterator[ZoteroServer]:
    running = ZoteroServer(api_key=API_KEY).start()
    yield running
    running.stop()


class Sleeps:
    """Records the waits the sync asks for instead of sleeping (the server's faults are
    counted in requests, not seconds)."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def run(server: ZoteroServer, records: list[Record], state: Path, **extra: object) -> SyncReport:
    options = SyncOptions(
        library_id="1", api_key=API_KEY, endpoint=server.endpoint, state_path=state, sleep=Sleeps(), **extra
    )
    return sync(records, options)


def assert_library_holds_exactly(server: ZoteroServer, records: list[Record], top: str = "Catalog") -> None:
    """One live item per record at its derived key, in exactly the record's collections,
    with refexport's content; the collection tree mirrors the sections."""
    items = {key: s for key, s in server.library.items.items() if not s.deleted}
    wanted = {zotero.item_key(r.id): r for r in records}
    assert set(items) >= set(wanted)
    for key, record in wanted.items():
        data = items[key].data
        assert data["title"] == record.title
        assert sorted(data["collections"]) == sorted(
            zotero.collection_key(p) for p in zotero.record_paths(record, top)
        )
        assert f"refexport-id: {record.id}" in data["extra"]
    urls = [s.data.get("url") for s in items.values()]
    assert len(urls) == len(set(urls)), "duplicate items"
    tree = zotero.collection_tree(records, top)
    assert {
        k: (s.data["name"], s.data.get("parentCollection") or None)
        for k, s in server.library.collections.items()
    } == {spec.key: (spec.name, spec.parent) for spec in tree}


def test_first_sync_of_1000_records_then_noop_then_one_edit(server: ZoteroServer, tmp_path: Path) -> None:
    records = make_records(1000)
    state = tmp_path / "state.json"
    report = run(server, records, state)
    assert report.failures == []
    assert report.created == 1000
    assert_library_holds_exactly(server, records)
    collections = len(zotero.collection_tree(records, "Catalog"))
    assert len(server.item_writes()) == math.ceil(1000 / 50)
    assert len(server.collection_writes()) == math.ceil(collections / 50)
    reads = [r for r in server.log if not r.is_write]
    assert len(reads) <= 2

    before = len(server.log)
    report = run(server, records, state)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1000)
    assert len(server.log) - before <= 3
    assert not any(r.is_write for r in server.log[before:])

    records[500].title = "改过的标题"
    before = len(server.log)
    report = run(server, records, state)
    assert (report.created, report.updated) == (0, 1)
    assert len([r for r in server.log[before:] if r.is_write]) == 1
    assert server.library.items[zotero.item_key(records[500].id)].data["title"] == "改过的标题"


def test_lost_state_costs_reads_not_writes(server: ZoteroServer, tmp_path: Path) -> None:
    records = make_records(120)
    run(server, records, tmp_path / "a.json")
    before = len(server.log)
    report = run(server, records, tmp_path / "fresh.json")
    assert report.unchanged == 120 and report.failures == []
    assert not any(r.is_write for r in server.log[before:])


def test_concurrent_user_edit_keeps_the_users_changes(server: ZoteroServer, tmp_path: Path) -> None:
    records = make_records(60)
    state = tmp_path / "state.json"
    run(server, records, state)
    target = records[3]
    key = zotero.item_key(target.id)
    lib = server.library
    # The user's own work, before this sync
    lib.edit_item(key, {"rights": "CC-BY", "tags": [*lib.items[key].data["tags"], {"tag": "to-read"}]})
    target.title = "新标题"
    target.tags = ["renamed"]

    def edit_meanwhile(request: LoggedRequest) -> None:  # another client writes between our read and write
        if request.path.endswith("/items") and not edited:
            edited.append(True)
            data = lib.items[key].data
            lib.edit_item(key, {"extra": data["extra"] + "\nmy note line", "shortTitle": "short"})

    edited: list[bool] = []
    server.before_write = edit_meanwhile
    before = len(server.log)
    report = run(server, records, state)
    item_posts = [r for r in server.log[before:] if r.method == "POST" and r.path.endswith("/items")]
    assert len(item_posts) == 2  # the first met a 412 (edited meanwhile), the second re-applied
    assert report.failures == []
    assert report.updated == 1
    data = lib.items[key].data
    assert data["title"] == "新标题"
    assert data["rights"] == "CC-BY" and data["shortTitle"] == "short"
    assert data["extra"].endswith("my note line")
    tag_names = sorted(t["tag"] for t in data["tags"])
    assert tag_names == ["refexport", "renamed", "to-read"]  # our old tag gone, the user's kept


def test_rate_limit_storm_and_503_then_converges_without_timer_threads(
    server: ZoteroServer, tmp_path: Path
) -> None:
    records = make_records(150)

    def storm(number: int, method: str, path: str) -> Fault | None:
        if 2 <= number <= 5:
            return Fault(429, {"Retry-After": "2"}, "Request rate limit exceeded")
        if number in (7, 9):
            return Fault(503, {"Retry-After": "1"}, "Service unavailable")
        return None

    server.faults.append(storm)
    sleeps = Sleeps()
    options = SyncOptions(
        library_id="1",
        api_key=API_KEY,
        endpoint=server.endpoint,
        state_path=tmp_path / "s.json",
        sleep=sleeps,
    )
    report = sync(records, options)
    assert report.failures == []
    assert_library_holds_exactly(server, records)
    assert sleeps.waits.count(2.0) >= 4 and 1.0 in sleeps.waits
    assert not [t for t in threading.enumerate() if isinstance(t, threading.Timer)]


def test_backoff_header_on_success_waits_before_the_next_request(
    server: ZoteroServer, tmp_path: Path
) -> None:
    server.backoff_header = "3"
    sleeps = Sleeps()
    options = SyncOptions(
        library_id="1", api_key=API_KEY, endpoint=server.endpoint, state_path=None, sleep=sleeps
    )
    options.state_path = tmp_path / "s.json"
    sync(make_records(10), options)
    assert sleeps.waits and set(sleeps.waits) == {3.0}
    assert not [t for t in threading.enumerate() if isinstance(t, threading.Timer)]


def test_rate_limit_longer_than_max_wait_gives_up_cleanly(server: ZoteroServer, tmp_path: Path) -> None:
    server.faults.append(lambda n, m, p: Fault(429, {"Retry-After": "3600"}, "slow down"))
    with pytest.raises(SyncError, match="wait 3600"):
        run(server, make_records(3), tmp_path / "s.json", max_wait=60)


def test_dropped_connection_after_the_write_is_applied_makes_no_duplicate(
    server: ZoteroServer, tmp_path: Path
) -> None:
    records = make_records(120)
    drops: list[int] = []

    def drop_second_item_write(number: int, method: str, path: str) -> Fault | None:
        if method == "POST" and path.endswith("/items") and not drops:
            drops.append(number)
            return Fault(drop=True, apply_first=True)
        return None

    server.faults.append(drop_second_item_write)
    report = run(server, records, tmp_path / "s.json")
    assert drops
    assert report.failures == []
    assert len(server.library.items) == 120
    assert_library_holds_exactly(server, records)


def test_crash_after_kth_batch_then_rerun_converges(server: ZoteroServer, tmp_path: Path) -> None:
    records = make_records(1000)
    state = tmp_path / "state.json"

    def crash(batch: int) -> None:
        if batch == 6:
            raise KeyboardInterrupt  # the process dies here

    with pytest.raises(KeyboardInterrupt):
        run(server, records, state, after_batch=crash)
    state.unlink(missing_ok=True)  # a killed process saves nothing
    assert 0 < len(server.library.items) < 1000
    report = run(server, records, state)
    assert report.failures == []
    assert report.created + report.unchanged == 1000
    assert len(server.library.items) == 1000
    assert_library_holds_exactly(server, records)


def test_dry_run_writes_nothing_and_lists_the_plan(server: ZoteroServer, tmp_path: Path) -> None:
    records = make_records(5)
    report = run(server, records, tmp_path / "s.json", dry_run=True)
    assert not any(r.is_write for r in server.log)
    text = report.plan_text()
    assert "create: " in text and records[0].title in text
    assert len([e for e in report.plan if e.action == "create" and e.kind == "item"]) == 5


def test_prune_trashes_only_refexport_items_whose_records_are_gone(
    server: ZoteroServer, tmp_path: Path
) -> None:
    records = make_records(30)
    state = tmp_path / "s.json"
    run(server, records, state)
    top_key = zotero.collection_key(("Catalog",))
    user_item = {
        "itemType": "webpage",
        "title": "mine",
        "collections": [top_key],
        "tags": [{"tag": "refexport"}],
    }
    result = server.write_objects("items", [user_item], None)
    user_key = result["success"]["0"]
    kept, gone = records[:20], records[20:]
    report = run(server, kept, state, prune=True)
    assert report.trashed == 10 and report.failures == []
    lib = server.library
    assert all(lib.items[zotero.item_key(r.id)].deleted for r in gone)
    assert not any(lib.items[zotero.item_key(r.id)].deleted for r in kept)
    assert not lib.items[user_key].deleted
    # without --prune nothing is trashed, and a returning record is restored
    report = run(server, records, state)
    assert report.updated == 10 and not any(s.deleted for k, s in lib.items.items() if k != user_key)


def test_user_deleted_collection_is_recreated_and_memberships_restored(
    server: ZoteroServer, tmp_path: Path
) -> None:
    records = make_records(40)
    state = tmp_path / "s.json"
    run(server, records, state)
    sub = zotero.collection_key(("Catalog", "推理"))
    server.library.delete_collection(sub)  # items leave it without a version bump
    report = run(server, records, state)
    assert report.failures == []
    assert_library_holds_exactly(server, records)


def test_per_object_failures_are_reported_and_the_rest_written(server: ZoteroServer, tmp_path: Path) -> None:
    records = make_records(10)
    records[4].title = "长" * 30000  # 90,000 bytes: over Zotero's 65,535-byte field limit
    report = run(server, records, tmp_path / "s.json")
    assert report.created == 9
    assert (
        len(report.failures) == 1
        and "413" in report.failures[0]
        and zotero.item_key(records[4].id) in report.failures[0]
    )


def test_invalid_key_error_never_shows_the_key(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    secret = "SECRET-fake-key-1234567890"
    server = ZoteroServer(api_key="the-real-key").start()
    try:
        caplog.set_level(logging.DEBUG)
        options = SyncOptions(
            library_id="1", api_key=secret, endpoint=server.endpoint, state_path=tmp_path / "s"
        )
        with pytest.raises(SyncError) as error:
            sync(make_records(3), options)
    finally:
        server.stop()
    assert "403" in str(error.value)
    assert secret not in str(error.value) and secret not in repr(error.value)
    assert all(secret not in record.getMessage() for record in caplog.records)


def test_merge_keeps_user_tags_collections_and_extra() -> None:
    before, record = make_records(1)[0], make_records(1)[0]
    assert before.tags == ["DL acceleration"]
    record.tags = ["new"]
    wanted = zotero.record_to_item(record, "Catalog", always_stash=frozenset({"tags"}))
    old = zotero.record_to_item(before, "Catalog", always_stash=frozenset({"tags"}))
    server = dict(old)
    server["tags"] = [*old["tags"], {"tag": "user-tag"}]
    server["collections"] = [*old["collections"], "USERCOLL"]
    server["extra"] = old["extra"] + "\nuser line"
    merged = merge_item(server, wanted, own_collections=set(old["collections"]))
    assert sorted(t["tag"] for t in merged["tags"]) == ["new", "refexport", "user-tag"]
    assert "USERCOLL" in merged["collections"]
    assert merged["extra"].endswith("user line") and "refexport-id" in merged["extra"]
    assert item_patch({**merged, "version": 3}, wanted, set(old["collections"])) == {}
