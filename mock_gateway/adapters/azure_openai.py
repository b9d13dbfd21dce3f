"""Azure OpenAI through the unified images route, mapped as the gateway maps it.

Source: src/providers/azure-openai/{api.ts,imageGenerate.ts} and openai/utils.ts (v1.15.2);
facts (measured and read) in docs/facts/providers/azure-openai.md §1.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote_plus

from mock_gateway.adapters.base import UNDICI_HEADERS, images_json
from mock_gateway.gateway.errors import dumps, provider_error
from mock_gateway.gateway.profiles import Profile
from mock_gateway.hints import hint
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse, parsed_json
from mock_gateway.wire import safejson
from mock_gateway.wire.js import clamp, js_string

__all__ = [
    "BASE_URL",
    "OPTION_HEADERS",
    "PROVIDER",
    "PROXY_OBJECT_HINT",
    "api_version_query",
    "auth_headers",
    "client_body",
    "client_json",
    "endpoint",
    "map_params",
    "openai_style_body",
    "proxy_headers",
    "proxy_path",
    "sign",
    "to_upstream",
]

PROVIDER = "azure-openai"
BASE_URL = "https://{resource}.openai.azure.com/openai"
# Azure's provider config sets JSON (multipart only for audio and files), never [object Object].
PROXY_OBJECT_HINT = ""
# constructConfigFromRequestHeaders' azureConfig (handlerUtils.ts:839-858), the ones that
# change an images call the mock models.
OPTION_HEADERS: Mapping[str, str] = {
    "resourceName": "x-portkey-azure-resource-name",
    "deploymentId": "x-portkey-azure-deployment-id",
    "apiVersion": "x-portkey-azure-api-version",
    "azureAdToken": "x-portkey-azure-ad-token",
    "azureAuthMode": "x-portkey-azure-auth-mode",
    "openaiBeta": "x-portkey-openai-beta",
}
# AzureOpenAIImageGenerateConfig: the only keys forwarded, in this order (imageGenerate.ts:5-35).
_FORWARDED = ("prompt", "model", "n", "quality", "response_format", "size", "style", "user")
_TOKEN_MODES = ("entra", "managed", "workload")


def _text(value: Any) -> str:
    """`${value}` in JS, where ``None`` is an absent option: "undefined"."""
    return "undefined" if value is None else js_string(value)


def map_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The forwarded body: known keys only, ``model`` defaulted to dall-e-3, ``n`` clamped."""
    body: dict[str, Any] = {}
    for key in _FORWARDED:
        if key in params:
            body[key] = clamp(params[key], 1, 10) if key == "n" else params[key]
        elif key == "model":  # required, with a default, even for a GPT image deployment
            body[key] = "dall-e-3"
    return body


def base_url(options: Mapping[str, Any]) -> str:
    """``https://{resourceName}.openai.azure.com/openai`` (api.ts:13-16); JS's `undefined`
    when no resource name was given."""
    return BASE_URL.format(resource=_text(options.get("resourceName")))


def auth_headers(api_key: str | None, options: Mapping[str, Any]) -> list[tuple[str, str]]:
    """api.ts:17-101: an AD token wins as Bearer; else ``api-key`` (``OpenAI-Beta`` too)."""
    token = options.get("azureAdToken")
    if token:
        return [("authorization", f"Bearer {str(token).replace('Bearer ', '', 1)}")]
    if options.get("azureAuthMode") in _TOKEN_MODES:
        hint("azure-openai: Entra, managed and workload identity tokens are not modelled; "
             "the mock sends the api-key instead (send x-portkey-azure-ad-token)")  # fmt: skip
    headers = [("api-key", _text(api_key))]
    if options.get("openaiBeta"):
        headers.append(("openai-beta", str(options["openaiBeta"])))
    return headers


