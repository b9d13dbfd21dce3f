"""Nothing lost (issue 15): a reset returns the server to the state it was started in; a
client killed mid-upload is journaled as aborted; ``--strict-responses`` never reports the
mock's own correct answers."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_gateway import Fault, PortkeyMock, Registry, create_app
from mock_gateway.serving.server import LiveServer
from tests.hostile import OPENAI, STABILITY, assert_no_bug, send

JSON = {"content-type": "application/json"}
RECORDS = {
    "api_keys": ["pk-configured-0123456789"],
    "virtual_keys": {"vk-stab": {"provider": "stability-ai", "api_key": "sk-stab-0123456789"}},
    "configs": {"pc-one": {"provider": "stability-ai", "api_key": "sk-stab-0123456789"}},
}
KEY = {"x-portkey-api-key": "pk-configured-0123456789"}


def _configured() -> Any:
    return create_app(
        registry=Registry.from_json(RECORDS),
        seed=5,
        clock=lambda: 1_795_000_000.0,
        blocked_words=("forbidden",),
        max_body_bytes=50_000,
        url_ttl=60.0,
        journal_cap=50,
    )


def _observe(app: Any) -> list[Any]:
    """What a client can see of the state: controls, and a fixed run of requests' answers."""
    seen: list[Any] = [
        send(app, "GET", path).json()
        for path in ("/_mock/registry", "/_mock/faults", "/_mock/health")
    ]
    requests = [
        (KEY | STABILITY | JSON, b'{"prompt":"a cat","model":"core"}'),
        (KEY | {"x-portkey-virtual-key": "vk-stab"} | JSON, b'{"prompt":"a dog","model":"core"}'),
        (KEY | {"x-portkey-config": "pc-one"} | JSON, b'{"prompt":"a","model":"sd3"}'),
        (KEY | OPENAI | JSON, b'{"prompt":"forbidden","model":"dall-e-2"}'),
        (KEY | STABILITY | JSON, b"x" * 60_000),
        ({"x-portkey-api-key": "pk-unknown"} | STABILITY | JSON, b'{"prompt":"a"}'),
    ]
    for headers, body in requests:
        answer = send(app, "POST", "/v1/images/generations", content=body, headers=headers)
        seen.append((answer.status_code, answer.headers.get("x-portkey-trace-id"), answer.content))
    calls = send(app, "GET", "/_mock/requests").json()
    seen.append((len(calls["calls"]), calls["dropped"]))
    return seen


def _disturb(app: Any) -> None:
    more = b'{"api_keys":["pk-other"],"virtual_keys":{"vk-2":{"provider":"openai","api_key":"k"}}}'
    send(app, "POST", "/_mock/registry", content=more, headers=JSON)
    send(app, "POST", "/_mock/faults", content=b'{"fault":"drop","times":9}', headers=JSON)
    for _ in range(3):
        send(app, "POST", "/v1/images/generations", content=b'{"prompt":"z"}', headers=STABILITY)


def test_post_reset_returns_the_server_to_its_start() -> None:
    app = _configured()
    at_start = _observe(app)
    _disturb(app)
    assert send(app, "POST", "/_mock/reset", headers=JSON).json() == {"status": "ok"}
    assert _observe(app) == at_start


def test_the_handles_reset_returns_the_server_to_its_start() -> None:
    app = _configured()
    at_start = _observe(app)
    _disturb(app)
    handle = PortkeyMock(app)
    handle.register({"api_keys": ["pk-python"]})
    handle.queue(Fault.fail(503), times=3)
    handle.reset()
    assert _observe(app) == at_start


def test_after_a_reset_the_configured_keys_still_decide() -> None:
    app = _configured()
    send(app, "POST", "/_mock/reset", headers=JSON)
    body = b'{"prompt":"a","model":"core"}'
    unknown = send(
        app,
        "POST",
        "/v1/images/generations",
        content=body,
        headers={"x-portkey-api-key": "pk-x"} | STABILITY | JSON,
    )
    assert unknown.status_code == 401
    virtual = send(
        app,
        "POST",
        "/v1/images/generations",
        content=body,
        headers=KEY | {"x-portkey-virtual-key": "vk-stab"} | JSON,
    )
    assert virtual.status_code == 200, virtual.text


def test_reset_with_a_new_seed_or_profile_keeps_the_registry() -> None:
    app = _configured()
    PortkeyMock(app).reset(profile="hosted-2024", seed=9)
    assert app.state.mock.profile.name == "hosted-2024" and app.state.mock.seed == 9
    assert app.state.mock.registry.api_keys == {"pk-configured-0123456789"}


async def _drive(app: Any, chunks: list[bytes], declared: int) -> list[dict[str, Any]]:
    queue = [{"type": "http.request", "body": c, "more_body": True} for c in chunks]
    queue.append({"type": "http.disconnect"})
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return queue.pop(0) if queue else {"type": "http.disconnect"}

    async def record(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/v1/images/generations", "raw_path": b"/v1/images/generations",
        "query_string": b"", "root_path": "", "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
        "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
                    (b"content-length", str(declared).encode()),
                    (b"x-portkey-provider", b"stability-ai")],
    }  # fmt: skip
    await asyncio.wait_for(app(scope, receive, record), timeout=10)
    return sent


