"""nscale through the mock gateway (docs/facts/providers/nscale.md): created in milliseconds,
only url/b64_json kept, every error the 500 gateway exception."""

from __future__ import annotations

import json

from mock_gateway.adapters.nscale import ADAPTER
from mock_gateway.faults import Fault
from mock_gateway.upstream import json_response
from tests.openai_like_support import client, decode, gateway, upstream_json

URL = "https://inference.api.nscale.com/v1/images/generations"
SDXL = "stabilityai/stable-diffusion-xl-base-1.0"
EXCEPTION = {"status": "failure", "message": "Something went wrong"}


def test_the_measured_mapping_byte_for_byte() -> None:
    params = {
        "model": SDXL,
        "prompt": "a cat",
        "n": 20,
        "size": "1024x1792",
        "response_format": "url",
        "quality": "hd",
        "style": "vivid",
        "user": "u",
    }
    request = ADAPTER.to_upstream(
        params, api_key="k", base_url=ADAPTER.BASE_URL, boundary="", has_body=True, options={}
    )
    assert request.url == URL
    assert request.body == (
        b'{"prompt":"a cat","model":"stabilityai/stable-diffusion-xl-base-1.0","n":20,'
        b'"size":"1024x1792"}'
    )


def test_success_is_rebuilt_with_created_in_milliseconds() -> None:
    clock = 1_700_000_000.0
    mock = gateway()
    mock.state.clock = lambda: clock
    body = {"model": SDXL, "prompt": "a cat", "size": "512x512", "response_format": "url"}
    with client(mock, "nscale") as http:
        answer = http.post("/v1/images/generations", json=body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["created"] == 1_700_000_000_000  # Date.now(), not Nscale's seconds
    (item,) = answer.json()["data"]
    assert set(item) == {"b64_json"} and decode(item["b64_json"]) == (512, 512)
    assert "response_format" not in upstream_json(mock)  # dropped: Nscale's default answers


def test_only_url_and_b64_json_survive() -> None:
    upstream = json_response(
        200, {"created": 1, "data": [{"url": "u", "revised_prompt": None}, {"b64_json": "x"}]}
    )
    assert ADAPTER.client_body(upstream, {}, 2) == {
        "created": 2000,
        "data": [{"url": "u"}, {"b64_json": "x"}],
    }


def test_every_error_is_the_gateway_exception() -> None:
    mock = gateway()
    mock.fail_next(429)
    with client(mock, "nscale") as http:
        faulted = http.post("/v1/images/generations", json={"model": SDXL, "prompt": "a"})
        refused = http.post("/v1/images/generations", json={"prompt": "no model"})
    for answer in (faulted, refused):
        assert answer.status_code == 500 and answer.json() == EXCEPTION
        assert answer.headers["x-portkey-gateway-exception"] == "true"
        assert "x-portkey-provider" not in answer.headers
    assert mock.calls[-1].attempts[0].response.status == 400  # Nscale's own answer, lost


def test_html_is_the_gateway_exception_too() -> None:
    mock = gateway()
    mock.queue(Fault.respond(502, "<html>down</html>"))
    with client(mock, "nscale") as http:
        answer = http.post("/v1/images/generations", json={"model": SDXL, "prompt": "a"})
    assert answer.status_code == 500 and answer.json() == EXCEPTION


def test_the_proxy_route_passes_errors_raw() -> None:
    mock = gateway()
    with client(mock, "nscale") as http:
        answer = http.post("/v1/proxy/images/generations", json={"prompt": "a cat"})
    assert answer.status_code == 400 and answer.json()["error"]["param"] == "model"


def test_an_nscale_error_stops_a_fallback_chain() -> None:
    mock = gateway()
    config = {
        "strategy": {"mode": "fallback"},
        "targets": [
            {"provider": "nscale", "api_key": "sk-ns-0123456789"},
            {"provider": "deepbricks", "api_key": "sk-db-0123456789"},
        ],
    }
    with client(mock) as http:
        answer = http.post(
            "/v1/images/generations",
            json={"prompt": "no model for nscale"},
            headers={"x-portkey-config": json.dumps(config)},
        )
    assert answer.status_code == 500 and answer.json() == EXCEPTION
    assert [a.url for a in mock.calls[-1].attempts] == [URL]  # deepbricks never called
