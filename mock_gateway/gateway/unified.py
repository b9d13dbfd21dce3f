"""``POST /v1/images/generations``: the unified, OpenAI-shaped images route (§3)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from mock_gateway.adapters import ADAPTERS
from mock_gateway.adapters.base import AdapterCrash
from mock_gateway.faults import FaultError
from mock_gateway.gateway.cache import ASSUMED, HIT
from mock_gateway.gateway.config_runner import run_config
from mock_gateway.gateway.config_strategies import GatewayCrash, Outcome, RouterError
from mock_gateway.gateway.errors import (
    GatewayReply,
    gateway_exception,
    gateway_failure,
    mock_control_error,
)
from mock_gateway.gateway.headers import apply_forward_headers, portkey_headers
from mock_gateway.gateway.jsregex import RegexTimeout
from mock_gateway.gateway.proxy import IMMUTABLE_HEADERS_HINT
from mock_gateway.gateway.request_context import (
    answer_headers,
    client_headers,
    early_answer,
    mock_fault,
    raw,
    reply,
    state_of,
)
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


def _builder(request: Request, params: Mapping[str, Any]) -> Any:
    state = state_of(request)
    headers = client_headers(request)
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


def _settle(request: Request) -> Any:
    """``run_config``'s settle: the 500 gateway exception when the adapter's response
    transform throws (nscale's error bodies), decided per target so a fallback stops there."""
    created = state_of(request).created

    def settle(
        provider: str, answer: UpstreamResponse, params: Mapping[str, Any]
    ) -> GatewayReply | None:
        media = answer.media_type
        if answer.meta.get("mock_unsupported") or "timeout_ms" in answer.meta:
            return None  # answered without the transform (early_answer)
        if media.startswith("image/") or media == "application/octet-stream":
            return None
        try:
            ADAPTERS[provider].client_body(answer, params, created())
        except AdapterCrash as crash:
            return gateway_exception(crash.reply, status=crash.status)
        return None

    return settle


def _from_cache(request: Request, outcome: Outcome, body: bytes) -> Response:
    """A hit: the stored bytes as JSON with status 200 (SOURCE: 1.15.2 CacheService
    createResponseObject), and the x-portkey-* headers of the target that answered."""
    trace = state_of(request).trace_id(client_headers(request).get("x-portkey-trace-id"))
    out = portkey_headers(outcome.provider, trace, index=outcome.path, cache_status=HIT)
    return raw(body, 200, {"content-type": "application/json", **out})


def _streaming_mode(
    request: Request, body: bytes, status: int, headers: dict[str, str]
) -> Response:
    """``stream: true`` puts the gateway in streaming mode whatever the provider does: a 200
    passes through raw, not re-serialised, and no transform runs (gateway-image-edits.md §5)."""
    if state_of(request).profile.proxy_immutable_headers_bug:
        hint(IMMUTABLE_HEADERS_HINT)  # `new Response(readable, response)`: measured 500
        return reply(gateway_exception("Something went wrong"))
    return raw(body, status, headers)


def _render(request: Request, outcome: Outcome) -> Response:
    if outcome.reply is not None:
        return reply(outcome.reply)
    if outcome.cached is not None:
        return _from_cache(request, outcome, outcome.cached)
    answer = outcome.response
    assert answer is not None
    out = answer_headers(
        request,
        outcome.provider,
        answer,
        index=outcome.path,
        retries=outcome.retries,
        cache_status=outcome.cache_status,
    )
    early = early_answer(answer, out)
    if early is not None:
        return early
    media = answer.media_type
    if outcome.params.get("stream") is True and answer.status in (200, 246):
        # An adapter's optional `stream_body`: what the provider's stream reader makes of the
        # body (Bedrock's reads AWS event-stream frames: none in a JSON body, so nothing).
        streamed = getattr(ADAPTERS[outcome.provider], "stream_body", None)
        body = answer.body if streamed is None else streamed(answer.body)
        return _streaming_mode(request, body, answer.status, out)
    if media.startswith("image/") or media == "application/octet-stream":
        if state_of(request).profile.proxy_immutable_headers_bug:
            hint(IMMUTABLE_HEADERS_HINT)
            return reply(gateway_exception("Something went wrong"))
        return raw(answer.body, answer.status, out)
    adapter = ADAPTERS[outcome.provider]
    try:
        body = adapter.client_body(answer, outcome.params, state_of(request).created())
    except AdapterCrash as crash:  # the provider's response transform throws (Workers AI's
        return reply(gateway_exception(crash.reply, status=crash.status))  # `result: null`)
    data = adapter.client_json(body)
    # A JSON answer keeps the provider's content type whole (Stability v2beta's
    # `application/json; type=image/png`); a text answer, now JSON, is labelled JSON; an
    # answer without one gets text/plain (conformance suite, against the real gateway 1.15.2).
    upstream_type = answer.header("content-type")
    if upstream_type is None:
        upstream_type = "text/plain;charset=UTF-8"  # a string Response's default (§3.4, sic)
    elif media != "application/json":
        upstream_type = "application/json"
    out["content-type"] = upstream_type
    return raw(data, answer.status, out)


async def images_generations(request: Request) -> Response:
    """Validate, route through the config, map to each provider, call it, map the answer back."""
    rejected = validate_request(client_headers(request))
    if rejected is not None:
        return reply(rejected)
    params = _params(await request.body())
    if params is None:
        # The handler computes a 400 for RouterError, then returns this 500 anyway (§3.1).
        return reply(gateway_failure("Something went wrong", status=500))
    try:
        fault = mock_fault(request)
    except FaultError as error:
        return reply(mock_control_error(str(error)))
    try:
        outcome = await run_config(
            request,
            images=True,
            params=params,
            build=_builder(request, params),
            fault=fault,
            cache_endpoint="imageGenerate",
            settle=_settle(request),
        )
    except RouterError:
        return reply(gateway_failure("Something went wrong", status=500))  # same bug as above
    except RegexTimeout as error:  # the mock's own limit (gateway/jsregex.py)
        return reply(mock_control_error(str(error)))
    except GatewayCrash as crash:  # the global error handler's answer (src/index.ts onError)
        return reply(gateway_failure(str(crash), status=500))
    response = _render(request, outcome)
    if outcome.cache_key is not None and response.status_code in ASSUMED.stored_statuses:
        state = state_of(request)
        state.cache.put(
            outcome.cache_key, bytes(response.body), outcome.provider, state.now(),
            outcome.cache_max_age,
        )  # fmt: skip
    return response