@pytest.mark.parametrize("sizes", [[], [1], [65_536] * 7, [10, 0, 20]])
def test_a_client_gone_mid_upload_is_journaled_as_aborted(sizes: list[int]) -> None:
    app = create_app()
    chunks = [bytes([65 + i % 26]) * size for i, size in enumerate(sizes)]
    sent = asyncio.run(_drive(app, chunks, declared=1_000_000))
    assert sent == []  # nobody to answer
    (call,) = app.state.mock.journal.calls()
    assert call.aborted and call.body == b"".join(chunks) and call.attempts == []
    shown = send(app, "GET", "/_mock/requests").json()["calls"][0]["request"]
    assert shown["aborted"] is True and shown["received_bytes"] == sum(sizes)
    assert send(app, "GET", "/_mock/").status_code == 200


def test_a_whole_body_is_not_marked_aborted() -> None:
    app = create_app()
    send(app, "POST", "/v1/images/generations", content=b'{"prompt":"a"}', headers=STABILITY | JSON)
    shown = send(app, "GET", "/_mock/requests").json()["calls"][0]["request"]
    assert "aborted" not in shown and not app.state.mock.journal.calls()[0].aborted


def test_a_client_killed_mid_upload_over_a_socket() -> None:
    with LiveServer(create_app()) as server:
        sock = socket.create_connection(("127.0.0.1", server.port))
        head = (
            "POST /v1/images/generations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "content-type: application/json\r\nx-portkey-provider: stability-ai\r\n"
            "x-portkey-api-key: pk-x\r\ncontent-length: 1000000\r\n\r\n"
        )
        sock.sendall(head.encode() + b"{" * 458_752)
        time.sleep(0.2)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()  # a reset, as a killed process leaves it
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            calls = server.app.state.mock.journal.calls()
            if calls and calls[0].aborted:
                break
            time.sleep(0.02)
        (call,) = server.app.state.mock.journal.calls()
        assert call.aborted and 0 < len(call.body) <= 458_752 and call.status == 0


METHODS = ["GET", "HEAD", "DELETE", "PUT", "PATCH", "OPTIONS", "POST"]
PATHS = ["/v1/images/generations", "/v1/", "/v1/x", "/v1/proxy/x", "/v1/engines/list",
         "/v1/images/edits", "/v1/generation/nope/text-to-image", "/v1/proxy/", "/"]  # fmt: skip
PROVIDERS: list[dict[str, str]] = [STABILITY, OPENAI, {}]


@settings(
    max_examples=250, deadline=None, database=None, derandomize=True,
    suppress_health_check=list(HealthCheck),
)  # fmt: skip
@given(
    method=st.sampled_from(METHODS),
    path=st.sampled_from(PATHS),
    headers=st.sampled_from(PROVIDERS),
    profile=st.sampled_from(["hosted", "oss"]),
)
def test_strict_responses_accepts_the_mocks_own_answers(
    method: str, path: str, headers: dict[str, str], profile: str
) -> None:
    app = create_app(strict_responses=True, profile=profile)
    answer = send(app, method, path, headers=headers)
    assert_no_bug(app, answer)


def test_mock_portkey_serve_registry_file_survives_a_reset(tmp_path: Path) -> None:
    # The standalone server, as a user starts it: --registry FILE, and --allowed-host.
    path = tmp_path / "registry.json"
    path.write_text(json.dumps(RECORDS), encoding="utf-8")
    argv = [sys.executable, "-m", "mock_gateway", "serve", "--port", "0", "--registry", str(path)]
    process = subprocess.Popen(
        [*argv, "--allowed-host", "mock.test"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        process.stdout.readline()
        origin = process.stdout.readline().strip().removeprefix("base URL: ").removesuffix("/v1")
        deadline = time.monotonic() + 10
        while True:
            try:
                httpx.get(origin + "/_mock/health")
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "server did not answer"
                time.sleep(0.05)
        body = {"prompt": "a", "model": "core"}
        added = {"api_keys": ["pk-added"]}
        assert httpx.post(origin + "/_mock/registry", json=added).status_code == 200
        assert (
            httpx.post(
                origin + "/v1/images/generations",
                json=body,
                headers={"x-portkey-api-key": "pk-configured-0123456789", **STABILITY},
            ).status_code
            == 401
        )
        assert httpx.post(origin + "/_mock/reset", json={}).status_code == 200
        after = httpx.post(
            origin + "/v1/images/generations",
            json=body,
            headers={"x-portkey-api-key": "pk-configured-0123456789", **STABILITY},
        )
        assert after.status_code == 200, after.text
        unknown = httpx.post(
            origin + "/v1/images/generations",
            json=body,
            headers={"x-portkey-api-key": "pk-added", **STABILITY},
        )
        assert unknown.status_code == 401
        named = httpx.get(origin + "/_mock/health", headers={"host": "mock.test"})
        assert named.status_code == 200
        assert httpx.get(origin + "/_mock/health", headers={"host": "evil.test"}).status_code == 403
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)
