"""Benchmark: sync N records (default 1,000) to the loopback Zotero Web API server.

Prints wall time and request counts for the first sync, a no-op re-sync, a one-record edit
and a no-op re-sync without the local state. Run: `python bench/bench_zotero.py [N]`.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from refexport.zotero_sync import SyncOptions, sync  # noqa: E402

from zotero_server import ZoteroServer, make_records  # noqa: E402


def measure(label: str, server: ZoteroServer, records: list, state: Path) -> None:
    before = len(server.log)
    started = time.perf_counter()
    report = sync(
        records, SyncOptions(library_id="1", api_key="k", endpoint=server.endpoint, state_path=state)
    )
    elapsed = time.perf_counter() - started
    requests = server.log[before:]
    writes = sum(r.is_write for r in requests)
    print(
        f"{label:<28} {elapsed:7.2f} s  {len(requests):4d} requests ({writes} writes, "
        f"{len(requests) - writes} reads)  {report.summary()}"
    )


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    records = make_records(count)
    server = ZoteroServer(api_key="k").start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            state = Path(folder) / "state.json"
            measure(f"first sync ({count})", server, records, state)
            measure("no-op re-sync", server, records, state)
            records[count // 2].title = "edited"
            measure("one record edited", server, records, state)
            measure("no-op, state lost", server, records, Path(folder) / "fresh.json")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
