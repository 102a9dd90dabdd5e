"""URL canonicalisation: one spelling per resource, so duplicates can be found and ids are stable.

Conservative on purpose: only the scheme and host case, default ports, well-known tracking
parameters and WeChat's share decorations are touched. Paths, other parameters (in their
order) and other fragments stay as written; raw CJK stays raw (no percent-encoding), so the
result is still readable and `canonical_url` is idempotent.
"""

from __future__ import annotations

import re

_DEFAULT_PORTS = {"http": "80", "https": "443", "ftp": "21"}
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")

# Tracking parameters dropped on every host (exact names, plus the `utm_` prefix).
_TRACKERS = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid"})
# WeChat share/session decorations; `__biz`, `mid`, `idx` and `sn` identify the article and stay.
_WECHAT_TRACKERS = frozenset(
    {
        "chksm", "scene", "srcid", "clicktime", "enterid", "mpshare", "subscene", "sessionid",
        "ascene", "devicetype", "version", "nettype", "lang", "exportkey", "pass_ticket",
        "wx_header", "key", "uin",
    }
)  # fmt: skip
_WECHAT_HOST = "mp.weixin.qq.com"
# Fragments WeChat appends when an article is shared; they never address a part of the page.
_WECHAT_FRAGMENTS = frozenset({"rd", "wechat_redirect"})


def canonical_url(url: str) -> str:
    """The canonical spelling of `url`; never raises (odd input comes back trimmed).

    Odd input (spaces inside the authority, a query of only `&`) can expose a further
    change once one is made, so the rewrite is repeated until nothing changes: that fixpoint
    is what makes the function idempotent."""
    text = url.strip()
    for _ in range(8):
        rewritten = _rewrite(text)
        if rewritten == text:
            break
        text = rewritten
    return text


def _rewrite(url: str) -> str:
    text = url.strip()
    match = _SCHEME.match(text)
    if not match:
        return text
    scheme = match.group(1).lower()
    authority, tail = split_authority(text[match.end() :])
    host = _canonical_authority(authority, scheme)

    fragment = None
    if "#" in tail:
        tail, fragment = tail.split("#", 1)
    query = None
    if "?" in tail:
        tail, query = tail.split("?", 1)
    path = tail

    bare_host = host.rpartition("@")[2].split(":")[0]
    if query is not None:
        query = _clean_query(query, bare_host == _WECHAT_HOST)
    wechat_decoration = bare_host == _WECHAT_HOST and fragment in _WECHAT_FRAGMENTS
    if fragment == "" or wechat_decoration:
        fragment = None

    result = f"{scheme}://{host}{path}"
    if query:
        result += f"?{query}"
    if fragment is not None:
        result += f"#{fragment}"
    return result.strip()


def split_authority(after_scheme: str) -> tuple[str, str]:
    """Split what follows `scheme://` into the authority and the rest (path, query, fragment)."""
    end = len(after_scheme)
    for delimiter in "/?#":
        position = after_scheme.find(delimiter)
        if position != -1:
            end = min(end, position)
    return after_scheme[:end], after_scheme[end:]


def _canonical_authority(authority: str, scheme: str) -> str:
    """Lower-case the host (user info kept as written) and drop the scheme's default port."""
    userinfo, at, hostport = authority.rpartition("@")
    if hostport.startswith("["):  # IPv6 literal
        close = hostport.find("]")
        host, port = (hostport[: close + 1], hostport[close + 2 :]) if close != -1 else (hostport, "")
        has_port = close != -1 and hostport[close + 1 : close + 2] == ":"
    else:
        host, has_colon, port = hostport.partition(":")
        has_port = bool(has_colon)
    host = host.lower().rstrip(".") if host.rstrip(".") else host.lower()
    if has_port and (port == "" or port == _DEFAULT_PORTS.get(scheme)):
        has_port = False
    hostport = f"{host}:{port}" if has_port else host
    return f"{userinfo}{at}{hostport}"


def _clean_query(query: str, wechat: bool) -> str:
    """Drop tracking parameters; keep the others in their order and spelling."""
    kept = []
    for part in query.split("&"):
        if not part:
            continue
        name = part.split("=", 1)[0]
        lower = name.lower()
        if lower.startswith("utm_") or lower in _TRACKERS:
            continue
        if wechat and (lower in _WECHAT_TRACKERS or lower.startswith("sharer_")):
            continue
        kept.append(part)
    return "&".join(kept)
