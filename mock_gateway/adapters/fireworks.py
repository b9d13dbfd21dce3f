"""Fireworks AI through the unified images route, mapped as the gateway maps it.

Sources: src/providers/fireworks-ai/{api.ts,imageGenerate.ts,chatComplete.ts} (v1.15.2,
checked against the conformance bundle); measured facts in docs/facts/providers/fireworks-ai.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mock_gateway.adapters.base import (
    UNDICI_HEADERS,
    AdapterCrash,
    bearer,
    fixed_base_url,
    images_json,
    path_model,
    unsigned,
)
from mock_gateway.gateway.errors import dumps, invalid_provider_response, provider_error
from mock_gateway.gateway.profiles import Profile
from mock_gateway.hints import hint
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse, parsed_json
from mock_gateway.wire.js import clamp, js_string, json_safe, parse_int

__all__ = [
    "BASE_URL",
    "OPTION_HEADERS",
    "PROVIDER",
    "PROXY_OBJECT_HINT",
    "base_url",
    "client_body",
    "client_json",
    "map_params",
    "proxy_headers",
    "proxy_path",
    "sign",
    "to_upstream",
]

PROVIDER = "fireworks-ai"
BASE_URL = "https://api.fireworks.ai/inference/v1"
PROXY_OBJECT_HINT = ""  # Fireworks' provider config sets no content type
# x-portkey-fireworks-account-id is read, but only for non-inference endpoints.
OPTION_HEADERS: Mapping[str, str] = {}
sign = unsigned
DEFAULT_MODEL = "stable-diffusion-xl-1024-v1-0"  # the body's default only, never the URL's
# Copied as they are after `model` and the size, with their clamps (imageGenerate.ts order).
_REST: tuple[tuple[str, str, float | None, float | None], ...] = (
    ("cfg_scale", "cfg_scale", None, None),
    ("sampler", "sampler", None, None),
    ("n", "samples", 1, 10),
    ("seed", "seed", 0, 4294967295),
    ("steps", "steps", 10, 150),
    ("safety_check", "safety_check", None, None),
    ("lora_adapter_name", "lora_adapter_name", None, None),
    ("lora_weight_filename", "lora_weight_filename", None, None),
)
CRASH_HINT = (
    "the gateway's Fireworks error transform reads only error/detail/fault: any other error "
    "body throws, and the client gets 500 Something went wrong (a fallback chain stops)"
)


def _side(params: Mapping[str, Any], index: int) -> Any:
    size = params["size"]
    if not isinstance(size, str):
        raise AdapterCrash("e.size.toLowerCase is not a function")
    parts = size.lower().split("x")
    return json_safe(clamp(parse_int(parts[index] if len(parts) > index else None), 512, 1024))


def map_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The Fireworks body: prompt -> text_prompts, model defaulted, size clamped 512..1024."""
    body: dict[str, Any] = {}
    if "prompt" in params:
        body["text_prompts"] = [{"text": params["prompt"], "weight": 1}]
    body["model"] = params.get("model", DEFAULT_MODEL)  # required, with a default
    if "size" in params:
        body["height"], body["width"] = _side(params, 1), _side(params, 0)
    for source, target, low, high in _REST:
        if source in params:
            body[target] = clamp(params[source], low, high)
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
    """``{base}/image_generation/{model}``: the request's own model, ``undefined`` if none."""
    del boundary, options
    model = path_model(params, "no model: the gateway sends Fireworks to "
                       "/image_generation/undefined; set model "
                       "(accounts/fireworks/models/stable-diffusion-xl-1024-v1-0)")  # fmt: skip
    body = dumps(map_params(params)) if has_body else b""
    headers = [("content-type", "application/json"), bearer(api_key), *UNDICI_HEADERS,
               ("content-length", str(len(body)))]  # fmt: skip
    headers[2] = ("accept", "application/json")  # the provider's Accept over undici's */*
    return UpstreamRequest.build("POST", f"{base_url}/image_generation/{model}", headers, body)


def _error(data: dict[str, Any]) -> dict[str, Any]:
    """FireworksAIErrorResponseTransform: fault, detail, or the OpenAI-style error object."""
    if "fault" in data:
        fault = data["fault"]
        detail = fault.get("detail") if isinstance(fault, dict) else None
        if not isinstance(detail, dict):
            raise AdapterCrash("Cannot read properties of undefined (reading 'errorcode')")
        return provider_error(PROVIDER, js_string(fault.get("faultstring")), None, None,
                              detail.get("errorcode"))  # fmt: skip
    if "detail" in data:
        return provider_error(PROVIDER, js_string(data["detail"]))
    error = data.get("error")
    if not isinstance(error, dict):  # generateErrorResponse(undefined) destructures undefined
        hint(CRASH_HINT)
        raise AdapterCrash("Cannot destructure property 'message' of undefined")
    message = error.get("message")
    return provider_error(PROVIDER, js_string(message), error.get("type"), error.get("param"),
                          error.get("code"))  # fmt: skip


def client_body(response: UpstreamResponse, params: Mapping[str, Any], created: int | str) -> Any:
    """Fireworks' answer as the client gets it; an unreadable error raises ``AdapterCrash``."""
    del params
    try:
        data = parsed_json(response)
    except ValueError:
        data = {"html-message": response.body.decode("utf-8", "replace")}
    if response.status != 200:
        if not isinstance(data, dict | list):
            raise AdapterCrash("Cannot use 'in' operator")
        return _error(data if isinstance(data, dict) else {})
    if isinstance(data, list):
        items = [_item(item if isinstance(item, dict) else {}) for item in data]
        return {"created": created, "data": items, "provider": PROVIDER}
    return invalid_provider_response(PROVIDER, data)


_ITEM = (("b64_json", "base64"), ("seed", "seed"), ("finishReason", "finishReason"))


def _item(entry: dict[str, Any]) -> dict[str, Any]:
    """``{b64_json, seed, finishReason}``: an undefined value is left out by JSON."""
    return {key: entry[name] for key, name in _ITEM if name in entry}


def client_json(body: Any) -> bytes:
    """The client body's bytes: the images fast path, else ``dumps``."""
    return images_json(body) or dumps(body)


def proxy_headers(
    parsed: Any, *, api_key: str | None, options: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """Fireworks' provider headers: the bearer key and ``Accept: application/json``."""
    del parsed, options
    return [bearer(api_key), ("accept", "application/json")]


def proxy_path(path: str, profile: Profile) -> str:
    """The path after /v1 goes to https://api.fireworks.ai/inference/v1 as it is."""
    del profile
    return path
