"""Downstream case: a failing test that used the fixture points at its journal."""

from __future__ import annotations

import json

import requests

from mock_gateway import PortkeyMock


def test_fails_after_two_requests(portkey_mock: PortkeyMock) -> None:
    config = {"provider": "stability-ai", "api_key": "sk-stability-0123456789"}
    headers = {"x-portkey-api-key": "pk-1", "x-portkey-config": json.dumps(config)}
    body = {"prompt": "<script>alert('x')</script> a lighthouse", "model": "stable-diffusion-v1-6"}
    requests.post(portkey_mock.base_url + "/images/generations", headers=headers, json=body)
    requests.post(portkey_mock.base_url + "/images/generations", headers=headers, json={})
    assert portkey_mock.inspector_url == portkey_mock.url + "/_mock/"
    assert requests.get(portkey_mock.inspector_url).status_code == 200
    raise AssertionError("deliberate failure")


def test_passes(portkey_mock: PortkeyMock) -> None:
    requests.post(portkey_mock.base_url + "/images/generations", json={})


def test_fails_without_the_fixture() -> None:
    raise AssertionError("no mock here")
