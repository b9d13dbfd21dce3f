"""Cloudflare Workers AI through the unified images route, mapped as the gateway maps it.

Sources: src/providers/workers-ai/{api.ts,imageGenerate.ts,utils.ts} (v1.15.2, checked
against the conformance bundle); measured facts in docs/facts/providers/workers-ai.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mock_gateway.adapters.base import (
    UNDICI_HEADERS,
    AdapterCrash,
    bearer,
    images_json,
    path_model,
    unsigned,
)
from mock_gateway.gateway.errors import dumps, invalid_provider_response, provider_error
from mock_gateway.gateway.profiles import Profile
from mock_gateway.hints import hint
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse, parsed_json
from mock_gateway.wire.js import js_string, json_safe, parse_int

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

PROVIDER = "workers-ai"
BASE_URL = "https://api.cloudflare.com/client/v4/accounts/undefined/ai/run"
PROXY_OBJECT_HINT = ""  # Workers AI's provider config sets no content type
# handlerUtils.ts: x-portkey-workers-ai-account-id (config workers_ai_account_id).
OPTION_HEADERS: Mapping[str, str] = {"workersAiAccountId": "x-portkey-workers-ai-account-id"}
sign = unsigned


def _side(params: Mapping[str, Any], index: int) -> Any:
    size = params["size"]
    if not isinstance(size, str):
        raise AdapterCrash("e.size.toLowerCase is not a function")
    parts = size.lower().split("x")
    return json_safe(parse_int(parts[index] if len(parts) > index else None))


def map_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """prompt, negative_prompt, steps as both num_steps and steps, size -> height/width
    (unclamped), seed; everything else (n included) dropped."""
    body: dict[str, Any] = {}
    for key in ("prompt", "negative_prompt"):
        if key in params:
            body[key] = params[key]
    if "steps" in params:
        body["num_steps"] = body["steps"] = params["steps"]
    if "size" in params:
        body["height"], body["width"] = _side(params, 1), _side(params, 0)
    if "seed" in params:
        body["seed"] = params["seed"]
    return body


def base_url(options: Mapping[str, Any]) -> str:
    """The account's ``ai/run`` base (``undefined`` without an account id)."""
    account = js_string(options["workersAiAccountId"]) if "workersAiAccountId" in options else None
    if account is None:
        hint("no x-portkey-workers-ai-account-id: the gateway calls /accounts/undefined/ai/run")
        account = "undefined"
    return f"https://api.cloudflare.com/client/v4/accounts/{account}/ai/run"


def to_upstream(
    params: Mapping[str, Any],
    *,
    api_key: str | None,
    base_url: str,
    boundary: str,
    has_body: bool,
    options: Mapping[str, Any],
) -> UpstreamRequest:
    """``{base}/{model}``, the model verbatim (``@`` and ``/`` not encoded)."""
    del boundary, options
    model = path_model(params)
    body = dumps(map_params(params)) if has_body else b""
    headers = [("content-type", "application/json"), bearer(api_key), *UNDICI_HEADERS,
               ("content-length", str(len(body)))]  # fmt: skip
    return UpstreamRequest.build("POST", f"{base_url}/{model}", headers, body)


def _errors(data: dict[str, Any]) -> dict[str, Any]:
    """WorkersAiErrorResponseTransform: each error as ``Error {code}:{message}``."""
    errors = data["errors"]
    if errors is None:  # `errors?.map(...)` is undefined: `${undefined}`
        return provider_error(PROVIDER, "undefined")
    if not isinstance(errors, list):
        raise AdapterCrash("e.errors?.map is not a function")
    parts = []
    for error in errors:
        if error is None:
            raise AdapterCrash("Cannot read properties of null (reading 'code')")
        entry = error if isinstance(error, dict) else {}
        code = js_string(entry.get("code")) if "code" in entry else "undefined"
        message = js_string(entry.get("message")) if "message" in entry else "undefined"
        parts.append(f"Error {code}:{message}")
    return provider_error(PROVIDER, ", ".join(parts))


def client_body(response: UpstreamResponse, params: Mapping[str, Any], created: int | str) -> Any:
    """Workers AI's JSON answer as the client gets it (an image answer passes through raw)."""
    del params
    try:
        data = parsed_json(response)
    except ValueError:
        data = {"html-message": response.body.decode("utf-8", "replace")}
    if not isinstance(data, dict):
        return invalid_provider_response(PROVIDER, data)
    if response.status != 200 and "errors" in data:
        return _errors(data)
    if "result" in data:
        result = data["result"]
        if not isinstance(result, dict | list):  # `"image" in null` throws
            raise AdapterCrash("Cannot use 'in' operator to search for 'image'")
        if isinstance(result, dict) and "image" in result:
            return {"created": created, "data": [{"b64_json": result["image"]}],
                    "provider": PROVIDER}  # fmt: skip
    return invalid_provider_response(PROVIDER, data)


def client_json(body: Any) -> bytes:
    """The client body's bytes: the images fast path, else ``dumps``."""
    return images_json(body) or dumps(body)


def proxy_headers(
    parsed: Any, *, api_key: str | None, options: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """Workers AI's provider headers: the bearer token."""
    del parsed, options
    return [bearer(api_key)]


def proxy_path(path: str, profile: Profile) -> str:
    """The path after /v1 goes to the account's ``ai/run`` base as it is."""
    del profile
    return path
