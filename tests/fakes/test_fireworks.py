"""The fake Fireworks AI on its own: image_generation JSON arrays or PNGs, and its errors."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from mock_gateway.contract_tools.contracts import validator_for
from mock_gateway.fakes.fireworks import FakeFireworks
from mock_gateway.fakes.images import image_dimensions
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse

MODEL = "accounts/fireworks/models/stable-diffusion-xl-1024-v1-0"
URL = f"https://api.fireworks.ai/inference/v1/image_generation/{MODEL}"
HEADERS = {"authorization": "Bearer fw-0123456789", "accept": "application/json"}


def _post(
    fake: FakeFireworks,
    body: Any,
    *,
    url: str = URL,
    headers: dict[str, str] | None = None,
    filtered: bool = False,
) -> UpstreamResponse:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = UpstreamRequest.build("POST", url, HEADERS if headers is None else headers, raw)
    return fake.handle(request, filtered=filtered)


def _error(response: UpstreamResponse) -> Any:
    body = response.json()
    assert not list(validator_for("fireworks/error.json").iter_errors(body)), body
    return body


@pytest.fixture
def fake() -> FakeFireworks:
    return FakeFireworks(seed=2, blocked_words=("mock-blocked",), filtered_words=("mock-filtered",))


def test_json_answers_one_item_per_sample(fake: FakeFireworks) -> None:
    body = {"text_prompts": [{"text": "a cat", "weight": 1}], "samples": 2, "height": 512,
            "width": 768, "seed": 9}  # fmt: skip
    answer = _post(fake, body).json()
    assert not list(validator_for("fireworks/image-generation-response.json").iter_errors(answer))
    assert [item["finishReason"] for item in answer] == ["SUCCESS", "SUCCESS"]
    assert [item["seed"] for item in answer] == [9, 9]
    images = [base64.b64decode(item["base64"]) for item in answer]
    assert [image_dimensions(image) for image in images] == [(768, 512)] * 2
    assert images[0] != images[1]


def test_accept_image_answers_the_png(fake: FakeFireworks) -> None:
    headers = {**HEADERS, "accept": "image/png"}
    answer = _post(fake, {"text_prompts": [{"text": "a cat"}]}, headers=headers)
    assert answer.media_type == "image/png" and image_dimensions(answer.body) == (1024, 1024)


def test_filtered_images_are_marked_and_blurred(fake: FakeFireworks) -> None:
    body = {"text_prompts": [{"text": "a cat"}], "seed": 4}
    plain = _post(fake, body).json()[0]
    filtered = _post(fake, body, filtered=True).json()[0]
    assert filtered["finishReason"] == "CONTENT_FILTERED"
    assert filtered["base64"] != plain["base64"]
    by_word = _post(fake, {"text_prompts": [{"text": "a mock-filtered cat"}]}).json()[0]
    assert by_word["finishReason"] == "CONTENT_FILTERED"


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"samples": 1}, 422, "text_prompts"),
        ({"text_prompts": "a cat"}, 422, "text_prompts"),
        ({"text_prompts": [{"text": "a"}], "height": 256}, 400, "height must be between 512"),
        ({"text_prompts": [{"text": "a"}], "samples": 1.5}, 422, "samples must be a number"),
        ({"text_prompts": [{"text": "a"}], "cfg_scale": 40}, 400, "cfg_scale"),
        ({"text_prompts": [{"text": "a mock-blocked cat"}]}, 400, "safety checker"),
    ],
)
def test_bad_requests_name_the_field(
    fake: FakeFireworks, body: Any, status: int, words: str
) -> None:
    answer = _post(fake, body)
    error = _error(answer)
    assert answer.status == status
    assert words in (error["detail"] if status == 422 else error["error"]["message"])


def test_key_model_and_path(fake: FakeFireworks) -> None:
    assert _post(fake, {"text_prompts": [{"text": "a"}]}, headers={}).status == 401
    refused = _post(fake, {}, headers={"authorization": "Bearer invalid-1"})
    assert refused.status == 401 and _error(refused)["error"]["type"] == "invalid_request_error"
    for url in (URL.replace(MODEL, "undefined"), URL.replace("stable-diffusion-xl", "flux")):
        assert _post(fake, {"text_prompts": [{"text": "a"}]}, url=url).status == 404


def test_an_injected_429(fake: FakeFireworks) -> None:
    answer = fake.error_response(
        UpstreamRequest.build("POST", URL, HEADERS, b"{}"), 429, retry_after=5
    )
    assert answer.status == 429 and _error(answer)["error"]["type"] == "rate_limit_error"
    assert answer.header("retry-after") == "5"
