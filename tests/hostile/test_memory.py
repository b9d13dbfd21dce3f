"""Memory stays inside the caps: the journal counts all it keeps, and work ends with its client."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import MutableMapping
from typing import Any

import httpx
import pytest

from mock_gateway import PortkeyMock, create_app
from mock_gateway.gateway.retry import MOCK_MAX_RETRIES
from mock_gateway.serving.server import LiveServer

STABILITY = {"x-portkey-provider": "stability-ai", "authorization": "sk-stability-0123456789"}
BODY = {"model": "stable-diffusion-v1-6", "prompt": "a cat", "size": "320x320"}
UNIFIED = "/v1/images/generations"


async def _post(app: Any, headers: dict[str, str], body: Any = BODY) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
        return await client.post(UNIFIED, headers=headers, json=body)


def test_the_byte_budget_counts_heads_as_well_as_bodies() -> None:
    # 58 kB heads answered 431 grew RSS by 590 MB on a 16 MiB budget: every kept byte counts.
    app = create_app(profile="oss", journal_bytes=200_000)
    big = {**STABILITY, "x-padding": "p" * 20_000}

    async def flood() -> None:
        for _ in range(50):
            assert (await _post(app, big)).status_code == 431

    asyncio.run(flood())
    journal = app.state.mock.journal
    calls = journal.calls()
    assert journal.dropped > 0 and len(calls) < 50
    held = sum(len(n) + len(v) for call in calls for n, v in call.headers.multi_items())
    assert held <= 200_000 and sum(call.size for call in calls) <= 200_000


def test_the_byte_budget_counts_every_upstream_attempt() -> None:
    app = create_app(profile="oss", journal_bytes=10**9, time_scale=0)
    PortkeyMock(app).fail_next(503, times=3)
    retry = json.dumps({"provider": "stability-ai", "api_key": "sk-1", "retry": {"attempts": 3}})
    response = asyncio.run(_post(app, {"x-portkey-config": retry}))
    assert response.status_code == 200
    (call,) = app.state.mock.journal.calls()
    assert len(call.attempts) == 4
    bodies = sum(len(a.request.body) + len(a.response.body) for a in call.attempts)
    assert call.size >= bodies + len(call.body) + len(call.response_body) + call.head_size


@pytest.mark.parametrize(("profile", "most"), [("oss", MOCK_MAX_RETRIES), ("hosted", 5)])
def test_attempts_per_target_are_bounded_for_every_profile(profile: str, most: int) -> None:
    # Before: with the OSS profile a huge `attempts` retried for ever (7,000 attempts/s once
    # a retry-after zeroed the backoff), each attempt appended to the journal.
    app = create_app(profile=profile, time_scale=0)
    PortkeyMock(app).fail_next(500, times=10**9)
    for attempts in ("1e9", "1e400", "1" + "0" * 30):
        config = (
            '{"provider":"stability-ai","api_key":"sk-1","retry":{"attempts":' + attempts + "}}"
        )
        headers = {"x-portkey-config": config, "x-portkey-api-key": "pk-1"}
        response = asyncio.run(asyncio.wait_for(_post(app, headers), timeout=20))
        assert response.status_code == 500 and response.headers.get("x-mock-internal-error") is None
        assert response.headers["x-portkey-retry-attempt-count"] == "-1"
        assert len(app.state.mock.journal.calls()[-1].attempts) == most + 1


def _held_request(server: LiveServer, headers: dict[str, str]) -> socket.socket:
    body = json.dumps(BODY).encode()
    head = [f"POST {UNIFIED} HTTP/1.1", "host: mock", f"content-length: {len(body)}"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    sock = socket.create_connection(("127.0.0.1", server.port))
    sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)
    return sock


def _running(server: LiveServer) -> int:
    assert server._server is not None
    return len(server._server.server_state.tasks)


def _wait_until(condition: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


@pytest.mark.socket
@pytest.mark.parametrize(
    "control",
    [
        {"x-mock-fault": "timeout"},  # held 30 s by default
        {"x-mock-delay": "3600"},
        {"x-portkey-config": json.dumps({"retry": {"attempts": 100}}), "x-mock-status": "503"},
    ],
    ids=["timeout", "delay", "retries"],
)
def test_a_request_whose_client_left_stops_its_work(control: dict[str, str]) -> None:
    app = create_app(profile="oss", time_scale=1.0)
    with LiveServer(app) as server:
        sock = _held_request(server, {**STABILITY, **control})
        assert _wait_until(lambda: _running(server) == 1, 5)
        time.sleep(0.2)
        sock.close()
        assert _wait_until(lambda: _running(server) == 0, 2), "the request outlived its client"
        (call,) = app.state.mock.journal.calls()
        assert call.status == 0  # journaled, with no answer: none was sent


@pytest.mark.socket
def test_stopping_the_server_does_not_wait_for_a_held_request() -> None:
    app = create_app()
    server = LiveServer(app)
    server.start()
    sock = _held_request(
        server, {**STABILITY, "x-portkey-api-key": "pk-1", "x-mock-fault": "timeout"}
    )
    sock2 = _held_request(server, {**STABILITY, "x-portkey-api-key": "pk-1", "x-mock-delay": "60"})
    try:
        assert _wait_until(lambda: _running(server) == 2, 5)
        started = time.monotonic()
        server.stop()
        assert time.monotonic() - started < 5
    finally:
        sock.close()
        sock2.close()


def test_a_body_of_very_many_items_is_journaled_as_text_only() -> None:
    # Its JSON view would be ~300,000 objects on every read of the journal.
    app = create_app(profile="oss")
    big = ("{" + ",".join(f'"k{i}":{i}' for i in range(60_000)) + "}").encode()

    async def send() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
            headers = {**STABILITY, "content-type": "application/json"}
            await client.post(UNIFIED, headers=headers, content=big)
            await client.post(UNIFIED, headers=STABILITY, json=BODY)

    asyncio.run(send())
    first, second = (call.to_json()["request"]["body"] for call in app.state.mock.journal.calls())
    assert first["text"].encode() == big and "json" not in first and "json_omitted" in first
    assert second["json"] == BODY


def test_big_json_bodies_wait_unread_for_their_turn() -> None:
    # 64 clients' 1.4 MB bodies were all read into the heap while they waited for the one
    # off-loop worker (RSS 313 MiB for 1.4 MB bodies): a waiting body must stay in the socket.
    app = create_app(profile="oss")
    big = b'{"prompt": "x", "model": "core", "pad": "' + b"p" * 400_000 + b'"}'
    reads: list[str] = []
    first_read = asyncio.Event()
    release = asyncio.Event()

    def client(name: str) -> Any:
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                reads.append(name)
                if name == "first":
                    first_read.set()
                    await release.wait()  # the first body trickles in until released
                return {"type": "http.request", "body": big, "more_body": False}
            await asyncio.Event().wait()  # never disconnects
            return {"type": "http.disconnect"}

        return receive

    async def send(message: MutableMapping[str, Any]) -> None:
        return None

    def scope() -> dict[str, Any]:
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(big))]
        headers += [(k.encode(), v.encode()) for k, v in STABILITY.items()]
        return {
            "type": "http", "method": "POST", "path": UNIFIED, "raw_path": UNIFIED.encode(),
            "query_string": b"", "headers": headers, "scheme": "http", "http_version": "1.1",
            "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1), "root_path": "",
        }  # fmt: skip

    async def both() -> None:
        first = asyncio.create_task(app(scope(), client("first"), send))
        await first_read.wait()
        second = asyncio.create_task(app(scope(), client("second"), send))
        await asyncio.sleep(0.2)
        assert reads == ["first"]  # the second body is not read while the first is in hand
        release.set()
        await asyncio.wait_for(asyncio.gather(first, second), 30)
        assert reads == ["first", "second"]

    asyncio.run(both())
    assert [call.status for call in app.state.mock.journal.calls()] == [200, 200]
