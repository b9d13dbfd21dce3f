"""Downstream case: tests/test_plugin.py runs it in a fresh pytest, as a user project would."""

from __future__ import annotations

import json
import time

import requests

from mock_gateway import PortkeyMock

H = {
    "x-portkey-api-key": "pk-test",
    "x-portkey-provider": "stability-ai",
    "authorization": "sk",
    "content-type": "application/json",
}
B = json.dumps({"model": "stable-diffusion-xl-1024-v1-0", "prompt": "x", "size": "1024x1024"})


def post(portkey_mock: PortkeyMock, headers: dict[str, str] = H) -> requests.Response:
    return requests.post(portkey_mock.base_url + "/images/generations", headers=headers, data=B)


def test_rate_limited_then_fine(portkey_mock: PortkeyMock) -> None:
    portkey_mock.fail_next(429, retry_after=2)
    limited = post(portkey_mock)
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "2"
    error = limited.json()["error"]
    assert error["type"] == "rate_limit_exceeded"
    assert error["message"].startswith("stability-ai error: You have exceeded the rate limit")
    assert post(portkey_mock).status_code == 200
    fault = portkey_mock.calls[0].upstream[0].fault
    assert fault is not None and fault.status == 429


def test_server_errors(portkey_mock: PortkeyMock) -> None:
    portkey_mock.fail_next(503, times=2)
    assert [post(portkey_mock).status_code for _ in range(3)] == [503, 503, 200]


def test_timeout_with_request_timeout_is_408(portkey_mock: PortkeyMock) -> None:
    portkey_mock.timeout_next()
    r = post(portkey_mock, {**H, "x-portkey-request-timeout": "50"})
    assert r.status_code == 408
    assert r.json() == {
        "error": {
            "message": "Request exceeded the timeout sent in the request: 50ms",
            "type": "timeout_error",
            "param": None,
            "code": None,
        }
    }
    assert r.headers["x-portkey-provider"] == "stability-ai"


def test_latency_beyond_the_timeout_is_408_too(portkey_mock: PortkeyMock) -> None:
    portkey_mock.latency_next(0.2)
    assert post(portkey_mock, {**H, "x-portkey-request-timeout": "20"}).status_code == 408


def test_dropped_connection(portkey_mock: PortkeyMock) -> None:
    portkey_mock.drop_next()
    r = post(portkey_mock)
    assert r.status_code == 500
    assert r.json()["error"]["message"].startswith(
        'Invalid response received from stability-ai: {"html-message":"Message: fetch failed'
    )


def test_respond_with_a_malformed_body(portkey_mock: PortkeyMock) -> None:
    portkey_mock.respond_next(200, "<html>oops</html>")
    r = post(portkey_mock)
    assert r.status_code == 200
    assert r.json()["error"]["message"] == (
        'Invalid response received from stability-ai: {"html-message":"<html>oops</html>"}'
    )


def test_content_filter_on_the_proxy_route(portkey_mock: PortkeyMock) -> None:
    portkey_mock.filter_next(path="/v1/generation/")
    r = requests.post(
        portkey_mock.base_url + "/generation/stable-diffusion-v1-6/text-to-image",
        headers={
            "x-portkey-api-key": "pk-test",
            "x-portkey-provider": "stability-ai",
            "authorization": "sk",
        },
        json={"text_prompts": [{"text": "x"}]},
    )
    assert r.json()["artifacts"][0]["finishReason"] == "CONTENT_FILTERED"


def test_per_request_headers(portkey_mock: PortkeyMock) -> None:
    r = post(portkey_mock, {**H, "x-mock-status": "500"})
    assert r.status_code == 500 and r.json()["error"]["type"] == "server_error"
    upstream_headers = dict(portkey_mock.calls.last.upstream[0].request.headers)
    assert "x-mock-status" not in upstream_headers


def test_timeout_without_request_timeout_follows_the_time_scale(portkey_mock: PortkeyMock) -> None:
    # The 30 s hold is the gateway's wait: 30 ms under the fixture's time_scale of 0.001.
    portkey_mock.timeout_next()
    started = time.perf_counter()
    r = post(portkey_mock)
    assert time.perf_counter() - started < 5
    assert r.status_code == 500  # the dropped upstream connection, as the gateway reports it
    assert post(portkey_mock).status_code == 200
