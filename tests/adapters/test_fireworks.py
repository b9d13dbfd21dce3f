"""Fireworks AI through the mock gateway and on its own (role upstream).

The mapping is checked against the measured upstream bodies of
docs/facts/providers/fireworks-ai.md §1.2; the wire behaviour against the real gateway by
tests/conformance/cases/fireworks-ai.json.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import given, settings

from mock_gateway import PortkeyMock, create_app
from mock_gateway import strategies as pst
from mock_gateway.adapters.base import AdapterCrash
from mock_gateway.adapters.fireworks import client_body, map_params, to_upstream
from mock_gateway.contract_tools.route_map import check_body, response_contracts
from mock_gateway.fakes.images import image_dimensions
from mock_gateway.upstream import UpstreamResponse, json_response

MODEL = "accounts/fireworks/models/stable-diffusion-xl-1024-v1-0"
HEADERS = {"x-portkey-provider": "fireworks-ai", "authorization": "Bearer fw-0123456789"}
BASE = "https://api.fireworks.ai/inference/v1"


@pytest.fixture
def mock() -> Iterator[PortkeyMock]:
    yield PortkeyMock(create_app(profile="oss"))


def _generate(mock: PortkeyMock, body: dict[str, object], **headers: str) -> httpx.Response:
    with httpx.Client(transport=mock.transport(), base_url=mock.url) as client:
        return client.post("/v1/images/generations", json=body, headers={**HEADERS, **headers})


def test_measured_mapping_and_the_undefined_url() -> None:
    request = to_upstream({"prompt": "a cat"}, api_key="fw", base_url=BASE, boundary="",
                          has_body=True, options={})  # fmt: skip
    assert request.url == f"{BASE}/image_generation/undefined"
    assert request.body == (
        b'{"text_prompts":[{"text":"a cat","weight":1}],"model":"stable-diffusion-xl-1024-v1-0"}'
    )
    assert request.header("accept") == "application/json"
    assert request.header("authorization") == "Bearer fw"
    body = map_params({"prompt": "a", "size": "256x2048", "n": 20, "steps": 200, "seed": -3})
    assert (body["height"], body["width"], body["samples"], body["steps"], body["seed"]) == (
        1024, 512, 10, 150, 0
    )  # fmt: skip
    with pytest.raises(AdapterCrash):
        map_params({"prompt": "a", "size": 5})


def test_error_bodies_the_transform_reads_and_the_ones_it_throws_on() -> None:
    fault = {"fault": {"faultstring": "quota", "detail": {"errorcode": "policies.Quota"}}}
    assert client_body(json_response(403, fault), {}, 1)["error"] == {
        "message": "fireworks-ai error: quota", "type": None, "param": None,
        "code": "policies.Quota",
    }  # fmt: skip
    detail = client_body(json_response(422, {"detail": "Field required"}), {}, 1)
    assert detail["error"]["message"] == "fireworks-ai error: Field required"
    openai_style = {"error": {"object": "error", "type": "invalid_request_error", "message": "bad"}}
    assert client_body(json_response(400, openai_style), {}, 1)["error"]["type"] == (
        "invalid_request_error"
    )
    for unreadable in (
        json_response(400, {"foo": "bar"}),
        UpstreamResponse(502, (("content-type", "text/html"),), b"<html>bad gateway</html>"),
    ):
        with pytest.raises(AdapterCrash):
            client_body(unreadable, {}, 1)


def test_the_unified_route_keeps_seed_and_finish_reason(mock: PortkeyMock) -> None:
    answer = _generate(mock, {"model": MODEL, "prompt": "a cat", "n": 2, "size": "640x1792",
                              "seed": 12, "response_format": "url"})  # fmt: skip
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (
        check_body(body, response_contracts("/v1/images/generations", 200, "fireworks-ai")) is None
    )
    assert [(item["seed"], item["finishReason"]) for item in body["data"]] == [(12, "SUCCESS")] * 2
    sizes = {image_dimensions(base64.b64decode(item["b64_json"])) for item in body["data"]}
    assert sizes == {(640, 1024)}  # the height clamped to 1024
    (attempt,) = mock.calls[0].attempts
    assert attempt.request.url == f"{BASE}/image_generation/{MODEL}"
    assert json.loads(attempt.request.body)["height"] == 1024


def test_an_unreadable_error_is_the_gateways_500_and_stops_the_fallback(mock: PortkeyMock) -> None:
    config = {"strategy": {"mode": "fallback"}, "targets": [
        {"provider": "fireworks-ai", "api_key": "fw-0123456789"},
        {"provider": "fireworks-ai", "api_key": "fw-0123456789"}]}  # fmt: skip
    mock.malformed_next(status=502)
    with httpx.Client(transport=mock.transport(), base_url=mock.url) as client:
        answer = client.post("/v1/images/generations", json={"model": MODEL, "prompt": "a"},
                             headers={"x-portkey-config": json.dumps(config)})  # fmt: skip
    assert answer.status_code == 500
    assert answer.json() == {"status": "failure", "message": "Something went wrong"}
    assert answer.headers["x-portkey-gateway-exception"] == "true"
    assert len(mock.calls[0].attempts) == 1  # the second target never called
    assert not any(name.startswith("x-portkey-provider") for name in answer.headers)


def test_a_readable_error_falls_back(mock: PortkeyMock) -> None:
    config = {"strategy": {"mode": "fallback"}, "targets": [
        {"provider": "fireworks-ai", "api_key": "fw-0123456789"},
        {"provider": "fireworks-ai", "api_key": "fw-0123456789"}]}  # fmt: skip
    mock.fail_next(503)
    with httpx.Client(transport=mock.transport(), base_url=mock.url) as client:
        answer = client.post("/v1/images/generations", json={"model": MODEL, "prompt": "a"},
                             headers={"x-portkey-config": json.dumps(config)})  # fmt: skip
    assert answer.status_code == 200 and len(mock.calls[0].attempts) == 2


def test_the_proxy_route_forwards_the_clients_accept(mock: PortkeyMock) -> None:
    with httpx.Client(transport=mock.transport(), base_url=mock.url, headers=HEADERS) as client:
        answer = client.post(f"/v1/image_generation/{MODEL}",
                             json={"text_prompts": [{"text": "a cat"}], "height": 512})  # fmt: skip
    assert answer.status_code == 200, answer.text
    (item,) = answer.json()
    assert image_dimensions(base64.b64decode(item["base64"])) == (1024, 512)
    request = mock.calls[0].attempts[0].request
    assert request.url == f"{BASE}/image_generation/{MODEL}"
    assert request.header("accept") == "*/*"  # httpx's own: the client's headers win


def test_fireworks_documented_http_call_against_the_upstream_role() -> None:
    # The documented call (curl with Authorization: Bearer and Accept: image/jpeg|png or
    # application/json), made with httpx: the `fireworks-ai` SDK on PyPI wraps chat and
    # completion endpoints, and its image generation is not an OpenAI-compatible route.
    upstream = PortkeyMock(create_app(role="upstream"))
    with httpx.Client(transport=upstream.transport(), base_url=upstream.url) as client:
        answer = client.post(
            f"/inference/v1/image_generation/{MODEL}",
            headers={"Authorization": "Bearer fw-0123456789", "Accept": "image/png"},
            json={"text_prompts": [{"text": "a lighthouse"}], "height": 768, "width": 512},
        )
        assert answer.status_code == 200 and answer.headers["content-type"] == "image/png"
        assert image_dimensions(answer.content) == (512, 768)
        refused = client.post(f"/inference/v1/image_generation/{MODEL}", json={})
        assert refused.status_code == 401
    assert [call.attempts[0].target for call in upstream.calls] == ["fireworks-ai"] * 2


_STRATEGY_MOCK = PortkeyMock(create_app())


@settings(max_examples=30, deadline=None)
@given(pst.image_requests(provider="fireworks-ai"))
def test_drawn_fireworks_requests_get_their_images(request: pst.ImageRequest) -> None:
    with httpx.Client(transport=_STRATEGY_MOCK.transport(), base_url=_STRATEGY_MOCK.url) as client:
        answer = request.send(client)
    assert answer.status_code == 200, answer.text[:300]
    data = answer.json()["data"]
    assert len(data) == request.image_count
    for item in data:
        assert image_dimensions(base64.b64decode(item["b64_json"])) == request.image_size


@settings(max_examples=30, deadline=None)
@given(pst.image_requests(provider="fireworks-ai", valid=False))
def test_drawn_bad_fireworks_requests_get_the_status_they_promise(
    request: pst.ImageRequest,
) -> None:
    with httpx.Client(transport=_STRATEGY_MOCK.transport(), base_url=_STRATEGY_MOCK.url) as client:
        answer = request.send(client)
    assert answer.status_code == request.status, (request.reason, answer.text[:300])
    assert answer.json()["error"]["type"] == request.error_name
