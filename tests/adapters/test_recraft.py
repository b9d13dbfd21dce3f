"""recraft-ai through the mock gateway: the measured mapping, both routes, a fault, the
journal, and errors losing their message (docs/facts/providers/recraft-ai.md)."""

from __future__ import annotations

import json

from mock_gateway.adapters.recraft import ADAPTER
from mock_gateway.upstream import json_response
from tests.openai_like_support import KEY, client, fetch, gateway, upstream_json

URL = "https://external.api.recraft.ai/v1/images/generations"


def test_the_measured_mapping_byte_for_byte() -> None:
    params = {
        "model": "recraftv3",
        "prompt": "a cat",
        "n": 5,
        "size": "1024x1792",
        "style": "digital_illustration",
        "substyle": "pixel_art",
        "response_format": "url",
        "quality": "hd",
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
        b'{"prompt":"a cat","style":"digital_illustration","n":2,"size":"1024x1792",'
        b'"response_format":"url","model":"recraftv3","substyle":"pixel_art"}'
    )
    assert request.header("authorization") == "Bearer k"
    # No default of the file is sent: none but prompt is required.
    assert ADAPTER.map_params({"prompt": "a cat"}) == {"prompt": "a cat"}


def test_unified_route_passes_recraft_urls_through_without_provider() -> None:
    mock = gateway()
    with client(mock, "recraft-ai") as http:
        answer = http.post("/v1/images/generations", json={"prompt": "a fox", "n": 9})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert "provider" not in body and set(body) == {"created", "data", "credits"}
    assert len(body["data"]) == 2  # n clamped to 2 by the gateway
    assert all(set(item) == {"image_id", "url"} for item in body["data"])
    assert fetch(mock, body["data"][0]["url"]) == (1024, 1024)
    (attempt,) = mock.calls[-1].attempts
    assert attempt.url == URL
    assert upstream_json(mock) == {"prompt": "a fox", "n": 2}
    assert KEY not in json.dumps(list(attempt.request.headers))  # the journal redacts the key


def test_a_native_error_loses_its_message() -> None:
    mock = gateway()
    with client(mock, "recraft-ai") as http:
        answer = http.post("/v1/images/generations", json={"prompt": "a cat", "style": "vivid"})
    assert answer.status_code == 400
    assert answer.json() == {
        "error": {
            "message": "recraft-ai error: Unknown error occurred",
            "type": None,
            "param": None,
            "code": None,
        },
        "provider": "recraft-ai",
    }
    assert mock.calls[-1].attempts[0].response.json()["code"] == "invalid_style"


def test_an_openai_shaped_error_keeps_its_fields_but_empty_ones_become_null() -> None:
    upstream = json_response(
        400, {"error": {"message": "bad", "type": "", "param": "size", "code": 0}}
    )
    assert ADAPTER.client_body(upstream, {}, 0) == {
        "error": {"message": "recraft-ai error: bad", "type": None, "param": "size", "code": None},
        "provider": "recraft-ai",
    }


def test_a_fault_is_wrapped_with_its_status() -> None:
    mock = gateway()
    mock.fail_next(429, retry_after=2)
    with client(mock, "recraft-ai") as http:
        answer = http.post("/v1/images/generations", json={"prompt": "a cat"})
    assert answer.status_code == 429
    assert answer.json()["error"]["message"] == "recraft-ai error: Unknown error occurred"
    assert answer.headers["retry-after"] == "2"


def test_the_proxy_route_forwards_recraft_native_requests() -> None:
    mock = gateway()
    with client(mock, "recraft-ai") as http:
        answer = http.post(
            "/v1/proxy/images/generations",
            json={"model": "recraftv4", "prompt": "a cat", "size": "16:9", "n": 3},
        )
    # Recraft V4 has no 16:9 size: its own error comes back raw on the proxy route.
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_size"
    with client(mock, "recraft-ai") as http:
        answer = http.post(
            "/v1/proxy/images/generations",
            json={"model": "recraftv4", "prompt": "a cat", "size": "2:1", "n": 3},
        )
    assert answer.status_code == 200 and len(answer.json()["data"]) == 3
    assert fetch(mock, answer.json()["data"][0]["url"]) == (1536, 768)
    assert mock.calls[-1].attempts[0].url == URL
