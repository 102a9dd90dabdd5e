"""A loopback Zotero Web API v3 server for the tests (the subset refexport and pyzotero use).

Follows /work/shared/notes/zotero.md section 0: library and object versions,
`If-Unmodified-Since-Version`, write tokens, 412/413/428, `successful`/`success`/
`unchanged`/`failed` keyed by index, PATCH semantics for POSTed objects, `since=`,
`format=versions`, `Link` pagination, `/itemFields`, `/items/new`, `/deleted`, trash,
`Backoff`/`Retry-After`, and per-object validation against the Zotero schema subset.

Fault injection: `server.faults` is a list of callables `(request_number, method, path)`
returning None or a `Fault` (a canned status reply, or dropping the connection, optionally
after the request has been carried out). `server.before_write` runs just before a write is
applied (to simulate another client editing meanwhile). Every request is logged in
`server.log` so tests can count them.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from refexport.formats.zotero.schema import schema

KEY_RE = re.compile(r"^[23456789ABCDEFGHIJKLMNPQRSTUVWXYZ]{8}$")
ACCESS_DATE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}:\d{2}Z?)?|CURRENT_TIMESTAMP)$")
MAX_WRITE = 50


@dataclass
class Fault:
    status: int | None = None  # reply with this status instead of handling the request
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    drop: bool = False  # close the connection without a reply
    apply_first: bool = False  # with drop: carry the request out, then drop the reply


@dataclass
class Stored:
    data: dict[str, Any]
    version: int
    deleted: bool = False


@dataclass
class LoggedRequest:
    method: str
    path: str
    query: dict[str, list[str]]

    @property
    def is_write(self) -> bool:
        return self.method in ("POST", "PUT", "PATCH", "DELETE")


class Library:
    """One library's objects and versions. All access holds `lock`."""

    def __init__(self) -> None:
        self.version = 0
        self.items: dict[str, Stored] = {}
        self.collections: dict[str, Stored] = {}
        self.deleted_log: dict[str, list[tuple[str, int]]] = {"items": [], "collections": []}
        self.lock = threading.RLock()

    def edit_item(self, key: str, changes: dict[str, Any]) -> None:
        """An edit by another client (the Zotero desktop app, a colleague)."""
        with self.lock:
            stored = self.items[key]
            self.version += 1
            stored.data.update(changes)
            stored.version = self.version
            stored.data["dateModified"] = _now()

    def edit_collection(self, key: str, changes: dict[str, Any]) -> None:
        with self.lock:
            stored = self.collections[key]
            self.version += 1
            stored.data.update(changes)
            stored.version = self.version

    def delete_collection(self, key: str) -> None:
        """Delete a collection; items leave it without a version bump, as on zotero.org."""
        with self.lock:
            self.version += 1
            del self.collections[key]
            self.deleted_log["collections"].append((key, self.version))
            for stored in self.items.values():
                if key in stored.data.get("collections", []):
                    stored.data["collections"] = [c for c in stored.data["collections"] if c != key]

    def live_items(self) -> list[Stored]:
        return [s for s in self.items.values() if not s.deleted]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ObjectError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ZoteroServer:
    def __init__(self, api_key: str = "testkey", library_id: str = "1") -> None:
        self.api_key = api_key
        self.library_id = library_id
        self.library = Library()
        self.log: list[LoggedRequest] = []
        self.faults: list[Callable[[int, str, str], Fault | None]] = []
        self.before_write: Callable[[LoggedRequest], None] | None = None
        self.backoff_header: str | None = None  # sent on every successful response when set
        self.write_tokens: set[str] = set()
        self._schema = schema()
        self._all_fields = self._schema.all_fields
        handler = type("Handler", (_Handler,), {"server_state": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        # a short poll: stop() waits for it, once per test
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)

    @property
    def endpoint(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> ZoteroServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def requests(self, method: str | None = None, path_part: str = "") -> list[LoggedRequest]:
        return [r for r in self.log if (method is None or r.method == method) and path_part in r.path]

    def item_writes(self) -> list[LoggedRequest]:
        return [r for r in self.log if r.is_write and r.path.endswith("/items")]

    def collection_writes(self) -> list[LoggedRequest]:
        return [r for r in self.log if r.is_write and r.path.endswith("/collections")]

    # --- object views ---------------------------------------------------------------

    def library_info(self) -> dict[str, Any]:
        return {"type": "user", "id": int(self.library_id), "name": "test", "links": {}}

    def item_json(self, stored: Stored) -> dict[str, Any]:
        data = stored.data
        item_type = data["itemType"]
        spec = self._schema.item_types.get(item_type)
        full: dict[str, Any] = {"key": data["key"], "version": stored.version, "itemType": item_type}
        fields = spec.fields if spec else ()
        if fields:
            full[fields[0]] = data.get(fields[0], "")
        full["creators"] = data.get("creators", [])
        for name in fields[1:]:
            full[name] = data.get(name, "")
        full["tags"] = data.get("tags", [])
        full["collections"] = data.get("collections", [])
        full["relations"] = data.get("relations", {})
        if stored.deleted:
            full["deleted"] = 1
        full["dateAdded"] = data.get("dateAdded", "")
        full["dateModified"] = data.get("dateModified", "")
        return {
            "key": data["key"],
            "version": stored.version,
            "library": self.library_info(),
            "links": {},
            "meta": {"numChildren": 0},
            "data": full,
        }

    def collection_json(self, stored: Stored) -> dict[str, Any]:
        data = {
            "key": stored.data["key"],
            "version": stored.version,
            "name": stored.data["name"],
            "parentCollection": stored.data.get("parentCollection") or False,
            "relations": {},
        }
        return {
            "key": data["key"],
            "version": stored.version,
            "library": self.library_info(),
            "links": {},
            "meta": {"numCollections": 0, "numItems": 0},
            "data": data,
        }

    # --- validation and writes --------------------------------------------------------

    def validate_item(self, obj: dict[str, Any], existing: Stored | None) -> None:
        for name in obj:
            if name not in self._all_fields and name not in _ITEM_PROPS:
                raise ObjectError(400, f"Invalid property '{name}'")
        item_type = obj.get("itemType", existing.data["itemType"] if existing else None)
        if item_type is None:
            raise ObjectError(400, "'itemType' property not provided")
        spec = self._schema.item_types.get(item_type)
        if spec is None:
            raise ObjectError(400, f"'{item_type}' is not a valid itemType")
        for name, value in obj.items():
            if name in self._all_fields and name not in spec.fields and value not in ("", None):
                raise ObjectError(400, f"'{name}' is not a valid field for type '{item_type}'")
            if isinstance(value, str) and len(value.encode()) > 65535:
                raise ObjectError(413, f"The value of field '{name}' is too long")
        if obj.get("accessDate") and not ACCESS_DATE_RE.match(obj["accessDate"]):
            raise ObjectError(400, f"'{obj['accessDate']}' is not a valid accessDate")
        for creator in obj.get("creators", []):
            if not isinstance(creator, dict) or "creatorType" not in creator:
                raise ObjectError(400, "creator object must contain 'creatorType'")
            if creator["creatorType"] not in spec.creator_types and creator["creatorType"] != "author":
                raise ObjectError(
                    400, f"'{creator['creatorType']}' is not a valid creator type for '{item_type}'"
                )
            has_name = "name" in creator
            has_split = "firstName" in creator or "lastName" in creator
            if has_name == has_split:
                raise ObjectError(400, "creator must have 'name' or 'firstName'/'lastName'")
        for tag in obj.get("tags", []):
            if not isinstance(tag, dict) or not isinstance(tag.get("tag"), str) or not tag["tag"].strip():
                raise ObjectError(400, "tag must be an object with a non-empty 'tag'")
            if len(tag["tag"]) > 255:
                raise ObjectError(413, "Tag is too long")
        for key in obj.get("collections", []):
            if key not in self.library.collections:
                raise ObjectError(409, f"Collection {key} not found")

    def check_version(self, obj: dict[str, Any], existing: Stored | None, header_version: int | None) -> None:
        if "version" not in obj:
            if header_version is None and existing is not None:
                raise ObjectError(
                    428,
                    "Either If-Unmodified-Since-Version or 'version' property must be provided "
                    "for key-based writes",
                )
            return
        version = obj["version"]
        if not isinstance(version, int):
            raise ObjectError(400, "'version' must be an integer")
        if existing is None:
            if version > 0:
                raise ObjectError(404, f"Item doesn't exist (expected version {version}; use 0 instead)")
        elif version == 0:
            raise ObjectError(412, "Item already exists")
        elif version < existing.version:
            raise ObjectError(
                412,
                f"Item has been modified since specified version "
                f"(expected {version}, found {existing.version})",
            )

    def write_objects(self, kind: str, objects: list[Any], header_version: int | None) -> dict[str, Any]:
        lib = self.library
        result: dict[str, Any] = {"successful": {}, "success": {}, "unchanged": {}, "failed": {}}
        new_version = lib.version + 1
        changed_any = False
        store = lib.items if kind == "items" else lib.collections
        for index, obj in enumerate(objects):
            position = str(index)
            try:
                if not isinstance(obj, dict):
                    raise ObjectError(400, "object must be a JSON object")
                key = obj.get("key")
                if key is not None and not (isinstance(key, str) and KEY_RE.match(key)):
                    raise ObjectError(400, f"'{key}' is not a valid {kind[:-1]} key")
                existing = store.get(key) if key else None
                self.check_version(obj, existing, header_version)
                if kind == "items":
                    self.validate_item(obj, existing)
                else:
                    self.validate_collection(obj, existing)
                changed = self.apply(kind, obj, existing, new_version)
            except ObjectError as error:
                failed = {"code": error.code, "message": error.message}
                if isinstance(obj, dict) and obj.get("key"):
                    failed["key"] = obj["key"]
                result["failed"][position] = failed
                continue
            stored = store[changed[0]]
            if changed[1]:
                changed_any = True
                view = self.item_json(stored) if kind == "items" else self.collection_json(stored)
                result["successful"][position] = view
                result["success"][position] = stored.data["key"]
            else:
                result["unchanged"][position] = stored.data["key"]
        if changed_any:
            lib.version = new_version
        return result

    def validate_collection(self, obj: dict[str, Any], existing: Stored | None) -> None:
        for name in obj:
            if name not in ("key", "version", "name", "parentCollection", "relations", "deleted"):
                raise ObjectError(400, f"Invalid property '{name}'")
        name = obj.get("name", existing.data["name"] if existing else None)
        if not isinstance(name, str) or not name:
            raise ObjectError(400, "Collection name cannot be empty")
        if len(name) > 255:
            raise ObjectError(413, "Collection name too long")
        parent = obj.get("parentCollection")
        if parent and parent not in self.library.collections:
            raise ObjectError(409, f"Parent collection {parent} not found")

    def apply(
        self, kind: str, obj: dict[str, Any], existing: Stored | None, new_version: int
    ) -> tuple[str, bool]:
        body = {k: v for k, v in obj.items() if k not in ("version", "deleted")}
        if existing is None:
            key = obj.get("key") or _random_key()
            body["key"] = key
            if kind == "items":
                body["creators"] = [
                    c for c in body.get("creators", []) if any(v for k, v in c.items() if k != "creatorType")
                ]
                body.setdefault("dateAdded", _now())
                body["dateModified"] = body["dateAdded"]
            stored = Stored(body, new_version, deleted=bool(obj.get("deleted")))
            (self.library.items if kind == "items" else self.library.collections)[key] = stored
            return key, True
        changed = False
        if "deleted" in obj and bool(obj["deleted"]) != existing.deleted:
            existing.deleted = bool(obj["deleted"])
            changed = True
        new_type = body.get("itemType")
        if kind == "items" and new_type and new_type != existing.data["itemType"]:
            valid = set(self._schema.item_types[new_type].fields)
            existing.data = {k: v for k, v in existing.data.items() if k in _ITEM_PROPS or k in valid}
        for name, value in body.items():
            if existing.data.get(name, "" if isinstance(value, str) else None) != value:
                existing.data[name] = value
                changed = True
        if changed:
            existing.version = new_version
            if kind == "items":
                existing.data["dateModified"] = _now()
        return existing.data["key"], changed


_ITEM_PROPS = frozenset(
    {"key", "version", "itemType", "creators", "tags", "collections", "relations", "deleted"}
    | {"dateAdded", "dateModified", "parentItem"}
)
_ALPHABET = "23456789ABCDEFGHIJKLMNPQRSTUVWXYZ"


def _random_key() -> str:
    import secrets

    return "".join(secrets.choice(_ALPHABET) for _ in range(8))


class _Handler(BaseHTTPRequestHandler):
    server_state: ZoteroServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    # --- plumbing ---------------------------------------------------------------------

    def _reply(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        state = self.server_state
        if isinstance(body, (dict, list)):
            payload = json.dumps(body, ensure_ascii=False).encode()
            content_type = "application/json"
        else:
            payload = (body or "").encode()
            content_type = "text/plain"
        self.send_response(status)
        self.send_header("Zotero-API-Version", "3")
        if status != 204:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        if status < 300 and state.backoff_header:
            self.send_header("Backoff", state.backoff_header)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if payload:
            self.wfile.write(payload)

    def _drop(self) -> None:
        self.close_connection = True
        self.connection.close()

    def _handle(self, method: str) -> None:
        state = self.server_state
        parsed = urlparse(self.path)
        query = parse_qs(parsed.query)
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        entry = LoggedRequest(method, parsed.path, query)
        with state.library.lock:
            state.log.append(entry)
            number = len(state.log)
            fault = next((f for f in (rule(number, method, parsed.path) for rule in state.faults) if f), None)
        if fault and not fault.drop:
            self._reply(fault.status or 500, fault.body, fault.headers)
            return
        if fault and not fault.apply_first:
            self._drop()
            return
        status, body, headers = self._route(method, parsed.path, query, raw_body, entry)
        if fault:
            self._drop()
            return
        self._reply(status, body, headers)

    do_GET = lambda self: self._handle("GET")  # noqa: E731, N815
    do_POST = lambda self: self._handle("POST")  # noqa: E731, N815
    do_PATCH = lambda self: self._handle("PATCH")  # noqa: E731, N815
    do_PUT = lambda self: self._handle("PUT")  # noqa: E731, N815
    do_DELETE = lambda self: self._handle("DELETE")  # noqa: E731, N815

    def _auth(self, query: dict[str, list[str]]) -> str | None:
        header = self.headers.get("Authorization", "")
        key = header.removeprefix("Bearer ") if header.startswith("Bearer ") else None
        return key or self.headers.get("Zotero-API-Key") or (query.get("key") or [None])[0]

    def _route(
        self, method: str, path: str, query: dict[str, list[str]], raw_body: bytes, entry: LoggedRequest
    ) -> tuple[int, Any, dict[str, str]]:
        state = self.server_state
        if path == "/itemFields":
            fields = sorted(state._all_fields)
            return 200, [{"field": f, "localized": f} for f in fields], {}
        if path == "/itemTypes":
            return 200, [{"itemType": t, "localized": t} for t in state._schema.item_types], {}
        if path == "/items/new":
            return self._template(query)
        match = re.match(r"^/(users|groups)/(\d+)/(items|collections|deleted)(?:/([A-Z0-9]{8}))?$", path)
        if not match or match.group(2) != state.library_id:
            return 404, "Not found", {}
        key = self._auth(query)
        if key is not None and key != state.api_key:
            return 403, "Invalid key", {}
        if method != "GET" and key is None:
            return 403, "An API key is required for write requests.", {}
        kind, object_key = match.group(3), match.group(4)
        with state.library.lock:
            if method == "GET":
                return self._read(kind, object_key, query)
            if method == "POST" and object_key is None and kind != "deleted":
                if state.before_write:
                    state.before_write(entry)
                return self._post(kind, raw_body)
            if method == "DELETE" and object_key is None and kind == "items":
                return self._delete_items(query)
        return 405, "Method not allowed", {}

    def _template(self, query: dict[str, list[str]]) -> tuple[int, Any, dict[str, str]]:
        item_type = (query.get("itemType") or [""])[0]
        spec = self.server_state._schema.item_types.get(item_type)
        if spec is None:
            return 400, "Invalid item type", {}
        template: dict[str, Any] = {"itemType": item_type}
        fields = list(spec.fields)
        if fields:
            template[fields[0]] = ""
        template["creators"] = [{"creatorType": spec.primary_creator, "firstName": "", "lastName": ""}]
        for name in fields[1:]:
            template[name] = ""
        template.update({"tags": [], "collections": [], "relations": {}})
        return 200, template, {}

    def _read(
        self, kind: str, key: str | None, query: dict[str, list[str]]
    ) -> tuple[int, Any, dict[str, str]]:
        state = self.server_state
        lib = state.library
        version_header = {"Last-Modified-Version": str(lib.version)}
        if kind == "deleted":
            if "since" not in query:
                return 400, "'since' parameter must be provided", {}
            since = int(query["since"][0])
            body = {
                name: [k for k, v in lib.deleted_log.get(name, []) if v > since]
                for name in ("items", "collections")
            }
            body.update({"searches": [], "tags": [], "settings": []})
            return 200, body, version_header
        store = lib.items if kind == "items" else lib.collections
        view = state.item_json if kind == "items" else state.collection_json
        if key is not None:
            stored = store.get(key)
            if stored is None:
                return 404, "Not found", {}
            return 200, view(stored), {"Last-Modified-Version": str(stored.version)}
        selected = list(store.values())
        if kind == "items" and query.get("includeTrashed", ["0"])[0] not in ("1", "true"):
            selected = [s for s in selected if not s.deleted]
        if "since" in query:
            since = int(query["since"][0])
            selected = [s for s in selected if s.version > since]
        key_param = "itemKey" if kind == "items" else "collectionKey"
        if key_param in query:
            wanted = {k for k in query[key_param][0].split(",") if k}
            if len(wanted) > MAX_WRITE:
                return 400, f"Cannot request more than {MAX_WRITE} keys at a time", {}
            selected = [s for s in selected if s.data["key"] in wanted]
        if "tag" in query and kind == "items":
            tag = query["tag"][0]
            selected = [s for s in selected if tag in [t.get("tag") for t in s.data.get("tags", [])]]
        selected.sort(key=lambda s: s.data.get("dateAdded", "") + s.data["key"])
        fmt = query.get("format", ["json"])[0]
        if fmt == "versions":
            return 200, {s.data["key"]: s.version for s in selected}, version_header
        if fmt == "keys":
            return 200, "\n".join(s.data["key"] for s in selected), version_header
        limit = min(int(query.get("limit", ["25"])[0] or 25), 100)
        start = int(query.get("start", ["0"])[0] or 0)
        page = selected[start : start + limit]
        headers = dict(version_header)
        headers["Total-Results"] = str(len(selected))
        if start + limit < len(selected):
            next_query = {k: v[0] for k, v in query.items()}
            next_query["start"] = str(start + limit)
            next_query["limit"] = str(limit)
            url = f"{state.endpoint}{self.path.split('?')[0]}?{urlencode(next_query)}"
            headers["Link"] = f'<{url}>; rel="next"'
        return 200, [view(s) for s in page], headers

    def _post(self, kind: str, raw_body: bytes) -> tuple[int, Any, dict[str, str]]:
        state = self.server_state
        lib = state.library
        token = self.headers.get("Zotero-Write-Token")
        if token is not None:
            if not 5 <= len(token) <= 32:
                return 400, "Invalid write token", {}
            if token in state.write_tokens:
                return 412, "Write token already used", {}
        header = self.headers.get("If-Unmodified-Since-Version")
        header_version = None
        if header is not None:
            if not header.isdigit():
                return 400, "Invalid If-Unmodified-Since-Version value", {}
            header_version = int(header)
            if lib.version > header_version:
                message = (
                    "Library has been modified since specified version "
                    f"(expected {header_version}, found {lib.version})"
                )
                return 412, message, {"Last-Modified-Version": str(lib.version)}
        try:
            objects = json.loads(raw_body or b"null")
        except ValueError:
            return 400, "Invalid JSON", {}
        if not isinstance(objects, list):
            return 400, "Uploaded data must be a JSON array", {}
        if len(objects) > MAX_WRITE:
            return 413, f"Cannot add more than {MAX_WRITE} {kind} at a time", {}
        result = state.write_objects(kind, objects, header_version)
        if token is not None:
            state.write_tokens.add(token)
        return 200, result, {"Last-Modified-Version": str(lib.version)}

    def _delete_items(self, query: dict[str, list[str]]) -> tuple[int, Any, dict[str, str]]:
        lib = self.server_state.library
        header = self.headers.get("If-Unmodified-Since-Version")
        if header is None:
            return 428, "If-Unmodified-Since-Version not provided", {}
        if lib.version > int(header):
            return (
                412,
                "Library has been modified since specified version",
                {"Last-Modified-Version": str(lib.version)},
            )
        keys = [k for k in (query.get("itemKey") or [""])[0].split(",") if k in lib.items]
        if keys:
            lib.version += 1
            for key in keys:
                del lib.items[key]
                lib.deleted_log["items"].append((key, lib.version))
        return 204, None, {"Last-Modified-Version": str(lib.version)}


def make_records(count: int, catalog: str = "Catalog") -> list[Any]:
    """Synthetic records: unique ids and keys, collection paths two and three levels deep,
    some also in a second section, CJK titles and literal (unsplit) author names."""
    from refexport.model import Date, Name, Record, record_id

    records = []
    for index in range(count):
        url = f"https://mp.weixin.qq.com/s/article-{index:05d}"
        section = ["并行 & 框架", "推理", "工具"][index % 3]
        path = [catalog, section] if index % 2 else [catalog, section, f"第{index % 4}部分"]
        variables: dict[str, Any] = {
            "title": f"高效大规模机器学习训练 {index}",
            "URL": url,
            "container-title": "微信公众号",
            "language": "zh-CN",
            "accessed": Date.of(2023, 6, 15),
        }
        if index % 5 == 0:
            variables["author"] = [Name(literal="机器之心")]
        records.append(
            Record(
                id=record_id(url),
                key=f"article-{index:05d}",
                type=["webpage", "post-weblog", "post", "software"][index % 4],
                variables=variables,
                tags=["DL acceleration"] if index % 7 == 0 else [],
                collection=path,
                also_in=[[catalog, "推理"]] if index % 11 == 0 and section != "推理" else [],
            )
        )
    return records


def synthetic_records() -> list[Any]:
    """A catalog with every kind of field Zotero holds: persons with particles and suffixes,
    organisations, CJK names (split and unsplit), dates and access dates, DOI, volume, issue,
    pages, a book, software, blog and forum posts, a video, a CSL type Zotero has no item
    type for, notes and tags."""
    from refexport.model import Date, Name, Origin, PartialDate, Record, record_id

    def record(key: str, csl_type: str, url: str | None, path: list[str], **variables: Any) -> Record:
        names = {k.replace("_", "-"): v for k, v in variables.items()}
        return Record(
            id=record_id(url, key),
            key=key,
            type=csl_type,
            variables={**names, **({"URL": url} if url else {})},
            collection=["Synthetic", *path],
            origin=[Origin("synthetic.md", len(key))],
        )

    article = record(
        "berg2020particles",
        "article-journal",
        "https://doi.org/10.1000/xyz123",
        ["Papers"],
        title="Particles in <i>names</i>: van der Berg et al.",
        author=[
            Name(family="Berg", given="Anna", non_dropping_particle="van der"),
            Name(family="La Fontaine", given="Jean", dropping_particle="de"),
            Name(family="Smith", given="John", suffix="Jr."),
            Name(literal="World Health Organization"),
            Name(family="张", given="三"),
            Name(literal="机器之心"),
        ],
        editor=[Name(family="Doe", given="Jane")],
        container_title="Journal of Names",
        container_title_short="J. Names",
        volume="12",
        issue="3",
        page="45-67",
        DOI="10.1000/xyz123",
        ISSN="1234-5678",
        issued=Date.of(2020, 5, 1),
        accessed=Date.of(2024, 1, 2),
        abstract="On particles.",
        language="en",
        note="Read for the particle rules.",
    )
    article.tags = ["names", "particles"]
    book = record(
        "knuth1997art",
        "book",
        None,
        ["Books"],
        title="The Art of Computer Programming",
        author=[Name(family="Knuth", given="Donald E.")],
        publisher="Addison-Wesley",
        publisher_place="Reading, MA",
        edition="3",
        ISBN="978-0-201-89683-1",
        issued=Date.of(1997),
        number_of_pages="672",
        collection_title="Computer Science",
        language="en",
    )
    software = record(
        "github_iovisor_bcc",
        "software",
        "https://github.com/iovisor/bcc",
        ["Tools"],
        title="BCC - Tools for BPF-based Linux IO analysis",
        author=[Name(literal="iovisor")],
        container_title="GitHub",
        version="0.29.1",
        issued=Date.of(2024, 1),
        accessed=Date.of(2024, 3, 5),
        language="en",
    )
    blog = record(
        "blog_zero_copy",
        "post-weblog",
        "https://example.org/blog/zero-copy",
        ["Blogs"],
        title="零拷贝的原理",
        author=[Name(literal="张三")],
        container_title="某某的博客",
        publisher="Example Press",
        issued=Date.of(2019, 11, 20),
        accessed=Date.of(2023, 6, 15),
        language="zh-CN",
        note="第一行\n第二行",
    )
    blog.tags = ["Linux", "网络"]
    forum = record(
        "zhihu_answer",
        "post",
        "https://www.zhihu.com/question/1/answer/2",
        ["Q&A"],
        title="如何理解 RDMA？",
        author=[Name(literal="李四")],
        container_title="知乎",
        issued=Date.of(2021, 3, 4),
        accessed=Date.of(2023, 6, 15),
        language="zh-CN",
    )
    page = record(
        "webpage_doi",
        "webpage",
        "https://example.com/report.html",
        [],
        title="A report on the web",
        container_title="Example.com",
        DOI="10.5555/web.1",
        accessed=Date.of(2022, 2, 2),
        language="en",
    )
    video = record(
        "bilibili_video",
        "motion_picture",
        "https://www.bilibili.com/video/BV1xx",
        ["Videos"],
        title="RDMA 入门",
        author=[Name(literal="某UP主")],
        container_title="哔哩哔哩",
        issued=Date((PartialDate(2022, 7), PartialDate(2022, 8))),
        language="zh-CN",
    )
    review = record(
        "review_of_book",
        "review-book",
        "https://example.net/reviews/42",
        ["Books"],
        title="A review",
        author=[Name(family="Roe", given="Richard")],
        reviewed_title="The Art of Computer Programming",
        language="en",
    )
    return [article, book, software, blog, forum, page, video, review]
