"""``POST /v1/images/generations``: the unified, OpenAI-shaped images route (§3)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from mock_gateway.adapters import ADAPTERS
from mock_gateway.adapters.base import AdapterCrash
from mock_gateway.faults import FaultError, fault_from_headers
from mock_gateway.gateway.cache import ASSUMED
from mock_gateway.gateway.config_runner import Builder, Settle, run_config
from mock_gateway.gateway.config_strategies import GatewayCrash, RouterError, Shaped
from mock_gateway.gateway.errors import (
    GatewayReply,
    gateway_exception,
    gateway_failure,
    mock_control_error,
)
from mock_gateway.gateway.headers import apply_forward_headers
from mock_gateway.gateway.jsregex import RegexTimeout
from mock_gateway.gateway.render import render
from mock_gateway.gateway.request import GatewayRequest, gateway_request
from mock_gateway.gateway.request_context import reply
from mock_gateway.gateway.target import Target
from mock_gateway.gateway.validator import validate_request
from mock_gateway.hints import hint
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse
from mock_gateway.wire import safejson

__all__ = ["images_generations"]


def _params(body: bytes) -> dict[str, Any] | None:
    """``c.req.json()``, then the ``{...body}`` spread: non-objects contribute nothing."""
    try:
        value = safejson.loads(body)
    except ValueError as error:
        what = "empty" if not body.strip() else f"not JSON as JSON.parse reads it: {error}"
        hint(f"the gateway answers 500 Something went wrong: the request body is {what}")
        return None
    return value if isinstance(value, dict) else {}


def _builder(request: GatewayRequest) -> Builder:
    state, headers, params = request.state, request.headers, request.params
    has_body = "content-type" in headers

    def build(leaf: Target) -> tuple[UpstreamRequest, Mapping[str, Any]] | GatewayReply:
        adapter = ADAPTERS[str(leaf.provider)]
        merged = {**params, **leaf.override_params}  # {...body, ...override_params}
        try:
            upstream = adapter.to_upstream(
                merged,
                api_key=leaf.api_key,
                base_url=leaf.custom_host or adapter.base_url(leaf.options),
                boundary=state.boundary(),
                has_body=has_body,
                options=leaf.options,
            )
        except AdapterCrash as crash:  # a TypeError, or a GatewayError with its own status
            return gateway_exception(crash.reply, status=crash.status)
        if leaf.forward_headers:
            forwarded = apply_forward_headers(list(upstream.headers), leaf.forward_headers, headers)
            upstream = UpstreamRequest(
                upstream.method, upstream.url, tuple(forwarded), upstream.body
            )
        return adapter.sign(upstream, leaf.options), merged

    return build


def _settle(request: GatewayRequest) -> Settle:
    """``run_config``'s settle: the adapter's response transform, run once per target: the 500
    gateway exception when it throws (nscale's error bodies), so a fallback stops there, else
    the body it made, for the renderer."""
    created = request.state.created

    def settle(
        provider: str, answer: UpstreamResponse, params: Mapping[str, Any]
    ) -> GatewayReply | Shaped | None:
        media = answer.media_type
        if answer.meta.get("mock_unsupported") or "timeout_ms" in answer.meta:
            return None  # answered without the transform (early_answer)
        if media.startswith("image/") or media == "application/octet-stream":
            return None
        try:
            return Shaped(ADAPTERS[provider].client_body(answer, params, created()))
        except AdapterCrash as crash:
            return gateway_exception(crash.reply, status=crash.status)

    return settle


async def images_generations(starlette_request: Request) -> Response:
    """Validate, route through the config, map to each provider, call it, map the answer back."""
    request = await gateway_request(starlette_request)
    rejected = validate_request(request.headers)
    if rejected is not None:
        return reply(rejected)
    params = _params(request.body)
    if params is None:
        # The handler computes a 400 for RouterError, then returns this 500 anyway (§3.1).
        return reply(gateway_failure("Something went wrong", status=500))
    request.params = params
    try:
        request.fault = fault_from_headers(request.headers)
    except FaultError as error:
        return reply(mock_control_error(str(error)))
    try:
        outcome = await run_config(
            request,
            images=True,
            build=_builder(request),
            cache_endpoint="imageGenerate",
            settle=_settle(request),
        )
    except RouterError:
        return reply(gateway_failure("Something went wrong", status=500))  # same bug as above
    except RegexTimeout as error:  # the mock's own limit (gateway/jsregex.py)
        return reply(mock_control_error(str(error)))
    except GatewayCrash as crash:  # the global error handler's answer (src/index.ts onError)
        return reply(gateway_failure(str(crash), status=500))
    response = render(request, outcome, transform=True)
    if outcome.cache_key is not None and response.status_code in ASSUMED.stored_statuses:
        state = request.state
        state.cache.put(
            outcome.cache_key, bytes(response.body), outcome.provider, state.now(),
            outcome.cache_max_age,
        )  # fmt: skip
    return response
