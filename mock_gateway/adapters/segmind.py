"""Segmind through the unified images route, mapped as the gateway maps it.

Sources: src/providers/segmind/{api.ts,imageGenerate.ts} (v1.15.2, checked against the
conformance bundle); measured facts in docs/facts/providers/segmind.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mock_gateway.adapters.base import (
    UNDICI_HEADERS,
    AdapterCrash,
    fixed_base_url,
    images_json,
    path_model,
    unsigned,
)
from mock_gateway.gateway.errors import dumps, invalid_provider_response, provider_error
from mock_gateway.gateway.profiles import Profile
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

PROVIDER = "segmind"
BASE_URL = "https://api.segmind.com/v1"
PROXY_OBJECT_HINT = ""  # Segmind's provider config sets no content type
OPTION_HEADERS: Mapping[str, str] = {}  # nothing but the key
sign = unsigned
# Keys copied as they are, in the provider config's order (imageGenerate.ts); `size` and
# `n` are mapped before `style`, `steps` after it, `base64` and the ControlNet/QR keys last.
_AFTER_STEPS = ("negative_prompt", "scheduler", "guidance_scale", "seed", "strength", "refiner",
                "high_noise_fraction")  # fmt: skip
_LAST = ("control_scale", "control_start", "control_end", "qr_text", "invert")


def _side(params: Mapping[str, Any], index: int) -> Any:
    size = params["size"]
    if not isinstance(size, str):
        raise AdapterCrash("e.size.toLowerCase is not a function")
    parts = size.lower().split("x")
    return json_safe(parse_int(parts[index] if len(parts) > index else None))


def map_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The Segmind body: only keys sent (defaults only for the required ``steps`` and
    ``base64``), ``n`` clamped 1..10, ``size`` split unclamped, ``base64`` always true."""
    body: dict[str, Any] = {}
    if "prompt" in params:
        body["prompt"] = params["prompt"]
    if "n" in params:
        body["samples"] = clamp(params["n"], 1, 10)
    if "size" in params:
        body["img_height"], body["img_width"] = _side(params, 1), _side(params, 0)
    if "style" in params:
        body["style"] = params["style"]
    body["num_inference_steps"] = params.get("steps", 20)  # required, with its default
    body.update((key, params[key]) for key in _AFTER_STEPS if key in params)
    body["base64"] = True  # transform: () => true, whatever the client sent
    body.update((key, params[key]) for key in _LAST if key in params)
    if "qr_size" in params:
        body["size"] = params["qr_size"]
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
    """The request the gateway sends Segmind: ``{base}/{model}``, ``x-api-key``."""
    del boundary, options
    model = path_model(params, "no model: the gateway sends Segmind to /undefined; set model "
                       "(e.g. sdxl1.0-txt2img)")  # fmt: skip
    body = dumps(map_params(params)) if has_body else b""
    headers = [
        ("content-type", "application/json"),
        ("x-api-key", "undefined" if api_key is None else api_key),
        *UNDICI_HEADERS,
        ("content-length", str(len(body))),
    ]
    return UpstreamRequest.build("POST", f"{base_url}/{model}", headers, body)


def client_body(response: UpstreamResponse, params: Mapping[str, Any], created: int | str) -> Any:
    """Segmind's answer as the client gets it: ``image`` -> ``b64_json``, errors wrapped."""
    del params
    try:
        data = parsed_json(response)
    except ValueError:
        data = {"html-message": response.body.decode("utf-8", "replace")}
    if not isinstance(data, dict):
        return invalid_provider_response(PROVIDER, data)
    failed = response.status != 200
    if failed and "error" in data:
        return provider_error(PROVIDER, _text(data["error"]))
    if failed and "html-message" in data:  # the raw text, with no "Invalid response" wrapper
        return provider_error(PROVIDER, _text(data["html-message"]))
    if "image" in data:
        images = data["image"] if isinstance(data["image"], list) else [data["image"]]
        return {"created": created, "data": [{"b64_json": image} for image in images],
                "provider": PROVIDER}  # fmt: skip
    return invalid_provider_response(PROVIDER, data)


def _text(value: Any) -> str:
    """``${value ?? ""}``."""
    return "" if value is None else js_string(value)


def client_json(body: Any) -> bytes:
    """The client body's bytes: the images fast path, else ``dumps``."""
    return images_json(body) or dumps(body)


def proxy_headers(
    parsed: Any, *, api_key: str | None, options: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """Segmind's provider headers: the key as ``x-api-key``."""
    del parsed, options
    return [("x-api-key", "undefined" if api_key is None else api_key)]


def proxy_path(path: str, profile: Profile) -> str:
    """The path after /v1 goes to https://api.segmind.com/v1 as it is."""
    del profile
    return path
