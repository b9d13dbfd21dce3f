"""The gateway's Stability mapping, checked against the measured upstream bodies (§3.2-§3.4)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mock_gateway.adapters.stability import (
    SizeTypeError,
    map_v1,
    map_v2,
    to_client_body,
    to_upstream,
)
from mock_gateway.upstream import UpstreamResponse, json_response
from mock_gateway.wire.multipart import decode_form

BOUNDARY = "----formdata-undici-012345678901"


def test_measured_v1_mapping_byte_for_byte() -> None:
    params = {
        "model": "stable-diffusion-v1-6",
        "prompt": "a cat",
        "n": 0,
        "size": "256X200",
        "style": "anime",
        "cfg_scale": 7,
        "sampler": "K_DPM_2",
        "seed": 123,
        "steps": 30,
        "clip_guidance_preset": "FAST_BLUE",
        "extras": {"a": 1},
        "response_format": "url",
        "quality": "hd",
        "user": "u1",
        "negative_prompt": "dog",
        "unknown": 5,
    }
    request = to_upstream(
        params,
        api_key="sk-stab",
        base_url="http://127.0.0.1:9921/v1",
        boundary=BOUNDARY,
        has_body=True,
        options={},
    )
    assert (
        request.url == "http://127.0.0.1:9921/v1/v1/generation/stable-diffusion-v1-6/text-to-image"
    )
    assert request.body == (
        b'{"text_prompts":[{"text":"a cat","weight":1}],"samples":1,"height":320,"width":320,'
        b'"style_preset":"anime","cfg_scale":7,"clip_guidance_preset":"FAST_BLUE","sampler":"K_DPM_2",'
        b'"seed":123,"steps":30,"extras":{"a":1}}'
    )
    assert request.header("authorization") == "Bearer sk-stab"
    assert request.header("accept") == "*/*"  # the client's Accept is not forwarded
    assert request.header("content-type") == "application/json"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"n": 20}, {"samples": 10}),
        ({"n": "3"}, {"samples": "3"}),  # clamped only if it is a number
        ({"size": "1024x1792"}, {"height": 1792, "width": 1024}),  # no upper limit
        ({"size": "big"}, {"height": None, "width": None}),  # NaN -> null
        ({"size": "1024"}, {"height": None, "width": 1024}),
        ({"size": "0x10x512"}, {"height": 320, "width": 320}),  # parseInt("0")
        ({}, {}),  # no prompt -> text_prompts omitted (required, but no default)
    ],
)
def test_v1_mapping_edges(params: dict[str, Any], expected: dict[str, Any]) -> None:
    assert map_v1(params) == expected


def test_a_size_that_is_not_a_string_is_a_type_error() -> None:
    with pytest.raises(SizeTypeError):
        map_v1({"size": 1024})


def test_missing_key_sends_bearer_undefined() -> None:
    request = to_upstream(
        {"model": "stable-diffusion-v1-6"},
        api_key=None,
        base_url="https://x",
        boundary=BOUNDARY,
        has_body=True,
        options={},
    )
    assert request.header("authorization") == "Bearer undefined"


def test_no_client_content_type_means_an_empty_upstream_body() -> None:
    request = to_upstream(
        {"model": "stable-diffusion-v1-6", "prompt": "x"},
        api_key="k",
        base_url="https://x",
        boundary=BOUNDARY,
        has_body=False,
        options={},
    )
    assert request.body == b""
    assert request.header("content-length") == "0"


def test_measured_v2_mapping_fields_in_order() -> None:
    params = {
        "model": "sd3",
        "prompt": "a cat",
        "negative_prompt": "dog",
        "aspect_ratio": "16:9",
        "seed": 5,
        "style_preset": "anime",
        "mode": "text-to-image",
        "output_format": "png",
        "strength": 0.5,
        "n": 3,
        "size": "1024x1024",
        "response_format": "url",
        "style": "vivid",
    }
    request = to_upstream(
        params,
        api_key="k",
        base_url="https://api.stability.ai",
        boundary=BOUNDARY,
        has_body=True,
        options={},
    )
    assert request.url == "https://api.stability.ai/v2beta/stable-image/generate/sd3"
    assert request.header("accept") == "application/json"
    assert request.header("content-type") == f"multipart/form-data; boundary={BOUNDARY}"
    fields = [
        (f.name, f.text) for f in decode_form(request.body, request.header("content-type") or "")
    ]
    assert fields == [
        ("prompt", "a cat"),
        ("negative_prompt", "dog"),
        ("aspect_ratio", "16:9"),
        ("seed", "5"),
        ("style_preset", "anime"),
        ("mode", "text-to-image"),
        ("output_format", "png"),
        ("strength", "0.5"),
    ]


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({"prompt": "x"}, "/v2beta/stable-image/generate/undefined"),
        (
            {"prompt": "x", "model": "@stability-ai/stable-diffusion-v1-6"},
            "/v2beta/stable-image/generate/@stability-ai/stable-diffusion-v1-6",
        ),
        (
            {"prompt": "x", "model": "stable-diffusion-xl-1024-v1-0"},
            "/v1/generation/stable-diffusion-xl-1024-v1-0/text-to-image",
        ),
    ],
)
def test_model_picks_the_endpoint(params: dict[str, Any], path: str) -> None:
    request = to_upstream(
        params,
        api_key="k",
        base_url="https://api.stability.ai",
        boundary=BOUNDARY,
        has_body=True,
        options={},
    )
    assert request.path == path


def test_v2_values_are_stringified_like_formdata() -> None:
    assert map_v2({"prompt": 1.0, "seed": True, "mode": None, "image": {"a": 1}}) == [
        ("prompt", "1"),
        ("seed", "true"),
        ("mode", "null"),
        ("image", "[object Object]"),
    ]


# -- answers ------------------------------------------------------------------------------


def test_v1_success_keeps_only_b64_json_and_adds_provider() -> None:
    upstream = json_response(
        200,
        {
            "artifacts": [
                {"base64": "AAA", "seed": 1, "finishReason": "SUCCESS"},
                {"base64": "BBB", "seed": 2, "finishReason": "CONTENT_FILTERED"},
            ]
        },
    )
    body = to_client_body(upstream, v1=True, created=1795475858)
    assert json.dumps(body, separators=(",", ":")) == (
        '{"created":1795475858,"data":[{"b64_json":"AAA"},{"b64_json":"BBB"}],"provider":"stability-ai"}'
    )


def test_v2_success_is_one_item() -> None:
    upstream = json_response(200, {"image": "IMG", "finish_reason": "SUCCESS", "seed": 7})
    assert to_client_body(upstream, v1=False, created=1) == {
        "created": 1,
        "data": [{"b64_json": "IMG"}],
        "provider": "stability-ai",
    }


@pytest.mark.parametrize(
    ("status", "upstream", "v1", "expected"),
    [
        (
            400,
            {
                "id": "2a9f0c1e",
                "name": "invalid_prompts",
                "message": "invalid_prompts: text_prompts cannot be empty",
            },
            True,
            {
                "error": {
                    "message": "stability-ai error: invalid_prompts: text_prompts cannot be empty",
                    "type": "invalid_prompts",
                    "param": None,
                    "code": None,
                },
                "provider": "stability-ai",
            },
        ),
        (
            401,
            {"id": "9160aa70", "name": "unauthorized", "message": "missing authorization header"},
            True,
            {
                "error": {
                    "message": "stability-ai error: missing authorization header",
                    "type": "unauthorized",
                    "param": None,
                    "code": None,
                },
                "provider": "stability-ai",
            },
        ),
        (
            400,
            {
                "id": "ed14ab3f",
                "name": "bad_request",
                "errors": ["prompt: is required", "aspect_ratio: invalid"],
            },
            False,
            {
                "error": {
                    "message": "stability-ai error: prompt: is required, aspect_ratio: invalid",
                    "type": "bad_request",
                    "param": "ed14ab3f",
                    "code": None,
                },
                "provider": "stability-ai",
            },
        ),
        (
            400,
            {"id": "ed14ab3f", "name": "bad_request", "errors": ["x"]},
            True,
            {
                "error": {
                    "message": "Invalid response received from stability-ai: "
                    '{"id":"ed14ab3f","name":"bad_request","errors":["x"]}',
                    "type": None,
                    "param": None,
                    "code": None,
                },
                "provider": "stability-ai",
            },
        ),
        (
            200,
            {"foo": "bar"},
            True,
            {
                "error": {
                    "message": 'Invalid response received from stability-ai: {"foo":"bar"}',
                    "type": None,
                    "param": None,
                    "code": None,
                },
                "provider": "stability-ai",
            },
        ),
    ],
)
def test_measured_error_transforms(
    status: int, upstream: dict[str, Any], v1: bool, expected: dict[str, Any]
) -> None:
    assert to_client_body(json_response(status, upstream), v1=v1, created=0) == expected


def test_text_bodies_become_html_message() -> None:
    upstream = UpstreamResponse(
        500, (("content-type", "text/html"),), b"<html><body>Internal</body></html>"
    )
    body = to_client_body(upstream, v1=True, created=0)
    assert body["error"]["message"] == (
        "Invalid response received from stability-ai: "
        '{"html-message":"<html><body>Internal</body></html>"}'
    )
