"""What one client's connections may hold of the server: a head-read timeout, a connection
cap, a short shutdown grace, and a log that a flood cannot fill.

uvicorn on its own waits for ever for a request head (a client trickling bytes keeps its
socket), accepts connections until the process runs out of file descriptors, waits for every
running request on shutdown, and logs each refused accept. Node's http server, which the
real gateway runs on, times a head out after ``headersTimeout`` (60 s, checked every 30 s)
with a 408; the mock, on loopback, gives a head ``DEFAULT_HEADER_TIMEOUT`` seconds.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import Any

import uvicorn
from uvicorn.protocols.http.auto import AutoHTTPProtocol

__all__ = [
    "DEFAULT_HEADER_TIMEOUT",
    "DEFAULT_MAX_CONNECTIONS",
    "SHUTDOWN_GRACE",
    "RepeatFilter",
    "guarded_protocol",
    "limit_log_repeats",
    "server_config",
]

DEFAULT_HEADER_TIMEOUT = 10.0
DEFAULT_MAX_CONNECTIONS = 1000
# Seconds a shutdown (Ctrl-C, LiveServer.stop) waits for running requests before cancelling
# them: a request held by a timeout or delay fault would otherwise keep it for its whole hold.
SHUTDOWN_GRACE = 1

# A logger of its own, so that the repeat filter below limits its lines and no others of
# the mock's (a filter applies to the logger it is put on, not to its parent's records).
# Its name from before the move to serving/: log filters people have written keep working.
logger = logging.getLogger("mock_gateway.connections")

_BUSY_BODY = (
    b'{"status":"failure","message":"mock-portkey-gateway: too many open connections '
    b'(--max-connections); retry when some have closed"}'
)
_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n"
    b"x-mock-error: true\r\nretry-after: 1\r\nconnection: close\r\n"
    + f"content-length: {len(_BUSY_BODY)}\r\n\r\n".encode()
    + _BUSY_BODY
)
# Node's answer to a head that did not arrive in time (lib/_http_server.js).
_TIMED_OUT = b"HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n"
# How long a refused connection is read (and ignored) before it is closed: closing at once
# with the client's request unread would reset the connection before it read the 503.
_LINGER = 0.5


def guarded_protocol(max_connections: int, header_timeout: float) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol, with a head-read timeout and a cap on open connections."""
    base: Any = AutoHTTPProtocol

    class Guarded(base):  # type: ignore[misc]
        _refused = False
        _head_timer: asyncio.TimerHandle | None = None
        _seen: Any = None  # the request cycle whose head last completed

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            if len(self.server_state.connections) >= max_connections:
                self._refuse(transport)
                return
            super().connection_made(transport)
            self._arm()

        def _refuse(self, transport: Any) -> None:
            self._refused = True
            logger.warning(
                "mock-portkey-gateway: %d connections open, the limit (--max-connections): "
                "answering 503",
                max_connections,
            )
            transport.write(_BUSY)
            if transport.can_write_eof():
                transport.write_eof()
            self._closer = asyncio.get_running_loop().call_later(_LINGER, transport.close)

        def data_received(self, data: bytes) -> None:
            if self._refused:
                return
            super().data_received(data)
            cycle = self.cycle
            if cycle is not self._seen:  # a head completed: its request is under way
                self._seen = cycle
                self._disarm()
            elif self._head_timer is None and (cycle is None or cycle.response_complete):
                self._arm()  # the first bytes of the next head on a kept-alive connection

        def connection_lost(self, exc: Exception | None) -> None:
            if self._refused:
                self._closer.cancel()
                return
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._head_timer = self.loop.call_later(header_timeout, self._timed_out)

        def _disarm(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _timed_out(self) -> None:
            self._head_timer = None
            cycle = self.cycle
            waiting = cycle is self._seen and (cycle is None or cycle.response_complete)
            if waiting and not self.transport.is_closing():
                self.transport.write(_TIMED_OUT)
                self.transport.close()

    return Guarded


class RepeatFilter(logging.Filter):
    """Lets the same message through ``burst`` times per ``window`` seconds, then counts it.

    A flood of connections can make the same line (``Too many open files``, a refused
    connection, an invalid request) thousands of times a second; the first line after a
    quiet window says how many were left out.
    """

    def __init__(self, burst: int = 5, window: float = 10.0) -> None:
        super().__init__()
        self.burst, self.window = burst, window
        self._seen: dict[tuple[str, str], list[float]] = {}
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, str(record.msg))
        now = time.monotonic()
        with self._lock:
            if len(self._seen) > 1000:
                self._seen.clear()
            start, count, left_out = self._seen.get(key, [now, 0, 0])
            if now - start >= self.window:
                if left_out:
                    note = f" ({left_out:g} more like this in {now - start:.0f} s were not logged)"
                    record.msg = str(record.msg) + note.replace("%", "%%")
                start, count, left_out = now, 0, 0
            count += 1
            passed = count <= self.burst
            self._seen[key] = [start, count, left_out + (not passed)]
        return passed


_FILTER = RepeatFilter()
_NOISY = ("asyncio", "uvicorn.error", "mock_gateway.connections")


def limit_log_repeats() -> None:
    """Put the repeat filter on the loggers a flood of bad connections writes to (once)."""
    for name in _NOISY:
        chosen = logging.getLogger(name)
        if _FILTER not in chosen.filters:
            chosen.addFilter(_FILTER)


def server_config(
    app: Any,
    *,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
    header_timeout: float = DEFAULT_HEADER_TIMEOUT,
    **options: Any,
) -> uvicorn.Config:
    """A ``uvicorn.Config`` for ``app`` with the guards above."""
    if max_connections < 1 or not header_timeout > 0:
        raise ValueError("max_connections must be at least 1 and header_timeout positive")
    limit_log_repeats()
    return uvicorn.Config(
        app,
        http=guarded_protocol(max_connections, header_timeout),
        timeout_graceful_shutdown=SHUTDOWN_GRACE,
        **options,
    )
