"""Downstream case: tests/test_plugin.py runs it in a fresh pytest, as a user project would."""

from __future__ import annotations

import os

import pytest
import requests

from mock_gateway import PortkeyMock


@pytest.mark.parametrize("i", range(8))
def test_many(portkey_mock: PortkeyMock, i: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    r = requests.post(
        portkey_mock.base_url + "/images/generations",
        json={"model": "stable-diffusion-v1-6", "prompt": str(i)},
        headers={
            "x-portkey-api-key": "pk-test",
            "x-portkey-provider": "stability-ai",
            "authorization": "sk",
        },
    )
    assert r.status_code == 200
    assert portkey_mock.calls.call_count == 1  # no other test's request leaks in
    root = tmp_path_factory.getbasetemp().parent
    (root / f"port-{os.environ['PYTEST_XDIST_WORKER']}-{i}").write_text(portkey_mock.url)
