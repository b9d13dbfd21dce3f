"""Amazon Bedrock (Stability models) through the unified images route, as the gateway maps it.

Sources (gateway v1.15.2, docs/facts/providers/bedrock.md): src/providers/bedrock/index.ts
(getConfig: the model picks SDXL's v1 config or the v2 one), api.ts (base URL, endpoint, the
SigV4 headers of utils.ts generateAWSHeaders), imageGenerate.ts (both mappings and response
transforms), chatComplete.ts (BedrockErrorResponseTransform). Measured in
docs/facts/providers/sources/measured-transcripts.md (br-*).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any
from urllib.parse import quote, unquote

from mock_gateway.adapters.base import (
    UNDICI_HEADERS,
    AdapterCrash,
    AdapterGatewayError,
    bearer,
    images_json,
)
from mock_gateway.adapters.stability import map_v1
from mock_gateway.gateway.errors import dumps, invalid_provider_response, provider_error
from mock_gateway.gateway.profiles import Profile
from mock_gateway.hints import hint
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse, parsed_json
from mock_gateway.wire import safejson
from mock_gateway.wire.js import js_string, truthy
from mock_gateway.wire.sigv4 import signature_headers

__all__ = [
    "BASE_URL",
    "OPTION_HEADERS",
    "PROVIDER",
    "PROXY_OBJECT_HINT",
    "STREAM_HINT",
    "V1_MODELS",
    "base_url",
    "client_body",
    "client_json",
    "is_v1",
    "proxy_headers",
    "proxy_path",
    "sign",
    "stream_body",
    "to_upstream",
]

PROVIDER = "bedrock"
BASE_URL = "https://bedrock-runtime.us-east-1.amazonaws.com"
# Bedrock's provider config says application/json, never multipart: no [object Object] body.
PROXY_OBJECT_HINT = ""
# constructConfigFromRequestHeaders (handlerUtils.ts): Bedrock's x-portkey-aws-* options.
OPTION_HEADERS: Mapping[str, str] = MappingProxyType({
    "awsAccessKeyId": "x-portkey-aws-access-key-id",
    "awsSecretAccessKey": "x-portkey-aws-secret-access-key",
    "awsSessionToken": "x-portkey-aws-session-token",
    "awsRegion": "x-portkey-aws-region",
    "awsAuthType": "x-portkey-aws-auth-type",
    "awsRoleArn": "x-portkey-aws-role-arn",
    "awsExternalId": "x-portkey-aws-external-id",
})  # fmt: skip
# constants.ts: the SDXL models that take the v1 body; every other stability.* model is v2.
V1_MODELS = ("stable-diffusion-xl-v0", "stable-diffusion-xl-v1")
# imageGenerateV2.ts's allow-list, in order, sent as JSON on Bedrock.
_V2_FIELDS = ("prompt", "negative_prompt", "aspect_ratio", "seed", "style_preset", "mode",
              "output_format", "image", "strength")  # fmt: skip
_V1_FIELDS = ("prompt", "n", "size", "style")  # the only inputs the Bedrock v1 config maps
_REGION_PREFIX = re.compile(r"^(us\.|eu\.|apac\.|au\.|ca\.|jp\.|global\.)")  # utils.ts
_MALFORMED_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_URI_COMPONENT_SAFE = "-_.!~*'()"  # what encodeURIComponent leaves as is, besides [A-Za-z0-9]
STREAM_HINT = (
    "stream: true: the gateway sends Bedrock POST to its base URL with no path (getEndpoint's "
    "stream-imageGenerate is ''); a 200 there reaches the client as an empty 200"
)


class _Empty(str):
    """The client body of a streamed 200: nothing (the gateway's stream reader finds no AWS
    event-stream frames in a JSON answer, measured br-stream-true)."""


EMPTY = _Empty("")


def _decode_uri_component(text: str) -> str:
    """``decodeURIComponent``: a URIError (a crash in the gateway) on a malformed escape."""
    if _MALFORMED_ESCAPE.search(text):
        raise AdapterCrash("URIError: URI malformed")
    try:
        return unquote(text, errors="strict")
    except UnicodeDecodeError:
        raise AdapterCrash("URIError: URI malformed") from None


def _family(model: Any) -> bool:
    """getConfig: whether ``model`` is SDXL (v1); ``AdapterGatewayError`` unless a stability model.

    ``Model is required`` comes first (getEndpoint, api.ts), measured br-no-model; a model not
    of the stability family has no imageGenerate (measured br-nonstability-model).
    """
    if not truthy(model):
        raise AdapterGatewayError("Model is required")
    if not isinstance(model, str):
        raise AdapterCrash("e.replace is not a function")  # To(model) in getConfig
    family, _, rest = _REGION_PREFIX.sub("", model).partition(".")
    if family != "stability":
        raise AdapterGatewayError(f"imageGenerate is not supported by {PROVIDER}")
    return rest in V1_MODELS


def is_v1(params: Mapping[str, Any]) -> bool:
    """Whether the request's model takes the SDXL v1 body (see ``_family``)."""
    return _family(params.get("model"))


def map_params(params: Mapping[str, Any], *, v1: bool) -> dict[str, Any]:
    """The Bedrock body: SDXL's prompt/n/size/style mapping, else the v2 allow-list as is."""
    if v1:
        return map_v1({key: params[key] for key in _V1_FIELDS if key in params})
    return {key: params[key] for key in _V2_FIELDS if key in params}


