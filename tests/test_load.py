"""Under load, over real sockets: concurrent clients with mixed routes and faults get each
their own answer, slow or oversized clients get clean errors, and the journal matches.

``MOCK_LOAD_PER_CLIENT`` sets the requests per client (CI: 16; the issue's full figure, 64
clients x 1,000, is ``MOCK_LOAD_PER_CLIENT=1000 python -m pytest tests/test_load.py``).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mock_gateway import LiveServer, create_app, render_png
from mock_gateway.images import derive_seed
from tests.conftest import PORTKEY_KEY

pytestmark = pytest.mark.socket

CLIENTS = 64
PER_CLIENT = int(os.environ.get("MOCK_LOAD_PER_CLIENT", "16"))
STABILITY_KEY = "sk-stability-load-0123456789"
OPENAI_KEY = "sk-openai-load-0123456789"


@pytest.fixture
def server() -> Iterator[LiveServer]:
    # DALL·E URLs under load: OpenAI served DALL·E until 2026-05-12, so the dated profile.
    app = create_app(
        journal_cap=CLIENTS * PER_CLIENT * 2, journal_bytes=2**34, profile="hosted-2025"
    )
    with LiveServer(app) as live:
        yield live


def _request(client: int, number: int) -> tuple[str, dict[str, str], dict[str, Any], str]:
    """(path, headers, body, kind) for one request: a unique prompt, seed and trace id."""
    prompt, seed = f"client {client} request {number}", client * 100_000 + number + 1
    headers = {
        "x-portkey-api-key": PORTKEY_KEY,
        "x-portkey-trace-id": f"trace-{client}-{number}",
        "x-portkey-provider": "stability-ai",
        "authorization": STABILITY_KEY,
    }
    sdxl = {"model": "stable-diffusion-v1-6", "prompt": prompt, "seed": seed, "size": "320x320"}
    kind = ("unified", "proxy", "openai-url", "fault-503", "delayed", "blocked")[number % 6]
    if kind == "proxy":
        body = {"text_prompts": [{"text": prompt}], "seed": seed, "height": 320, "width": 320}
        path = "/v1/generation/stable-diffusion-v1-6/text-to-image"
        return path, {**headers, "accept": "image/png"}, body, kind
    if kind in ("openai-url", "blocked"):
        headers |= {"x-portkey-provider": "openai", "authorization": f"Bearer {OPENAI_KEY}"}
        if kind == "blocked":
            prompt = f"mock-blocked {prompt}"
        body = {"model": "dall-e-2", "prompt": prompt, "size": "256x256", "response_format": "url"}
        return "/v1/images/generations", headers, body, kind
    if kind == "fault-503":
        headers["x-mock-status"] = "503"
    if kind == "delayed":
        headers["x-mock-delay"] = "0.005"
    return "/v1/images/generations", headers, sdxl, kind


async def _check(http: httpx.AsyncClient, client: int, number: int) -> tuple[str, int, bytes]:
    path, headers, body, kind = _request(client, number)
    response = await http.post(path, headers=headers, json=body)
    trace = headers["x-portkey-trace-id"]
    assert response.headers.get("x-portkey-trace-id") == trace, (kind, response.headers)
    prompt = body.get("prompt") or body["text_prompts"][0]["text"]
    if kind in ("unified", "delayed"):
        assert response.status_code == 200, response.text
        image = base64.b64decode(response.json()["data"][0]["b64_json"])
        assert image == render_png(320, 320, prompt=prompt, seed=body["seed"])
    elif kind == "proxy":
        assert response.status_code == 200 and response.headers["seed"] == str(body["seed"])
        assert response.content == render_png(320, 320, prompt=prompt, seed=body["seed"])
    elif kind == "openai-url":
        assert response.status_code == 200, response.text
        url = response.json()["data"][0]["url"]
        fetched = await http.get(url)
        seed = derive_seed(0, "dall-e-2", prompt, "256x256")
        assert fetched.content == render_png(256, 256, prompt=prompt, seed=seed)
    elif kind == "fault-503":
        assert response.status_code == 503 and "server error" in response.text
    else:
        assert response.status_code == 400 and "safety system" in response.text
    return trace, response.status_code, response.content


async def _client(url: str, client: int) -> list[tuple[str, int, bytes]]:
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        return [await _check(http, client, number) for number in range(PER_CLIENT)]


def test_concurrent_clients_get_their_own_answers_and_journal(server: LiveServer) -> None:
    async def run() -> list[tuple[str, int, bytes]]:
        results = await asyncio.gather(*(_client(server.url, c) for c in range(CLIENTS)))
        return [item for batch in results for item in batch]

    started = time.perf_counter()
    answers = asyncio.run(run())
    elapsed = time.perf_counter() - started
    assert len(answers) == CLIENTS * PER_CLIENT
    state = server.app.state.mock
    assert not state.errors
    calls = [c for c in state.journal.calls() if c.path != "" and c.header("x-portkey-trace-id")]
    by_trace = {call.header("x-portkey-trace-id"): call for call in calls}
    assert len(by_trace) == len(answers) and state.journal.dropped == 0
    for trace, status, content in answers:
        call = by_trace[trace]
        _, client, number = trace.split("-")
        _, _, body, _ = _request(int(client), int(number))
        assert json.loads(call.body) == body  # the journal kept what this request sent
        assert call.status == status and call.response_body == content
    print(f"{len(answers)} requests from {CLIENTS} clients in {elapsed:.1f} s")


def _raw(port: int, data: bytes, *, wait: float = 10.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        sock.sendall(data)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except TimeoutError:
            pass
        return b"".join(chunks)


def test_an_oversized_body_is_answered_before_it_is_sent(server: LiveServer) -> None:
    head = (
        "POST /v1/images/generations HTTP/1.1\r\nhost: mock\r\ncontent-type: application/json\r\n"
        f"x-portkey-provider: stability-ai\r\ncontent-length: {200 * 1024 * 1024}\r\n\r\n"
    ).encode()
    started = time.monotonic()
    answer = _raw(server.port, head + b"{" * 65536)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert time.monotonic() - started < 5  # answered, and closed, without the other 200 MB
    call = server.app.state.mock.journal.calls()[-1]
    assert call.status == 413 and call.body_truncated_from == 200 * 1024 * 1024


def test_a_stalled_body_gets_a_408_while_others_are_served(server: LiveServer) -> None:
    server.app.state.mock.body_timeout = 0.5
    head = (
        b"POST /v1/images/generations HTTP/1.1\r\nhost: mock\r\ncontent-type: application/json\r\n"
        b"content-length: 100\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as stalled:
        stalled.sendall(head + b'{"prompt": ')
        # Meanwhile, another client is served at once.
        ok = httpx.get(server.url + "/_mock/health", timeout=5)
        assert ok.status_code == 200
        answer = stalled.recv(65536)
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    assert server.app.state.mock.journal.calls()[-1].body == b'{"prompt": '


def test_a_slow_header_sender_does_not_hold_up_others(server: LiveServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as slow:
        slow.sendall(b"POST /v1/images/generations HTTP/1.1\r\nhost: mo")
        for _ in range(3):
            started = time.monotonic()
            assert httpx.get(server.url + "/", timeout=5).text == "AI Gateway says hey!"
            assert time.monotonic() - started < 1
        slow.sendall(b"ck\r\ncontent-length: 2\r\n\r\n{}")
        answer = slow.recv(65536)
    assert answer.startswith(b"HTTP/1.1 "), answer  # the slow one is answered too


def test_oversized_and_duplicated_headers_get_clean_answers(server: LiveServer) -> None:
    huge = b"x-portkey-config: " + b"[" * 100_000 + b"\r\n"
    answer = _raw(server.port, b"GET / HTTP/1.1\r\nhost: mock\r\n" + huge + b"\r\n")
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]  # Node's limit: 16 KiB
    duplicated = (
        b"POST /v1/images/generations HTTP/1.1\r\nhost: mock\r\nconnection: close\r\n"
        b"x-portkey-provider: stability-ai\r\nx-portkey-provider: openai\r\n"
        b"content-length: 2\r\ncontent-length: 2\r\ncontent-type: application/json\r\n\r\n{}"
    )
    answer = _raw(server.port, duplicated)
    assert answer.startswith((b"HTTP/1.1 4", b"HTTP/1.1 5")), answer[:200]
    assert b"x-mock-internal-error" not in answer
    assert httpx.get(server.url + "/_mock/health", timeout=5).status_code == 200
