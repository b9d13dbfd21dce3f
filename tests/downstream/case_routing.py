"""Downstream case: tests/test_plugin.py runs it in a fresh pytest, as a user project would."""

from __future__ import annotations

import json

import requests

from mock_gateway import PortkeyMock

CONFIG = {
    "strategy": {"mode": "fallback"},
    "targets": [
        {"provider": "stability-ai", "api_key": "sk-stab", "retry": {"attempts": 3}},
        {"provider": "openai", "api_key": "sk-openai", "override_params": {"model": "gpt-image-1"}},
    ],
}


def test_three_retries_then_fallback(portkey_mock: PortkeyMock) -> None:
    portkey_mock.fail_next(503, provider="stability-ai", times=4)  # Stability is down
    response = requests.post(
        portkey_mock.base_url + "/images/generations",
        headers={"x-portkey-api-key": "pk-test", "x-portkey-config": json.dumps(CONFIG)},
        json={"model": "stable-diffusion-v1-6", "prompt": "a cat"},
    )
    assert response.status_code == 200
    assert response.headers["x-portkey-provider"] == "openai"
    assert response.headers["x-portkey-last-used-option-index"] == "config.targets[1]"
    attempts = portkey_mock.calls.last.upstream
    assert [a.target for a in attempts] == ["config.targets[0]"] * 4 + ["config.targets[1]"]
    # The journal keeps the gateway's real backoff (1 s, 2 s, 4 s); the fixture only waited 7 ms.
    stability_times = [round(a.at_ms, -2) for a in attempts[:4]]
    assert stability_times == [0, 1000, 3000, 7000]
