"""Vertex AI (slug ``vertex-ai``) Imagen through the unified images route, as the gateway maps it.

Sources: src/providers/google-vertex-ai/{api.ts,imageGenerate.ts,utils.ts} (v1.15.2, checked
against the conformance bundle), measured facts in docs/facts/providers/google-vertex-ai.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mock_gateway.adapters.base import (
    UNDICI_HEADERS,
    AdapterCrash,
    AdapterGatewayError,
    bearer,
    images_json,
    unsigned,
)
from mock_gateway.gateway.errors import dumps, invalid_provider_response, provider_error
from mock_gateway.gateway.profiles import Profile
from mock_gateway.hints import hint
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse, parsed_json
from mock_gateway.wire.js import is_number, js_string, truthy

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

PROVIDER = "vertex-ai"
BASE_URL = "https://us-central1-aiplatform.googleapis.com"
# Vertex's provider config sends JSON only, so its proxy body is never [object Object].
PROXY_OBJECT_HINT = ""
# handlerUtils.ts constructConfigFromRequestHeaders. The service-account JSON header is not
# read: the gateway would exchange it for a token at oauth2.googleapis.com, not modelled.
OPTION_HEADERS: Mapping[str, str] = {
    "vertexProjectId": "x-portkey-vertex-project-id",
    "vertexRegion": "x-portkey-vertex-region",
}
sign = unsigned
# getModelAndProvider: a first `.` part naming one of these is the publisher.
_PUBLISHERS = ("google", "anthropic", "meta", "endpoints", "mistralai")
# The request keys whose presence (re)builds `parameters` (imageGenerate.ts, in order).
_PARAMETER_KEYS = ("n", "quality", "style", "aspectRatio", "seed", "negativePrompt",
                   "personGeneration", "safetySetting", "addWatermark", "mimeType")  # fmt: skip
# Copied as they are when truthy (transformParams).
_TRUTHY_COPIES = (("style", "sampleImageStyle"), ("aspectRatio", "aspectRatio"), ("seed", "seed"),
                  ("negativePrompt", "negativePrompt"), ("personGeneration", "personGeneration"),
                  ("safetySetting", "safetySetting"), ("addWatermark", "addWatermark"))  # fmt: skip


def _parameters(params: Mapping[str, Any]) -> dict[str, Any]:
    """transformParams: the whole `parameters` object from the request (camelCase names)."""
    out: dict[str, Any] = {}
    if truthy(params.get("n")):
        out["sampleCount"] = params["n"]  # not clamped: the 1..8 bound sees this object
    quality = params.get("quality")
    if truthy(quality):
        out["outputOptions"] = {
            "compressionQuality": quality if is_number(quality) else 100 if quality == "hd" else 75
        }
    for source, target in _TRUTHY_COPIES:
        if truthy(params.get(source)):
            out[target] = params[source]
    if truthy(params.get("mimeType")):
        out.setdefault("outputOptions", {})["mimeType"] = params["mimeType"]
    return out


def map_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The Imagen body: one instance per prompt, ``parameters`` only if a mapped key is sent."""
    body: dict[str, Any] = {}
    if "prompt" in params:
        prompt = params["prompt"]
        prompts = prompt if isinstance(prompt, list) else [prompt]
        body["instances"] = [{"prompt": item} for item in prompts]
    if any(key in params for key in _PARAMETER_KEYS):
        body["parameters"] = _parameters(params)
    return body


def base_url(options: Mapping[str, Any]) -> str:
    """getBaseURL: the region's host; ``global`` has none (a missing region: ``undefined``)."""
    region = _option(options, "vertexRegion")
    if region == "global":
        return "https://aiplatform.googleapis.com"
    return f"https://{region}-aiplatform.googleapis.com"


def _option(options: Mapping[str, Any], name: str) -> str:
    return js_string(options[name]) if name in options else "undefined"


