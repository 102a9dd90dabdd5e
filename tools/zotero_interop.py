"""Print what survives Zotero, per format and field, measured with Zotero's own translators
(../shared/tools/zotero-translators): into Zotero (our files through Zotero's import) and out
of it (our zotero.json items through Zotero's exporters, read back by refexport), for the
default catalog and the tests' synthetic catalog (persons with particles, organisations, CJK
names, dates, access dates, DOI, volume/issue/pages, books, software, blog and forum posts,
notes, tags). A cell is ✓ when every record that has the field kept it, else kept/total;
under each table, the reason of every loss (tests/zotero_fields.py; the tests fail on a loss
without one).

    python tools/zotero_interop.py
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from refexport.catalog import load  # noqa: E402

from conftest import ZOTERO_TRANSLATE, ZoteroTranslate  # noqa: E402
from zotero_fields import INTO_FIELDS, OUT_FIELDS, bars, into_table, markdown, out_table, round_trip_table  # noqa: E402
from zotero_server import synthetic_records  # noqa: E402


def main() -> None:
    if not ZOTERO_TRANSLATE.exists():
        sys.exit(f"{ZOTERO_TRANSLATE} not found")
    env = {**os.environ}
    env.setdefault("ZOTERO_TRANSLATORS_CACHE", str(Path.home() / ".cache" / "zotero-translators"))
    server = subprocess.Popen([str(ZOTERO_TRANSLATE), "serve"], stdout=subprocess.PIPE, env=env, text=True)
    try:
        assert server.stdout is not None
        zotero = ZoteroTranslate(int(server.stdout.readline()), env)
        for name, records in (
            ("default catalog", load().records),
            ("synthetic catalog", synthetic_records()),
        ):
            print(f"\n### {name} ({len(records)} records): into Zotero (Zotero's import of our file)\n")
            print(markdown(into_table(zotero, records), INTO_FIELDS))
            print(f"\n### {name}: out of Zotero (Zotero's export of our zotero.json, read by refexport)\n")
            print(markdown(out_table(zotero, records), OUT_FIELDS))
            trips = round_trip_table(zotero, records)
            print(
                f"\n### {name}: round trip (our file → Zotero's import → its export in the same "
                "format → refexport)\n"
            )
            print(markdown(trips, OUT_FIELDS, reasons=False))
            print("\n```\n" + bars(trips, OUT_FIELDS) + "\n```")
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
