"""The fake Segmind on its own: /v1/{slug}, JPEG or base64 answers, {"error": ...} refusals."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from mock_gateway.contract_tools.contracts import validator_for
from mock_gateway.fakes.images import image_dimensions
from mock_gateway.fakes.segmind import FakeSegmind
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse

URL = "https://api.segmind.com/v1/sdxl1.0-txt2img"
KEY = {"x-api-key": "sg-key-0123456789", "content-type": "application/json"}


def _post(
    fake: FakeSegmind,
    body: Any,
    *,
    url: str = URL,
    headers: dict[str, str] | None = None,
    filtered: bool = False,
) -> UpstreamResponse:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = UpstreamRequest.build("POST", url, KEY if headers is None else headers, raw)
    return fake.handle(request, filtered=filtered)


def _error(response: UpstreamResponse) -> str:
    body = response.json()
    assert not list(validator_for("segmind/error.json").iter_errors(body)), body
    message: str = body["error"]
    return message


@pytest.fixture
def fake() -> FakeSegmind:
    return FakeSegmind(seed=3, blocked_words=("mock-blocked",), filtered_words=("mock-filtered",))


def test_by_default_the_answer_is_the_jpeg_itself(fake: FakeSegmind) -> None:
    response = _post(fake, {"prompt": "a cat"})
    assert response.status == 200 and response.media_type == "image/jpeg"
    assert response.body.startswith(b"\xff\xd8")
    assert image_dimensions(response.body) == (1024, 1024)


def test_base64_true_answers_json_one_string_or_a_list(fake: FakeSegmind) -> None:
    one = _post(fake, {"prompt": "a cat", "base64": True, "img_width": 512, "img_height": 768})
    body = one.json()
    assert not list(validator_for("segmind/txt2img-response.json").iter_errors(body))
    assert image_dimensions(base64.b64decode(body["image"])) == (512, 768)
    several = _post(fake, {"prompt": "a cat", "base64": True, "samples": 3}).json()
    assert isinstance(several["image"], list) and len(several["image"]) == 3
    assert len(set(several["image"])) == 3  # three different pictures


def test_same_request_same_bytes() -> None:
    body = {"prompt": "a cat", "seed": 11}
    assert _post(FakeSegmind(), body).body == _post(FakeSegmind(), body).body
    assert _post(FakeSegmind(), body).body != _post(FakeSegmind(), {**body, "seed": 12}).body


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"{oops", "Invalid JSON"),
        ({"negative_prompt": "x"}, "prompt is required"),
        ({"prompt": "a", "samples": 5}, "samples"),
        ({"prompt": "a", "img_width": 256}, "img_width: must be between 512 and 2048"),
        ({"prompt": "a", "img_height": None}, "img_height: expected a number"),
        ({"prompt": "a", "guidance_scale": 30}, "guidance_scale"),
        ({"prompt": "a", "refiner": "yes"}, "refiner: expected a boolean"),
        ({"prompt": "a mock-blocked cat"}, "NSFW"),
    ],
)
def test_bad_requests_are_refused_naming_the_field(
    fake: FakeSegmind, body: Any, words: str
) -> None:
    response = _post(fake, body)
    assert response.status == 400 and words in _error(response)


def test_key_model_and_method(fake: FakeSegmind) -> None:
    assert _post(fake, {"prompt": "a"}, headers={}).status == 401
    refused = _post(fake, {"prompt": "a"}, headers={"x-api-key": "invalid-key"})
    assert _error(refused) == "User authentication failed"
    unknown = _post(fake, {"prompt": "a"}, url="https://api.segmind.com/v1/undefined")
    assert unknown.status == 404 and _error(unknown) == "The requested URL does not exist"
    get = fake.handle(UpstreamRequest.build("GET", URL, KEY, b""))
    assert get.status == 405


def test_a_filtered_prompt_gets_a_blurred_picture(fake: FakeSegmind) -> None:
    plain = _post(fake, {"prompt": "a cat", "seed": 5})
    blurred = _post(fake, {"prompt": "a cat", "seed": 5}, filtered=True)
    assert blurred.status == 200 and blurred.body != plain.body
    assert image_dimensions(blurred.body) == (1024, 1024)


def test_an_injected_406_is_out_of_credits(fake: FakeSegmind) -> None:
    request = UpstreamRequest.build("POST", URL, KEY, b"{}")
    response = fake.error_response(request, 406, retry_after=4)
    assert (response.status, _error(response)) == (406, "Not enough credits")
    assert response.header("retry-after") == "4"
