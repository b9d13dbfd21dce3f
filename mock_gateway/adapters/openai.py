"""OpenAI through the unified images route, mapped as the gateway maps it.

Source: src/providers/openai/{api.ts,imageGenerate.ts,utils.ts} (v1.15.2); measured facts in
portkey-gateway-behavior.md §3.6.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mock_gateway import safejson
from mock_gateway.adapters.stability import UNDICI_HEADERS
from mock_gateway.gateway.errors import provider_error
from mock_gateway.js import clamp
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse, parsed_json

__all__ = ["BASE_URL", "PROVIDER", "client_body", "map_params", "to_upstream"]

PROVIDER = "openai"
BASE_URL = "https://api.openai.com/v1"
# OpenAIImageGenerateConfig: the only keys forwarded, in this order. GPT-image-only fields
# (background, output_format, moderation, ...) are dropped.
_FORWARDED = ("prompt", "model", "n", "quality", "response_format", "size", "style", "user")


def map_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The forwarded body: known keys only, ``model`` defaulted to dall-e-2, ``n`` clamped."""
    body: dict[str, Any] = {}
    for key in _FORWARDED:
        if key in params:
            body[key] = clamp(params[key], 1, 10) if key == "n" else params[key]
        elif key == "model":  # required, with a default
            body[key] = "dall-e-2"
    return body


def to_upstream(
    params: Mapping[str, Any], *, api_key: str | None, base_url: str, boundary: str, has_body: bool
) -> UpstreamRequest:
    """The request the gateway sends OpenAI for a unified images call."""
    del boundary  # OpenAI takes JSON
    # JSON.stringify: a non-finite number as null, a lone surrogate as its escape.
    body = safejson.dumps(map_params(params))
    if not has_body:
        body = b""
    key = "undefined" if api_key is None else api_key
    headers = [
        ("content-type", "application/json"),
        ("authorization", f"Bearer {key}"),
        *UNDICI_HEADERS,
        ("content-length", str(len(body))),
    ]
    return UpstreamRequest.build("POST", f"{base_url}/images/generations", headers, body)


def client_body(response: UpstreamResponse, params: Mapping[str, Any], created: int | str) -> Any:
    """OpenAI's answer as the client gets it: passed through (re-serialised), errors wrapped."""
    del params, created  # OpenAI's own `created` is kept
    try:
        data = parsed_json(response)
    except ValueError:
        # No "invalid response" wrapper for OpenAI: the text comes back as html-message.
        return {"html-message": response.body.decode("utf-8", "replace")}
    if response.status != 200 and isinstance(data, dict) and "error" in data:
        error = data["error"] if isinstance(data["error"], dict) else {}
        # generateErrorResponse keeps message, type, param and code, and nothing else.
        return provider_error(PROVIDER, str(error.get("message")), error.get("type"),
                              error.get("param"), error.get("code"))  # fmt: skip
    return data
