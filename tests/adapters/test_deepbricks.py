"""deepbricks through the mock gateway (docs/facts/providers/deepbricks.md)."""

from __future__ import annotations

import json

from mock_gateway.adapters.deepbricks import ADAPTER
from tests.openai_like_support import client, decode, gateway, upstream_json

URL = "https://api.deepbricks.ai/v1/images/generations"


def test_the_measured_mapping_byte_for_byte() -> None:
    params = {
        "model": "dall-e-3",
        "prompt": "a cat",
        "n": 20,
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
        b'{"prompt":"a cat","model":"dall-e-3","n":10,"quality":"hd","response_format":"url",'
        b'"size":"1024x1792","style":"vivid","user":"u"}'
    )
    assert ADAPTER.map_params({"prompt": "a cat"}) == {"prompt": "a cat", "model": "dall-e-2"}


def test_unified_route_success_and_the_journal() -> None:
    mock = gateway()
    body = {"prompt": "a cat", "size": "256x256", "n": 2, "response_format": "b64_json"}
    with client(mock, "deepbricks") as http:
        answer = http.post("/v1/images/generations", json=body)
    assert answer.status_code == 200, answer.text
    assert "provider" not in answer.json()
    assert [decode(item["b64_json"]) for item in answer.json()["data"]] == [(256, 256)] * 2
    assert mock.calls[-1].attempts[0].url == URL
    assert upstream_json(mock) == {**body, "model": "dall-e-2"}


def test_errors_are_prefixed_and_keep_their_fields() -> None:
    mock = gateway()
    with client(mock, "deepbricks") as http:
        answer = http.post("/v1/images/generations", json={"prompt": "a cat", "model": "x"})
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["message"] == "deepbricks error: The model 'x' does not exist."
    assert (error["param"], error["code"]) == ("model", "model_not_found")
    assert answer.json()["provider"] == "deepbricks"


def test_a_fault_and_the_organization_from_a_config() -> None:
    mock = gateway()
    mock.fail_next(503)
    config = {
        "provider": "deepbricks",
        "api_key": "sk-db-0123456789",
        "openai_organization": "org-1",
    }
    with client(mock) as http:
        answer = http.post(
            "/v1/images/generations",
            json={"prompt": "a cat"},
            headers={"x-portkey-config": json.dumps(config)},
        )
    assert answer.status_code == 503
    assert answer.json()["error"]["message"] == "deepbricks error: The server had an error."
    assert mock.calls[-1].attempts[0].request.header("deepbricks-organization") == "org-1"


def test_the_proxy_route() -> None:
    mock = gateway()
    with client(mock, "deepbricks") as http:
        answer = http.post("/v1/proxy/images/generations", json={"prompt": "a", "n": 11})
    assert answer.status_code == 400 and answer.json()["error"]["param"] == "n"  # raw, unprefixed
    assert "deepbricks error" not in answer.text
