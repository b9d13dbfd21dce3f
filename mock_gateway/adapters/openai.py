"""OpenAI through the unified images route, mapped as the gateway maps it.

Source: src/providers/openai/{api.ts,imageGenerate.ts,utils.ts} (v1.15.2); measured facts in
portkey-gateway-behavior.md §3.6.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mock_gateway.adapters.base import UNDICI_HEADERS, bearer, fixed_base_url, images_json, unsigned
from mock_gateway.gateway.errors import dumps, provider_error
from mock_gateway.gateway.profiles import Profile
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse, parsed_json
from mock_gateway.wire import safejson
from mock_gateway.wire.js import clamp
from mock_gateway.wire.multipart import FormField, encode_parts

__all__ = [
    "BASE_URL",
    "OPTION_HEADERS",
    "PROVIDER",
    "PROXY_OBJECT_HINT",
    "client_body",
    "client_json",
    "edit_upstream",
    "map_params",
    "proxy_headers",
    "proxy_path",
    "sign",
    "to_upstream",
]

PROVIDER = "openai"
BASE_URL = "https://api.openai.com/v1"
# OpenAI's provider config sets no content type, so its proxy body is never [object Object].
PROXY_OBJECT_HINT = ""
# openaiOrganization/openaiProject are read from headers too, but do not change an images call
# the mock models; none is kept.
OPTION_HEADERS: Mapping[str, str] = {}
sign = unsigned
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


base_url = fixed_base_url(BASE_URL)


def to_upstream(
    params: Mapping[str, Any],
    *,
    api_key: str | None,
    base_url: str,
    boundary: str,
    has_body: bool,
    options: Mapping[str, Any],
) -> UpstreamRequest:
    """The request the gateway sends OpenAI for a unified images call."""
    del boundary, options  # OpenAI takes JSON
    # JSON.stringify: a non-finite number as null, a lone surrogate as its escape.
    body = safejson.dumps(map_params(params))
    if not has_body:
        body = b""
    headers = [
        ("content-type", "application/json"),
        bearer(api_key),
        *UNDICI_HEADERS,
        ("content-length", str(len(body))),
    ]
    return UpstreamRequest.build("POST", f"{base_url}/images/generations", headers, body)


def edit_upstream(
    form: list[FormField],
    *,
    api_key: str | None,
    base_url: str,
    boundary: str,
    options: Mapping[str, Any],
) -> UpstreamRequest:
    """``POST {base}/images/edits`` with the client's form whole (gateway-image-edits.md §3:
    every part, same order, names, filenames and types; a new undici boundary)."""
    del options
    body = encode_parts(form, boundary)
    key = "undefined" if api_key is None else api_key
    headers = [
        ("authorization", f"Bearer {key}"),
        ("content-type", f"multipart/form-data; boundary={boundary}"),
        *UNDICI_HEADERS,
        ("content-length", str(len(body))),
    ]
    return UpstreamRequest.build("POST", f"{base_url}/images/edits", headers, body)


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


def client_json(body: Any) -> bytes:
    """The client body's bytes: the images fast path, else ``dumps``."""
    return images_json(body) or dumps(body)


def proxy_headers(
    parsed: Any, *, api_key: str | None, options: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """OpenAI's provider config adds no headers of its own beyond the key."""
    del parsed, options
    return [bearer(api_key)]


def proxy_path(path: str, profile: Profile) -> str:
    """The path after /v1 goes to https://api.openai.com/v1 as it is."""
    del profile
    return path
