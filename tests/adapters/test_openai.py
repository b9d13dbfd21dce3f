"""The gateway's OpenAI mapping, checked against the measured upstream body (§3.6)."""

from __future__ import annotations

from mock_gateway.adapters.openai import client_body, map_params, to_upstream
from mock_gateway.upstream import UpstreamResponse, json_response


def test_measured_mapping_byte_for_byte() -> None:
    params = {
        "prompt": "a cat",
        "n": 20,
        "quality": "hd",
        "size": "1024x1024",
        "style": "vivid",
        "user": "u",
        "background": "transparent",
        "output_format": "png",
        "cfg_scale": 3,
    }
    request = to_upstream(
        params,
        api_key="sk-o",
        base_url="https://api.openai.com/v1",
        boundary="",
        has_body=True,
        options={},
    )
    assert request.url == "https://api.openai.com/v1/images/generations"
    assert request.body == (
        b'{"prompt":"a cat","model":"dall-e-2","n":10,"quality":"hd","size":"1024x1024","style":"vivid","user":"u"}'
    )
    assert request.header("authorization") == "Bearer sk-o"


def test_response_format_is_forwarded_even_to_gpt_image_models() -> None:
    assert map_params({"prompt": "x", "model": "gpt-image-1", "response_format": "url"}) == {
        "prompt": "x",
        "model": "gpt-image-1",
        "response_format": "url",
    }


def test_success_is_passed_through() -> None:
    upstream = json_response(
        200, {"created": 1700000000, "data": [{"url": "https://x", "revised_prompt": "rp"}]}
    )
    assert client_body(upstream, {}, 5) == {
        "created": 1700000000,
        "data": [{"url": "https://x", "revised_prompt": "rp"}],
    }


def test_errors_are_wrapped_keeping_only_the_four_fields() -> None:
    upstream = json_response(
        400,
        {
            "error": {
                "message": "blocked",
                "type": "image_generation_user_error",
                "param": None,
                "code": "moderation_blocked",
                "moderation_details": {"x": 1},
            }
        },
    )
    assert client_body(upstream, {}, 0) == {
        "error": {
            "message": "openai error: blocked",
            "type": "image_generation_user_error",
            "param": None,
            "code": "moderation_blocked",
        },
        "provider": "openai",
    }


def test_an_error_without_an_error_key_passes_through() -> None:
    assert client_body(json_response(500, {"detail": "x"}), {}, 0) == {"detail": "x"}


def test_text_comes_back_as_html_message() -> None:
    upstream = UpstreamResponse(500, (("content-type", "text/plain"),), b"Message: fetch failed")
    assert client_body(upstream, {}, 0) == {"html-message": "Message: fetch failed"}
