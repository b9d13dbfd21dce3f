"""Hosted Portkey's cache: config ``cache`` {mode, max_age}, answered from memory.

Facts, and where each comes from (more in docs/facts/hosted-portkey.md):

- DOCS: Portkey's docs, docs-core ``product/ai-gateway/cache-simple-and-semantic.mdx``: simple
  mode works on "All models including image generation"; a hit needs the same full request
  body, ``x-portkey-metadata`` and ``x-portkey-cache-namespace``, within ``max_age``;
  ``x-portkey-cache-force-refresh: true`` fetches afresh; "By default, Portkey partitions cache
  by all request headers", a namespace partitions by itself alone; ``max_age`` minimum 60 s,
  maximum 7,776,000 s, default 604,800 s; "Target-level cache takes precedence over
  top-level"; "Caching won't work if `x-portkey-debug: "false"` header is included".
- SOURCE: the open-source gateway. ``src/middlewares/cache/index.ts`` (its in-memory cache)
  names the statuses (HIT, SEMANTIC HIT, MISS, SEMANTIC MISS, REFRESH, DISABLED) and keys a
  SHA-256 of ``JSON.stringify(body)`` and the endpoint; 1.15.2's ``CacheService`` never
  caches the files, batches, fine-tuning and ``imageEdit`` endpoints and answers a hit as
  the stored JSON with ``content-type: application/json`` and status 200; its
  ``ProviderContext.cacheConfig`` reads ``{mode, maxAge}`` (``parseInt``) per target, and
  ``tryTargetsRecursively`` gives a target its own ``cache`` object or else its parent's.

What hosted Portkey does where neither says is in ``ASSUMED``, and only there.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mock_gateway.js import is_number

__all__ = [
    "ASSUMED",
    "DISABLED",
    "HIT",
    "MAX_AGE_DEFAULT",
    "MAX_AGE_MAX",
    "MAX_AGE_MIN",
    "MISS",
    "NEVER_CACHED",
    "REFRESH",
    "CachePlan",
    "ResponseCache",
    "plan_cache",
]

# The statuses of x-portkey-cache-status (SOURCE: middlewares/cache CACHE_STATUS; DOCS:
# response-schema.mdx). SEMANTIC HIT / SEMANTIC MISS need a semantic match, which an image
# route never makes (see ASSUMED.semantic_mode).
HIT, MISS, REFRESH, DISABLED = "HIT", "MISS", "REFRESH", "DISABLED"

# DOCS, "Cache TTL": seconds.
MAX_AGE_MIN = 60
MAX_AGE_MAX = 7_776_000  # 90 days
MAX_AGE_DEFAULT = 604_800  # 7 days

# SOURCE: CacheService.isEndpointCacheable (1.15.2). Image edits are never cached.
NEVER_CACHED = frozenset({
    "uploadFile", "listFiles", "retrieveFile", "deleteFile", "retrieveFileContent",
    "createBatch", "retrieveBatch", "cancelBatch", "listBatches", "getBatchOutput",
    "listFinetunes", "createFinetune", "retrieveFinetune", "cancelFinetune", "imageEdit",
})  # fmt: skip


@dataclass(frozen=True)
class _Assumptions:
    """Hosted Portkey's cache where nothing published says: this mock's choices, in one place."""

    # A max_age outside [60, 7,776,000] is clamped into it (the docs give only the bounds).
    clamp_max_age: bool
    # Only a 2xx answer is stored: an error is never served from the cache.
    stored_statuses: range
    # The header values that force a refresh (the docs write `true`; the open-source
    # middleware refreshes on the header's mere presence).
    force_refresh_values: frozenset[str]
    # With `x-portkey-debug: false` the docs say caching "won't work": the status is this.
    debug_off_status: str
    # `semantic` on an image route: the docs list semantic for /chat/completions and
    # /completions only and call it "a superset of simple cache" that "checks for an exact
    # match first"; an image request has no messages to compare, so it is the simple cache.
    semantic_mode: str
    # The headers that do not partition the cache: the transport's own, and those that
    # change on every request or only steer the cache. Every other header does (DOCS: "all
    # request headers"), the mock's own x-mock-* fault headers too, so a request that asks
    # for a fault is never answered by an entry stored without one.
    unpartitioned: frozenset[str]
    # A hit answers with the trace id of this request, retry count 0, the answering
    # target's index and provider, as an upstream answer would (SOURCE: the gateway's
    # response headers on a cache hit are built as for any answer).


ASSUMED = _Assumptions(
    clamp_max_age=True,
    stored_statuses=range(200, 300),
    force_refresh_values=frozenset({"true"}),
    debug_off_status=DISABLED,
    semantic_mode="simple",
    unpartitioned=frozenset({
        "host", "content-length", "connection", "transfer-encoding", "accept-encoding",
        "user-agent", "traceparent", "tracestate", "x-portkey-trace-id",
        "x-portkey-cache-force-refresh", "x-portkey-cache-namespace", "x-portkey-metadata",
        "x-portkey-debug",
    }),
)  # fmt: skip


@dataclass(frozen=True)
class CachePlan:
    """What the cache does for one target: the status it starts from, the key and max age."""

    status: str
    key: str | None = None
    max_age: int = MAX_AGE_DEFAULT


def max_age_of(config: Mapping[str, Any]) -> int:
    """``maxAge`` as the gateway reads it (``parseInt``, falsy -> default), then bounded."""
    value = config.get("maxAge")
    if not (is_number(value) and value) or (isinstance(value, float) and not math.isfinite(value)):
        return MAX_AGE_DEFAULT
    seconds = int(value)  # parseInt(String(n)) truncates toward zero
    if ASSUMED.clamp_max_age:
        seconds = min(max(seconds, MAX_AGE_MIN), MAX_AGE_MAX)
    return seconds


def _partition(headers: Mapping[str, str]) -> Any:
    namespace = headers.get("x-portkey-cache-namespace")
    if namespace:  # DOCS: a namespace partitions by itself alone
        return ["namespace", namespace]
    kept = sorted((k, v) for k, v in headers.items() if k not in ASSUMED.unpartitioned)
    return ["headers", kept]


def cache_key(
    endpoint: str, provider: str, body: Mapping[str, Any], headers: Mapping[str, str]
) -> str:
    """SHA-256 over the body as ``JSON.stringify`` writes it (key order kept), the endpoint,
    the target's provider, ``x-portkey-metadata`` and the partition (namespace or headers)."""
    parts = [
        json.dumps(body, separators=(",", ":"), ensure_ascii=False, default=str),
        endpoint,
        provider,
        headers.get("x-portkey-metadata", ""),
        _partition(headers),
    ]
    text = json.dumps(parts, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def plan_cache(
    *,
    enabled: bool,
    endpoint: str | None,
    config: Mapping[str, Any] | None,
    headers: Mapping[str, str],
    provider: str,
    body: Mapping[str, Any],
) -> CachePlan:
    """The cache's part in one target's call: DISABLED, or MISS/REFRESH with a key."""
    if not enabled or endpoint is None or endpoint in NEVER_CACHED:
        return CachePlan(DISABLED)
    mode = config.get("mode") if config else None
    if not isinstance(mode, str) or not mode or mode == DISABLED:
        return CachePlan(DISABLED)
    if mode not in ("simple", "semantic"):
        return CachePlan(DISABLED)
    if headers.get("x-portkey-debug", "").strip().lower() == "false":
        return CachePlan(ASSUMED.debug_off_status)
    key = cache_key(endpoint, provider, body, headers)
    assert config is not None
    max_age = max_age_of(config)
    refresh = headers.get("x-portkey-cache-force-refresh", "").strip().lower()
    if refresh in ASSUMED.force_refresh_values:
        return CachePlan(REFRESH, key, max_age)
    return CachePlan(MISS, key, max_age)


@dataclass(frozen=True)
class CacheEntry:
    """One stored answer: the bytes the client got, and when they expire."""

    body: bytes
    provider: str
    stored_at: float
    expires_at: float


class ResponseCache:
    """The mock's cache store, on the mock's clock (so ``max_age`` is testable at once)."""

    def __init__(self) -> None:
        self._entries: dict[str, CacheEntry] = {}
        self._lock = threading.Lock()

    def get(self, key: str, now: float) -> CacheEntry | None:
        """The live entry for ``key`` at ``now``; an expired one is dropped."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and now >= entry.expires_at:
                del self._entries[key]
                return None
            return entry

    def put(self, key: str, body: bytes, provider: str, now: float, max_age: int) -> None:
        """Store an answer for ``max_age`` seconds from ``now``."""
        with self._lock:
            self._entries[key] = CacheEntry(body, provider, now, now + max_age)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def entries(self) -> list[dict[str, Any]]:
        """A JSON-ready view: key prefix, provider, size and times."""
        with self._lock:
            items = list(self._entries.items())
        return [
            {
                "key": key[:16],
                "provider": entry.provider,
                "bytes": len(entry.body),
                "stored_at": entry.stored_at,
                "expires_at": entry.expires_at,
            }
            for key, entry in items
        ]

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()
