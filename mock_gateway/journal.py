"""The request journal: every request the mock received, and every upstream attempt it made."""

from __future__ import annotations

import base64
import logging
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from mock_gateway.faults import Fault
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse
from mock_gateway.wire import safejson
from mock_gateway.wire.call_headers import CallHeaders
from mock_gateway.wire.multipart import MultipartError, decode_form
from mock_gateway.wire.redact import redact_headers

__all__ = ["DEFAULT_JOURNAL_BYTES", "DEFAULT_JOURNAL_CAP", "Attempt", "Call", "CallList", "Journal"]

logger = logging.getLogger("mock_gateway")

DEFAULT_JOURNAL_CAP = 10_000
# Bodies kept in the journal, in bytes: a 1024x1024 answer journals ~20 kB (the client's body
# and the upstream's), so 10,000 of those alone would hold ~200 MB; 16 MiB keeps ~800 of
# them, or several thousand small ones, and keeps a long-running server's growth well
# under 50 MB (bench/run.py measures it).
DEFAULT_JOURNAL_BYTES = 16 * 1024 * 1024


def _json(data: bytes) -> Any:
    try:
        return safejson.loads(data)
    except ValueError:
        return None


def _form(data: bytes, content_type: str | None) -> list[dict[str, Any]] | None:
    if not content_type or not content_type.lower().startswith("multipart/form-data"):
        return None
    try:
        fields = decode_form(data, content_type)
    except MultipartError:
        return None
    return [
        {"name": f.name, "filename": f.filename, "size": len(f.value)}
        if f.filename is not None
        else {"name": f.name, "value": f.text}
        for f in fields
    ]


# Items (commas) past which a body's JSON view is left out of GET /_mock/requests.
_JSON_VIEW_ITEMS = 50_000
# What a record costs beyond the bytes it holds (objects, lists), so that even empty calls
# count: a rough figure, measured as ~1 kB per call on CPython 3.11 (tests/test_journal_cap).
_RECORD = 1024
_PER_HEADER = 64


def _pairs(headers: Any) -> int:
    return sum(len(name) + len(value) + _PER_HEADER for name, value in headers)


def _attempt_size(attempt: Attempt) -> int:
    request, response = attempt.request, attempt.response
    sent = len(request.url) + _pairs(request.headers) + len(request.body)
    return _RECORD + sent + _pairs(response.headers) + len(response.body)


def _body(data: bytes, content_type: str | None) -> dict[str, Any]:
    """A JSON-ready body: its text (or base64), and its JSON or form fields when it has them."""
    try:
        shown: dict[str, Any] = {"text": data.decode("utf-8")}
    except UnicodeDecodeError:
        shown = {"base64": base64.b64encode(data).decode("ascii")}
    multipart = (content_type or "").lower().startswith("multipart/")
    if not multipart and data.count(b",") > _JSON_VIEW_ITEMS:
        # A hostile body of 100,000 keys parses into ~300,000 objects on every read, and they
        # fragment the server's memory: such a body is journaled as text only.
        shown["json_omitted"] = f"more than {_JSON_VIEW_ITEMS:,} items: parse the text"
        return shown
    parsed, form = _json(data), _form(data, content_type)
    if parsed is not None:
        shown["json"] = parsed
    if form is not None:
        shown["form"] = form
    return shown


