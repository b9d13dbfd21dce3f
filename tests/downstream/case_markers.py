"""Downstream case: tests/test_plugin.py runs it in a fresh pytest, as a user project would."""

from __future__ import annotations

import pytest
import requests

from mock_gateway import PortkeyMock

H = {
    "x-portkey-api-key": "pk-test",
    "x-portkey-provider": "stability-ai",
    "authorization": "sk",
    "content-type": "application/json",
}
B = '{"model": "stable-diffusion-v1-6", "prompt": "x"}'


@pytest.mark.portkey_mock(profile="oss")
def test_oss(portkey_mock: PortkeyMock) -> None:
    r = requests.post(portkey_mock.base_url + "/images/generations", headers=H, data=B)
    assert r.headers["x-portkey-trace-id"] == ""


def test_default_is_hosted(portkey_mock: PortkeyMock) -> None:
    r = requests.post(portkey_mock.base_url + "/images/generations", headers=H, data=B)
    assert r.headers["x-portkey-trace-id"] != ""


@pytest.mark.portkey_mock(profil="oss")
def test_typo(portkey_mock: PortkeyMock) -> None:
    pass
