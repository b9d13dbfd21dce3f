"""lemonfox-ai through the mock gateway (docs/facts/providers/lemonfox-ai.md)."""

from __future__ import annotations

from mock_gateway.adapters.lemonfox import ADAPTER
from mock_gateway.faults import Fault
from tests.openai_like_support import client, fetch, gateway, upstream_json

URL = "https://api.lemonfox.ai/v1/images/generations"


def test_the_measured_mapping_byte_for_byte() -> None:
    params = {
        "model": "x",
        "prompt": "a cat",
        "n": 0,
        "size": "1024x1792",
        "response_format": "url",
        "quality": "hd",
        "style": "vivid",
        "user": "u",
        "seed": 5,
        "negative_prompt": "dog",
        "steps": 30,
    }
    request = ADAPTER.to_upstream(
        params, api_key="k", base_url=ADAPTER.BASE_URL, boundary="", has_body=True, options={}
    )
    assert request.url == URL
    assert request.body == (
        b'{"prompt":"a cat","negative_prompt":"dog","n":1,"response_format":"url",'
        b'"size":"1024x1792"}'
    )


def test_unified_route_success_with_model_dropped() -> None:
    mock = gateway()
    with client(mock, "lemonfox-ai") as http:
        answer = http.post(
            "/v1/images/generations", json={"prompt": "a cat", "model": "m", "n": 12}
        )
    assert answer.status_code == 200, answer.text
    assert len(answer.json()["data"]) == 8 and "provider" not in answer.json()
    assert fetch(mock, answer.json()["data"][0]["url"]) == (1024, 1024)
    assert upstream_json(mock) == {"prompt": "a cat", "n": 8}


def test_errors_lose_param_and_code() -> None:
    mock = gateway()
    with client(mock, "lemonfox-ai") as http:
        answer = http.post("/v1/images/generations", json={"prompt": "a cat", "size": "9x9"})
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["message"].startswith("lemonfox-ai error: Invalid size")
    assert (error["type"], error["param"], error["code"]) == ("invalid_request_error", None, None)
    assert mock.calls[-1].attempts[0].response.json()["error"]["param"] == "size"


def test_a_null_error_is_the_gateway_exception() -> None:
    mock = gateway()
    mock.queue(Fault.respond(400, '{"error":null}', "application/json"))
    with client(mock, "lemonfox-ai") as http:
        answer = http.post("/v1/images/generations", json={"prompt": "a cat"})
    assert answer.status_code == 500
    assert answer.json() == {"status": "failure", "message": "Something went wrong"}
    assert answer.headers["x-portkey-gateway-exception"] == "true"


def test_a_fault_and_the_proxy_route() -> None:
    mock = gateway()
    mock.fail_next(429)
    with client(mock, "lemonfox-ai") as http:
        failed = http.post("/v1/images/generations", json={"prompt": "a cat"})
        proxied = http.post("/v1/proxy/images/generations", json={"prompt": "a", "n": 9})
    assert failed.status_code == 429 and failed.json()["error"]["code"] is None
    assert proxied.status_code == 400 and proxied.json()["error"]["param"] == "n"