@dataclass(frozen=True)
class Attempt:
    """One upstream call: which target, what the gateway sent, what the provider answered."""

    target: str
    request: UpstreamRequest
    response: UpstreamResponse
    fault: Fault | None = None
    # When the attempt was sent, in ms since the request arrived, as the real gateway would
    # have spent them (retry backoff counted in full whatever the time scale).
    at_ms: float = 0.0

    @property
    def url(self) -> str:
        """The upstream URL the gateway would have called."""
        return self.request.url

    @property
    def json(self) -> Any:
        """The upstream request body as JSON (``None`` if it is not JSON)."""
        return _json(self.request.body)

    @property
    def form(self) -> list[dict[str, Any]] | None:
        """The upstream multipart fields, in order (``None`` if it is not a form)."""
        return _form(self.request.body, self.request.header("content-type"))

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready view, with keys redacted."""
        return {
            "target": self.target,
            "at_ms": round(self.at_ms, 1),
            "fault": None if self.fault is None else self.fault.to_json(),
            "request": {
                "method": self.request.method,
                "url": self.request.url,
                "headers": redact_headers(self.request.headers),
                "body": _body(self.request.body, self.request.header("content-type")),
            },
            "response": {
                "status": self.response.status,
                "headers": list(self.response.headers),
                "body": _body(self.response.body, None),
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
    headers: CallHeaders  # redacted; case-insensitive, repeated names kept
    body: bytes
    status: int = 0
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_body: bytes = b""
    attempts: list[Attempt] = field(default_factory=list)
    # The body's full size when the mock refused it as too large (``body`` is then a prefix).
    body_truncated_from: int | None = None
    # The client disconnected before sending its whole body (``body`` is what arrived).
    aborted: bool = False
    # The journal's bookkeeping: whether the call is still kept, the bytes counted against
    # the budget so far (the head when it opened, the rest when it settled), and whether it
    # has settled.
    kept: bool = field(default=False, init=False, repr=False, compare=False)
    counted: int = field(default=0, init=False, repr=False, compare=False)
    settled_size: int = field(default=-1, init=False, repr=False, compare=False)

    @property
    def head_size(self) -> int:
        """Bytes of the request head this record holds: method, path, query and headers."""
        head = len(self.method) + len(self.path) + len(self.query)
        return _RECORD + head + _pairs(self.headers.multi_items())

    @property
    def size(self) -> int:
        """Bytes this record holds: the head, the bodies, the answer, every upstream attempt."""
        upstream = sum(_attempt_size(attempt) for attempt in self.attempts)
        answer = len(self.response_body) + _pairs(self.response_headers)
        return self.head_size + len(self.body) + answer + upstream

    def header(self, name: str) -> str | None:
        """A request header's first value, any case (redacted if it is a secret); else None."""
        return self.headers.get(name)

    @property
    def json(self) -> Any:
        """The request body as JSON (``None`` if it is not JSON)."""
        return _json(self.body)

    @property
    def form(self) -> list[dict[str, Any]] | None:
        """The request's multipart fields (``None`` if it is not a form)."""
        return _form(self.body, self.header("content-type"))

    @property
    def response_json(self) -> Any:
        """The response body as JSON (``None`` if it is not JSON)."""
        return _json(self.response_body)

    @property
    def cache(self) -> str | None:
        """``x-portkey-cache-status`` of the answer: ``HIT`` (no upstream call), ``MISS``,
        ``REFRESH``, ``DISABLED``; ``None`` if the answer had none."""
        return next(
            (value for key, value in self.response_headers if key == "x-portkey-cache-status"),
            None,
        )

    @property
    def upstream(self) -> list[Attempt]:
        """The upstream attempts, in order: what the gateway would have sent, and the answers."""
        return self.attempts

    def describe(self) -> str:
        """One line for failure messages: method, path, status and a short body."""
        body = self.body[:120].decode("utf-8", "replace")
        return f"{self.method} {self.path} -> {self.status} {body}"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready view of the call."""
        return {
            "index": self.index,
            "time": self.time,
            "request": {
                "method": self.method,
                "path": self.path,
                "query": self.query,
                "headers": self.headers.multi_items(),
                "body": _body(self.body, self.header("content-type")),
                **(
                    {}
                    if self.body_truncated_from is None
                    else {"body_truncated_from": self.body_truncated_from}
                ),
                **({"aborted": True, "received_bytes": len(self.body)} if self.aborted else {}),
            },
            "response": {
                "status": self.status,
                "headers": self.response_headers,
                "body": _body(self.response_body, None),
            },
            "upstream": [attempt.to_json() for attempt in self.attempts],
            "cache": self.cache,
        }


class CallList(list[Call]):
    """Calls, oldest first, with respx's vocabulary: ``.last``, ``.called``, ``.call_count``."""

    @property
    def last(self) -> Call:
        """The most recent call; ``IndexError`` if there is none."""
        if not self:
            raise IndexError("no request has reached the mock gateway")
        return self[-1]

    @property
    def called(self) -> bool:
        """Whether any request arrived."""
        return bool(self)

    @property
    def call_count(self) -> int:
        """How many requests arrived."""
        return len(self)


class Journal:
    """A bounded, thread-safe list of calls, oldest dropped first.

    ``cap`` bounds the number of calls and ``max_bytes`` the bytes they hold (``Call.size``:
    head, bodies, answer and every upstream attempt; the head is counted when the call opens,
    the rest when it is settled); ``dropped`` counts what either pushed out since the last
    reset. The newest call is kept whatever its size.
    """

    def __init__(
        self, *, cap: int = DEFAULT_JOURNAL_CAP, max_bytes: int = DEFAULT_JOURNAL_BYTES
    ) -> None:
        if cap < 1 or max_bytes < 1:
            raise ValueError("the journal's cap and max_bytes must be at least 1")
        self._calls: deque[Call] = deque()
        self._lock = threading.Lock()
        self._count = 0
        self._bytes = 0
        self.cap, self.max_bytes = cap, max_bytes
        self.dropped = 0

    def open(self, **fields: Any) -> Call:
        """Start a call record; it is in the journal at once, even if handling then fails."""
        with self._lock:
            headers = CallHeaders(redact_headers(fields.pop("headers")))
            call = Call(index=self._count, headers=headers, **fields)
            self._count += 1
            call.kept = True
            call.counted = call.head_size
            self._bytes += call.counted
            self._calls.append(call)
            self._trim()
        return call

    def settle(self, call: Call) -> None:
        """Count a finished call's bytes against ``max_bytes``, dropping the oldest if over."""
        with self._lock:
            if not call.kept or call.settled_size >= 0:
                return  # dropped (or reset) while it was being answered, or counted already
            call.settled_size = call.size
            self._bytes += call.settled_size - call.counted
            call.counted = call.settled_size
            self._trim()

    def _trim(self) -> None:
        before = self.dropped
        while len(self._calls) > self.cap or (
            self._bytes > self.max_bytes and len(self._calls) > 1
        ):
            oldest = self._calls.popleft()
            oldest.kept = False
            self._bytes -= oldest.counted
            self.dropped += 1
        if before == 0 and self.dropped:
            logger.warning(
                "mock-portkey-gateway journal is full (cap %d calls, %d bytes): "
                "dropping the oldest calls; GET /_mock/requests counts them in 'dropped'",
                self.cap,
                self.max_bytes,
            )

    def calls(self) -> CallList:
        """A snapshot of the calls, oldest first."""
        with self._lock:
            return CallList(self._calls)

    def reset(self) -> None:
        """Forget every call."""
        with self._lock:
            for call in self._calls:
                call.kept = False
            self._calls.clear()
            self._count = 0
            self._bytes = 0
            self.dropped = 0
