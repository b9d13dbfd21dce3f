"""The answer a routed request gets: the gateway's own reply, a cache hit, or the provider's
answer with the gateway's headers (passed on whole, or made OpenAI-shaped by the adapter).

One renderer for both routes: the unified route maps a JSON answer back through the
provider's adapter (``transform=True``), except in streaming mode (``stream: true``); the
proxy route passes every answer on as it came.
"""

from __future__ import annotations

from starlette.responses import Response

from mock_gateway.adapters import ADAPTERS
from mock_gateway.adapters.base import AdapterCrash
from mock_gateway.gateway.cache import HIT
from mock_gateway.gateway.config_strategies import Outcome
from mock_gateway.gateway.errors import gateway_exception
from mock_gateway.gateway.headers import portkey_headers
from mock_gateway.gateway.request import GatewayRequest
from mock_gateway.gateway.request_context import answer_headers, early_answer, raw, reply
from mock_gateway.hints import hint

__all__ = ["IMMUTABLE_HEADERS_HINT", "render"]

# A mock-only hint (x-mock-hint) for an open-source profile's quirk.
IMMUTABLE_HEADERS_HINT = (
    "profile oss-npm: the gateway as npm installs it (@hono/node-server 1.19) turns the "
    "provider's 2xx into this 500; use profile oss or hosted"
)


def _from_cache(request: GatewayRequest, outcome: Outcome, body: bytes) -> Response:
    """A hit: the stored bytes as JSON with status 200 (SOURCE: 1.15.2 CacheService
    createResponseObject), and the x-portkey-* headers of the target that answered."""
    trace = request.state.trace_id(request.headers.get("x-portkey-trace-id"))
    out = portkey_headers(outcome.provider, trace, index=outcome.path, cache_status=HIT)
    return raw(body, 200, {"content-type": "application/json", **out})


def _streaming_mode(
    request: GatewayRequest, body: bytes, status: int, headers: dict[str, str]
) -> Response:
    """``stream: true`` puts the gateway in streaming mode whatever the provider does: a 200
    passes through raw, not re-serialised, and no transform runs (gateway-image-edits.md §5)."""
    if request.state.profile.proxy_immutable_headers_bug:
        hint(IMMUTABLE_HEADERS_HINT)  # `new Response(readable, response)`: measured 500
        return reply(gateway_exception("Something went wrong"))
    return raw(body, status, headers)


def render(request: GatewayRequest, outcome: Outcome, *, transform: bool) -> Response:
    """The response for ``outcome``; ``transform``: map a JSON answer through the adapter."""
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
    if transform and outcome.params.get("stream") is True and answer.status in (200, 246):
        # An adapter's optional `stream_body`: what the provider's stream reader makes of the
        # body (Bedrock's reads AWS event-stream frames: none in a JSON body, so nothing).
        streamed = getattr(ADAPTERS[outcome.provider], "stream_body", None)
        body = answer.body if streamed is None else streamed(answer.body)
        return _streaming_mode(request, body, answer.status, out)
    if not transform or media.startswith("image/") or media == "application/octet-stream":
        # oss-npm's immutable-headers bug: any answer the unified route passes on whole
        # (an image), any 2xx on the proxy route.
        bug = request.state.profile.proxy_immutable_headers_bug
        if bug and (transform or 200 <= answer.status < 300):
            hint(IMMUTABLE_HEADERS_HINT)
            return reply(gateway_exception("Something went wrong"))
        return raw(answer.body, answer.status, out)
    adapter = ADAPTERS[outcome.provider]
    if outcome.shaped is not None:  # the unified route's settle ran the transform already
        shaped = outcome.shaped.body
    else:
        try:
            shaped = adapter.client_body(answer, outcome.params, request.state.created())
        except AdapterCrash as crash:  # the provider's response transform throws (Workers
            return reply(
                gateway_exception(crash.reply, status=crash.status)
            )  # AI's `result: null`)
    data = adapter.client_json(shaped)
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
