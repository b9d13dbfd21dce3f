"""Response and upstream header rules of the gateway (portkey-gateway-behavior.md §2, §4.2)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from mock_gateway.upstream import Headers, UpstreamResponse

__all__ = [
    "apply_forward_headers",
    "client_headers_for_proxy",
    "passthrough_headers",
    "portkey_headers",
]

# The gateway deletes these from the upstream answer; the server sets its own framing.
_DROPPED_RESPONSE = frozenset({"content-length", "content-encoding", "transfer-encoding"})
_DROPPED_PROXY_REQUEST = frozenset({"content-length", "expect", "host"})


def portkey_headers(
    provider: str,
    trace_id: str,
    *,
    index: str = "config",
    retries: int = 0,
    cache_status: str = "DISABLED",
) -> dict[str, str]:
    """The five ``x-portkey-*`` headers on every answer that came from an upstream attempt
    (or, on hosted Portkey, from its cache)."""
    headers = {
        "x-portkey-last-used-option-index": index,
        "x-portkey-retry-attempt-count": str(retries),
        "x-portkey-trace-id": trace_id,
        "x-portkey-cache-status": cache_status,
    }
    if provider != "portkey":  # omitted for provider portkey (§2)
        headers["x-portkey-provider"] = provider
    return headers


def passthrough_headers(response: UpstreamResponse) -> dict[str, str]:
    """Upstream response headers as the gateway passes them on."""
    return {name: value for name, value in response.headers if name not in _DROPPED_RESPONSE}


def apply_forward_headers(
    headers: list[tuple[str, str]], names: Iterable[str], client: Mapping[str, str]
) -> list[tuple[str, str]]:
    """``forward_headers``: listed client headers are copied over the gateway's own."""
    forwarded = {name: client[name] for name in names if name in client}
    kept = [(name, value) for name, value in headers if name not in forwarded]
    return kept + list(forwarded.items())


def client_headers_for_proxy(client: Iterable[tuple[str, str]]) -> Headers:
    """Every client header but ``x-portkey-*``, ``content-length`` and ``expect`` (§4.2)."""
    return tuple(
        (name, value)
        for name, value in client
        if not name.startswith("x-portkey-") and name not in _DROPPED_PROXY_REQUEST
    )
