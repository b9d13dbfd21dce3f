"""The proxy routes: ``/v1/*`` (validated) and ``POST /v1/proxy/*`` (not validated), §4.

The client speaks the provider's own API; the gateway forwards nearly every header and the
body, and passes the provider's answer back untouched, adding its ``x-portkey-*`` headers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from mock_gateway import safejson
from mock_gateway.adapters import ADAPTERS
from mock_gateway.adapters.stability import UNDICI_HEADERS, is_v1_model
from mock_gateway.faults import FaultError
from mock_gateway.gateway.dispatch import run_config
from mock_gateway.gateway.errors import (
    dumps,
    gateway_exception,
    gateway_failure,
    mock_control_error,
)
from mock_gateway.gateway.headers import apply_forward_headers, client_headers_for_proxy
from mock_gateway.gateway.responses import (
    answer_headers,
    early_answer,
    mock_fault,
    raw,
    reply,
    state_of,
)
from mock_gateway.gateway.routing import GatewayCrash, Outcome, RouterError
from mock_gateway.gateway.target import Target
from mock_gateway.gateway.validator import validate_request
from mock_gateway.js import json_parse_error
from mock_gateway.upstream import UpstreamRequest

__all__ = ["proxy", "proxy_unvalidated"]

_OBJECT_OBJECT = b"[object Object]"
_STABILITY_VERSIONS = ("/v1/", "/v2beta/", "/v2alpha/")


def _upstream_path(request: Request) -> str:
    path = request.url.path
    prefix = "/v1/proxy" if path.startswith("/v1/proxy/") else "/v1"
    query = request.url.query
    return path[len(prefix) :] + (f"?{query}" if query else "")


def _json_body(body: bytes, target: Target, *, object_bug: bool) -> tuple[bytes, Any]:
    """``{...body, ...override_params}`` re-serialised; raises ValueError with Node's text."""
    text = body.decode("utf-8", "replace")
    try:
        parsed = safejson.loads(text)
    except ValueError:
        raise ValueError(json_parse_error(text)) from None
    merged = {**parsed, **target.override_params} if isinstance(parsed, dict) else parsed
    if object_bug and not (isinstance(merged, dict) and is_v1_model(merged.get("model"))):
        # §4.2: Stability's headers() assumes v2 (multipart), so fetch gets the plain object.
        return _OBJECT_OBJECT, merged
    return dumps(merged), merged


def _provider_headers(provider: str, api_key: str | None, parsed: Any) -> list[tuple[str, str]]:
    """The provider config's own headers, before the client's override them."""
    headers = [("authorization", f"Bearer {'undefined' if api_key is None else api_key}")]
    v1 = isinstance(parsed, dict) and is_v1_model(parsed.get("model"))
    if provider == "stability-ai" and not v1:
        # stability-ai/api.ts: anything not a v1 model is taken for a v2 multipart call.
        headers += [("content-type", "multipart/form-data"), ("accept", "application/json")]
    return headers


def _upstream_url(request: Request, provider: str, target: Target) -> str:
    """Custom host (or the provider's base) plus the path after /v1 (or /v1/proxy) and query."""
    path = _upstream_path(request)
    if target.custom_host:
        return target.custom_host.rstrip("/") + path
    restores_v1 = state_of(request).profile.stability_proxy_restores_v1
    if provider == "stability-ai" and restores_v1 and not path.startswith(_STABILITY_VERSIONS):
        path = "/v1" + path
    return str(ADAPTERS[provider].BASE_URL) + path


def _build(request: Request, body: bytes, target: Target, provider: str) -> UpstreamRequest:
    state = state_of(request)
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    payload, parsed = body, None
    if media == "application/json" and request.method == "POST":
        object_bug = provider == "stability-ai" and state.profile.proxy_object_object_bug
        payload, parsed = _json_body(body, target, object_bug=object_bug)
    # Client headers override the provider's (so a raw `Authorization: sk-...` arrives raw).
    client = client_headers_for_proxy(request.headers.items())
    names = {name for name, _ in client}
    provider_headers = _provider_headers(provider, target.api_key, parsed)
    merged = [(n, v) for n, v in provider_headers if n not in names] + list(client)
    merged += [(n, v) for n, v in UNDICI_HEADERS if n not in {name for name, _ in merged}]
    merged = apply_forward_headers(merged, target.forward_headers, request.headers)
    if payload:
        merged.append(("content-length", str(len(payload))))
    url = _upstream_url(request, provider, target)
    return UpstreamRequest.build(request.method, url, merged, payload)


def _render(request: Request, outcome: Outcome) -> Response:
    if outcome.reply is not None:
        return reply(outcome.reply)
    answer = outcome.response
    assert answer is not None
    out = answer_headers(
        request, outcome.provider, answer, index=outcome.path, retries=outcome.retries
    )
    early = early_answer(answer, out)
    if early is not None:
        return early
    if 200 <= answer.status < 300 and state_of(request).profile.proxy_immutable_headers_bug:
        return reply(gateway_exception("Something went wrong"))
    return raw(answer.body, answer.status, out)


async def _forward(request: Request) -> Response:
    body = await request.body()
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "application/json" and request.method == "POST":
        text = body.decode("utf-8", "replace")
        try:  # getRequestData parses the body before any routing
            safejson.loads(text)
        except ValueError:
            return reply(gateway_failure(f"Proxy error: {json_parse_error(text)}", status=500))
    try:
        fault = mock_fault(request)
    except FaultError as error:
        return reply(mock_control_error(str(error)))

    def build(leaf: Target) -> tuple[UpstreamRequest, Mapping[str, Any]]:
        return _build(request, body, leaf, str(leaf.provider)), {}

    try:
        outcome = await run_config(request, images=False, params={}, build=build, fault=fault)
    except RouterError as error:  # proxyHandler answers a RouterError with 400 and its message
        return reply(gateway_failure(str(error)))
    except GatewayCrash as crash:
        return reply(gateway_failure(f"Proxy error: {crash}", status=500))
    return _render(request, outcome)


async def proxy(request: Request) -> Response:
    """``/v1/*``: the request validator first, then the passthrough."""
    rejected = validate_request(request.headers)
    if rejected is not None:
        return reply(rejected)
    return await _forward(request)


async def proxy_unvalidated(request: Request) -> Response:
    """``POST /v1/proxy/*``: deprecated, and the validator does not run on it."""
    try:
        return await _forward(request)
    except ValueError as error:  # a config header the validator would have refused
        return reply(gateway_failure(f"Proxy error: {error}", status=500))
