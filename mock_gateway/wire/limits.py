"""Limits on what one request may make the mock hold, enforced before the body is read whole.

The real gateway (src/index.ts) sets no body limit of its own; the only published one among
its upstreams is Stability v2beta's 413 ``payload_too_large`` over 10 MiB (upstream-apis.md),
which the Stability fake answers itself. The mock's own body limit sits above it, so that
answer stays faithful, and bounds the memory one request can take: over it the mock answers
a 413 of its own (marked ``x-mock-error``) as soon as the declared length or the bytes read
so far pass the limit, without reading the rest. Headers over Node's default limit
(``--max-http-header-size``, 16 KiB) get Node's status, 431; a body that does not arrive in
time gets Node's 408 (its ``requestTimeout``, 300 s by default; the mock waits 30 s).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from starlette.types import Receive

from mock_gateway.gateway.errors import GatewayReply

__all__ = [
    "ClientGone",
    "DEFAULT_BODY_TIMEOUT",
    "DEFAULT_MAX_BODY",
    "DEFAULT_PAGE",
    "JOURNAL_BODY_PREFIX",
    "MAX_HEADER_BYTES",
    "MAX_PAGE",
    "PAGE_BYTES",
    "declared_length",
    "RequestRefused",
    "page_params",
    "read_body",
    "within_bytes",
]

DEFAULT_MAX_BODY = 16 * 1024 * 1024
DEFAULT_BODY_TIMEOUT = 30.0
MAX_HEADER_BYTES = 16 * 1024
# What the journal keeps of a body refused for its size: its first bytes, and its length.
JOURNAL_BODY_PREFIX = 64 * 1024
# Calls in one page of GET /_mock/requests: by default, and at most (a full journal in one
# answer was 586 MB of JSON and held the server for 16 s).
DEFAULT_PAGE = 100
MAX_PAGE = 1000
# Bytes of calls (Call.size) one page or inspector answer takes at most: a page being
# written keeps its calls alive, dropped from the journal or not.
PAGE_BYTES = 4 * 1024 * 1024


class RequestRefused(Exception):
    """The mock refuses the request before reading it all: ``prefix`` is what had come."""

    def __init__(self, status: int, message: str, prefix: bytes, size: int | None = None) -> None:
        super().__init__(message)
        self.prefix, self.size = prefix, size
        body = {"status": "failure", "message": f"mock-portkey-gateway: {message}"}
        # Connection: close, because the rest of the request is never read.
        self.reply = GatewayReply(status, body, {"x-mock-error": "true", "connection": "close"})


class ClientGone(Exception):
    """The client disconnected before its body was all sent: ``received`` is what had come."""

    def __init__(self, received: bytes) -> None:
        super().__init__(f"the client left after {len(received)} bytes of its body")
        self.received = received


def declared_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    """The request's ``content-length``, or ``None`` (chunked, or malformed)."""
    for name, value in headers:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server itself refuses a malformed length
    return None


async def read_body(
    receive: Receive,
    headers: list[tuple[bytes, bytes]],
    limit: int = DEFAULT_MAX_BODY,
    timeout: float = DEFAULT_BODY_TIMEOUT,
) -> bytes:
    """The whole body, or ``RequestRefused``: headers over 16 KiB (431), a body whose declared
    or read size passes ``limit`` (413), or one not all come within ``timeout`` seconds (408);
    ``ClientGone`` if the client disconnects first.
    """
    header_bytes = sum(len(name) + len(value) + 4 for name, value in headers)
    if header_bytes > MAX_HEADER_BYTES:
        message = f"request headers of {header_bytes} bytes are over Node's {MAX_HEADER_BYTES}"
        raise RequestRefused(431, message, b"")
    declared = declared_length(headers)
    if declared is not None and declared > limit:
        raise RequestRefused(413, _too_large(declared, limit), b"", declared)
    chunks: list[bytes] = []
    try:
        async with asyncio.timeout(timeout):
            return await _read(receive, chunks, declared, limit)
    except TimeoutError:
        prefix = b"".join(chunks)[:JOURNAL_BODY_PREFIX]
        message = f"the request body did not arrive within {timeout:g} s"
        raise RequestRefused(408, message, prefix) from None


async def _read(receive: Receive, chunks: list[bytes], declared: int | None, limit: int) -> bytes:
    size, more = 0, True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone(b"".join(chunks))
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            kept = (b"".join(chunks) or chunk)[:JOURNAL_BODY_PREFIX]
            raise RequestRefused(413, _too_large(size, limit), kept, declared or size)
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def _too_large(size: int, limit: int) -> str:
    return (
        f"the request body ({size} bytes or more) is over the mock's {limit}-byte limit "
        "(create_app(max_body_bytes=...), --max-body-bytes)"
    )


def page_params(
    query: Mapping[str, str], default: int, most: int, cursor_name: str
) -> tuple[int, int | None]:
    """``(limit, cursor)`` from a query: ``limit`` 1 or more (past ``most``, ``most``), and
    the cursor a call index; ``ValueError`` naming the parameter otherwise."""
    text = query.get("limit")
    limit = default
    if text is not None:
        if not (text.isascii() and text.isdigit()) or len(text) > 9 or int(text) < 1:
            raise ValueError(f"limit must be a whole number from 1 (at most {most} are served)")
        limit = min(int(text), most)
    raw = query.get(cursor_name)
    if raw is None or raw == "":
        return limit, None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        raise ValueError(f"{cursor_name} must be a call index, as the last page gave it")
    return limit, int(raw)


def within_bytes(calls: list[Any], budget: int) -> list[Any]:
    """The first of ``calls`` whose sizes add up to ``budget`` (always at least one)."""
    total = 0
    for count, call in enumerate(calls):
        total += call.size
        if total > budget and count:
            return calls[:count]
    return calls
