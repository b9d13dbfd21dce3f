"""Stability AI through the unified images route, mapped as the gateway maps it.

Sources: src/providers/stability-ai/{api.ts,imageGenerate.ts,imageGenerateV2.ts} (v1.15.2)
and the measured facts in portkey-gateway-behavior.md §3.2-§3.4.
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
    unsigned,
)
from mock_gateway.gateway.errors import dumps, invalid_provider_response, provider_error
from mock_gateway.gateway.profiles import Profile
from mock_gateway.hints import hint
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse, parsed_json
from mock_gateway.wire.js import clamp, js_string, json_safe, parse_int
from mock_gateway.wire.multipart import encode_form

__all__ = [
    "BASE_URL",
    "OPTION_HEADERS",
    "PROVIDER",
    "PROXY_OBJECT_HINT",
    "UNDICI_HEADERS",
    "V1_MODELS",
    "SizeTypeError",
    "client_body",
    "client_json",
    "images_json",
    "is_v1_model",
    "proxy_headers",
    "proxy_path",
    "sign",
    "to_client_body",
    "to_upstream",
]

PROVIDER = "stability-ai"
BASE_URL = "https://api.stability.ai"
# Stability's calls take nothing but the key from the request's headers (v1.15.2).
OPTION_HEADERS: Mapping[str, str] = {}
sign = unsigned
# STABILITY_V1_MODELS (constants.ts): the only models sent to the v1 JSON API.
V1_MODELS = ("stable-diffusion-xl-1024-v1-0", "stable-diffusion-v1-6")
# The mock's hint (x-mock-hint) for the open-source profiles' [object Object] body (§4.2).
PROXY_OBJECT_HINT = (
    "profile oss: the gateway sent Stability the body [object Object] (it takes a body "
    "without a v1 model for v2 multipart); send a v1 model or use profile hosted"
)
_VERSIONS = ("/v1/", "/v2beta/", "/v2alpha/")
# v1 body keys in the provider config's order, which is the order they reach Stability.
_V1_PASSTHROUGH = (
    ("style", "style_preset"),
    ("cfg_scale", "cfg_scale"),
    ("clip_guidance_preset", "clip_guidance_preset"),
    ("sampler", "sampler"),
    ("seed", "seed"),
    ("steps", "steps"),
    ("extras", "extras"),
)
# The v2 allow-list, in order (imageGenerateV2.ts); everything else is dropped.
_V2_FIELDS = ("prompt", "negative_prompt", "aspect_ratio", "seed", "style_preset", "mode",
              "output_format", "image", "strength")  # fmt: skip


class SizeTypeError(AdapterCrash):
    """``params.size.toLowerCase`` on a non-string: a TypeError inside the gateway."""


def is_v1_model(model: Any) -> bool:
    """``isStabilityV1Model``: a truthy model that is one of the two v1 engines."""
    return bool(model) and model in V1_MODELS


def _size(params: Mapping[str, Any]) -> tuple[Any, Any]:
    size = params["size"]
    if not isinstance(size, str):
        raise SizeTypeError("params.size.toLowerCase is not a function")
    parts = size.lower().split("x")
    height = parse_int(parts[1] if len(parts) > 1 else None)
    width = parse_int(parts[0])
    return json_safe(clamp(height, 320)), json_safe(clamp(width, 320))


def map_v1(params: Mapping[str, Any]) -> dict[str, Any]:
    """The v1 JSON body: prompt -> text_prompts, n -> samples, size -> height/width, ..."""
    body: dict[str, Any] = {}
    if "prompt" in params:
        body["text_prompts"] = [{"text": params["prompt"], "weight": 1}]
    if "n" in params:
        body["samples"] = clamp(params["n"], 1, 10)
    if "size" in params:
        body["height"], body["width"] = _size(params)
    for source, target in _V1_PASSTHROUGH:
        if source in params:
            body[target] = params[source]
    return body


def map_v2(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The v2 form fields, stringified as FormData does."""
    return [(name, js_string(params[name])) for name in _V2_FIELDS if name in params]


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
    """The request the gateway sends Stability for a unified images call."""
    del options
    model = params.get("model")
    authorization = bearer(api_key)
    if is_v1_model(model):
        url = f"{base_url}/v1/generation/{model}/text-to-image"
        body = dumps(map_v1(params))  # JSON.stringify: NaN as null, a lone surrogate escaped
        headers = [("content-type", "application/json"), authorization, *UNDICI_HEADERS]
    else:
        # Any other model, none included, goes to v2beta: `/generate/undefined` when absent.
        name = "undefined" if "model" not in params else js_string(model)
        if name == "undefined":
            hint(
                "no model: the gateway sends Stability to /v2beta/stable-image/generate/"
                "undefined; set model (stable-diffusion-v1-6, core, ultra, sd3)"
            )
        url = f"{base_url}/v2beta/stable-image/generate/{name}"
        body = encode_form(map_v2(params), boundary)
        content_type = f"multipart/form-data; boundary={boundary}"
        headers = [("content-type", content_type), authorization, *UNDICI_HEADERS]
        headers[2] = ("accept", "application/json")
    if not has_body:
        body = b""  # constructRequestBody adds a body only when the client sent a content type
    headers.append(("content-length", str(len(body))))
    return UpstreamRequest.build("POST", url, headers, body)


