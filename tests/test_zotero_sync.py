"""The sync against the loopback Zotero Web API server, through real pyzotero over HTTP."""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from refexport.formats.zotero.items import collection_key, collection_tree, item_key, record_paths
from refexport.formats.zotero.schema import schema
from refexport.model import Date, Origin, Record
from refexport.zotero_sync import SyncError, SyncOptions, SyncReport, sync

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


def run(server: ZoteroServer, records: list[Record], state: Path, **extra: Any) -> SyncReport:
    extra.setdefault("sleep", Sleeps())
    options = SyncOptions(
        library_id="1", api_key=API_KEY, endpoint=server.endpoint, state_path=state, **extra
    )
    return sync(records, options)


def live(server: ZoteroServer) -> dict[str, dict[str, Any]]:
    return {key: s.data for key, s in server.library.items.items() if not s.deleted}


def assert_library_holds_exactly(server: ZoteroServer, records: list[Record], top: str = "Catalog") -> None:
    """One live item per record at its derived key, in exactly the record's collections,
    with the record's fields and tags and nothing of refexport's own; the collection tree
    mirrors the sections."""
    items = live(server)
    wanted = {item_key(r.id): r for r in records}
    assert set(items) >= set(wanted)
    for key, record in wanted.items():
        data = items[key]
        assert data["title"] == record.title and data["url"] == record.url
        assert sorted(data["collections"]) == sorted(collection_key(p) for p in record_paths(record, top))
        assert sorted(t["tag"] for t in data["tags"]) == sorted(record.tags)
        assert data["extra"].startswith(f"Citation Key: {record.key}")
        assert "refexport" not in json.dumps(data, ensure_ascii=False)  # no marker tag, lines or JSON
    urls = [data.get("url") for data in items.values()]
    assert len(urls) == len(set(urls)), "duplicate items"
    tree = collection_tree(records, top)
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
    collections = len(collection_tree(records, "Catalog"))
    assert len(server.item_writes()) == math.ceil(1000 / 50)
    assert len(server.collection_writes()) == math.ceil(collections / 50)
    assert len([r for r in server.log if not r.is_write]) <= 2

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
    assert server.library.items[item_key(records[500].id)].data["title"] == "改过的标题"


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
    key = item_key(target.id)
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
    assert sorted(t["tag"] for t in data["tags"]) == [
        "renamed",
        "to-read",
    ]  # our old tag gone, the user's kept


def test_what_refexport_drops_is_cleared_and_the_users_fields_stay(
    server: ZoteroServer, tmp_path: Path
) -> None:
    records = make_records(4)
    state = tmp_path / "s.json"
    records[0].note = "an old note"
    records[0].put("DOI", "10.1/old")
    run(server, records, state)
    key = item_key(records[0].id)
    server.library.edit_item(
        key, {"rights": "mine", "extra": server.library.items[key].data["extra"] + "\nuser line"}
    )
    records[0].note = None
    records[0].put("DOI", None)
    assert run(server, records, state).updated == 1
    data = server.library.items[key].data
    assert data["DOI"] == "" and data["rights"] == "mine"
    assert data["extra"] == f"Citation Key: {records[0].key}\nuser line"


def test_a_citation_key_zotero_8_moved_into_its_field_is_not_written_again(
    server: ZoteroServer, tmp_path: Path
) -> None:
    records = make_records(3)
    state = tmp_path / "s.json"
    run(server, records, state)
    key = item_key(records[1].id)
    data = server.library.items[key].data
    moved = data["extra"].split("\n", 1)
    server.library.edit_item(
        key, {"citationKey": records[1].key, "extra": moved[1] if len(moved) > 1 else ""}
    )
    report = run(server, records, state)
    assert (report.updated, report.unchanged) == (0, 3)
    assert "Citation Key" not in server.library.items[key].data["extra"]


