"""Vertex AI (slug ``vertex-ai``) through the mock gateway and on its own (role upstream).

The mapping is checked against the measured upstream body of
docs/facts/providers/google-vertex-ai.md §1.3; the wire behaviour against the real gateway
by tests/conformance/cases/vertex-ai.json.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import given, settings

from mock_gateway import PortkeyMock, create_app
from mock_gateway import strategies as pst
from mock_gateway.adapters.vertex import base_url, client_body, map_params, to_upstream
from mock_gateway.contract_tools.route_map import check_body, response_contracts
from mock_gateway.fakes.images import image_dimensions
from mock_gateway.upstream import UpstreamResponse, json_response

MODEL = "imagen-3.0-generate-002"
PREDICT = f"/v1/projects/proj-1/locations/us-central1/publishers/google/models/{MODEL}:predict"
HEADERS = {
    "x-portkey-provider": "vertex-ai",
    "authorization": "Bearer ya29.token",
    "x-portkey-vertex-project-id": "proj-1",
    "x-portkey-vertex-region": "us-central1",
}


@pytest.fixture
def mock() -> Iterator[PortkeyMock]:
    yield PortkeyMock(create_app(profile="oss"))


def _client(mock: PortkeyMock, **headers: str) -> httpx.Client:
    return httpx.Client(
        transport=mock.transport(), base_url=mock.url, headers={**HEADERS, **headers}
    )


def _generate(mock: PortkeyMock, body: dict[str, Any], **headers: str) -> httpx.Response:
    with _client(mock, **headers) as client:
        return client.post("/v1/images/generations", json=body)


def test_measured_mapping_byte_for_byte() -> None:
    params = {"model": MODEL, "prompt": "a cat", "n": 20, "size": "1024x1024", "quality": "hd",
              "style": "photograph", "aspectRatio": "16:9", "seed": 3, "negativePrompt": "dog",
              "personGeneration": "allow_adult", "safetySetting": "block_some",
              "addWatermark": False, "mimeType": "image/jpeg", "response_format": "url",
              "aspect_ratio": "1:1", "output_format": "png"}  # fmt: skip
    options = {"vertexProjectId": "proj-1", "vertexRegion": "us-central1"}
    request = to_upstream(
        params, api_key="ya29.tok", base_url=base_url(options), boundary="", has_body=True,
        options=options,
    )  # fmt: skip
    assert request.url == "https://us-central1-aiplatform.googleapis.com" + PREDICT
    assert request.body == (
        b'{"instances":[{"prompt":"a cat"}],"parameters":{"sampleCount":20,"outputOptions":'
        b'{"compressionQuality":100,"mimeType":"image/jpeg"},"sampleImageStyle":"photograph",'
        b'"aspectRatio":"16:9","seed":3,"negativePrompt":"dog","personGeneration":"allow_adult",'
        b'"safetySetting":"block_some"}}'
    )
    assert request.header("authorization") == "Bearer ya29.tok"


@pytest.mark.parametrize(
    ("params", "body"),
    [
        ({"prompt": "a cat"}, {"instances": [{"prompt": "a cat"}]}),  # no parameters at all
        ({"prompt": ["a", "b"]}, {"instances": [{"prompt": "a"}, {"prompt": "b"}]}),
        ({"prompt": "a", "n": 0}, {"instances": [{"prompt": "a"}], "parameters": {}}),
        ({"prompt": "a", "quality": "standard"},
         {"instances": [{"prompt": "a"}],
          "parameters": {"outputOptions": {"compressionQuality": 75}}}),
    ],
)  # fmt: skip
def test_parameters_only_when_a_mapped_key_is_sent(params: dict[str, Any], body: Any) -> None:
    assert map_params(params) == body


def test_global_region_has_no_region_in_the_host() -> None:
    assert base_url({"vertexRegion": "global"}) == "https://aiplatform.googleapis.com"
    assert base_url({}) == "https://undefined-aiplatform.googleapis.com"


def test_a_filtered_prediction_is_an_empty_item_and_errors_carry_googles_status() -> None:
    answer = json_response(200, {"predictions": [{"bytesBase64Encoded": "QQ==", "mimeType": "x"},
                                                 {"raiFilteredReason": "r"}]})  # fmt: skip
    assert client_body(answer, {}, 5) == {
        "created": 5, "data": [{"b64_json": "QQ=="}, {}], "provider": "vertex-ai"
    }  # fmt: skip
    error = json_response(
        400, {"error": {"code": 400, "message": "bad", "status": "INVALID_ARGUMENT"}}
    )
    assert client_body(error, {}, 5)["error"] == {
        "message": "vertex-ai error: bad", "type": "INVALID_ARGUMENT", "param": None,
        "code": "INVALID_ARGUMENT",
    }  # fmt: skip
    html = UpstreamResponse(500, (("content-type", "text/html"),), b"<html>x</html>")
    message = client_body(html, {}, 5)["error"]["message"]
    assert message == 'Invalid response received from vertex-ai: {"html-message":"<html>x</html>"}'


def test_the_unified_route_maps_to_imagen_and_back(mock: PortkeyMock) -> None:
    answer = _generate(mock, {"model": MODEL, "prompt": "a cat", "n": 2, "aspectRatio": "9:16",
                              "response_format": "url"})  # fmt: skip
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["provider"] == "vertex-ai" and answer.headers["x-portkey-provider"] == "vertex-ai"
    assert check_body(body, response_contracts("/v1/images/generations", 200, "vertex-ai")) is None
    sizes = [image_dimensions(base64.b64decode(item["b64_json"])) for item in body["data"]]
    assert sizes == [(768, 1408)] * 2  # url asked, b64_json given; the ratio's size
    (call,) = mock.calls
    (attempt,) = call.attempts
    assert attempt.request.url == "https://us-central1-aiplatform.googleapis.com" + PREDICT
    assert json.loads(attempt.request.body) == {
        "instances": [{"prompt": "a cat"}], "parameters": {"sampleCount": 2, "aspectRatio": "9:16"}
    }  # fmt: skip
    assert "ya29.token" not in dict(attempt.request.headers)["authorization"]  # redacted


def test_a_config_target_gives_project_and_region(mock: PortkeyMock) -> None:
    config = {"provider": "vertex-ai", "api_key": "ya29.token", "vertex_project_id": "proj-9",
              "vertex_region": "europe-west4"}  # fmt: skip
    with httpx.Client(transport=mock.transport(), base_url=mock.url) as client:
        answer = client.post("/v1/images/generations", json={"model": MODEL, "prompt": "a", "n": 1},
                             headers={"x-portkey-config": json.dumps(config)})  # fmt: skip
    assert answer.status_code == 200, answer.text
    url = mock.calls[0].attempts[0].request.url
    assert url.startswith("https://europe-west4-aiplatform.googleapis.com/v1/projects/proj-9/")


def test_no_model_is_the_gateways_400_with_no_upstream_call(mock: PortkeyMock) -> None:
    answer = _generate(mock, {"prompt": "a cat"})
    assert answer.status_code == 400
    assert answer.json() == {"status": "failure", "message": "Model is required"}
    assert answer.headers["x-portkey-gateway-exception"] == "true"
    assert mock.calls[0].attempts == []


def test_imagens_refusals_come_back_wrapped(mock: PortkeyMock) -> None:
    answer = _generate(mock, {"model": MODEL, "prompt": "a cat", "seed": 5})
    assert answer.status_code == 400
    assert answer.json()["error"]["type"] == "INVALID_ARGUMENT"
    assert answer.json()["error"]["message"].startswith("vertex-ai error: Seed is not supported")


def test_every_image_filtered_is_a_200_invalid_response(mock: PortkeyMock) -> None:
    mock.filter_next()
    answer = _generate(mock, {"model": MODEL, "prompt": "a cat", "n": 1})
    assert answer.status_code == 200
    assert answer.json()["error"]["message"] == "Invalid response received from vertex-ai: {}"


def test_a_queued_fault_answers_in_googles_shape(mock: PortkeyMock) -> None:
    mock.fail_next(429, retry_after=3)
    answer = _generate(mock, {"model": MODEL, "prompt": "a cat", "n": 1})
    assert answer.status_code == 429
    assert answer.json()["error"]["code"] == "RESOURCE_EXHAUSTED"
    assert answer.headers["retry-after"] == "3"


def test_the_proxy_route_forwards_googles_own_call(mock: PortkeyMock) -> None:
    with _client(
        mock, **{"x-portkey-custom-host": "https://us-central1-aiplatform.googleapis.com/v1"}
    ) as client:
        answer = client.post(PREDICT, json={"instances": [{"prompt": "a cat"}],
                                            "parameters": {"sampleCount": 1}})  # fmt: skip
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert check_body(body, response_contracts(PREDICT, 200)) is None
    assert len(body["predictions"]) == 1
    request = mock.calls[0].attempts[0].request
    assert request.url == "https://us-central1-aiplatform.googleapis.com" + PREDICT


def test_the_proxy_route_without_a_custom_host_drops_v1(mock: PortkeyMock) -> None:
    with _client(mock) as client:
        answer = client.post(PREDICT, json={"instances": [{"prompt": "a cat"}]})
    assert answer.status_code == 404  # Google's HTML 404 for /projects/...
    assert "drops /v1" in answer.headers["x-mock-hint"]


def test_googles_documented_rest_call_against_the_upstream_role() -> None:
    # The documented call (curl -X POST -H "Authorization: Bearer $(gcloud auth
    # print-access-token)" .../{MODEL}:predict -d @request.json) made with httpx: the official
    # google-cloud-aiplatform SDK pulls in grpc, protobuf and google-auth (~100 MB) and signs
    # in through gcloud credentials, too heavy for a test extra, so the plain HTTP call it is.
    upstream = PortkeyMock(create_app(role="upstream"))
    with httpx.Client(transport=upstream.transport(), base_url=upstream.url) as client:
        answer = client.post(
            PREDICT,
            headers={"Authorization": "Bearer ya29.token"},
            json={"instances": [{"prompt": "a lighthouse"}], "parameters": {"sampleCount": 1}},
        )
        assert answer.status_code == 200, answer.text
        (prediction,) = answer.json()["predictions"]
        assert image_dimensions(base64.b64decode(prediction["bytesBase64Encoded"])) == (1024, 1024)
        refused = client.post(PREDICT, json={"instances": [{"prompt": "a"}]})
        assert refused.status_code == 401
        assert refused.json()["error"]["status"] == "UNAUTHENTICATED"
    assert [call.attempts[0].target for call in upstream.calls] == ["vertex-ai"] * 2


_STRATEGY_MOCK = PortkeyMock(create_app())


@settings(max_examples=40, deadline=None)
@given(pst.image_requests(provider="vertex-ai"))
def test_drawn_vertex_requests_get_their_images(request: pst.ImageRequest) -> None:
    with httpx.Client(transport=_STRATEGY_MOCK.transport(), base_url=_STRATEGY_MOCK.url) as client:
        answer = request.send(client)
    assert answer.status_code == 200, answer.text[:300]
    data = answer.json()["data"]
    assert len(data) == request.image_count
    for item in data:
        image = base64.b64decode(item["b64_json"])
        assert image.startswith(b"\x89PNG" if request.image_format == "png" else b"\xff\xd8")
        assert image_dimensions(image) == request.image_size


@settings(max_examples=40, deadline=None)
@given(pst.image_requests(provider="vertex-ai", valid=False))
def test_drawn_bad_vertex_requests_get_the_answer_they_promise(request: pst.ImageRequest) -> None:
    with httpx.Client(transport=_STRATEGY_MOCK.transport(), base_url=_STRATEGY_MOCK.url) as client:
        answer = request.send(client)
    assert answer.status_code == request.status, (request.reason, answer.text[:300])
    if request.error_name is not None:
        assert answer.json()["error"]["code"] == request.error_name
    else:
        assert answer.json() == {"status": "failure", "message": "Model is required"}
