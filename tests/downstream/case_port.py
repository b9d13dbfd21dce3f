"""Downstream case: the fixture on a port of the project's choosing (``portkey_mock_options``)."""

from __future__ import annotations

import os
from typing import Any

import pytest
import requests

from mock_gateway import PortkeyMock

PORT = int(os.environ["CASE_PORT"])


@pytest.fixture(scope="session")
def portkey_mock_options() -> dict[str, Any]:
    return {"port": PORT}


@pytest.mark.parametrize("attempt", [1, 2])
def test_the_mock_listens_on_the_chosen_port(portkey_mock: PortkeyMock, attempt: int) -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")  # each worker: PORT + its number
    expected = PORT + int(worker[2:])
    assert portkey_mock.url == f"http://127.0.0.1:{expected}"
    health = requests.get(f"http://127.0.0.1:{expected}/_mock/health", timeout=5)
    assert health.json()["status"] == "ok"
