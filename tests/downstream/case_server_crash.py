"""Downstream case: tests/test_plugin.py runs it in a fresh pytest, as a user project would."""

from __future__ import annotations

from typing import NoReturn

import pytest
import requests

from mock_gateway import PortkeyMock


def test_boom(portkey_mock: PortkeyMock, monkeypatch: pytest.MonkeyPatch) -> None:
    # Stand-in for a bug in the mock: the fake provider raises while serving this request.
    def boom(*args: object, **kwargs: object) -> NoReturn:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(portkey_mock.state.fakes["stability-ai"], "handle", boom)
    r = requests.post(
        portkey_mock.base_url + "/images/generations",
        json={"prompt": "x"},
        headers={
            "x-portkey-api-key": "pk-test",
            "x-portkey-provider": "stability-ai",
            "authorization": "sk",
        },
    )
    assert r.status_code == 500


def test_next_test_is_clean(portkey_mock: PortkeyMock) -> None:
    assert portkey_mock.calls == []
