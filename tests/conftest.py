"""Shared fixtures: the app driven in-process through ``httpx.ASGITransport``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from mock_gateway import create_app

__all__ = ["FIXED_NOW", "PORTKEY_KEY", "ClientFactory", "InProcessClient", "config", "create_app"]

FIXED_NOW = 1_795_000_000.25
PORTKEY_KEY = "pk-test-0123456789"


class InProcessClient:
    """A synchronous client for the ASGI app: no sockets, no threads."""

    def __init__(self, app: Starlette) -> None:
        self.app = app

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        # Hosted Portkey needs x-portkey-api-key on every /v1 call; tests that are about it
        # pass their own (or None, to send none).
        headers = {"x-portkey-api-key": PORTKEY_KEY, **dict(kwargs.pop("headers", None) or {})}
        kwargs["headers"] = {name: value for name, value in headers.items() if value is not None}

        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
                return await client.request(method, url, **kwargs)

        return asyncio.run(send())

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def calls(self) -> list[dict[str, Any]]:
        """The journal, as ``GET /_mock/calls`` serves it."""
        calls: list[dict[str, Any]] = self.get("/_mock/calls").json()["calls"]
        return calls


ClientFactory = Callable[..., InProcessClient]


@pytest.fixture
def make_client() -> ClientFactory:
    """Build a client for ``create_app(**options)``, with a fixed clock by default."""

    def make(**options: Any) -> InProcessClient:
        options.setdefault("clock", lambda: FIXED_NOW)
        return InProcessClient(create_app(**options))

    return make


@pytest.fixture
def client(make_client: ClientFactory) -> InProcessClient:
    """A client for the default (hosted) profile."""
    return make_client()


def config(**fields: Any) -> str:
    """An ``x-portkey-config`` header value."""
    return json.dumps(fields)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Tools outside Python (the pinned gateway, Chromium): installed if the suite can, else
    # one failing test per missing tool, saying what to install (tests/tools.py).
    from tests.tools import collapse

    collapse(config, items)
