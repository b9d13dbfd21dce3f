"""``POST /v1/images/generations``: the unified, OpenAI-shaped images route (§3)."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from mock_gateway.adapters import ADAPTERS, stability
from mock_gateway.faults import FaultError
from mock_gateway.gateway.errors import (
    dumps,
    gateway_exception,
    gateway_failure,
    mock_control_error,
    mock_unsupported,
)
from mock_gateway.gateway.headers import apply_forward_headers
from mock_gateway.gateway.responses import (
    answer_headers,
    attempts_of,
    early_answer,
    mock_fault,
    provider_problem,
    raw,
    reply,
    state_of,
)
from mock_gateway.gateway.target import resolve_target
from mock_gateway.gateway.validator import validate_request
from mock_gateway.upstream import UpstreamRequest

__all__ = ["images_generations"]


def _params(body: bytes) -> dict[str, Any] | None:
    """``c.req.json()``, then the ``{...body}`` spread: non-objects contribute nothing."""
    try:
        value = json.loads(body)
    except ValueError:
        return None
    return value if isinstance(value, dict) else {}


async def images_generations(request: Request) -> Response:
    """Validate, resolve the target, map to the provider, call it, map the answer back."""
    headers = request.headers
    rejected = validate_request(headers)
    if rejected is not None:
        return reply(rejected)
    params = _params(await request.body())
    if params is None:
        # The handler computes a 400 for RouterError, then returns this 500 anyway (§3.1).
        return reply(gateway_failure("Something went wrong", status=500))
    target = resolve_target(headers)
    if target.targets or target.strategy:
        return reply(mock_unsupported("config strategies and targets yet"))
    problem = provider_problem(target.provider, images=True)
    if problem is not None:
        return reply(problem)
    try:
        fault = mock_fault(request)
    except FaultError as error:
        return reply(mock_control_error(str(error)))
    state = state_of(request)
    provider = str(target.provider)  # provider_problem rejected a missing one
    adapter = ADAPTERS[provider]
    merged = {**params, **target.override_params}
    try:
        upstream = adapter.to_upstream(
            merged,
            api_key=target.api_key,
            base_url=target.custom_host or adapter.BASE_URL,
            boundary=state.boundary(),
            has_body="content-type" in headers,
        )
    except stability.SizeTypeError:
        return reply(gateway_exception("Something went wrong"))
    forwarded = apply_forward_headers(list(upstream.headers), target.forward_headers, headers)
    upstream = UpstreamRequest(upstream.method, upstream.url, tuple(forwarded), upstream.body)
    answer = await state.send(
        attempts_of(request), target.path, upstream, provider=provider,
        client_path=request.url.path, fault=fault, timeout_ms=target.request_timeout,
    )  # fmt: skip
    out = answer_headers(request, provider, answer)
    early = early_answer(answer, out)
    if early is not None:
        return early
    if answer.media_type.startswith("image/") or answer.media_type == "application/octet-stream":
        if state.profile.proxy_immutable_headers_bug:
            return reply(gateway_exception("Something went wrong"))
        return raw(answer.body, answer.status, out)
    body = adapter.client_body(answer, merged, state.created())
    out["content-type"] = "application/json"
    return raw(dumps(body), answer.status, out)
