"""Hostile and broken input: every one gets a clean answer, and the journal keeps what came."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import pytest

from mock_gateway import create_app
from tests.conftest import ClientFactory, MockClient

STABILITY = {"x-portkey-provider": "stability-ai", "authorization": "sk-stability-0123456789"}
OPENAI = {"x-portkey-provider": "openai", "authorization": "Bearer sk-openai-0123456789"}
UNIFIED = "/v1/images/generations"
PROXY = "/v1/generation/stable-diffusion-xl-1024-v1-0/text-to-image"
V2 = "/v1/v2beta/stable-image/generate/core"
ROUTES = [(UNIFIED, STABILITY), (UNIFIED, OPENAI), (PROXY, STABILITY), (V2, STABILITY)]


def clean(response: Any) -> None:
    """No crash of our own, and an answer of the gateway's (or the mock's) known shapes."""
    assert "x-mock-internal-error" not in response.headers, response.text
    assert response.status_code < 500 or response.json().get("status") == "failure", response.text


async def _asgi(
    app: Any, path: str, chunks: list[bytes], headers: list[tuple[bytes, bytes]], hang: bool = False
) -> Any:
    """Drive the app with a body in ``chunks`` (then nothing, if ``hang``); returns (status,
    body, chunks consumed)."""
    consumed = 0

    async def receive() -> dict[str, Any]:
        nonlocal consumed
        if consumed < len(chunks):
            consumed += 1
            more = hang or consumed < len(chunks)
            return {"type": "http.request", "body": chunks[consumed - 1], "more_body": more}
        await asyncio.sleep(3600)  # a client that never finishes
        raise AssertionError("unreachable")

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"mock"), *headers],
        "client": ("127.0.0.1", 1),
        "server": ("mock", 80),
    }
    await asyncio.wait_for(app(scope, receive, send), timeout=10)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], body, consumed


def _headers(extra: dict[str, str]) -> list[tuple[bytes, bytes]]:
    base = {"x-portkey-api-key": "pk-test-0123456789", "content-type": "application/json"}
    return [(k.encode(), v.encode()) for k, v in {**base, **extra}.items()]


def test_a_declared_length_over_the_limit_is_refused_unread() -> None:
    app = create_app(max_body_bytes=1000)
    headers = [*_headers(STABILITY), (b"content-length", b"5000000")]
    status, body, consumed = asyncio.run(_asgi(app, UNIFIED, [b"x" * 1000] * 5000, headers))
    assert status == 413 and consumed == 0
    assert "1000-byte limit" in json.loads(body)["message"]
    (call,) = app.state.mock.journal.calls()
    assert call.status == 413 and call.body_truncated_from == 5_000_000


def test_a_chunked_body_is_refused_once_it_passes_the_limit() -> None:
    app = create_app(max_body_bytes=10_000)
    status, _, consumed = asyncio.run(
        _asgi(app, PROXY, [b"{" + b" " * 999] * 1000, _headers(STABILITY))
    )
    assert status == 413 and consumed == 11  # stopped at the first chunk past 10 kB
    (call,) = app.state.mock.journal.calls()
    assert call.body.startswith(b"{ ") and len(call.body) == 10_000
    assert call.to_json()["request"]["body_truncated_from"] == 11_000


def test_a_body_just_under_the_limit_is_served() -> None:
    app = create_app(max_body_bytes=200)
    body = json.dumps({"model": "stable-diffusion-v1-6", "prompt": "a"}).encode()
    status, _, _ = asyncio.run(_asgi(app, UNIFIED, [body], _headers(STABILITY)))
    assert status == 200


def test_a_body_that_never_finishes_gets_a_408() -> None:
    app = create_app()
    app.state.mock.body_timeout = 0.2
    status, body, _ = asyncio.run(
        _asgi(app, UNIFIED, [b'{"prompt": '] * 2, _headers(STABILITY), hang=True)
    )
    assert status == 408 and "did not arrive within 0.2 s" in json.loads(body)["message"]
    assert app.state.mock.journal.calls()[0].body == b'{"prompt": {"prompt": '


def test_stabilitys_own_413_stays_faithful_under_the_mocks_limit(client: MockClient) -> None:
    # Stability v2beta refuses over 10 MiB (upstream-apis.md); the mock's limit is above it.
    boundary = "b"
    image = b"\x89PNG" + b"\0" * (10 * 1024 * 1024 + 10)
    form = (
        (
            f'--{boundary}\r\ncontent-disposition: form-data; name="prompt"\r\n\r\na\r\n'
            f'--{boundary}\r\ncontent-disposition: form-data; name="image"; filename="i.png"\r\n'
            f"content-type: image/png\r\n\r\n"
        ).encode()
        + image
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {**STABILITY, "content-type": f"multipart/form-data; boundary={boundary}"}
    response = client.post(V2, headers=headers, content=form)
    assert response.status_code == 413
    assert response.json()["name"] == "payload_too_large"


@pytest.mark.parametrize(("path", "headers"), ROUTES)
@pytest.mark.parametrize(
    "raw",
    [
        b'{"prompt": "\xff\xfe broken utf-8"}',
        b"\xc3\x28",
        b"[" * 100_000,
        b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
        b'{"prompt": "a", "seed": 1e400, "n": 1e400}',
        b'{"prompt": "a", "seed": ' + b"9" * 5000 + b"}",
        b'{"prompt": "a", "seed": -' + b"9" * 400 + b"}",
        b'{"prompt": "a", "n": NaN, "seed": Infinity}',
        b"",
        b"\0" * 64,
    ],
)
def test_broken_bodies_get_clean_answers_and_are_journaled(
    client: MockClient, path: str, headers: dict[str, str], raw: bytes
) -> None:
    headers = {**headers, "content-type": "application/json"}
    response = client.post(path, headers=headers, content=raw)
    clean(response)
    (call,) = client.calls()
    body = call["request"]["body"]
    kept = body["text"].encode() if "text" in body else base64.b64decode(body["base64"])
    assert kept == raw


WRONG_TYPES = [None, True, 0, -1, 2**70, 1.5, "", "x" * 10_000, [], [1, "a"], {}, {"a": None}]
FIELDS = ["model", "prompt", "n", "size", "seed", "style", "quality", "response_format",
          "user", "steps", "cfg_scale", "sampler", "style_preset", "output_format",
          "aspect_ratio", "negative_prompt", "text_prompts", "width", "height",
          "samples"]  # fmt: skip


@pytest.mark.parametrize("field", FIELDS)
def test_wrong_types_in_every_field_get_clean_answers(
    make_client: ClientFactory, field: str
) -> None:
    client = make_client(strict_responses=True)
    base = {"model": "stable-diffusion-xl-1024-v1-0", "prompt": "a", "size": "1024x1024"}
    for value in WRONG_TYPES:
        for path, headers in ROUTES[:3]:
            response = client.post(path, headers=headers, json={**base, field: value})
            clean(response)
            assert "x-mock-contract-violation" not in response.headers, response.text
    assert len(client.calls()) == len(WRONG_TYPES) * 3


def test_duplicated_headers_get_clean_answers() -> None:
    app = create_app()
    headers = [
        (b"x-portkey-api-key", b"pk-test-0123456789"),
        (b"x-portkey-api-key", b"pk-other-0123456789"),
        (b"x-portkey-provider", b"stability-ai"),
        (b"x-portkey-provider", b"openai"),
        (b"authorization", b"sk-one-0123456789"),
        (b"authorization", b"sk-two-0123456789"),
        (b"content-type", b"application/json"),
        (b"content-type", b"text/plain"),
        (b"x-portkey-config", b'{"provider": "openai"}'),
        (b"x-portkey-config", b"pc-saved"),
    ]
    body = json.dumps({"model": "stable-diffusion-v1-6", "prompt": "a"}).encode()
    for path in (UNIFIED, PROXY, V2):
        status, answer, _ = asyncio.run(_asgi(app, path, [body], headers))
        assert status < 500 or json.loads(answer)["status"] == "failure", answer
    assert not app.state.mock.errors
    calls = app.state.mock.journal.calls()
    assert len(calls) == 3
    sent = [name for name, _ in calls[0].headers.multi_items()]
    assert sent.count("authorization") == 2 and sent.count("x-portkey-provider") == 2
    assert "sk-one-0123456789" not in json.dumps([call.to_json() for call in calls])


def test_oversized_header_values_get_clean_answers(client: MockClient) -> None:
    huge = "x" * 200_000  # over Node's 16 KiB: 431
    for name in ("x-portkey-config", "x-portkey-metadata", "authorization", "x-portkey-provider"):
        response = client.post(UNIFIED, headers={**STABILITY, name: huge}, json={"prompt": "a"})
        assert response.status_code == 431 and response.headers["x-mock-error"] == "true"
    deep = "[" * 10_000  # under the limit: the gateway's code must cope
    for name in ("x-portkey-config", "x-portkey-metadata"):
        clean(client.post(UNIFIED, headers={**STABILITY, name: deep}, json={"prompt": "a"}))
    assert len(client.calls()) == 6
    assert client.get("/_mock/requests").status_code == 200
