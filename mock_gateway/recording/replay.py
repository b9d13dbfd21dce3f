"""``mock-portkey serve --replay CASSETTE``: recorded requests get their recorded answers.

A request matches a recorded one on method, path and normalised body (JSON compared as data,
whatever its spacing and key order; a multipart form by its fields, whatever its boundary).
Matching requests are answered from the cassette, in recorded order, the last one repeating;
everything else goes to the mock as usual. A replayed answer carries ``x-mock-replayed``
(``cassette#entry``). Headers (keys included) are not matched: cassettes hold them redacted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

from mock_gateway.recording.har import Exchange, read_cassette
from mock_gateway.wire.multipart import MultipartError, decode_form
from mock_gateway.wire.receive import body_then

__all__ = ["ReplayMiddleware", "load_replay", "match_key"]

Key = tuple[str, str, str]
_NOT_REPLAYED = frozenset(
    {"content-length", "transfer-encoding", "content-encoding", "connection", "date", "server"}
)


def _normal_body(body: bytes, content_type: str) -> str:
    if not body:
        return ""
    if content_type.startswith("multipart/form-data"):
        try:
            fields = decode_form(body, content_type)
        except MultipartError:
            pass
        else:
            parts = [
                [f.name, f.filename or "", hashlib.sha256(f.value).hexdigest()] for f in fields
            ]
            return json.dumps(parts)
    try:
        return json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"))
    except ValueError:
        return hashlib.sha256(body).hexdigest()


def match_key(method: str, path: str, body: bytes, content_type: str) -> Key:
    """What a request is matched on: method, path, normalised body."""
    return method.upper(), path, _normal_body(body, content_type)


def load_replay(paths: Iterable[str | Path]) -> list[tuple[str, Exchange]]:
    """(cassette name, exchange) for every exchange of every cassette, in order."""
    return [(Path(path).name, ex) for path in paths for ex in read_cassette(path)]


class ReplayMiddleware:
    """Answers recorded requests from the cassettes; passes everything else to ``app``."""

    def __init__(self, app: ASGIApp, exchanges: list[tuple[str, Exchange]]) -> None:
        self.app = app
        self.table: dict[Key, list[tuple[str, Exchange]]] = {}
        for name, ex in exchanges:
            key = match_key(
                ex.method, ex.path, ex.request_body, ex.header("content-type", response=False)
            )
            self.table.setdefault(key, []).append((name, ex))
        self.served: dict[Key, int] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_mock/"):
            await self.app(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        key = match_key(scope["method"], scope["path"], body, headers.get("content-type", ""))
        recorded = self.table.get(key)
        if recorded:
            count = self.served.get(key, 0)
            self.served[key] = count + 1
            name, ex = recorded[min(count, len(recorded) - 1)]
            await _answer(ex, f"{name}#{ex.index}", send)
            return
        await self.app(scope, body_then(body, receive), send)


async def _answer(ex: Exchange, source: str, send: Send) -> None:
    headers = [
        (k.encode("latin-1"), v.encode("latin-1"))
        for k, v in ex.response_headers
        if k.lower() not in _NOT_REPLAYED
    ]
    headers.append((b"content-length", str(len(ex.response_body)).encode()))
    headers.append((b"x-mock-replayed", source.encode("latin-1", "replace")))
    await send({"type": "http.response.start", "status": ex.status, "headers": headers})
    await send({"type": "http.response.body", "body": ex.response_body})
