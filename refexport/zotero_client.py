"""pyzotero 1.6.11 with its flaws wrapped, for `refexport.zotero_sync`.

- Its backoff starts a non-daemon `threading.Timer` (a process cannot exit until it
  fires): replaced per instance by a recorder; `call` does the waiting.
- `create_items` returns the raw result and turns a 429 into a JSONDecodeError or a bogus
  result; reads hand a 429 body back as data; 503 and network errors are not retried.
  Every call goes through `ZoteroClient.call`, which retries 429/503/transport errors with
  bounded waits, but not what retrying cannot mend: a refused connection, an unknown host,
  an endpoint that is not a URL.
- Every request is counted, and the API key is kept out of every message.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

BATCH_SIZE = 50  # Zotero's limit per multi-object write (413 above it) and per itemKey read


class SyncError(Exception):
    """The sync cannot go on (authentication, unreachable server, gave up retrying).
    The message is one line and never contains the API key."""


def redact(text: str, secret: str) -> str:
    return text.replace(secret, "***") if secret else text


def chunked(values: Sequence[Any], size: int = BATCH_SIZE) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def check_endpoint(endpoint: str) -> str:
    """The endpoint without a trailing slash; SyncError when it is not an http(s) URL."""
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SyncError(f"invalid endpoint {endpoint!r}: expected http(s)://host[:port]")
    return endpoint.rstrip("/")


@dataclass(slots=True)
class ClientSettings:
    library_id: str
    library_type: str
    api_key: str
    endpoint: str
    timeout: float
    max_attempts: int
    max_wait: float
    sleep: Callable[[float], None]


class ZoteroClient:
    def __init__(self, settings: ClientSettings) -> None:
        import httpx
        from pyzotero import zotero as pyzotero_module

        self.settings = settings
        self.endpoint = check_endpoint(settings.endpoint)
        self.requests = 0
        self.write_requests = 0
        self._pending_wait = 0.0
        self.zot = pyzotero_module.Zotero(
            settings.library_id, settings.library_type, settings.api_key or None
        )
        self.zot.endpoint = self.endpoint
        # pyzotero's _set_backoff starts a non-daemon threading.Timer that keeps the process
        # alive; record the wait instead and sleep before the next request ourselves.
        self.zot._set_backoff = self._record_backoff
        host = urlsplit(self.endpoint).hostname or ""
        self.zot.client.close()
        self.zot.client = httpx.Client(
            headers=self.zot.default_headers(),
            follow_redirects=True,
            timeout=settings.timeout,
            trust_env=host not in ("127.0.0.1", "localhost", "::1"),  # tests: no proxy for loopback
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

    def _message(self, text: str) -> str:
        return redact(" ".join(text.split()), self.settings.api_key)

    def _wait_first(self, label: str) -> None:
        if self._pending_wait <= 0:
            return
        wait, self._pending_wait = self._pending_wait, 0.0
        if wait > self.settings.max_wait:
            raise SyncError(f"{label}: {self.endpoint} asks to wait {wait:g} s; try again later")
        self.settings.sleep(wait)

    def call(self, label: str, function: Callable[[], Any], *, write: bool = False) -> Any:
        import httpx
        from pyzotero import zotero_errors

        last_problem = ""
        for attempt in range(1, self.settings.max_attempts + 1):
            self._wait_first(label)
            self.zot.request = None
            self.zot.url_params = None
            self.requests += 1
            self.write_requests += write
            backoff = 2.0 ** (attempt - 1)
            try:
                result = function()
            except httpx.ConnectError as error:  # refused, unknown host: retrying cannot help
                raise SyncError(self._message(f"cannot connect to {self.endpoint}: {error}")) from None
            except httpx.TransportError as error:
                last_problem = f"network error: {type(error).__name__}"
                self._pending_wait = max(self._pending_wait, min(backoff, 30.0))
                continue
            except (json.JSONDecodeError, zotero_errors.PyZoteroError) as error:
                status = self._status()
                if status not in (429, 503):
                    raise SyncError(self._message(f"{label}: {error}")) from None
                last_problem = f"HTTP {status}"
                self._pending_wait = max(self._pending_wait, self._wait_header() or backoff)
                continue
            if self._status() == 429:  # pyzotero hands a 429 body back as if it were data
                last_problem = "HTTP 429"
                self._pending_wait = max(self._pending_wait, self._wait_header() or backoff)
                continue
            return result
        raise SyncError(
            f"{label}: {self.endpoint} gave up after {self.settings.max_attempts} attempts ({last_problem})"
        )

    def library_version(self) -> int:
        response = self.zot.request
        return int(response.headers.get("last-modified-version", 0)) if response is not None else 0

    def item_versions(self, **params: Any) -> dict[str, int]:
        return self.call("read item versions", lambda: self.zot.item_versions(**params))  # type: ignore[no-any-return]

    def collection_versions(self) -> dict[str, int]:
        return self.call("read collection versions", lambda: self.zot.collection_versions())  # type: ignore[no-any-return]

    def fetch_items(self, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        return self._fetch("items", "itemKey", keys, includeTrashed=1)

    def fetch_collections(self, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        return self._fetch("collections", "collectionKey", keys)

    def _fetch(
        self, kind: str, key_param: str, keys: Sequence[str], **params: Any
    ) -> dict[str, dict[str, Any]]:
        """The objects with these keys (`itemKey=` ≤ 50 per request), by key."""
        read = getattr(self.zot, kind)
        found: dict[str, dict[str, Any]] = {}
        for chunk in chunked(sorted(keys)):
            query = {key_param: ",".join(chunk), "limit": BATCH_SIZE, **params}
            envelopes = self.call(f"read {kind}", functools.partial(read, **query))
            found.update({e["key"]: e["data"] for e in envelopes})
        return found

    def write(self, kind: str, objects: list[dict[str, Any]]) -> dict[str, Any]:
        def function() -> Any:
            if kind == "item":
                return self.zot.create_items(objects)
            return self.zot.create_collections([dict(o) for o in objects])

        result = self.call(f"write {len(objects)} {kind}s", function, write=True)
        if not isinstance(result, dict):
            raise SyncError(f"write {kind}s: unexpected response from {self.endpoint}")
        return result
