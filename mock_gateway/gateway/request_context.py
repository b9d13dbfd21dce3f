"""Turning gateway decisions into Starlette responses, and checks shared by both routes.

The request's own facts travel in a ``GatewayRequest`` (``gateway/request.py``).
``state_of``, ``client_headers``, ``attempts_of`` and ``mock_fault`` read them from a
Starlette ``Request``: kept for one release for code written against them; the gateway's
routes no longer call them.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response

from mock_gateway.adapters import ADAPTERS
from mock_gateway.faults import Fault, fault_from_headers
from mock_gateway.gateway.errors import (
    GatewayReply,
    dumps,
    gateway_exception,
    mock_unsupported,
)
from mock_gateway.gateway.headers import passthrough_headers, portkey_headers
from mock_gateway.gateway.providers import IMAGE_PROVIDERS, VALID_PROVIDERS
from mock_gateway.gateway.request import REQUEST_KEY, GatewayRequest
from mock_gateway.journal import Attempt
from mock_gateway.state import MockState
from mock_gateway.upstream import UpstreamResponse
from mock_gateway.wire.call_headers import joined_values
from mock_gateway.wire.js import js_string

__all__ = [
    "answer_headers",
    "attempts_of",
    "client_headers",
    "early_answer",
    "mock_fault",
    "provider_problem",
    "raw",
    "reply",
    "state_of",
    "timeout_body",
]


def reply(answer: GatewayReply) -> Response:
    """A gateway-made answer as a response."""
    return Response(answer.body, answer.status, headers=answer.headers)


def raw(body: bytes, status: int, headers: Mapping[str, str]) -> Response:
    """Bytes with exactly these headers (the content type among them)."""
    return Response(body, status, headers=dict(headers))


def _found(request: Request) -> GatewayRequest | None:
    found: GatewayRequest | None = request.scope.get(REQUEST_KEY)
    return found


def state_of(request: Request) -> MockState:
    """The app's mock state (``GatewayRequest.state`` under the journal middleware)."""
    found = _found(request)
    if found is not None:
        return found.state
    state: MockState = request.app.state.mock
    return state


def client_headers(request: Request) -> dict[str, str]:
    """The request's headers as the gateway reads them (``GatewayRequest.headers``): a
    repeated name's values joined with ", ", names lower case."""
    found = _found(request)
    return found.headers if found is not None else joined_values(request.scope["headers"])


def attempts_of(request: Request) -> list[Attempt]:
    """The upstream attempts of this request (``GatewayRequest.attempts``), which the journal
    middleware collects; a list nobody keeps outside it."""
    found = _found(request)
    return found.attempts if found is not None else []


def provider_problem(provider: str | None, *, images: bool) -> GatewayReply | None:
    """What the gateway (or this mock) says before any upstream call for ``provider``."""
    if provider not in VALID_PROVIDERS or provider == "portkey":
        # ProviderContext: no provider config -> GatewayError (JS prints undefined as '').
        return gateway_exception(f"Provider {provider or ''} not found")
    if images and provider not in IMAGE_PROVIDERS:
        return gateway_exception(f"imageGenerate is not supported by {provider}")
    if provider not in ADAPTERS:  # the providers this mock has an adapter and a fake for
        return mock_unsupported(f"provider {provider!r} (only {', '.join(sorted(ADAPTERS))})")
    return None


def mock_fault(request: Request | GatewayRequest) -> Fault | None:
    """The per-request fault from ``x-mock-*`` headers; ``FaultError`` if they are malformed."""
    headers = request.headers if isinstance(request, GatewayRequest) else client_headers(request)
    return fault_from_headers(headers)


def timeout_body(timeout_ms: float) -> bytes:
    """The gateway's 408 for ``request_timeout`` (retryHandler.ts, measured §5.4): no transform."""
    message = f"Request exceeded the timeout sent in the request: {js_string(timeout_ms)}ms"
    error = {"message": message, "type": "timeout_error", "param": None, "code": None}
    return dumps({"error": error})


def answer_headers(
    request: GatewayRequest | Request,
    provider: str | None,
    answer: UpstreamResponse,
    *,
    index: str = "config",
    retries: int = 0,
    cache_status: str = "DISABLED",
) -> dict[str, str]:
    """Upstream headers as passed on, plus the ``x-portkey-*`` headers of an upstream attempt."""
    if isinstance(request, GatewayRequest):
        state, headers = request.state, request.headers
    else:
        state, headers = state_of(request), client_headers(request)
    trace = state.trace_id(headers.get("x-portkey-trace-id"))
    portkey = portkey_headers(
        provider or "", trace, index=index, retries=retries, cache_status=cache_status
    )
    return passthrough_headers(answer) | portkey


def early_answer(answer: UpstreamResponse, headers: dict[str, str]) -> Response | None:
    """The answer when the attempt did not reach a provider: unmodelled, or timed out (408)."""
    if answer.meta.get("mock_unsupported"):
        # Passed on as the gateway passes any provider answer, x-mock-unsupported included.
        return raw(answer.body, answer.status, headers)
    if "timeout_ms" in answer.meta:
        body = timeout_body(answer.meta["timeout_ms"])
        return raw(body, 408, {**headers, "content-type": "application/json"})
    return None