def _parsed(response: UpstreamResponse) -> Any:
    try:
        return parsed_json(response)
    except ValueError:
        # Text bodies reach the transform as {"html-message": text} (§3.4).
        return {"html-message": response.body.decode("utf-8", "replace")}


def to_client_body(response: UpstreamResponse, *, v1: bool, created: int | str) -> dict[str, Any]:
    """The OpenAI-shaped body the client gets for a JSON (or text) upstream answer."""
    data = _parsed(response)
    if not isinstance(data, dict):
        return invalid_provider_response(PROVIDER, data)
    if response.status != 200 and v1 and "message" in data:
        return provider_error(PROVIDER, js_string(data["message"]), data.get("name"))
    if response.status != 200 and not v1 and "errors" in data:
        errors = data["errors"]
        message = (
            ", ".join(map(js_string, errors)) if isinstance(errors, list) else js_string(errors)
        )
        return provider_error(PROVIDER, message, data.get("name"), data.get("id"))
    if v1 and "artifacts" in data:
        images = [{"b64_json": artifact.get("base64")} for artifact in data["artifacts"]]
        return {"created": created, "data": images, "provider": PROVIDER}
    if not v1 and "image" in data:
        return {"created": created, "data": [{"b64_json": data["image"]}], "provider": PROVIDER}
    return invalid_provider_response(PROVIDER, data)


def client_body(response: UpstreamResponse, params: Mapping[str, Any], created: int | str) -> Any:
    """The adapter interface: ``to_client_body`` with the v1/v2 choice made from the params."""
    return to_client_body(response, v1=is_v1_model(params.get("model")), created=created)


def client_json(body: Any) -> bytes:
    """The client body's bytes: the images fast path, else ``dumps``."""
    return images_json(body) or dumps(body)


def proxy_headers(
    parsed: Any, *, api_key: str | None, options: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """stability-ai/api.ts: anything not a v1 model is taken for a v2 multipart call."""
    del options
    if isinstance(parsed, dict) and is_v1_model(parsed.get("model")):
        return [bearer(api_key)]
    return [
        bearer(api_key),
        ("content-type", "multipart/form-data"),
        ("accept", "application/json"),
    ]


def proxy_path(path: str, profile: Profile) -> str:
    """§4.1: the proxy route appends the path after /v1 to https://api.stability.ai; hosted
    puts the /v1 back when the path has no version of its own, OSS does not."""
    if path.startswith(_VERSIONS):
        return path
    if profile.stability_proxy_restores_v1:
        return "/v1" + path
    if path.startswith("/generation/"):
        hint(f"profile {profile.name}: the open-source gateway drops /v1, "
             f"so Stability gets {path.split('?')[0]}; call /v1/v1/generation/... "
             "or use a custom host ending in /v1")  # fmt: skip
    return path
