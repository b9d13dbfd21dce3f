"""Downstream case: tests/test_plugin.py runs it in a fresh pytest, as a user project would."""

from __future__ import annotations

import requests

from mock_gateway import PortkeyMock


def test_http_controls(portkey_mock: PortkeyMock) -> None:
    url = portkey_mock.url
    queued = requests.post(url + "/_mock/faults", json={"fault": "fail", "status": 502, "times": 1})
    assert queued.json()["faults"][0]["status"] == 502
    r = requests.post(
        url + "/v1/images/generations",
        headers={
            "x-portkey-api-key": "pk-test",
            "x-portkey-provider": "stability-ai",
            "authorization": "sk",
        },
        json={"model": "stable-diffusion-v1-6", "prompt": "a"},
    )
    assert r.status_code == 502
    calls = requests.get(url + "/_mock/requests").json()["calls"]
    assert calls[-1]["request"]["body"]["json"] == {"model": "stable-diffusion-v1-6", "prompt": "a"}
    assert calls[-1]["upstream"][0]["fault"]["status"] == 502
    bad = requests.post(url + "/_mock/faults", json={"fault": "explode"})
    assert bad.status_code == 400 and "choose one of" in bad.json()["message"]
    assert requests.post(url + "/_mock/reset", json={}).json() == {"status": "ok"}
    assert requests.get(url + "/_mock/requests").json()["calls"] == []