def api_version_query(api_version: Any) -> str:
    """URLSearchParams' ``api-version=...`` (form encoding: a space is ``+``, ``~`` escaped)."""
    return "api-version=" + quote_plus(_text(api_version), safe="*").replace("~", "%7E")


def endpoint(options: Mapping[str, Any], operation: str = "generations") -> str:
    """getEndpoint (api.ts:103-160): ``/deployments/{id}/images/...?api-version=...``, or
    ``/v1/images/...?`` for ``api-version: v1``. The gateway request's own query string also
    leaks in (measured); the seam does not pass it, so the mock leaves it out."""
    version = options.get("apiVersion")
    if isinstance(version, str) and version.strip() == "v1":
        return f"/v1/images/{operation}?"
    query = api_version_query(version) if version else ""
    return f"/deployments/{_text(options.get('deploymentId'))}/images/{operation}?{query}"


def to_upstream(
    params: Mapping[str, Any],
    *,
    api_key: str | None,
    base_url: str,
    boundary: str,
    has_body: bool,
    options: Mapping[str, Any],
) -> UpstreamRequest:
    """The request the gateway sends Azure OpenAI for a unified images call."""
    del boundary  # JSON only
    body = safejson.dumps(map_params(params)) if has_body else b""
    headers = [
        ("content-type", "application/json"),
        *auth_headers(api_key, options),
        *UNDICI_HEADERS,
        ("content-length", str(len(body))),
    ]
    return UpstreamRequest.build("POST", base_url + endpoint(options), headers, body)


def openai_style_body(response: UpstreamResponse, provider: str) -> Any:
    """The answer through an OpenAI-style transform: passed through (re-serialised); a non-200
    with ``error`` wrapped by generateErrorResponse (``inner_error`` is lost); text as
    ``html-message``."""
    try:
        data = parsed_json(response)
    except ValueError:
        return {"html-message": response.body.decode("utf-8", "replace")}
    if response.status != 200 and isinstance(data, dict) and "error" in data:
        error = data["error"] if isinstance(data["error"], dict) else {}
        # `${message}` in JS: a missing message is "undefined"; `?? null` for the others.
        message = _text(error["message"]) if "message" in error else "undefined"
        return provider_error(provider, message, error.get("type"),
                              error.get("param"), error.get("code"))  # fmt: skip
    return data


def client_body(response: UpstreamResponse, params: Mapping[str, Any], created: int | str) -> Any:
    """Azure's answer as the client gets it: no ``provider`` key on success (imageGenerate.ts)."""
    del params, created  # Azure's own `created` is kept
    return openai_style_body(response, PROVIDER)


def client_json(body: Any) -> bytes:
    """The client body's bytes: the images fast path, else ``dumps``."""
    return images_json(body) or dumps(body)


def proxy_headers(
    parsed: Any, *, api_key: str | None, options: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """The provider config's headers on the proxy route: the same auth as the unified route."""
    del parsed
    return auth_headers(api_key, options)


def proxy_path(path: str, profile: Profile) -> str:
    """The path after /v1 goes to the resource's ``/openai`` base as it is (its api-version:
    ``sign``)."""
    del profile
    return path


def sign(request: UpstreamRequest, options: Mapping[str, Any]) -> UpstreamRequest:
    """getProxyEndpoint's ``api-version`` (api.ts:202-221), appended as written when the query
    has none. It is done here because ``proxy_path`` is given no options; on the unified route
    the URL already carries it (or, for ``v1``, must not), so nothing changes there. Not
    modelled: ``v1``'s ``/v1`` prefix on the proxy route, and a client path naming
    ``*.openai.azure.com`` (providerContext.ts:72-77)."""
    version = options.get("apiVersion")
    if not version or str(version).strip() == "v1":
        return request
    _, mark, query = request.url.partition("?")
    if "api-version" in query:
        return request
    joined = "&" if query else ("" if mark else "?")
    url = f"{request.url}{joined}api-version={_text(version)}"
    return UpstreamRequest(request.method, url, request.headers, request.body)