def legacy_item(record: Record, top: str = "Catalog") -> dict[str, Any]:
    """An item as the previous refexport version synced it: its fields always written (empty
    ones too), the note in abstractNote, the marker tag, and Extra lines with its id and a
    JSON copy of the record fields it could not map (always its tags)."""
    spec = schema().item_types[schema().zotero_type(record.type)]
    data: dict[str, Any] = {"key": item_key(record.id), "itemType": spec.name}
    for base, value in [
        ("title", record.title),
        ("abstractNote", record.note),
        ("publicationTitle", record.container),
        ("publisher", record.publisher),
        ("date", None),
        ("url", record.url),
        ("accessDate", record.accessed.iso() if record.accessed else None),
        ("language", record.language),
    ]:
        field = spec.field_for(base)
        if field:
            data[field] = value or ""
    data["creators"] = [{"creatorType": spec.primary_creator, "name": n.literal} for n in record.authors]
    data["tags"] = [{"tag": t} for t in [*record.tags, "refexport"]]
    data["collections"] = [collection_key(p) for p in record_paths(record, top)]
    stash = json.dumps({"tags": record.tags}, ensure_ascii=False, sort_keys=True)
    data["extra"] = f"Citation Key: {record.key}\nrefexport-id: {record.id}\nrefexport-data: {stash}"
    return data


def test_a_library_synced_by_the_previous_version_converges_without_duplicates(
    server: ZoteroServer, tmp_path: Path
) -> None:
    records = make_records(60)
    records[7].note = "moved from abstractNote to Extra"
    for spec in collection_tree(records, "Catalog"):
        server.write_objects(
            "collections",
            [{"key": spec.key, "name": spec.name, "parentCollection": spec.parent or False, "version": 0}],
            None,
        )
    for record in records:
        assert server.write_objects("items", [{**legacy_item(record), "version": 0}], None)["failed"] == {}
    user_key = item_key(records[14].id)
    old = server.library.items[user_key].data
    server.library.edit_item(
        user_key, {"extra": old["extra"] + "\nmy own line", "tags": [*old["tags"], {"tag": "mine"}]}
    )
    report = run(server, records, tmp_path / "s.json")  # the previous version's state file is not read
    assert report.failures == [] and report.created == 0
    assert report.updated == 60  # every item loses its bookkeeping, once
    assert len(server.library.items) == 60
    data = server.library.items[user_key].data
    assert data["extra"] == f"Citation Key: {records[14].key}\nmy own line"
    assert sorted(t["tag"] for t in data["tags"]) == sorted([*records[14].tags, "mine"])
    noted = server.library.items[item_key(records[7].id)].data
    assert noted["abstractNote"] == "" and noted["extra"].endswith("moved from abstractNote to Extra")
    records[14].tags = ["mine"]  # the user's tag is now also the record's: checked below
    again = run(server, records, tmp_path / "s.json")
    assert again.updated == 1 and again.unchanged == 59
    assert_library_holds_exactly(server, records)


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
    report = run(server, records, tmp_path / "s.json", sleep=sleeps)
    assert report.failures == []
    assert_library_holds_exactly(server, records)
    assert sleeps.waits.count(2.0) >= 4 and 1.0 in sleeps.waits
    assert not [t for t in threading.enumerate() if isinstance(t, threading.Timer)]


def test_backoff_header_on_success_waits_before_the_next_request(
    server: ZoteroServer, tmp_path: Path
) -> None:
    server.backoff_header = "3"
    sleeps = Sleeps()
    run(server, make_records(10), tmp_path / "s.json", sleep=sleeps)
    assert sleeps.waits and set(sleeps.waits) == {3.0}
    assert not [t for t in threading.enumerate() if isinstance(t, threading.Timer)]


def test_rate_limit_longer_than_max_wait_gives_up_cleanly(server: ZoteroServer, tmp_path: Path) -> None:
    server.faults.append(lambda n, m, p: Fault(429, {"Retry-After": "3600"}, "slow down"))
    with pytest.raises(SyncError, match="wait 3600"):
        run(server, make_records(3), tmp_path / "s.json", max_wait=60)


