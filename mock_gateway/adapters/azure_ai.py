"""Azure AI inference / Foundry (slug ``azure-ai``) through the unified images route.

Source: src/providers/azure-ai-inference/{api.ts,utils.ts,index.ts} (v1.15.2), whose
imageGenerate config is azure-openai's (imageGenerate.ts); facts in
docs/facts/providers/azure-ai-inference.md. The upstream is whatever the foundry URL names:
for images, an Azure OpenAI deployment (``.../openai/deployments/{id}``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mock_gateway.adapters.azure_openai import api_version_query, map_params, openai_style_body
from mock_gateway.adapters.base import UNDICI_HEADERS, client_json, unsigned
from mock_gateway.gateway.profiles import Profile
from mock_gateway.hints import hint
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse, parsed_json
from mock_gateway.wire import safejson

__all__ = [
    "BASE_URL",
    "OPTION_HEADERS",
    "PROVIDER",
    "PROXY_OBJECT_HINT",
    "client_body",
    "client_json",
    "provider_headers",
    "proxy_headers",
    "proxy_path",
    "sign",
    "to_upstream",
]

PROVIDER = "azure-ai"
# No default: the foundry URL is the base (api.ts:26-42); without one the URL is relative.
BASE_URL = ""
PROXY_OBJECT_HINT = ""
# constructConfigFromRequestHeaders' azureAiInferenceConfig (handlerUtils.ts:868-883). There is
# no header for azureDeploymentName (config azure_deployment_name only, measured), and the
# config spelling azure_extra_params becomes azureExtraParams, which nothing reads (measured).
OPTION_HEADERS: Mapping[str, str] = {
    "azureApiVersion": "x-portkey-azure-api-version",
    "azureFoundryUrl": "x-portkey-azure-foundry-url",
    "azureAdToken": "x-portkey-azure-ad-token",
    "azureAuthMode": "x-portkey-azure-auth-mode",
    "azureExtraParameters": "x-portkey-azure-extra-params",
}
sign = unsigned
_TOKEN_MODES = ("entra", "managed", "workload")


def base_url(options: Mapping[str, Any]) -> str:
    """The foundry URL as given, or ``""`` (getBaseURL)."""
    foundry = options.get("azureFoundryUrl")
    return str(foundry) if foundry else BASE_URL


def provider_headers(api_key: str | None, options: Mapping[str, Any]) -> list[tuple[str, str]]:
    """headers() (api.ts:43-169): ``extra-parameters`` (default ``drop``), the deployment name,
    then Bearer auth (an AD token first); an Anthropic foundry URL takes ``x-api-key``."""
    anthropic = "anthropic" in str(options.get("azureFoundryUrl") or "")
    headers = [("anthropic-version", "2023-06-01")] if anthropic else []
    headers.append(("extra-parameters", str(options.get("azureExtraParameters") or "drop")))
    if options.get("azureDeploymentName"):
        headers.append(("azureml-model-deployment", str(options["azureDeploymentName"])))
    token = options.get("azureAdToken")
    if options.get("azureAuthMode") in _TOKEN_MODES and not token:
        hint("azure-ai: Entra, managed and workload identity tokens are not modelled; the mock "
             "sends the key as Bearer instead (send x-portkey-azure-ad-token)")  # fmt: skip
    if anthropic and (token or api_key):
        headers.append(("x-api-key", "undefined" if api_key is None else api_key))
    elif token:
        headers.append(("authorization", f"Bearer {str(token).replace('Bearer ', '', 1)}"))
    elif api_key:  # no key, no auth header at all
        headers.append(("authorization", f"Bearer {api_key}"))
    return headers


def to_upstream(
    params: Mapping[str, Any],
    *,
    api_key: str | None,
    base_url: str,
    boundary: str,
    has_body: bool,
    options: Mapping[str, Any],
) -> UpstreamRequest:
    """``{foundry}/images/generations?api-version=...`` with azure-openai's body mapping."""
    del boundary
    body = safejson.dumps(map_params(params)) if has_body else b""
    version = options.get("azureApiVersion")
    # The gateway request's own query string would come first (as for azure-openai).
    query = api_version_query(version) if version else ""
    headers = [
        ("content-type", "application/json"),
        *provider_headers(api_key, options),
        *UNDICI_HEADERS,
        ("content-length", str(len(body))),
    ]
    url = f"{base_url}/images/generations?{query}"
    return UpstreamRequest.build("POST", url, headers, body)


def _spread(value: Any) -> dict[str, Any]:
    """``{...value}``: an object's keys, an array's or a string's indices, else nothing."""
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list | str):
        return {str(index): item for index, item in enumerate(value)}
    return {}


def client_body(response: UpstreamResponse, params: Mapping[str, Any], created: int | str) -> Any:
    """AzureAIInferenceResponseTransform (utils.ts:4-13): an error wrapped as azure-openai's;
    anything else spread with ``"provider": "azure-ai"`` last (text as ``html-message``)."""
    del params, created
    try:
        data = parsed_json(response)
    except ValueError:
        data = {"html-message": response.body.decode("utf-8", "replace")}
    if response.status != 200 and isinstance(data, dict) and "error" in data:
        return openai_style_body(response, PROVIDER)
    return {**_spread(data), "provider": PROVIDER}


def proxy_headers(
    parsed: Any, *, api_key: str | None, options: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """The same provider headers on the proxy route."""
    del parsed
    return provider_headers(api_key, options)


def proxy_path(path: str, profile: Profile) -> str:
    """No getProxyEndpoint: the path after /v1 is appended to the foundry URL as it is."""
    del profile
    return path
