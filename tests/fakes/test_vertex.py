"""The fake Vertex AI Imagen on its own: Google's :predict, errors and filtered answers."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from mock_gateway.contract_tools.contracts import validator_for
from mock_gateway.fakes.images import image_dimensions
from mock_gateway.fakes.vertex import FakeVertex
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse

HOST = "https://us-central1-aiplatform.googleapis.com"
PREDICT = "/v1/projects/proj-1/locations/us-central1/publishers/google/models/{model}:predict"
MODEL = "imagen-3.0-generate-002"
TOKEN = {"authorization": "Bearer ya29.token", "content-type": "application/json"}


def _post(
    fake: FakeVertex,
    body: Any,
    *,
    model: str = MODEL,
    headers: dict[str, str] | None = None,
    filtered: bool = False,
) -> UpstreamResponse:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    url = HOST + PREDICT.format(model=model)
    request = UpstreamRequest.build("POST", url, headers or TOKEN, raw)
    return fake.handle(request, filtered=filtered)


def _error(response: UpstreamResponse) -> dict[str, Any]:
    body = response.json()
    assert not list(validator_for("vertex/error.json").iter_errors(body)), body
    error: dict[str, Any] = body["error"]
    assert error["code"] == response.status
    return error


@pytest.fixture
def fake() -> FakeVertex:
    return FakeVertex(seed=7, blocked_words=("mock-blocked",), filtered_words=("mock-filtered",))


def test_predict_draws_the_default_four_square_pngs(fake: FakeVertex) -> None:
    response = _post(fake, {"instances": [{"prompt": "a cat"}]})
    assert response.status == 200
    body = response.json()
    assert not list(validator_for("vertex/predict-response.json").iter_errors(body))
    assert len(body["predictions"]) == 4
    for item in body["predictions"]:
        assert item["mimeType"] == "image/png"
        assert image_dimensions(base64.b64decode(item["bytesBase64Encoded"])) == (1024, 1024)
    assert response.body.startswith(b'{\n  "predictions": [')  # Google's pretty JSON


def test_sample_count_aspect_ratio_and_jpeg(fake: FakeVertex) -> None:
    parameters = {
        "sampleCount": 2,
        "aspectRatio": "16:9",
        "outputOptions": {"mimeType": "image/jpeg"},
    }
    body = _post(fake, {"instances": [{"prompt": "a cat"}], "parameters": parameters}).json()
    assert [item["mimeType"] for item in body["predictions"]] == ["image/jpeg"] * 2
    data = base64.b64decode(body["predictions"][1]["bytesBase64Encoded"])
    assert data.startswith(b"\xff\xd8") and image_dimensions(data) == (1408, 768)


def test_same_request_same_bytes_and_a_new_seed_new_bytes() -> None:
    request = {"instances": [{"prompt": "a cat"}], "parameters": {"sampleCount": 1}}
    first = _post(FakeVertex(seed=1), request).body
    assert _post(FakeVertex(seed=1), request).body == first
    assert _post(FakeVertex(seed=2), request).body != first


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"{not json", "Invalid JSON payload"),
        ({"instances": []}, "instances"),
        ({"instances": [{"prompt": "a"}, {"prompt": "b"}]}, "Only 1 instance"),
        ({"instances": [{"text": "a"}]}, "Prompt is required"),
        ({"instances": [{"prompt": "a"}], "parameters": {"sampleCount": 5}}, "sample count: 5"),
        ({"instances": [{"prompt": "a"}], "parameters": {"sampleCount": 0}}, "between 1 and 4"),
        (
            {"instances": [{"prompt": "a"}], "parameters": {"aspectRatio": "2:1"}},
            "aspect ratio: 2:1",
        ),
        ({"instances": [{"prompt": "a"}], "parameters": {"personGeneration": "all"}}, "personGen"),
        ({"instances": [{"prompt": "a"}], "parameters": {"safetySetting": "off"}}, "safetySetting"),
        (
            {
                "instances": [{"prompt": "a"}],
                "parameters": {"outputOptions": {"mimeType": "image/gif"}},
            },
            "image/gif",
        ),
        ({"instances": [{"prompt": "a"}], "parameters": {"seed": 3}}, "addWatermark"),
    ],
)
def test_bad_requests_get_invalid_argument_naming_the_field(
    fake: FakeVertex, body: Any, words: str
) -> None:
    response = _post(fake, body)
    assert response.status == 400
    error = _error(response)
    assert error["status"] == "INVALID_ARGUMENT" and words in error["message"]


def test_a_seed_passes_with_the_watermark_off(fake: FakeVertex) -> None:
    parameters = {"seed": 3, "addWatermark": False, "sampleCount": 1}
    assert _post(fake, {"instances": [{"prompt": "a"}], "parameters": parameters}).status == 200


@pytest.mark.parametrize(
    "authorization", [None, "Bearer undefined", "ya29.no-bearer", "Bearer invalid-x"]
)
def test_a_missing_or_refused_token_is_unauthenticated(
    fake: FakeVertex, authorization: str | None
) -> None:
    headers = {"content-type": "application/json"}
    if authorization is not None:
        headers["authorization"] = authorization
    response = _post(fake, {"instances": [{"prompt": "a"}]}, headers=headers)
    assert response.status == 401 and _error(response)["status"] == "UNAUTHENTICATED"


def test_an_unknown_model_is_not_found_and_an_unknown_path_is_googles_html_404(
    fake: FakeVertex,
) -> None:
    response = _post(fake, {"instances": [{"prompt": "a"}]}, model="imagen-9")
    assert response.status == 404
    assert "models/imagen-9` not found" in _error(response)["message"]
    stream_route = UpstreamRequest.build("POST", HOST + "/v1/projects/p/locations/l", TOKEN, b"{}")
    page = fake.handle(stream_route)
    assert page.status == 404 and page.media_type == "text/html"
    assert b"/v1/projects/p/locations/l" in page.body


def test_a_blocked_prompt_is_refused_and_a_filtered_one_drops_every_image(fake: FakeVertex) -> None:
    blocked = _post(fake, {"instances": [{"prompt": "a mock-blocked cat"}]})
    assert blocked.status == 400 and "could not be submitted" in _error(blocked)["message"]
    filtered = _post(fake, {"instances": [{"prompt": "a mock-filtered cat"}]})
    assert (filtered.status, filtered.json()) == (200, {})
    reasons = {
        "instances": [{"prompt": "a cat"}],
        "parameters": {"includeRaiReason": True, "sampleCount": 2},
    }
    body = _post(fake, reasons, filtered=True).json()
    assert [sorted(item) for item in body["predictions"]] == [["raiFilteredReason"]] * 2


@pytest.mark.parametrize(
    ("status", "name"), [(429, "RESOURCE_EXHAUSTED"), (503, "UNAVAILABLE"), (418, "UNKNOWN")]
)
def test_an_injected_status_speaks_googles_error_shape(
    fake: FakeVertex, status: int, name: str
) -> None:
    request = UpstreamRequest.build("POST", HOST + PREDICT.format(model=MODEL), TOKEN, b"{}")
    response = fake.error_response(request, status, retry_after=2)
    assert response.status == status and _error(response)["status"] == name
    assert response.header("retry-after") == "2"
