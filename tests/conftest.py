"""Shared fixtures: the app driven in-process through the public ``PortkeyMock.transport()``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from mock_gateway import PortkeyMock, create_app

__all__ = ["FIXED_NOW", "PORTKEY_KEY", "ClientFactory", "MockClient", "config", "create_app"]

FIXED_NOW = 1_795_000_000.25
PORTKEY_KEY = "pk-test-0123456789"


class MockClient:
    """An httpx client on ``mock.transport()`` (in-process: no sockets, no threads), sending
    hosted Portkey's ``x-portkey-api-key`` unless a test says otherwise."""

    def __init__(self, mock: PortkeyMock) -> None:
        self.mock = mock

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        # Hosted Portkey needs x-portkey-api-key on every /v1 call; tests that are about it
        # pass their own (or None, to send none).
        headers = {"x-portkey-api-key": PORTKEY_KEY, **dict(kwargs.pop("headers", None) or {})}
        kwargs["headers"] = {name: value for name, value in headers.items() if value is not None}
        with httpx.Client(transport=self.mock.transport(), base_url=self.mock.url) as http:
            return http.request(method, url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def calls(self) -> list[dict[str, Any]]:
        """The journal, as ``GET /_mock/calls`` serves it."""
        calls: list[dict[str, Any]] = self.get("/_mock/calls").json()["calls"]
        return calls


ClientFactory = Callable[..., MockClient]


@pytest.fixture
def make_client() -> ClientFactory:
    """Build a client for ``create_app(**options)``, with a fixed clock by default."""

    def make(**options: Any) -> MockClient:
        options.setdefault("clock", lambda: FIXED_NOW)
        return MockClient(PortkeyMock(create_app(**options)))

    return make


@pytest.fixture
def client(make_client: ClientFactory) -> MockClient:
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


@pytest.fixture(autouse=True)
def _pytester_outside_xdist(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pytester run is a user's own pytest run: not an xdist worker, even when this suite
    runs under ``-n`` (xdist's worker variables would otherwise leak into the subprocess)."""
    if "pytester" in request.fixturenames:
        for name in ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_XDIST_TESTRUNUID"):
            monkeypatch.delenv(name, raising=False)
