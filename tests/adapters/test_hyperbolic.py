"""hyperbolic through the mock gateway (docs/facts/providers/hyperbolic.md): the gateway sends
`model` where Hyperbolic wants `model_name`, and native bodies pass through raw."""

from __future__ import annotations

from mock_gateway.adapters.hyperbolic import ADAPTER
from mock_gateway.faults import Fault
from tests.openai_like_support import client, decode, gateway, upstream_json

URL = "https://api.hyperbolic.xyz/v1/image/generation"


def test_the_measured_mapping_byte_for_byte() -> None:
    params = {
        "model": "SDXL1.0-base",
        "prompt": "a cat",
        "n": 20,
        "size": "1024x1792",
        "response_format": "url",
        "seed": 5,
        "negative_prompt": "dog",
        "steps": 30,
        "height": 1024,
        "width": 768,
        "backend": "auto",
        "cfg_scale": 5,
    }
    request = ADAPTER.to_upstream(
        params, api_key="k", base_url=ADAPTER.BASE_URL, boundary="", has_body=True, options={}
    )
    assert request.url == URL
    assert request.body == (
        b'{"model":"SDXL1.0-base","prompt":"a cat","height":1024,"width":768,"backend":"auto"}'
    )


def test_the_unified_route_meets_hyperbolics_validation_raw() -> None:
    mock = gateway()
    with client(mock, "hyperbolic") as http:
        answer = http.post("/v1/images/generations", json={"model": "SDXL1.0-base", "prompt": "a"})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "model_name"]  # not wrapped
    assert upstream_json(mock) == {"model": "SDXL1.0-base", "prompt": "a"}
    assert mock.calls[-1].attempts[0].url == URL


def test_openai_shaped_errors_are_wrapped() -> None:
    mock = gateway()
    body = '{"error":{"message":"bad","type":"t","param":"p","code":"c"}}'
    mock.queue(Fault.respond(400, body, "application/json"))
    with client(mock, "hyperbolic") as http:
        answer = http.post("/v1/images/generations", json={"prompt": "a"})
    assert answer.json() == {
        "error": {"message": "hyperbolic error: bad", "type": "t", "param": "p", "code": "c"},
        "provider": "hyperbolic",
    }


def test_a_fault_is_passed_raw() -> None:
    mock = gateway()
    mock.fail_next(500)
    with client(mock, "hyperbolic") as http:
        answer = http.post("/v1/images/generations", json={"prompt": "a"})
    assert answer.status_code == 500 and answer.json() == {"detail": "The server had an error."}


def test_the_proxy_route_speaks_hyperbolics_own_api() -> None:
    mock = gateway()
    with client(mock, "hyperbolic") as http:
        answer = http.post(
            "/v1/v1/image/generation",
            json={"model_name": "FLUX.1-dev", "prompt": "a", "height": 512, "width": 640},
        )
    assert answer.status_code == 200, answer.text
    (image,) = answer.json()["images"]
    assert decode(image["image"]) == (640, 512)
    assert mock.calls[-1].attempts[0].url == URL
