"""The proxy routes: ``/v1/*`` (validated) and ``POST /v1/proxy/*`` (not validated), §4.

The client speaks the provider's own API; the gateway forwards nearly every header and the
body, and passes the provider's answer back untouched, adding its ``x-portkey-*`` headers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from mock_gateway.adapters import ADAPTERS
from mock_gateway.adapters.base import UNDICI_HEADERS, Adapter
from mock_gateway.faults import FaultError, fault_from_headers
from mock_gateway.gateway.config_runner import run_config
from mock_gateway.gateway.config_strategies import GatewayCrash, RouterError
from mock_gateway.gateway.errors import dumps, gateway_failure, mock_control_error
from mock_gateway.gateway.headers import apply_forward_headers, client_headers_for_proxy
from mock_gateway.gateway.jsregex import RegexTimeout
from mock_gateway.gateway.render import IMMUTABLE_HEADERS_HINT, render
from mock_gateway.gateway.request import GatewayRequest, gateway_request
from mock_gateway.gateway.request_context import reply
from mock_gateway.gateway.target import Target
from mock_gateway.gateway.validator import validate_request
from mock_gateway.hints import hint
from mock_gateway.upstream import UpstreamRequest
from mock_gateway.wire import safejson
from mock_gateway.wire.js import json_parse_error

__all__ = ["IMMUTABLE_HEADERS_HINT", "proxy", "proxy_unvalidated"]

_OBJECT_OBJECT = b"[object Object]"
_MULTIPART = "multipart/form-data"


def _upstream_path(request: GatewayRequest) -> str:
    path = request.path
    prefix = "/v1/proxy" if path.startswith("/v1/proxy/") else "/v1"
    query = request.query
    return path[len(prefix) :] + (f"?{query}" if query else "")


def _spread(value: Any) -> dict[str, Any]:
    """``{...value}`` in JS: an object's keys, an array's or a string's indices, else nothing."""
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list | str):
        return {str(index): item for index, item in enumerate(value)}
    return {}


def _says_multipart(adapter: Adapter, parsed: Any, target: Target) -> bool:
    """Whether the provider config's headers take this body for a multipart call."""
    return any(
        name == "content-type" and value.split(";")[0].strip().lower() == _MULTIPART
        for name, value in adapter.proxy_headers(
            parsed, api_key=target.api_key, options=target.options
        )
    )


def _json_body(
    body: bytes, target: Target, adapter: Adapter, *, object_bug: bool
) -> tuple[bytes, Any]:
    """``{...body, ...override_params}`` re-serialised; raises ValueError with Node's text."""
    text = body.decode("utf-8", "replace")
    try:
        parsed = safejson.loads(text)
    except ValueError:
        raise ValueError(json_parse_error(text)) from None
    merged = {**_spread(parsed), **target.override_params}
    if object_bug and _says_multipart(adapter, merged, target):
        # §4.2: the provider's headers() assume multipart (Stability's: any non-v1 model),
        # so fetch gets the plain object.
        hint(adapter.PROXY_OBJECT_HINT)
        return _OBJECT_OBJECT, merged
    return dumps(merged), merged


def _provider_headers(provider: str, target: Target, parsed: Any) -> list[tuple[str, str]]:
    """The provider config's own headers, before the client's override them."""
    return ADAPTERS[provider].proxy_headers(parsed, api_key=target.api_key, options=target.options)


def _upstream_url(request: GatewayRequest, provider: str, target: Target) -> str:
    """Custom host (or the provider's base) plus the path after /v1 (or /v1/proxy) and query."""
    path = _upstream_path(request)
    if target.custom_host:
        return target.custom_host.rstrip("/") + path
    adapter = ADAPTERS[provider]
    return adapter.base_url(target.options) + adapter.proxy_path(path, request.state.profile)


def _payload(request: GatewayRequest, target: Target, provider: str) -> tuple[bytes, Any]:
    """The body fetch is given, and the transformed body the provider's headers() sees."""
    body = request.body
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    oss = request.state.profile.proxy_object_object_bug
    adapter = ADAPTERS[provider]
    if media == "application/json" and request.method == "POST":
        return _json_body(body, target, adapter, object_bug=oss)
    if not media and oss:
        # getRequestData reads no body without a content type, and constructRequestBody
        # sends none, unless the provider's headers say multipart. Stability's always do
        # here (they see no model, even one from override_params), so fetch gets the plain
        # transformed object (conformance suite: proxy-stability-no-content-type-*).
        if _says_multipart(adapter, None, target):
            hint(adapter.PROXY_OBJECT_HINT)
            return _OBJECT_OBJECT, None
        return b"", None
    return body, None


