"""Downstream case: tests/test_plugin.py runs it in a fresh pytest, as a user project would."""

from __future__ import annotations

import json

import requests

from mock_gateway import PortkeyMock


def test_seed_request(portkey_mock: PortkeyMock) -> None:
    config = {
        "provider": "stability-ai",
        "api_key": "sk-stability-0123456789",
        "override_params": {"model": "stable-diffusion-v1-6"},
    }
    headers = {
        "Content-Type": "application/json",
        "x-portkey-api-key": "pk-1",
        "x-portkey-config": json.dumps(config),
    }
    data = {"prompt": "Harry potter using aeroplane for transport", "response_format": "url"}
    response = requests.post(
        portkey_mock.base_url + "/images/generations", headers=headers, data=json.dumps(data)
    )
    body = response.json()
    assert response.status_code == 200
    assert list(body["data"][0]) == ["b64_json"]
    call = portkey_mock.calls.last
    assert call.json == data
    (upstream,) = call.upstream
    assert upstream.url.endswith("/v1/generation/stable-diffusion-v1-6/text-to-image")
    assert upstream.json == {"text_prompts": [{"text": data["prompt"], "weight": 1}]}
    assert "0123456789" not in str(call.headers) + str(upstream.request.headers)


def test_state_is_reset_between_tests(portkey_mock: PortkeyMock) -> None:
    assert portkey_mock.calls == []
    assert not portkey_mock.calls.called
