"""The fake OpenAI answers its own images API (upstream-apis.md, openai-claims.md)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from mock_gateway.fakes.blobs import BlobStore
from mock_gateway.fakes.images import image_dimensions
from mock_gateway.fakes.openai import FakeOpenAI
from mock_gateway.fakes.openai_data import MODELS
from mock_gateway.fakes.openai_stream import sse_events
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse

NOW = 1_795_000_000.0
URL = "https://api.openai.com/v1/images/generations"


def fake(**options: Any) -> FakeOpenAI:
    blobs = BlobStore(secret=b"s", clock=lambda: NOW)
    return FakeOpenAI(blobs=blobs, clock=lambda: NOW, **options)


def post(
    body: Any, *, key: str | None = "Bearer sk-test-0123456789abcdef", **options: Any
) -> UpstreamResponse:
    headers = {"content-type": "application/json"}
    if key is not None:
        headers["authorization"] = key
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return fake(**options).handle(UpstreamRequest.build("POST", URL, headers, raw))


def error(
    status: int, message: str, type_: str, param: str | None, code: str | None
) -> dict[str, Any]:
    return {
        "status": status,
        "body": {"error": {"message": message, "type": type_, "param": param, "code": code}},
    }


def answer(response: UpstreamResponse) -> dict[str, Any]:
    return {"status": response.status, "body": response.json()}


GPT_SIZES = "'1024x1024', '1024x1536', '1536x1024', and 'auto'"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"model": "gpt-image-1", "prompt": "x", "response_format": "url"},
            error(
                400,
                "Unknown parameter: 'response_format'.",
                "invalid_request_error",
                "response_format",
                "unknown_parameter",
            ),
        ),
        (
            {"model": "gpt-image-1.5", "prompt": "x", "style": "vivid"},
            error(
                400,
                "Unknown parameter: 'style'.",
                "invalid_request_error",
                "style",
                "unknown_parameter",
            ),
        ),
        (
            {"model": "dall-e-3", "prompt": "x", "output_format": "png"},
            error(
                400,
                "Unknown parameter: 'output_format'.",
                "invalid_request_error",
                "output_format",
                "unknown_parameter",
            ),
        ),
        (
            {"model": "gpt-image-1", "prompt": "x", "size": "1000x1000"},
            error(
                400,
                f"Invalid value: '1000x1000'. Supported values are: {GPT_SIZES}.",
                "invalid_request_error",
                "size",
                "invalid_value",
            ),
        ),
        (
            {"model": "dall-e-3", "prompt": "x", "size": "512x512"},
            error(
                400,
                "Invalid value: '512x512'. Supported values are: '1024x1024', '1792x1024', and '1024x1792'.",
                "invalid_request_error",
                "size",
                "invalid_value",
            ),
        ),
        (
            {"model": "dall-e-2", "prompt": "x", "size": "1792x1024"},
            error(
                400,
                "Invalid value: '1792x1024'. Supported values are: '256x256', '512x512', and '1024x1024'.",
                "invalid_request_error",
                "size",
                "invalid_value",
            ),
        ),
        (
            {"model": "gpt-image-1", "prompt": "x", "quality": "hd"},
            error(
                400,
                "Invalid value: 'hd'. Supported values are: 'low', 'medium', 'high', and 'auto'.",
                "invalid_request_error",
                "quality",
                "invalid_value",
            ),
        ),
        (
            {"model": "dall-e-2", "prompt": "x", "quality": "hd"},
            error(
                400,
                "Invalid value: 'hd'. Supported values are: 'standard'.",
                "invalid_request_error",
                "quality",
                "invalid_value",
            ),
        ),
        (
            {"model": "dall-e-3", "prompt": "x", "style": "bold"},
            error(
                400,
                "Invalid value: 'bold'. Supported values are: 'vivid' and 'natural'.",
                "invalid_request_error",
                "style",
                "invalid_value",
            ),
        ),
        (
            {"model": "dall-e-3", "prompt": "x", "response_format": "png"},
            error(
                400,
                "Invalid value: 'png'. Supported values are: 'url' and 'b64_json'.",
                "invalid_request_error",
                "response_format",
                "invalid_value",
            ),
        ),
        (
            {"model": "dall-e-3", "prompt": "x", "n": 2},
            error(400, "You must provide n=1 for this model.", "invalid_request_error", None, None),
        ),
        (
            {"model": "dall-e-2", "prompt": "x", "n": 11},
            error(
                400,
                "Invalid 'n': integer above maximum value. Expected a value <= 10, but got 11 instead.",
                "invalid_request_error",
                "n",
                "integer_above_max_value",
            ),
        ),
        (
            {"model": "dall-e-2", "prompt": "x", "n": 0},
            error(
                400,
                "Invalid 'n': integer below minimum value. Expected a value >= 1, but got 0 instead.",
                "invalid_request_error",
                "n",
                "integer_below_min_value",
            ),
        ),
        (
            {"model": "dall-e-2", "prompt": "x", "n": "2"},
            error(
                400,
                "Invalid type for 'n': expected an integer, but got a string instead.",
                "invalid_request_error",
                "n",
                "invalid_type",
            ),
        ),
        (
            {"model": "dall-e-2", "prompt": "x" * 1001},
            error(
                400,
                "Invalid 'prompt': string too long. Expected a string with maximum length 1000, but got a string with length 1001 instead.",
                "invalid_request_error",
                "prompt",
                "string_above_max_length",
            ),
        ),
        (
            {"model": "dall-e-3", "prompt": "x" * 4001},
            error(
                400,
                "Invalid 'prompt': string too long. Expected a string with maximum length 4000, but got a string with length 4001 instead.",
                "invalid_request_error",
                "prompt",
                "string_above_max_length",
            ),
        ),
        (
            {"model": "gpt-image-1", "prompt": "x" * 32001},
            error(
                400,
                "Invalid 'prompt': string too long. Expected a string with maximum length 32000, but got a string with length 32001 instead.",
                "invalid_request_error",
                "prompt",
                "string_above_max_length",
            ),
        ),
        (
            {"model": "gpt-image-1"},
            error(
                400,
                "Missing required parameter: 'prompt'.",
                "invalid_request_error",
                "prompt",
                "missing_required_parameter",
            ),
        ),
        (
            {"model": "dall-e-9", "prompt": "x"},
            error(
                404,
                "The model `dall-e-9` does not exist or you do not have access to it.",
                "invalid_request_error",
                None,
                "model_not_found",
            ),
        ),
        (
            {"model": "gpt-image-1", "prompt": "x", "temperature": 1},
            error(
                400,
                "Unknown parameter: 'temperature'.",
                "invalid_request_error",
                "temperature",
                "unknown_parameter",
            ),
        ),
        (
            {"model": "gpt-image-2", "prompt": "x", "size": "1000x1000"},
            error(
                400,
                "Invalid value: '1000x1000'. Width and height must be multiples of 16, the aspect ratio at most 3:1, and the size at most 3840x2160.",
                "invalid_request_error",
                "size",
                "invalid_value",
            ),
        ),
        (
            {"model": "gpt-image-2", "prompt": "x", "size": "3200x1024"},
            error(
                400,
                "Invalid value: '3200x1024'. Width and height must be multiples of 16, the aspect ratio at most 3:1, and the size at most 3840x2160.",
                "invalid_request_error",
                "size",
                "invalid_value",
            ),
        ),
        (
            {"model": "gpt-image-1", "prompt": "x", "size": "1920x1088"},
            error(
                400,
                f"Invalid value: '1920x1088'. Supported values are: {GPT_SIZES}.",
                "invalid_request_error",
                "size",
                "invalid_value",
            ),
        ),
        (
            {
                "model": "gpt-image-1",
                "prompt": "x",
                "background": "transparent",
                "output_format": "jpeg",
            },
            error(
                400,
                "Transparent background requires output_format png or webp.",
                "invalid_request_error",
                "background",
                "invalid_value",
            ),
        ),
    ],
)
def test_validation_errors_are_exact(body: dict[str, Any], expected: dict[str, Any]) -> None:
    assert answer(post(body)) == expected


@pytest.mark.parametrize(
    ("key", "masked"),
    [
        (
            "Bearer sk-invalid-abcdefghijklmnopqrstuvwxyz0123456789wjh3",
            "sk-inval" + "*" * 39 + "wjh3",
        ),
        ("Bearer OPENAI_API_KEY", "OPENAI_A**_KEY"),
        ("Bearer undefined", "un*******"),
    ],
)
def test_bad_keys_are_masked_as_openai_masks_them(key: str, masked: str) -> None:
    message = f"Incorrect API key provided: {masked}. You can find your API key at https://platform.openai.com/account/api-keys."
    assert answer(post({"prompt": "x"}, key=key)) == error(
        401, message, "invalid_request_error", None, "invalid_api_key"
    )


def test_no_key() -> None:
    response = post({"prompt": "x"}, key=None)
    assert response.status == 401
    assert response.json()["error"]["message"].startswith("You didn't provide an API key.")
    assert response.json()["error"]["code"] is None


def test_dall_e_3_gives_a_signed_url_and_a_revised_prompt() -> None:
    body = post({"model": "dall-e-3", "prompt": "a cat", "size": "1792x1024"}).json()
    (item,) = body["data"]
    assert body["created"] == int(NOW)
    assert set(item) == {"url", "revised_prompt"}
    assert "/private/org-mock/user-mock/img-" in item["url"]
    assert "&sp=r&" in item["url"] and "&sig=" in item["url"]


def test_dall_e_2_defaults_and_b64() -> None:
    body = post(
        {"prompt": "a cat", "n": 2, "size": "256x256", "response_format": "b64_json"}
    ).json()
    assert [set(item) for item in body["data"]] == [{"b64_json"}, {"b64_json"}]
    sizes = {image_dimensions(base64.b64decode(item["b64_json"])) for item in body["data"]}
    assert sizes == {(256, 256)}


@pytest.mark.parametrize("model", [m for m, rules in MODELS.items() if rules.family == "gpt-image"])
def test_gpt_image_models_answer_b64_with_usage_and_settings(model: str) -> None:
    body = post({"model": model, "prompt": "a cat", "size": "1536x1024", "quality": "high"}).json()
    assert list(body) == [
        "created",
        "data",
        "usage",
        "background",
        "output_format",
        "quality",
        "size",
    ]
    assert (body["background"], body["output_format"], body["quality"], body["size"]) == (
        "opaque",
        "png",
        "high",
        "1536x1024",
    )
    assert image_dimensions(base64.b64decode(body["data"][0]["b64_json"])) == (1536, 1024)
    usage = body["usage"]
    assert usage["output_tokens"] == 6208
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert usage["input_tokens_details"] == {
        "text_tokens": usage["input_tokens"],
        "image_tokens": 0,
    }


def test_gpt_image_auto_settings_resolve() -> None:
    body = post({"model": "gpt-image-1", "prompt": "a cat"}).json()
    assert (body["size"], body["quality"]) == ("1024x1024", "medium")


def test_gpt_image_2_custom_size() -> None:
    body = post({"model": "gpt-image-2", "prompt": "a cat", "size": "1920x1088"}).json()
    assert image_dimensions(base64.b64decode(body["data"][0]["b64_json"])) == (1920, 1088)


@pytest.mark.parametrize("fmt", ["jpeg", "webp"])
def test_gpt_image_output_formats_are_real(fmt: str) -> None:
    body = post(
        {"model": "gpt-image-1", "prompt": "a cat", "output_format": fmt, "quality": "low"}
    ).json()
    assert body["output_format"] == fmt
    assert image_dimensions(base64.b64decode(body["data"][0]["b64_json"])) == (1024, 1024)


def test_a_gpt_image_only_field_without_a_model_picks_a_gpt_image_model() -> None:
    body = post({"prompt": "a cat", "background": "opaque"}).json()
    assert "usage" in body


def test_blocked_prompts_gpt_image_moderation() -> None:
    response = post(
        {"model": "gpt-image-1", "prompt": "a mock-blocked cat"}, blocked_words=("mock-blocked",)
    )
    assert response.status == 400
    error = response.json()["error"]
    assert (error["type"], error["code"], error["param"]) == (
        "image_generation_user_error",
        "moderation_blocked",
        None,
    )
    assert error["moderation_details"] == {"moderation_stage": "input", "categories": ["sexual"]}
    assert error["message"].startswith("Your request was rejected by the safety system.")
    assert error["message"].endswith("safety_violations=[sexual].")


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (
            "dall-e-2",
            "Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.",
        ),
        (
            "dall-e-3",
            "Your request was rejected as a result of our safety system. Image descriptions generated from your prompt may contain text that is not allowed by our safety system. If you believe this was done in error, your request may succeed if retried, or by adjusting your prompt.",
        ),
    ],
)
def test_blocked_prompts_dall_e_content_policy(model: str, message: str) -> None:
    response = post({"model": model, "prompt": "MOCK-BLOCKED cat"}, blocked_words=("mock-blocked",))
    assert answer(response) == error(
        400, message, "invalid_request_error", None, "content_policy_violation"
    )


def test_retired_dall_e() -> None:
    response = post({"model": "dall-e-3", "prompt": "x"}, retired=True)
    expected = "The model `dall-e-3` does not exist or you do not have access to it."
    assert answer(response) == error(
        404, expected, "invalid_request_error", None, "model_not_found"
    )
    assert post({"model": "gpt-image-1", "prompt": "x"}, retired=True).status == 200


def test_streaming_answers_server_sent_events() -> None:
    body = {"model": "gpt-image-1", "prompt": "x", "stream": True, "partial_images": 3}
    response = post({**body, "size": "1024x1536", "output_format": "webp"})
    assert response.status == 200
    assert (response.header("content-type") or "").startswith("text/event-stream")
    events = sse_events(response.body)
    assert [name for name, _ in events] == ["image_generation.partial_image"] * 3 + [
        "image_generation.completed"
    ]
    assert [data["partial_image_index"] for _, data in events[:3]] == [0, 1, 2]
    for name, data in events:
        assert data["type"] == name and data["output_format"] == "webp"
        image = base64.b64decode(data["b64_json"])
        assert image_dimensions(image) == (1024, 1536)
    assert events[-1][1]["usage"]["output_tokens"] == 1584


def test_output_compression_is_the_jpeg_and_webp_quality() -> None:
    def size(fmt: str, compression: int) -> int:
        body = {"model": "gpt-image-1", "prompt": "x", "output_format": fmt,
                "output_compression": compression}  # fmt: skip
        return len(base64.b64decode(post(body).json()["data"][0]["b64_json"]))

    for fmt in ("jpeg", "webp"):
        assert size(fmt, 10) < size(fmt, 100) * 0.8, fmt


def test_not_json_and_wrong_route() -> None:
    assert post(b"{").status == 400
    wrong = fake().handle(UpstreamRequest.build("GET", URL, {"authorization": "Bearer k"}, b""))
    assert wrong.status == 404


@pytest.mark.parametrize(
    ("status", "type_", "code"),
    [
        (429, "requests", "rate_limit_exceeded"),
        (500, "server_error", None),
        (503, "server_error", None),
    ],
)
def test_injected_error_bodies(status: int, type_: str, code: str | None) -> None:
    request = UpstreamRequest.build("POST", URL, {}, b"{}")
    response = fake().error_response(request, status, retry_after=2)
    assert response.status == status
    assert (response.json()["error"]["type"], response.json()["error"]["code"]) == (type_, code)
    assert response.header("retry-after") == "2"