def _project(options: Mapping[str, Any]) -> str:
    account = options.get("vertexServiceAccountJson")
    if isinstance(account, dict) and truthy(account.get("project_id")):
        hint("vertex_service_account_json: the mock does not exchange it for a token; "
             "the upstream gets Bearer <api_key>")  # fmt: skip
        return js_string(account["project_id"])
    return _option(options, "vertexProjectId")


def _model(params: Mapping[str, Any]) -> tuple[str, str]:
    """getModelAndProvider, after getEndpoint's "Model is required" (a 400 GatewayError)."""
    model = params.get("model")
    if not truthy(model):
        raise AdapterGatewayError("Model is required", 400)
    if not isinstance(model, str):
        raise AdapterCrash("e.split is not a function")
    parts = model.split(".")
    if len(parts) > 1 and parts[0] in _PUBLISHERS:
        return parts[0], ".".join(parts[1:])
    return "google", model


def to_upstream(
    params: Mapping[str, Any],
    *,
    api_key: str | None,
    base_url: str,
    boundary: str,
    has_body: bool,
    options: Mapping[str, Any],
) -> UpstreamRequest:
    """The ``:predict`` call the gateway sends Vertex for a unified images call."""
    del boundary  # JSON only
    publisher, model = _model(params)
    if publisher != "google":  # getConfig: only Google's models have imageGenerate
        raise AdapterGatewayError("imageGenerate is not supported by vertex-ai")
    route = f"/v1/projects/{_project(options)}/locations/{_option(options, 'vertexRegion')}"
    if truthy(params.get("stream")):
        hint("stream: true sends Vertex to the project route alone (no model, no :predict)")
        path = route  # getEndpoint maps `stream-imageGenerate`, which has no entry
    else:
        path = f"{route}/publishers/google/models/{model}:predict"
    body = dumps(map_params(params)) if has_body else b""
    headers = [
        ("content-type", "application/json"),
        bearer(api_key),
        *UNDICI_HEADERS,
        ("content-length", str(len(body))),
    ]
    return UpstreamRequest.build("POST", base_url + path, headers, body)


def _parsed(response: UpstreamResponse) -> Any:
    try:
        return parsed_json(response)
    except ValueError:
        return {"html-message": response.body.decode("utf-8", "replace")}


def client_body(response: UpstreamResponse, params: Mapping[str, Any], created: int | str) -> Any:
    """Imagen's answer as the client gets it: ``b64_json`` items, errors wrapped."""
    del params
    data = _parsed(response)
    if not isinstance(data, dict):
        return invalid_provider_response(PROVIDER, data)
    if response.status != 200 and "error" in data:
        error = data["error"] if isinstance(data["error"], dict) else {}
        message = error.get("message")
        status = error.get("status")  # utils.ts: type and code are Google's status name
        return provider_error(PROVIDER, "" if message is None else js_string(message), status,
                              None, status)  # fmt: skip
    if "predictions" in data and isinstance(data["predictions"], list):
        # A filtered prediction has no bytesBase64Encoded: `{b64_json: undefined}` is `{}`.
        items = [
            {"b64_json": item["bytesBase64Encoded"]}
            if isinstance(item, dict) and "bytesBase64Encoded" in item
            else {}
            for item in data["predictions"]
        ]
        return {"created": created, "data": items, "provider": PROVIDER}
    return invalid_provider_response(PROVIDER, data)


def client_json(body: Any) -> bytes:
    """The client body's bytes: the images fast path, else ``dumps``."""
    return images_json(body) or dumps(body)


def proxy_headers(
    parsed: Any, *, api_key: str | None, options: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """Vertex's provider headers: JSON and the OAuth bearer token."""
    del parsed, options
    return [("content-type", "application/json"), bearer(api_key)]


def proxy_path(path: str, profile: Profile) -> str:
    """getProxyPath: the path after /v1, appended to the region's host as it is."""
    del profile
    if path.startswith("/projects/"):
        hint("the proxy route drops /v1: Vertex gets /projects/...; call /v1/v1/projects/... "
             "or use a custom host ending in /v1")  # fmt: skip
    return path
