"""The request journal: every request the mock received, and every upstream attempt it made."""

from __future__ import annotations

import base64
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from mock_gateway.faults import Fault
from mock_gateway.redact import redact_headers
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse

__all__ = ["Attempt", "Call", "Journal"]


def _body(data: bytes) -> dict[str, Any]:
    try:
        return {"text": data.decode("utf-8")}
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(data).decode("ascii")}


@dataclass(frozen=True)
class Attempt:
    """One upstream call: which target, what the gateway sent, what the provider answered."""

    target: str
    request: UpstreamRequest
    response: UpstreamResponse
    fault: Fault | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready view, with keys redacted."""
        return {
            "target": self.target,
            "fault": None if self.fault is None else self.fault.to_json(),
            "request": {
                "method": self.request.method,
                "url": self.request.url,
                "headers": redact_headers(self.request.headers),
                "body": _body(self.request.body),
            },
            "response": {
                "status": self.response.status,
                "headers": list(self.response.headers),
                "body": _body(self.response.body),
            },
        }


@dataclass
class Call:
    """One client request and the answer it got. Headers are stored redacted."""

    index: int
    time: float
    method: str
    path: str
    query: str
    headers: list[tuple[str, str]]
    body: bytes
    status: int = 0
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_body: bytes = b""
    attempts: list[Attempt] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready view of the call."""
        return {
            "index": self.index,
            "time": self.time,
            "request": {"method": self.method, "path": self.path, "query": self.query,
                        "headers": self.headers, "body": _body(self.body)},
            "response": {"status": self.status, "headers": self.response_headers,
                         "body": _body(self.response_body)},
            "upstream": [attempt.to_json() for attempt in self.attempts],
        }  # fmt: skip


class Journal:
    """A bounded, thread-safe list of calls; ``dropped`` counts what the cap pushed out."""

    def __init__(self, *, cap: int = 10_000) -> None:
        self._calls: deque[Call] = deque(maxlen=cap)
        self._lock = threading.Lock()
        self._count = 0
        self.dropped = 0

    def open(self, **fields: Any) -> Call:
        """Start a call record; it is in the journal at once, even if handling then fails."""
        with self._lock:
            call = Call(index=self._count, headers=redact_headers(fields.pop("headers")), **fields)
            self._count += 1
            if len(self._calls) == self._calls.maxlen:
                self.dropped += 1
            self._calls.append(call)
        return call

    def calls(self) -> list[Call]:
        """A snapshot of the calls, oldest first."""
        with self._lock:
            return list(self._calls)

    def reset(self) -> None:
        """Forget every call."""
        with self._lock:
            self._calls.clear()
            self._count = 0
            self.dropped = 0
