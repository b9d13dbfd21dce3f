"""Hostile input (issue 15): no 500 of ours, no poisoned journal, checked faults, no leaked
keys; no request stalls the others, memory stays within the caps."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from starlette.applications import Starlette

PORTKEY_KEY = "pk-test-0123456789"
STABILITY = {"x-portkey-provider": "stability-ai", "authorization": "sk-stability-0123456789"}
OPENAI = {"x-portkey-provider": "openai", "authorization": "Bearer sk-openai-0123456789"}


def send(app: Starlette, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """One request in-process; a crash of the app comes back as its 500, not as an exception."""
    headers = {"x-portkey-api-key": PORTKEY_KEY, **dict(kwargs.pop("headers", None) or {})}
    kwargs["headers"] = {name: value for name, value in headers.items() if value is not None}

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return await client.request(method, url, **kwargs)

    return asyncio.run(go())


def assert_no_bug(app: Starlette, response: httpx.Response) -> None:
    """Not a 500 of the mock's own: no marker, nothing recorded as a mock bug."""
    assert "x-mock-internal-error" not in response.headers, response.text[:500]
    assert "x-mock-contract-violation" not in response.headers, response.text[:500]
    errors = getattr(app.state.mock, "errors", [])
    assert not errors, repr(errors[:1])
