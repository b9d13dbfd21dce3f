"""Segmind through the mock gateway and on its own (role upstream).

The mapping is checked against the measured upstream bodies of docs/facts/providers/segmind.md
§1.2; the wire behaviour against the real gateway by tests/conformance/cases/segmind.json.
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
from mock_gateway.adapters.segmind import client_body, map_params, to_upstream
from mock_gateway.contract_tools.route_map import check_body, response_contracts
from mock_gateway.fakes.images import image_dimensions
from mock_gateway.upstream import UpstreamResponse, json_response

MODEL = "sdxl1.0-txt2img"
HEADERS = {"x-portkey-provider": "segmind", "authorization": "Bearer sg-key-0123456789"}


@pytest.fixture
def mock() -> Iterator[PortkeyMock]:
    yield PortkeyMock(create_app(profile="oss"))


def _generate(mock: PortkeyMock, body: dict[str, object], **headers: str) -> httpx.Response:
    with httpx.Client(transport=mock.transport(), base_url=mock.url) as client:
        return client.post("/v1/images/generations", json=body, headers={**HEADERS, **headers})


def test_measured_mappings_byte_for_byte() -> None:
    short = to_upstream({"prompt": "a cat", "model": MODEL}, api_key="sg", has_body=True,
                        base_url="https://api.segmind.com/v1", boundary="", options={})  # fmt: skip
    assert short.url == f"https://api.segmind.com/v1/{MODEL}"
    assert short.body == b'{"prompt":"a cat","num_inference_steps":20,"base64":true}'
    assert short.header("x-api-key") == "sg" and short.header("authorization") is None
    params = {"prompt": "a cat", "model": MODEL, "n": 20, "size": "1024x1792", "style": "vivid",
              "seed": 5, "negative_prompt": "dog", "steps": 30, "scheduler": "DDIM",
              "guidance_scale": 8, "base64": False, "qr_size": 512, "response_format": "url",
              "quality": "hd", "user": "u"}  # fmt: skip
    assert json.dumps(map_params(params), separators=(",", ":")) == (
        '{"prompt":"a cat","samples":10,"img_height":1792,"img_width":1024,"style":"vivid",'
        '"num_inference_steps":30,"negative_prompt":"dog","scheduler":"DDIM","guidance_scale":8,'
        '"seed":5,"base64":true,"size":512}'
    )


def test_a_bad_size_is_null_and_a_non_string_size_crashes_the_transform() -> None:
    assert map_params({"prompt": "a", "size": "big"})["img_height"] is None
    with pytest.raises(AdapterCrash):
        map_params({"prompt": "a", "size": 1024})


def test_errors_are_wrapped_with_the_raw_text() -> None:
    error = json_response(400, {"error": "Invalid value for samples"})
    assert (
        client_body(error, {}, 1)["error"]["message"] == "segmind error: Invalid value for samples"
    )
    html = UpstreamResponse(500, (("content-type", "text/html"),), b"<html>Internal</html>")
    assert client_body(html, {}, 1)["error"]["message"] == "segmind error: <html>Internal</html>"
    odd = json_response(200, {"foo": "bar"})
    assert client_body(odd, {}, 1)["error"]["message"].startswith("Invalid response received")


def test_the_unified_route_answers_b64_json_for_a_url(mock: PortkeyMock) -> None:
    answer = _generate(mock, {"model": MODEL, "prompt": "a cat", "n": 2, "size": "768x512",
                              "response_format": "url"})  # fmt: skip
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert check_body(body, response_contracts("/v1/images/generations", 200, "segmind")) is None
    images = [base64.b64decode(item["b64_json"]) for item in body["data"]]
    assert [image_dimensions(image) for image in images] == [(768, 512)] * 2
    assert all(image.startswith(b"\xff\xd8") for image in images)  # Segmind's JPEGs
    (attempt,) = mock.calls[0].attempts
    assert attempt.request.url == f"https://api.segmind.com/v1/{MODEL}"
    assert json.loads(attempt.request.body)["base64"] is True
    assert "sg-key-0123456789" not in dict(attempt.request.headers)["x-api-key"]  # redacted


def test_refusals_come_back_wrapped(mock: PortkeyMock) -> None:
    answer = _generate(mock, {"model": MODEL, "prompt": "a cat", "n": 7})
    assert answer.status_code == 400
    assert answer.json()["error"]["message"].startswith("segmind error: Invalid value for samples")
    missing = _generate(mock, {"prompt": "a cat"})
    assert missing.status_code == 404
    assert "/undefined" in mock.calls[1].attempts[0].request.url
    assert "no model" in missing.headers["x-mock-hint"]


def test_a_queued_406_is_out_of_credits(mock: PortkeyMock) -> None:
    mock.fail_next(406)
    answer = _generate(mock, {"model": MODEL, "prompt": "a cat"})
    assert answer.status_code == 406
    assert answer.json()["error"]["message"] == "segmind error: Not enough credits"


def test_the_proxy_route_forwards_segmind_native_call(mock: PortkeyMock) -> None:
    with httpx.Client(transport=mock.transport(), base_url=mock.url, headers=HEADERS) as client:
        answer = client.post(f"/v1/{MODEL}", json={"prompt": "a cat", "img_width": 640,
                                                  "img_height": 512})  # fmt: skip
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/jpeg"
    assert image_dimensions(answer.content) == (640, 512)
    request = mock.calls[0].attempts[0].request
    assert request.url == f"https://api.segmind.com/v1/{MODEL}"
    assert request.header("x-api-key") is not None


def test_segmind_documented_http_call_against_the_upstream_role() -> None:
    # Segmind publishes no Python SDK on PyPI; its API page documents a plain HTTP call
    # (requests.post(url, json=data, headers={"x-api-key": api_key})), made here with httpx.
    upstream = PortkeyMock(create_app(role="upstream"))
    with httpx.Client(transport=upstream.transport(), base_url=upstream.url) as client:
        answer = client.post(
            f"/v1/{MODEL}",
            headers={"x-api-key": "sg-key-0123456789"},
            json={"prompt": "a lighthouse", "samples": 1, "base64": True},
        )
        assert answer.status_code == 200, answer.text
        assert image_dimensions(base64.b64decode(answer.json()["image"])) == (1024, 1024)
        refused = client.post(f"/v1/{MODEL}", json={"prompt": "a"})
        assert (refused.status_code, refused.json()) == (
            401,
            {"error": "User authentication failed"},
        )
    assert [call.attempts[0].target for call in upstream.calls] == ["segmind"] * 2


_STRATEGY_MOCK = PortkeyMock(create_app())


@settings(max_examples=30, deadline=None)
@given(pst.image_requests(provider="segmind"))
def test_drawn_segmind_requests_get_their_images(request: pst.ImageRequest) -> None:
    with httpx.Client(transport=_STRATEGY_MOCK.transport(), base_url=_STRATEGY_MOCK.url) as client:
        answer = request.send(client)
    assert answer.status_code == 200, answer.text[:300]
    data = answer.json()["data"]
    assert len(data) == request.image_count
    for item in data:
        assert image_dimensions(base64.b64decode(item["b64_json"])) == request.image_size


@settings(max_examples=30, deadline=None)
@given(pst.image_requests(provider="segmind", valid=False))
def test_drawn_bad_segmind_requests_get_the_status_they_promise(request: pst.ImageRequest) -> None:
    with httpx.Client(transport=_STRATEGY_MOCK.transport(), base_url=_STRATEGY_MOCK.url) as client:
        answer = request.send(client)
    assert answer.status_code == request.status, (request.reason, answer.text[:300])
    assert answer.json()["error"]["message"].startswith("segmind error: ")