@pytest.mark.parametrize(
    ("endpoint", "message"),
    [
        ("http://127.0.0.1:9", "cannot connect to http://127.0.0.1:9"),
        ("not-a-url", "invalid endpoint 'not-a-url'"),
    ],
)
def test_a_refused_connection_or_a_bad_url_is_not_retried(
    tmp_path: Path, endpoint: str, message: str
) -> None:
    sleeps = Sleeps()
    options = SyncOptions(
        library_id="1", api_key="SECRET-1", endpoint=endpoint, state_path=tmp_path / "s", sleep=sleeps
    )
    started = time.perf_counter()
    with pytest.raises(SyncError) as error:
        sync(make_records(2), options)
    assert time.perf_counter() - started < 5
    assert sleeps.waits == []
    assert message in str(error.value) and "\n" not in str(error.value) and "SECRET-1" not in str(error.value)


def test_dropped_connection_after_the_write_is_applied_makes_no_duplicate(
    server: ZoteroServer, tmp_path: Path
) -> None:
    records = make_records(120)
    drops: list[int] = []

    def drop_item_write(number: int, method: str, path: str) -> Fault | None:
        if method == "POST" and path.endswith("/items") and not drops:
            drops.append(number)
            return Fault(drop=True, apply_first=True)
        return None

    server.faults.append(drop_item_write)
    report = run(server, records, tmp_path / "s.json")
    assert drops and report.failures == []
    assert len(server.library.items) == 120
    assert_library_holds_exactly(server, records)


def test_crash_after_kth_batch_then_rerun_converges(server: ZoteroServer, tmp_path: Path) -> None:
    records = make_records(400)
    state = tmp_path / "state.json"

    def crash(batch: int) -> None:
        if batch == 4:
            raise KeyboardInterrupt  # the process dies here

    with pytest.raises(KeyboardInterrupt):
        run(server, records, state, after_batch=crash)
    state.unlink(missing_ok=True)  # a killed process saves nothing
    assert 0 < len(server.library.items) < 400
    report = run(server, records, state)
    assert report.failures == []
    assert report.created + report.unchanged == 400
    assert_library_holds_exactly(server, records)


def test_dry_run_writes_nothing_and_says_what_would_happen(server: ZoteroServer, tmp_path: Path) -> None:
    records = make_records(5)
    records[1].tags = ["x" * 300]
    records[2].accessed = Date.of(-50, 1, 2)
    records[1].origin = [Origin("list.md", 12)]
    report = run(server, records, tmp_path / "s.json", dry_run=True)
    assert not any(r.is_write for r in server.log)
    plan = report.plan_text()
    assert f"  item {item_key(records[0].id)} {records[0].title}" in plan.split("\nupdate:")[0]
    summary = report.summary()
    assert "would create 5 items" in summary and "nothing written" in summary and "0 created" not in summary
    warnings = [str(w) for w in report.warnings]
    assert any(w.startswith("list.md:12: tag 'xxx") for w in warnings)
    assert any("access date -0050-01-02" in w for w in warnings)


def test_prune_trashes_only_refexport_items_whose_records_are_gone(
    server: ZoteroServer, tmp_path: Path
) -> None:
    records = make_records(30)
    state = tmp_path / "s.json"
    run(server, records, state)
    top_key = collection_key(("Catalog",))
    user_item = {
        "itemType": "webpage",
        "title": "mine",
        "collections": [top_key],
        "tags": [{"tag": "refexport"}],
    }
    user_key = server.write_objects("items", [user_item], None)["success"]["0"]
    kept, gone = records[:20], records[20:]
    report = run(server, kept, state, prune=True)
    assert report.trashed == 10 and report.failures == []
    lib = server.library
    assert all(lib.items[item_key(r.id)].deleted for r in gone)
    assert not any(lib.items[item_key(r.id)].deleted for r in kept)
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
    server.library.delete_collection(
        collection_key(("Catalog", "推理"))
    )  # items leave it without a version bump
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
        and item_key(records[4].id) in report.failures[0]
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
    assert "403" in str(error.value) and "\n" not in str(error.value)
    assert secret not in str(error.value) and secret not in repr(error.value)
    assert all(secret not in record.getMessage() for record in caplog.records)