def _wire_content_type(
    request: GatewayRequest, headers: list[tuple[str, str]], payload: bytes
) -> list[tuple[str, str]]:
    """constructRequestHeaders' content type, then the one fetch writes for the body."""
    if not any(name == "content-type" for name, _ in headers):
        headers = [("content-type", "application/json"), *headers]  # the base of every call
    content_type = dict(headers)["content-type"]
    if request.method != "GET" and content_type.split(";")[0].strip().lower() != _MULTIPART:
        return headers
    # Deleted for a GET or a multipart type (measured: GET and DELETE calls reached Stability
    # without the v2 multipart type). fetch then writes a form's own type, text/plain for a
    # string, and nothing without a body.
    headers = [(name, value) for name, value in headers if name != "content-type"]
    if not payload:
        return headers
    client = request.headers.get("content-type", "")
    is_form = client.split(";")[0].strip().lower() == _MULTIPART
    return [*headers, ("content-type", client if is_form else "text/plain;charset=UTF-8")]


def _build(request: GatewayRequest, target: Target, provider: str) -> UpstreamRequest:
    payload, parsed = _payload(request, target, provider)
    if request.method in ("GET", "DELETE"):
        payload = b""  # constructRequestBody: GET and DELETE carry no body
    # Client headers override the provider's (so a raw `Authorization: sk-...` arrives raw).
    client = client_headers_for_proxy(request.pairs)
    names = {name for name, _ in client}
    provider_headers = _provider_headers(provider, target, parsed)
    merged = [(n, v) for n, v in provider_headers if n not in names] + list(client)
    merged += [(n, v) for n, v in UNDICI_HEADERS if n not in {name for name, _ in merged}]
    merged = apply_forward_headers(merged, target.forward_headers, request.headers)
    merged = _wire_content_type(request, merged, payload)
    if payload or request.method in ("POST", "PUT", "PATCH"):
        merged.append(("content-length", str(len(payload))))  # undici sends 0 for no body
    url = _upstream_url(request, provider, target)
    built = UpstreamRequest.build(request.method, url, merged, payload)
    return ADAPTERS[provider].sign(built, target.options)


async def _forward(request: GatewayRequest) -> Response:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "application/json" and request.method == "POST":
        text = request.body.decode("utf-8", "replace")
        try:  # getRequestData parses the body before any routing
            safejson.loads(text)
        except ValueError as error:
            hint(f"the request body is not JSON as JSON.parse reads it: {error}")
            return reply(gateway_failure(f"Proxy error: {json_parse_error(text)}", status=500))
    try:
        request.fault = fault_from_headers(request.headers)
    except FaultError as error:
        return reply(mock_control_error(str(error)))

    def build(leaf: Target) -> tuple[UpstreamRequest, Mapping[str, Any]]:
        return _build(request, leaf, str(leaf.provider)), {}

    try:
        outcome = await run_config(request, images=False, build=build)
    except RouterError as error:  # proxyHandler answers a RouterError with 400 and its message
        return reply(gateway_failure(str(error)))
    except RegexTimeout as error:  # the mock's own limit (gateway/jsregex.py)
        return reply(mock_control_error(str(error)))
    except GatewayCrash as crash:
        return reply(gateway_failure(f"Proxy error: {crash}", status=500))
    return render(request, outcome, transform=False)


async def proxy(starlette_request: Request) -> Response:
    """``/v1/*``: the request validator first, then the passthrough."""
    request = await gateway_request(starlette_request)
    rejected = validate_request(request.headers)
    if rejected is not None:
        return reply(rejected)
    return await _forward(request)


async def proxy_unvalidated(starlette_request: Request) -> Response:
    """``POST /v1/proxy/*``: deprecated, and the validator does not run on it."""
    request = await gateway_request(starlette_request)
    try:
        return await _forward(request)
    except ValueError as error:  # a config header the validator would have refused
        return reply(gateway_failure(f"Proxy error: {error}", status=500))
