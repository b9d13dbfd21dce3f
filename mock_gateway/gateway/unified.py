"""``POST /v1/images/generations``: the unified, OpenAI-shaped images route (§3)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from mock_gateway import safejson
from mock_gateway.adapters import ADAPTERS, stability
from mock_gateway.faults import FaultError
from mock_gateway.gateway.dispatch import run_config
from mock_gateway.gateway.errors import (
    GatewayReply,
    dumps,
    gateway_exception,
    gateway_failure,
    mock_control_error,
)
from mock_gateway.gateway.headers import apply_forward_headers
from mock_gateway.gateway.jsregex import RegexTimeout
from mock_gateway.gateway.responses import (
    answer_headers,
    client_headers,
    early_answer,
    mock_fault,
    raw,
    reply,
    state_of,
)
from mock_gateway.gateway.routing import GatewayCrash, Outcome, RouterError
from mock_gateway.gateway.target import Target
from mock_gateway.gateway.validator import validate_request
from mock_gateway.upstream import UpstreamRequest

__all__ = ["images_generations"]


def _params(body: bytes) -> dict[str, Any] | None:
    """``c.req.json()``, then the ``{...body}`` spread: non-objects contribute nothing."""
    try:
        value = safejson.loads(body)
    except ValueError:
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
                base_url=leaf.custom_host or adapter.BASE_URL,
                boundary=state.boundary(),
                has_body=has_body,
            )
        except stability.SizeTypeError:
            return gateway_exception("Something went wrong")
        if not leaf.forward_headers:  # nothing to forward: the very same request
            return upstream, merged
        forwarded = apply_forward_headers(list(upstream.headers), leaf.forward_headers, headers)
        return UpstreamRequest(
            upstream.method, upstream.url, tuple(forwarded), upstream.body
        ), merged

    return build


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
    media = answer.media_type
    if media.startswith("image/") or media == "application/octet-stream":
        if state_of(request).profile.proxy_immutable_headers_bug:
            return reply(gateway_exception("Something went wrong"))
        return raw(answer.body, answer.status, out)
    body = ADAPTERS[outcome.provider].client_body(
        answer, outcome.params, state_of(request).created()
    )
    data = stability.images_json(body) or dumps(body)
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
            request, images=True, params=params, build=_builder(request, params), fault=fault
        )
    except RouterError:
        return reply(gateway_failure("Something went wrong", status=500))  # same bug as above
    except RegexTimeout as error:  # the mock's own limit (gateway/jsregex.py)
        return reply(mock_control_error(str(error)))
    except GatewayCrash as crash:  # the global error handler's answer (src/index.ts onError)
        return reply(gateway_failure(str(crash), status=500))
    return _render(request, outcome)