def base_url(options: Mapping[str, Any]) -> str:
    """``https://bedrock-runtime.{awsRegion || 'us-east-1'}.amazonaws.com`` (api.ts)."""
    region = options.get("awsRegion")
    return f"https://bedrock-runtime.{js_string(region) if truthy(region) else 'us-east-1'}" + (
        ".amazonaws.com"
    )


def _api_key_auth(options: Mapping[str, Any]) -> bool:
    return options.get("awsAuthType") == "apiKey"


def to_upstream(
    params: Mapping[str, Any],
    *,
    api_key: str | None,
    base_url: str,
    boundary: str,
    has_body: bool,
    options: Mapping[str, Any],
) -> UpstreamRequest:
    """The (unsigned) request the gateway sends Bedrock for a unified images call."""
    del boundary  # Bedrock takes JSON
    v1 = is_v1(params)
    model = _decode_uri_component(js_string(params["model"]))
    endpoint = f"/model/{quote(model, safe=_URI_COMPONENT_SAFE)}/invoke"
    if truthy(params.get("stream")):
        hint(STREAM_HINT)
        endpoint = ""
    if options.get("awsAuthType") == "assumedRole":
        hint("x-portkey-aws-auth-type assumedRole: the mock does not call STS; it signs with "
             "the access keys given")  # fmt: skip
    body = safejson.dumps(map_params(params, v1=v1)) if has_body else b""
    headers = [("content-type", "application/json")]
    if _api_key_auth(options):
        headers.append(bearer(api_key))  # api.ts: Authorization: Bearer {apiKey}, no SigV4
    headers += [*UNDICI_HEADERS, ("content-length", str(len(body)))]
    return UpstreamRequest.build("POST", base_url + endpoint, headers, body)


def sign(request: UpstreamRequest, options: Mapping[str, Any]) -> UpstreamRequest:
    """SigV4 as generateAWSHeaders signs it: content-type and host, service ``bedrock``, the
    options' keys and region; headers the request already has (the client's, on the proxy
    route, or forward_headers) win over the signer's, as constructRequest merges them."""
    if _api_key_auth(options):
        return request

    def option(name: str) -> str:
        value = options.get(name)
        return js_string(value) if truthy(value) else ""

    added = signature_headers(
        request.method,
        request.url,
        {"content-type": "application/json"},
        request.body,
        access_key=option("awsAccessKeyId"),
        secret_key=option("awsSecretAccessKey"),
        session_token=option("awsSessionToken"),
        region=option("awsRegion") or "us-east-1",
        service="bedrock",
        now=datetime.now(UTC),
    )
    present = {name for name, _ in request.headers}
    extra = [(name, value) for name, value in added if name not in present]
    headers = list(request.headers)
    at = next((i + 1 for i, (name, _) in enumerate(headers) if name == "content-type"), 0)
    headers[at:at] = extra
    return UpstreamRequest(request.method, request.url, tuple(headers), request.body)


def _parsed(response: UpstreamResponse) -> Any:
    try:
        return parsed_json(response)
    except ValueError:
        # Text bodies reach the transform as {"html-message": text} (measured br-html500).
        return {"html-message": response.body.decode("utf-8", "replace")}


def client_body(response: UpstreamResponse, params: Mapping[str, Any], created: int | str) -> Any:
    """Bedrock's answer as the client gets it (imageGenerate.ts response transforms)."""
    streamed = truthy(params.get("stream"))
    if streamed and response.status == 200:
        return EMPTY
    data = _parsed(response)
    if response.status in (408, 412) and not streamed:
        return data  # the response handler passes 408 and 412 on untransformed
    if not isinstance(data, dict):
        return invalid_provider_response(PROVIDER, data)
    if response.status != 200 and "message" in data:
        # BedrockErrorResponseTransform: x-amzn-errortype is not read; type stays null.
        return provider_error(PROVIDER, js_string(data["message"]))
    key = "artifacts" if is_v1(params) else "images"
    items = data.get(key)
    if isinstance(items, list):
        if key == "artifacts":  # CONTENT_FILTERED artifacts included; seed/finishReason dropped
            # JSON.stringify drops an undefined base64: {} for an artifact without one.
            images = [{"b64_json": item["base64"]} if isinstance(item, dict) and "base64" in item
                      else {} for item in items]  # fmt: skip
        else:
            images = [{"b64_json": image} for image in items]
        return {"created": created, "data": images, "provider": PROVIDER}
    # Anything else, the v2 filtered {"finish_reasons": [...]} included, is a 200 "Invalid
    # response received from bedrock" (measured br-filtered, br-weird200).
    return invalid_provider_response(PROVIDER, data)


def stream_body(body: bytes) -> bytes:
    """What the gateway streams back for ``stream: true`` and a 200: its Bedrock stream reader
    (readAWSStream) finds no AWS event-stream frames in a JSON body, so nothing (measured
    br-stream-true: an empty 200)."""
    del body
    return b""


def client_json(body: Any) -> bytes:
    """The client body's bytes: nothing for a streamed 200, else compact JSON."""
    if body is EMPTY:
        return b""
    return images_json(body) or dumps(body)


def proxy_headers(
    parsed: Any, *, api_key: str | None, options: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """api.ts headers() for fn proxy, service bedrock: JSON, then SigV4 (``sign``) or a key."""
    del parsed
    headers = [("content-type", "application/json")]
    if _api_key_auth(options):
        headers.append(bearer(api_key))
    return headers


def proxy_path(path: str, profile: Profile) -> str:
    """The path after /v1 goes to the runtime host as it is (getProxyPath)."""
    del profile
    return path
