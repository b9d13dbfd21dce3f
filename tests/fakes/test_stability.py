"""The fake Stability answers its own native API (upstream-apis.md, stability-claims.md)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from mock_gateway.fakes.images import image_dimensions
from mock_gateway.fakes.stability import FakeStability
from mock_gateway.fakes.stability_data import SDXL_DIMENSIONS
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse
from mock_gateway.wire.multipart import encode_form
from tests.constants import SDXL_MODEL
from tests.pngcheck import decode_png
from tests.seed import SEED_CURL_BODY

BASE = "https://api.stability.ai"
SDXL = SDXL_MODEL


def v1(
    body: Any, *, engine: str = SDXL, accept: str | None = None, key: str | None = "Bearer sk-1"
) -> UpstreamResponse:
    headers = {"content-type": "application/json"}
    if accept:
        headers["accept"] = accept
    if key is not None:
        headers["authorization"] = key
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    url = f"{BASE}/v1/generation/{engine}/text-to-image"
    return FakeStability().handle(UpstreamRequest.build("POST", url, headers, raw))


def v2(
    fields: list[tuple[str, str]], *, endpoint: str = "core", accept: str | None = None
) -> UpstreamResponse:
    boundary = "----formdata-undici-012345678901"
    headers = {
        "content-type": f"multipart/form-data; boundary={boundary}",
        "authorization": "Bearer sk-1",
    }
    if accept:
        headers["accept"] = accept
    url = f"{BASE}/v2beta/stable-image/generate/{endpoint}"
    return FakeStability().handle(
        UpstreamRequest.build("POST", url, headers, encode_form(fields, boundary))
    )


def error_of(response: UpstreamResponse) -> tuple[int, str, str]:
    body = response.json()
    assert set(body) == {"id", "name", "message"}, body
    return response.status, body["name"], body["message"]


def test_seed_curl_body_as_json_gives_one_artifact() -> None:
    response = v1(SEED_CURL_BODY)
    assert response.status == 200
    assert response.media_type == "application/json"
    (artifact,) = response.json()["artifacts"]
    assert set(artifact) == {"base64", "seed", "finishReason"}
    assert artifact["finishReason"] == "SUCCESS"
    assert artifact["seed"] != 0  # seed 0 means "random": a real seed is reported
    image = decode_png(base64.b64decode(artifact["base64"]))
    assert (image.width, image.height) == (1024, 1024)


def test_seed_curl_body_with_accept_png_gives_raw_bytes_and_headers() -> None:
    response = v1(SEED_CURL_BODY, accept="image/png")
    assert response.status == 200
    assert response.header("content-type") == "image/png"
    assert response.header("finish-reason") == "SUCCESS"
    assert response.header("content-length") == str(len(response.body))
    assert int(response.header("seed") or 0) > 0
    image = decode_png(response.body)
    assert (image.width, image.height) == (1024, 1024)


def test_json_and_png_answers_show_the_same_image() -> None:
    png = v1(SEED_CURL_BODY, accept="image/png").body
    artifact = v1(SEED_CURL_BODY).json()["artifacts"][0]
    assert base64.b64decode(artifact["base64"]) == png


def test_explicit_seed_is_echoed_and_samples_count() -> None:
    body = {**SEED_CURL_BODY, "seed": 1234, "samples": 3}
    artifacts = v1(body).json()["artifacts"]
    assert [a["seed"] for a in artifacts] == [1234, 1235, 1236]
    assert len({a["base64"] for a in artifacts}) == 3


def test_same_request_same_bytes_different_seed_different_bytes() -> None:
    a = v1({**SEED_CURL_BODY, "seed": 5}).json()["artifacts"][0]["base64"]
    b = v1({**SEED_CURL_BODY, "seed": 5}).json()["artifacts"][0]["base64"]
    c = v1({**SEED_CURL_BODY, "seed": 6}).json()["artifacts"][0]["base64"]
    assert a == b != c


@pytest.mark.parametrize("size", SDXL_DIMENSIONS)
def test_sdxl_accepts_its_nine_sizes(size: tuple[int, int]) -> None:
    width, height = size
    response = v1({**SEED_CURL_BODY, "width": width, "height": height}, accept="image/png")
    assert response.status == 200
    assert (decode_png(response.body).width, decode_png(response.body).height) == size


def test_sdxl_rejects_other_sizes_with_the_observed_message() -> None:
    status, name, message = error_of(v1({"text_prompts": [{"text": "x"}]}))  # default 512x512
    assert (status, name) == (400, "invalid_sdxl_v1_dimensions")
    assert message == (
        "for stable-diffusion-xl-1024-v0-9 and stable-diffusion-xl-1024-v1-0 the allowed dimensions"
        " are 1024x1024, 1152x896, 1216x832, 1344x768, 1536x640, 640x1536, 768x1344, 832x1216,"
        " 896x1152, but we received 512x512"
    )


def test_sd16_takes_320_to_1536() -> None:
    ok = v1(
        {"text_prompts": [{"text": "x"}], "width": 320, "height": 1536},
        engine="stable-diffusion-v1-6",
    )
    assert ok.status == 200
    status, name, message = error_of(
        v1(
            {"text_prompts": [{"text": "x"}], "width": 256, "height": 512},
            engine="stable-diffusion-v1-6",
        )
    )
    assert (status, name) == (400, "invalid_height_or_width")
    assert "256x512" in message


@pytest.mark.parametrize(
    ("change", "name", "field"),
    [
        ({"text_prompts": []}, "invalid_prompts", "text_prompts"),
        ({"text_prompts": [{"weight": 1}]}, "invalid_prompts", "text_prompts[0].text"),
        ({"text_prompts": [{"text": "x" * 2001}]}, "invalid_prompts", "text_prompts[0].text"),
        ({"height": 1000}, "invalid_height_or_width", "height"),
        ({"width": 64}, "invalid_height_or_width", "width"),
        ({"cfg_scale": 36}, "bad_request", "cfg_scale"),
        ({"steps": 9}, "bad_request", "steps"),
        ({"steps": 51}, "bad_request", "steps"),
        ({"samples": 11}, "invalid_samples", "samples"),
        ({"seed": -1}, "bad_request", "seed"),
        ({"seed": 4294967296}, "bad_request", "seed"),
        ({"sampler": "K_FAST"}, "bad_request", "sampler"),
        ({"clip_guidance_preset": "FAST"}, "bad_request", "clip_guidance_preset"),
        ({"style_preset": "watercolour"}, "bad_request", "style_preset"),
        ({"extras": []}, "bad_request", "extras"),
    ],
)
def test_invalid_v1_fields_are_400_naming_the_field(
    change: dict[str, Any], name: str, field: str
) -> None:
    status, got_name, message = error_of(v1({**SEED_CURL_BODY, **change}))
    assert (status, got_name) == (400, name)
    assert message.startswith(f"{field}: ")


def test_missing_text_prompts_is_named() -> None:
    status, name, message = error_of(v1({"width": 1024, "height": 1024}))
    assert (status, name, message) == (400, "invalid_prompts", "text_prompts: is required")


def test_several_samples_need_json() -> None:
    status, name, _ = error_of(v1({**SEED_CURL_BODY, "samples": 2}, accept="image/png"))
    assert (status, name) == (400, "invalid_samples")


@pytest.mark.parametrize("raw", [b"", b"[object Object]", b"[1, 2]", b"{"])
def test_a_body_that_is_not_a_json_object_is_400(raw: bytes) -> None:
    status, name, _ = error_of(v1(raw))
    assert (status, name) == (400, "bad_request")


def test_missing_key_is_401_with_the_spec_message() -> None:
    assert error_of(v1(SEED_CURL_BODY, key=None)) == (
        401,
        "unauthorized",
        "missing authorization header",
    )


@pytest.mark.parametrize(
    "key", ["Bearer undefined", "Bearer OPENAI_API_KEY", "Bearer ", "Basic abc def"]
)
def test_non_keys_are_401(key: str) -> None:
    status, name, _ = error_of(v1(SEED_CURL_BODY, key=key))
    assert (status, name) == (401, "unauthorized")


def test_a_raw_key_without_bearer_is_accepted() -> None:
    # The forum's proxy call forwards `Authorization: <stability-key>` as is, and works.
    assert v1(SEED_CURL_BODY, key="sk-raw-key").status == 200


def test_unknown_engine_is_404_with_the_spec_message() -> None:
    status, name, message = error_of(v1(SEED_CURL_BODY, engine="some-fake-engine"))
    assert (status, name) == (404, "not_found")
    assert message == "The specified engine (ID some-fake-engine) was not found."


def test_a_path_without_v1_is_404() -> None:
    # What OSS's proxy sends for /v1/generation/... (the /v1 is lost, §4.1).
    request = UpstreamRequest.build(
        "POST", f"{BASE}/generation/{SDXL}/text-to-image", {"authorization": "Bearer k"}, b"{}"
    )
    response = FakeStability().handle(request)
    assert response.status == 404
    assert response.json()["name"] == "not_found"


def test_engines_list() -> None:
    request = UpstreamRequest.build(
        "GET", f"{BASE}/v1/engines/list", {"authorization": "Bearer k"}, b""
    )
    engines = FakeStability().handle(request).json()
    assert {SDXL, "stable-diffusion-v1-6"} <= {engine["id"] for engine in engines}
    assert all(set(engine) == {"id", "name", "description", "type"} for engine in engines)


def test_error_ids_are_deterministic_per_seed() -> None:
    request = UpstreamRequest.build("POST", f"{BASE}/v1/generation/x/text-to-image", {}, b"{}")
    first, second = FakeStability(seed=3), FakeStability(seed=3)
    assert first.handle(request).json()["id"] == second.handle(request).json()["id"]
    assert first.handle(request).json()["id"] != FakeStability(seed=4).handle(request).json()["id"]


# -- v2beta -------------------------------------------------------------------------------


def test_v2_json_answer() -> None:
    response = v2([("prompt", "a cat"), ("seed", "5")], endpoint="sd3", accept="application/json")
    assert response.status == 200
    assert response.header("content-type") == "application/json; type=image/png"
    body = response.json()
    assert set(body) == {"image", "finish_reason", "seed"}
    assert (body["finish_reason"], body["seed"]) == ("SUCCESS", 5)
    image = decode_png(base64.b64decode(body["image"]))
    assert (image.width, image.height) == (1024, 1024)


@pytest.mark.parametrize(
    ("endpoint", "ratio", "size"), [("sd3", "16:9", (1344, 768)), ("ultra", "9:21", (640, 1536))]
)
def test_v2_raw_bytes_follow_the_aspect_ratio(
    endpoint: str, ratio: str, size: tuple[int, int]
) -> None:
    response = v2([("prompt", "a cat"), ("aspect_ratio", ratio)], endpoint=endpoint)
    assert response.status == 200
    assert response.header("content-type") == "image/png"
    assert response.header("finish-reason") == "SUCCESS"
    assert response.header("x-request-id")
    image = decode_png(response.body)
    assert (image.width, image.height) == size


def test_v2_missing_prompt_uses_the_v2_error_shape() -> None:
    response = v2([("aspect_ratio", "1:1")])
    assert response.status == 400
    body = response.json()
    assert set(body) == {"id", "name", "errors"}
    assert (body["name"], body["errors"]) == ("bad_request", ["prompt: required"])


@pytest.mark.parametrize(
    ("fields", "endpoint", "field"),
    [
        ([("prompt", "x"), ("aspect_ratio", "7:3")], "core", "aspect_ratio"),
        ([("prompt", "x"), ("seed", "4294967295")], "core", "seed"),
        ([("prompt", "x"), ("model", "sd3-huge")], "sd3", "model"),
        ([("prompt", "x"), ("cfg_scale", "11")], "sd3", "cfg_scale"),
        ([("prompt", "")], "ultra", "prompt"),
    ],
)
def test_v2_invalid_fields(fields: list[tuple[str, str]], endpoint: str, field: str) -> None:
    response = v2(fields, endpoint=endpoint)
    assert response.status == 400
    (message,) = response.json()["errors"]
    assert message.startswith(f"{field}: ")


def test_v2_unknown_endpoint_is_404_in_the_v2_shape() -> None:
    response = v2([("prompt", "x")], endpoint="undefined")
    assert response.status == 404
    assert set(response.json()) == {"id", "name", "errors"}


@pytest.mark.parametrize(("fmt", "magic"), [("jpeg", b"\xff\xd8\xff"), ("webp", b"RIFF")])
@pytest.mark.parametrize("endpoint", ["core", "ultra", "sd3"])
def test_v2_other_formats_are_real_images(endpoint: str, fmt: str, magic: bytes) -> None:
    response = v2(
        [("prompt", "x"), ("output_format", fmt), ("aspect_ratio", "16:9")], endpoint=endpoint
    )
    assert response.status == 200
    assert response.header("content-type") == f"image/{fmt}"
    assert response.body.startswith(magic)
    expected = (1664, 896) if endpoint == "core" else (1344, 768)
    assert image_dimensions(response.body) == expected


def test_v2_body_over_10_mib_is_413() -> None:
    response = v2([("prompt", "x"), ("negative_prompt", "y" * (10 * 1024 * 1024))])
    assert response.status == 413
    body = response.json()
    assert (body["name"], body["errors"]) == (
        "payload_too_large",
        ["body: payloads cannot be larger than 10MiB in size"],
    )


def test_sd3_image_to_image_needs_image_and_strength() -> None:
    response = v2([("prompt", "x"), ("mode", "image-to-image")], endpoint="sd3")
    assert response.status == 400
    assert response.json()["errors"] == ["image: required"]


@pytest.mark.parametrize(
    ("status", "name", "message"),
    [
        (
            403,
            "content_moderation",
            "Your request was flagged by our content moderation system, as a result your request was denied and you were not charged.",
        ),
        (422, "invalid_language", "English is the only supported language for this service."),
        (
            429,
            "rate_limit_exceeded",
            "You have exceeded the rate limit of 150 requests within a 10 second period, and have been timed out for 60 seconds.",
        ),
        (500, "internal_error", "An unexpected server error has occurred, please try again later."),
    ],
)
def test_v2_error_bodies_for_injected_statuses(status: int, name: str, message: str) -> None:
    request = UpstreamRequest.build("POST", f"{BASE}/v2beta/stable-image/generate/core", {}, b"")
    response = FakeStability().error_response(request, status)
    body = response.json()
    assert (response.status, body["name"], body["errors"]) == (status, name, [message])
    assert set(body) == {"id", "name", "errors"}


def test_v1_error_bodies_for_injected_statuses() -> None:
    request = UpstreamRequest.build("POST", f"{BASE}/v1/generation/{SDXL}/text-to-image", {}, b"")
    body = FakeStability().error_response(request, 500).json()
    assert (body["name"], body["message"]) == (
        "server_error",
        "An unexpected server error occurred, please try again.",
    )


def test_a_key_containing_invalid_is_refused() -> None:
    status, name, _ = error_of(v1(SEED_CURL_BODY, key="Bearer sk-invalid-key-123"))
    assert (status, name) == (401, "unauthorized")
