"""Downstream case: tests/test_plugin.py runs it in a fresh pytest, as a user project would."""

from __future__ import annotations

import requests

from mock_gateway import PortkeyMock


def test_wrong_path(portkey_mock: PortkeyMock) -> None:
    requests.post(
        portkey_mock.base_url + "/images/generations",
        json={"prompt": "hello"},
        headers={"x-portkey-api-key": "pk-test", "x-portkey-provider": "stability-ai"},
    )
    portkey_mock.assert_called("/v1/images/edits")
