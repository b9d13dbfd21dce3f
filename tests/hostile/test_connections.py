"""Connections: a head-read timeout, a connection cap with a clear 503, a log a flood cannot
fill, keep-alive that survives a 500, and a shutdown that does not wait for held requests."""

from __future__ import annotations

import logging
import socket
import time
from typing import Any

import httpx
import pytest

from mock_gateway import create_app
from mock_gateway.cli import parse_args
from mock_gateway.serving.connections import RepeatFilter
from mock_gateway.serving.server import LiveServer
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse

pytestmark = pytest.mark.socket

STABILITY = {"x-portkey-provider": "stability-ai", "authorization": "sk-stability-0123456789"}
BODY = {"model": "stable-diffusion-v1-6", "prompt": "a cat", "size": "320x320"}


def _read_all(sock: socket.socket, timeout: float) -> bytes:
    sock.settimeout(timeout)
    chunks = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except (TimeoutError, ConnectionResetError):
        pass
    return b"".join(chunks)


def _response(sock: socket.socket) -> bytes:
    """One whole response (head and its content-length body); b"" if the server closed."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.lower().split(b"\r\n")
        if line.startswith(b"content-length:")
    )
    while len(body) < length:
        body += sock.recv(65536)
    return head + b"\r\n\r\n" + body


def test_a_head_that_never_completes_gets_a_408_and_is_closed() -> None:
    with LiveServer(create_app(), header_timeout=0.3) as server:
        idle = socket.create_connection(("127.0.0.1", server.port))
        trickle = socket.create_connection(("127.0.0.1", server.port))
        trickle.sendall(b"POST /v1/images/generations HTTP/1.1\r\nhost: 127.0.0.1\r\n")
        started = time.monotonic()
        for sock in (idle, trickle):
            answer = _read_all(sock, 3)
            assert answer.startswith(b"HTTP/1.1 408 "), answer
            sock.close()
        assert time.monotonic() - started < 2
        # A client that sends its request in time is served, however slow its answer.
        with httpx.Client(base_url=server.url) as client:
            assert client.get("/_mock/health").status_code == 200
            time.sleep(0.5)  # idle between requests on a kept-alive connection: not a head
            assert client.get("/_mock/health").status_code == 200


def test_the_next_head_on_a_kept_alive_connection_is_timed_too() -> None:
    with LiveServer(create_app(), header_timeout=0.3) as server:
        sock = socket.create_connection(("127.0.0.1", server.port))
        sock.sendall(b"GET /_mock/health HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n")
        sock.settimeout(2)
        assert sock.recv(65536).startswith(b"HTTP/1.1 200 ")
        sock.sendall(b"GET /_mock/health HTTP/1.1\r\n")  # and never the rest
        assert b"HTTP/1.1 408 " in _read_all(sock, 3)
        sock.close()


def test_connections_past_the_limit_get_a_clear_503() -> None:
    with LiveServer(create_app(), max_connections=3) as server:
        held = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(3)]
        time.sleep(0.2)
        with httpx.Client(base_url=server.url) as client:
            answer = client.get("/_mock/health")
        assert answer.status_code == 503 and answer.headers["x-mock-error"] == "true"
        assert "max-connections" in answer.json()["message"]
        for sock in held:
            sock.close()
        time.sleep(0.2)
        with httpx.Client(base_url=server.url) as client:
            assert client.get("/_mock/health").status_code == 200


class _Keep(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__()
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_repeated_log_lines_are_limited_and_counted() -> None:
    records: list[logging.LogRecord] = []
    chosen = logging.getLogger("mock_gateway.test-repeats")
    handler = _Keep(records)
    repeats = RepeatFilter(burst=3, window=0.2)
    chosen.addFilter(repeats)
    chosen.addHandler(handler)
    chosen.propagate = False
    try:
        for _ in range(1000):
            chosen.error("socket.accept() out of system resource: %s", "Too many open files")
        time.sleep(0.25)
        chosen.error("socket.accept() out of system resource: %s", "Too many open files")
    finally:
        chosen.removeHandler(handler)
        chosen.removeFilter(repeats)
    assert len(records) == 4
    assert "997 more like this" in records[-1].getMessage()


def test_a_flood_of_refused_connections_logs_a_few_lines(caplog: pytest.LogCaptureFixture) -> None:
    with LiveServer(create_app(), max_connections=1) as server:
        keep = socket.create_connection(("127.0.0.1", server.port))
        time.sleep(0.1)
        with caplog.at_level(logging.WARNING, logger="mock_gateway"):
            for _ in range(50):
                sock = socket.create_connection(("127.0.0.1", server.port))
                assert b" 503 " in _read_all(sock, 2)[:20]
                sock.close()
        keep.close()
    assert 1 <= caplog.text.count("answering 503") <= 5


class _Broken:
    """A fake provider whose code raises: the mock's own bug, answered 500."""

    def handle(self, request: UpstreamRequest, *, filtered: bool = False) -> UpstreamResponse:
        raise RuntimeError("a bug in the mock")

    def error_response(self, request: UpstreamRequest, status: int, **_: Any) -> UpstreamResponse:
        raise RuntimeError("a bug in the mock")


def test_after_a_500_the_kept_alive_connection_still_serves() -> None:
    # Before: uvicorn closed the connection after the 500 without saying so, and the
    # client's next request on it failed with a reset (45 of 50).
    app = create_app(profile="oss")
    app.state.mock.fakes["stability-ai"] = _Broken()
    with LiveServer(app) as server:
        for _ in range(20):
            sock = socket.create_connection(("127.0.0.1", server.port))
            request = (
                b"POST /v1/images/generations HTTP/1.1\r\nhost: 127.0.0.1\r\n"
                b"x-portkey-provider: stability-ai\r\nauthorization: sk-1\r\n"
                b"content-type: application/json\r\ncontent-length: 2\r\n\r\n{}"
            )
            sock.sendall(request)
            sock.settimeout(5)
            first = _response(sock)
            assert first.startswith(b"HTTP/1.1 500 ") and b"x-mock-internal-error" in first
            closes = b"connection: close" in first.lower()
            sock.sendall(b"GET /_mock/health HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n")
            try:
                second = _response(sock)
            except ConnectionResetError:
                second = b"reset"
            sock.close()
            assert closes or second.startswith(b"HTTP/1.1 200 "), second
        app.state.mock.errors.clear()


def test_cli_and_fixture_take_the_connection_options() -> None:
    args = parse_args(["serve", "--max-connections", "9", "--header-timeout", "2.5"])
    assert (args.max_connections, args.header_timeout) == (9, 2.5)
    with pytest.raises(ValueError, match="max_connections"):
        LiveServer(create_app(), max_connections=0)
