"""The per-field table of what arrives in Zotero from refexport's Zotero files, measured with
Zotero's own translators (../shared/tools/zotero-translators, a developer tool like the
schema in make_zotero_fields.py):

- zotero.rdf: Zotero's RDF import of our file; the items it makes, read back through our
  Zotero JSON reader, compared with the records variable by variable;
- zotero.json: Zotero's own CSL export (`itemToCSLJSON`) of our items, compared with the
  records (a variable an item type has no field for must come as the `variable: value`
  line Zotero hands to citeproc in `note`).

For the default catalog and the synthetic one of the tests. Run:
`python tools/zotero_table.py` (prints a Markdown table).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
TOOL = ROOT.parent / "shared" / "tools" / "zotero-translators" / "zotero-translate"

from refexport import formats  # noqa: E402
from refexport.catalog import load  # noqa: E402
from refexport.formats.zotero.extra import label  # noqa: E402
from refexport.formats.zotero.schema import schema  # noqa: E402
from refexport.model import Date, Record  # noqa: E402

from zotero_server import synthetic_records  # noqa: E402

ROWS: list[tuple[str, list[str]]] = [
    ("item type", ["type"]),
    ("title", ["title"]),
    ("URL", ["URL"]),
    ("container (site, blog, forum, journal)", ["container-title"]),
    ("language", ["language"]),
    ("tags", ["tags"]),
    ("citation key", ["key"]),
    ("authors: particles, suffixes, organisations, CJK", ["author"]),
    ("editors", ["editor"]),
    ("date", ["issued"]),
    ("access date", ["accessed"]),
    ("DOI", ["DOI"]),
    ("volume, issue, pages", ["volume", "issue", "page"]),
    ("ISSN, ISBN", ["ISSN", "ISBN"]),
    ("journal abbreviation", ["container-title-short"]),
    ("abstract", ["abstract"]),
    ("publisher, place", ["publisher", "publisher-place"]),
    ("edition, number of pages, series", ["edition", "number-of-pages", "collection-title"]),
    ("software version", ["version"]),
    ("reviewed title (no Zotero field: Extra line)", ["reviewed-title"]),
    ("note", ["note"]),
]
ZOTERO_CSL_NAMES = {"container-title-short": "journalAbbreviation", "part": "part-number"}


class Zotero:
    def __init__(self) -> None:
        self.server = subprocess.Popen([str(TOOL), "serve"], stdout=subprocess.PIPE, text=True)
        assert self.server.stdout is not None
        self.port = int(self.server.stdout.readline())

    def post(self, path: str, body: bytes, content_type: str) -> Any:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", data=body, headers={"Content-Type": content_type}
        )
        with urllib.request.urlopen(request, timeout=300) as response:
            return json.loads(response.read().decode("utf-8"))

    def close(self) -> None:
        self.server.terminate()
        self.server.wait(30)


def write(fmt: str, records: list[Record]) -> str:
    return "".join(formats.get(fmt).write(records, formats.WriteOptions("Catalog")))


def value(record: Record, name: str) -> Any:
    if name in ("type", "key", "tags"):
        return getattr(record, name)
    return record.variables.get(name)


def rdf_check(zotero: Zotero, records: list[Record]) -> Callable[[Record, str], bool]:
    items = zotero.post("/import", write("zotero-rdf", records).encode("utf-8"), "text/plain")
    parents = [i for i in items if "parentItem" not in i]
    back = formats.get("zotero").read(json.dumps(parents).encode("utf-8"), "imported.json").records
    by_key = {r.key: r for r in back}

    def check(record: Record, name: str) -> bool:
        got = by_key.get(record.key)
        return got is not None and value(got, name) == value(record, name)

    return check


def json_check(zotero: Zotero, records: list[Record]) -> Callable[[Record, str], bool]:
    items = json.loads(write("zotero", records))["items"]
    cited = {
        c["id"]: c
        for c in zotero.post("/export?format=csljson", json.dumps(items).encode(), "application/json")
    }

    def check(record: Record, name: str) -> bool:
        csl = cited.get(record.key)
        if csl is None:
            return False
        if name == "key":
            return True
        if name == "tags":  # Zotero's CSL export has no tags: the item's own
            item = next(i for i in items if i["extra"].startswith(f"Citation Key: {record.key}"))
            return [t["tag"] for t in item["tags"]] == record.tags
        if name == "type":
            return csl["type"] == record.type or (record.type, csl["type"]) == ("review-book", "document")
        return _cited(csl, record, name, record.variables[name])

    return check


def _cited(csl: dict[str, Any], record: Record, variable: str, wanted: Any) -> bool:
    note_lines = csl.get("note", "").split("\n")
    spec = schema().item_types[schema().zotero_type(record.type)]
    if variable == "note":
        return bool(csl.get("note", "").endswith(wanted))
    if variable not in spec.variable_field and variable not in spec.name_creator and variable != "author":
        text = wanted.iso() if isinstance(wanted, Date) else wanted
        return f"{variable}: {text}" in note_lines or f"{label(variable)}: {text}" in note_lines
    if isinstance(wanted, Date):
        date = csl.get(variable)
        parts = [[int(p) for p in row] for row in date.get("date-parts", [])] if date else None
        return (
            parts == [wanted.parts[0].parts()]
            if wanted.is_simple()
            else f"{variable}: {wanted.iso()}" in note_lines
        )
    if isinstance(wanted, list):
        return bool(csl.get(variable) == [n.to_dict() for n in wanted])
    return bool(csl.get(ZOTERO_CSL_NAMES.get(variable, variable)) == wanted)


def cell(records: list[Record], names: list[str], check: Callable[[Record, str], bool]) -> str:
    cases = [(r, n) for r in records for n in names if value(r, n) not in (None, [], "")]
    if not cases:
        return "–"
    failed = sorted({f"{r.key}:{n}" for r, n in cases if not check(r, n)})
    return "✓" if not failed else f"✗ {len(failed)}/{len(cases)} ({', '.join(failed[:3])})"


def main() -> None:
    if not TOOL.exists():
        sys.exit(f"{TOOL} not found")
    os.environ.setdefault("ZOTERO_TRANSLATORS_CACHE", str(Path.home() / ".cache" / "zotero-translators"))
    catalogs = {"default catalog": load().records, "synthetic": synthetic_records()}
    zotero = Zotero()
    try:
        checks = {
            name: (rdf_check(zotero, records), json_check(zotero, records))
            for name, records in catalogs.items()
        }
    finally:
        zotero.close()
    heads = [f"{fmt} ({name})" for name in catalogs for fmt in ("zotero.rdf", "zotero.json")]
    print("| field | " + " | ".join(heads) + " |")
    print("|---|" + "---|" * len(heads))
    for title, names in ROWS:
        cells = [
            cell(records, names, checks[name][position])
            for name, records in catalogs.items()
            for position in (0, 1)
        ]
        print(f"| {title} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
