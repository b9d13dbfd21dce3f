"""Limits on what one request may make the mock hold: the body size, read before it is whole.

The real gateway (src/index.ts) sets no body limit of its own; the only published one among
its upstreams is Stability v2beta's 413 ``payload_too_large`` over 10 MiB (upstream-apis.md),
which the Stability fake answers itself. The mock's own limit sits above it, so that answer
stays faithful, and bounds the memory a single request can take: over it the mock answers a
413 of its own (marked ``x-mock-error``) as soon as the declared length or the bytes read so
far pass the limit, without reading the rest.
"""

from __future__ import annotations

import asyncio

from starlette.types import Receive

from mock_gateway.gateway.errors import GatewayReply

__all__ = [
    "DEFAULT_BODY_TIMEOUT",
    "DEFAULT_MAX_BODY",
    "JOURNAL_BODY_PREFIX",
    "BodyTimeout",
    "BodyTooLarge",
    "read_body",
    "too_large",
    "too_slow",
]

DEFAULT_MAX_BODY = 16 * 1024 * 1024
# Seconds a client may take to send its body. Node's http server, which the self-hosted
# gateway runs on, answers 408 after its requestTimeout (300 s by default); a test suite
# wants to hear sooner, so the mock waits 30 s (MockState.body_timeout).
DEFAULT_BODY_TIMEOUT = 30.0
# What the journal keeps of a body refused for its size: its first bytes, and its length.
JOURNAL_BODY_PREFIX = 64 * 1024


class BodyTooLarge(Exception):
    """The body passed the limit; ``prefix`` is what had been read, ``size`` its known size."""

    def __init__(self, prefix: bytes, size: int) -> None:
        super().__init__(size)
        self.prefix, self.size = prefix, size


class BodyTimeout(Exception):
    """The client did not finish sending its body in time; ``prefix`` is what had come."""

    def __init__(self, prefix: bytes) -> None:
        super().__init__(len(prefix))
        self.prefix = prefix


def _declared(headers: list[tuple[bytes, bytes]]) -> int | None:
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
    limit: int,
    timeout: float = DEFAULT_BODY_TIMEOUT,
) -> bytes:
    """The whole body; ``BodyTooLarge`` once its declared or read size passes ``limit``,
    ``BodyTimeout`` if it has not all come within ``timeout`` seconds."""
    declared = _declared(headers)
    if declared is not None and declared > limit:
        raise BodyTooLarge(b"", declared)
    chunks: list[bytes] = []
    try:
        async with asyncio.timeout(timeout):
            return await _read(receive, chunks, declared, limit)
    except TimeoutError:
        raise BodyTimeout(b"".join(chunks)[:JOURNAL_BODY_PREFIX]) from None


async def _read(receive: Receive, chunks: list[bytes], declared: int | None, limit: int) -> bytes:
    size, more = 0, True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            kept = b"".join(chunks)[:JOURNAL_BODY_PREFIX]
            raise BodyTooLarge(kept or chunk[:JOURNAL_BODY_PREFIX], declared or size)
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def too_large(size: int, limit: int) -> GatewayReply:
    """The mock's 413: the gateway has no limit to copy, so this one says it is the mock's."""
    message = (
        f"mock-portkey-gateway: the request body ({size} bytes or more) is over the mock's "
        f"{limit}-byte limit (create_app(max_body_bytes=...), --max-body-bytes)"
    )
    return GatewayReply(413, {"status": "failure", "message": message}, {"x-mock-error": "true"})


def too_slow(timeout: float) -> GatewayReply:
    """Node's answer to a body that does not arrive in time is a 408; the mock's says why."""
    message = f"mock-portkey-gateway: the request body did not arrive within {timeout:g} s"
    return GatewayReply(408, {"status": "failure", "message": message}, {"x-mock-error": "true"})
