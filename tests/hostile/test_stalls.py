"""One request must never stall the others: a catastrophic ``$regex``, a big journal read,
a client's big JSON body."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import httpx
import pytest

from mock_gateway import create_app
from mock_gateway.gateway import jsregex
from mock_gateway.serving.server import LiveServer

STABILITY = {"x-portkey-provider": "stability-ai", "authorization": "sk-stability-0123456789"}
BODY = {"model": "stable-diffusion-v1-6", "prompt": "a cat", "size": "320x320"}
UNIFIED = "/v1/images/generations"


def _conditional(pattern: str) -> str:
    return json.dumps(
        {
            "strategy": {
                "mode": "conditional",
                "conditions": [{"query": {"metadata.user": {"$regex": pattern}}, "then": "a"}],
                "default": "b",
            },
            "targets": [
                {"name": "a", "provider": "stability-ai", "api_key": "sk-a"},
                {"name": "b", "provider": "openai", "api_key": "sk-b"},
            ],
        }
    )


def _routed(pattern: str, user: str, profile: str = "oss") -> httpx.Response:
    headers = {
        "x-portkey-config": _conditional(pattern),
        "x-portkey-metadata": json.dumps({"user": user}),
        "x-portkey-api-key": "pk-1",
    }

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(profile=profile))
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
            return await client.post(UNIFIED, headers=headers, json=BODY)

    return asyncio.run(send())


@pytest.mark.parametrize(
    ("pattern", "user", "provider"),
    [
        ("^alice$", "alice", "stability-ai"),
        ("^alice$", "alice\n", "openai"),  # JS: $ is the end of input; Python's re: before \n
        ("^\\d+$", "١٢٣", "openai"),  # JS: \d is ASCII only
        ("^\\w+$", "é", "openai"),  # and \w
        ("^a.c$", "a\rc", "openai"),  # JS: . stops at \r too
        ("^\\s$", "\u00a0", "stability-ai"),  # JS: \s includes no-break space
        ("^[^]$", "\n", "stability-ai"),  # JS: [^] is any character
        ("[]", "anything", "openai"),  # JS: [] matches nothing
        ("(?<first>a)b", "xab", "stability-ai"),  # named groups, JS spelling
        ("((", "x", "openai"),  # an invalid pattern matches nothing, as before
    ],
)
def test_regex_keeps_javascript_semantics(pattern: str, user: str, provider: str) -> None:
    response = _routed(pattern, user)
    assert response.headers["x-portkey-provider"] == provider, response.text


def test_a_catastrophic_regex_is_cut_at_the_budget_without_holding_the_loop() -> None:
    # Before: ^(a|a)*$ against 30 a's and a "!" held the event loop for minutes.
    app = create_app(profile="oss")
    headers = {
        "x-portkey-config": _conditional("^(a|a)*$"),
        "x-portkey-metadata": json.dumps({"user": "a" * 40 + "!"}),
    }

    async def race() -> tuple[httpx.Response, float, float]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
            started = time.perf_counter()
            slow = asyncio.create_task(client.post(UNIFIED, headers=headers, json=BODY))
            await asyncio.sleep(0.02)
            health = await client.get("/_mock/health")
            assert health.status_code == 200
            healthy = time.perf_counter() - started
            return await slow, healthy, time.perf_counter() - started

    response, healthy, answered = asyncio.run(race())
    assert response.status_code == 400 and response.headers["x-mock-error"] == "true"
    assert "$regex" in response.json()["message"] and "budget" in response.json()["message"]
    assert healthy < jsregex.REGEX_BUDGET < answered < jsregex.REGEX_BUDGET + 2


def _fill(app: Any, count: int) -> None:
    async def send() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
            for i in range(count):
                await client.post(UNIFIED, headers=STABILITY, json={**BODY, "prompt": f"p{i}"})

    asyncio.run(send())


def _get(app: Any, path: str, **params: Any) -> httpx.Response:
    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
            return await client.get(path, params=params)

    return asyncio.run(send())


def test_the_journal_is_read_in_pages_with_a_cursor() -> None:
    app = create_app(profile="oss")
    _fill(app, 250)
    first = _get(app, "/_mock/requests")
    data = first.json()
    assert len(data["calls"]) == 100 and data["total"] == 250  # the default page
    assert data["calls"][0]["request"]["body"]["json"]["prompt"] == "p0"
    prompts = [c["request"]["body"]["json"]["prompt"] for c in data["calls"]]
    cursor = data["next"]
    assert first.headers["x-mock-next-cursor"] == cursor
    while cursor is not None:
        page = _get(app, "/_mock/requests", cursor=cursor, limit=70).json()
        prompts += [c["request"]["body"]["json"]["prompt"] for c in page["calls"]]
        cursor = page["next"]
    assert prompts == [f"p{i}" for i in range(250)]
    assert len(_get(app, "/_mock/requests", limit=10**6).json()["calls"]) == 250  # capped
    for bad in ({"limit": "0"}, {"limit": "x"}, {"cursor": "-1"}, {"limit": "²"}):
        answer = _get(app, "/_mock/requests", **bad)
        assert answer.status_code == 400 and next(iter(bad)) in answer.json()["message"]


def test_the_journal_page_has_a_maximum_in_calls_and_in_bytes() -> None:
    from mock_gateway.wire.limits import MAX_PAGE, PAGE_BYTES

    app = create_app(profile="oss")

    async def small() -> None:  # 404s: small calls, so that the count binds first
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
            for _ in range(MAX_PAGE + 5):
                await client.get("/nowhere")

    asyncio.run(small())
    data = _get(app, "/_mock/requests", limit=MAX_PAGE * 10).json()
    assert len(data["calls"]) == MAX_PAGE and data["next"] is not None
    _fill(app, 1000)  # ~8.6 kB a call: the bytes bind first
    cursor = str(app.state.mock.journal.calls()[-1000].index)
    page = _get(app, "/_mock/requests", limit=MAX_PAGE, cursor=cursor).json()
    kept = {call.index: call.size for call in app.state.mock.journal.calls()}
    sizes = [kept[call["index"]] for call in page["calls"]]
    assert 100 < len(sizes) < 1000 and sum(sizes[:-1]) <= PAGE_BYTES < sum(sizes) + 10_000
    assert page["next"] == str(page["calls"][-1]["index"] + 1)


def test_inspector_rows_have_a_maximum_and_a_cursor() -> None:
    from mock_gateway.control.inspector.routes import MAX_LIMIT

    app = create_app(profile="oss")
    _fill(app, 30)
    rows = _get(app, "/_mock/inspector/rows", limit=10).json()
    assert rows["rows"].count('class="call') >= 10 and rows["next"] is not None
    older = _get(app, "/_mock/inspector/rows", limit=100, before=rows["next"]).json()
    assert older["next"] is None
    assert 'id="call-20"' in rows["rows"] and 'id="call-19"' not in rows["rows"]
    assert 'id="call-19"' in older["rows"] and 'id="call-0"' in older["rows"]
    assert 'id="call-20"' not in older["rows"]
    assert MAX_LIMIT <= 1000
    huge = _get(app, "/_mock/inspector/rows", limit=100_000)
    assert huge.status_code == 200
    assert _get(app, "/_mock/inspector/rows", before="x").status_code == 400


@pytest.mark.socket
def test_a_big_json_body_does_not_hold_other_clients() -> None:
    # Before: a million JSON keys took 2.7 s of the event loop, every other client waiting.
    body = ("{" + ",".join(f'"k{i}":{i}' for i in range(600_000)) + "}").encode()
    headers = {**STABILITY, "content-type": "application/json"}
    with LiveServer(create_app(profile="oss")) as server:
        done = threading.Event()

        def hostile() -> None:
            with httpx.Client(base_url=server.url, timeout=120) as client:
                assert client.post(UNIFIED, headers=headers, content=body).status_code < 500
            done.set()

        waits: list[float] = []
        worker = threading.Thread(target=hostile)
        with httpx.Client(base_url=server.url) as client:
            worker.start()
            while not done.wait(0.005):
                started = time.perf_counter()
                assert client.get("/_mock/health").status_code == 200
                waits.append(time.perf_counter() - started)
        worker.join()
    waits.sort()
    assert len(waits) >= 30, waits
    assert waits[len(waits) // 2] < 0.05, waits
