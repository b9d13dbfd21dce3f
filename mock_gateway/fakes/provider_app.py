"""The fake providers on their own (``role="upstream"``): Stability's and OpenAI's native APIs.

Any gateway can be pointed at this app (``custom_host``), the open-source Portkey gateway
included. It answers with the same fakes, faults and journal the mock gateway uses
in-process; each call's ``upstream`` holds the one attempt the provider answered.

One server holds both providers; their paths do not collide:

- OpenAI: ``POST /v1/images/generations``, and any path with an ``/images/`` segment (so a
  custom host without ``/v1`` meets OpenAI's own "Invalid URL" 404);
- Stability: everything else, e.g. ``POST /v1/generation/{engine}/text-to-image``,
  ``GET /v1/engines/list``, ``POST /v2beta/stable-image/generate/{core|ultra|sd3}``; unknown
  paths get Stability's 404. (Stability's paths say ``stable-image``, never ``images``.)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from mock_gateway.control.guard import ControlGuard
from mock_gateway.control.middleware import JournalMiddleware
from mock_gateway.control.routes import (
    control_blob,
    control_calls,
    control_faults,
    control_health,
    control_reset,
)
from mock_gateway.fakes.blobs import BLOB_PREFIX
from mock_gateway.faults import Fault, FaultError, fault_from_headers
from mock_gateway.gateway.profiles import DEFAULT_PROFILE, get_profile
from mock_gateway.gateway.registry import Registry
from mock_gateway.gateway.request import REQUEST_KEY
from mock_gateway.journal import Attempt, Journal
from mock_gateway.state import MockState, provider_answer
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse
from mock_gateway.wire.redact import redact_headers

__all__ = ["create_upstream_app", "provider_for_path"]


def provider_for_path(path: str) -> str:
    """Which fake answers ``path``: ``openai`` if it has an ``/images/`` segment, else Stability."""
    return "openai" if "/images/" in path + "/" else "stability-ai"


class _Dropped(Exception):
    """Close the connection without an answer (a ``drop`` or ``timeout`` fault)."""


class _UpstreamApp(Starlette):
    """Remembers each connection's transport, so a fault can close it mid-request."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # uvicorn's send is a bound method of its request cycle, which holds the transport
        # (None in-process, where a dropped connection becomes a bare 500).
        scope["mock.transport"] = getattr(getattr(send, "__self__", None), "transport", None)
        await super().__call__(scope, receive, send)


async def _answer(
    state: MockState, provider: str, request: UpstreamRequest, fault: Fault | None
) -> UpstreamResponse:
    fake = state.fakes[provider]
    if fault is None:
        return fake.handle(request)
    await asyncio.sleep(fault.hold if fault.kind == "timeout" else fault.delay)
    if fault.kind in ("timeout", "drop"):
        raise _Dropped
    return provider_answer(fake, request, fault)


async def _native(request: Request) -> Response:
    """A provider's own API: the request as it arrived, answered by the fake for its path."""
    state: MockState = request.app.state.mock
    path = request.url.path
    provider = provider_for_path(path)
    upstream = UpstreamRequest.build(
        request.method, str(request.url), request.headers.items(), await request.body()
    )
    try:
        fault = fault_from_headers(request.headers) or state.faults.take(path, provider)
    except FaultError as error:
        return JSONResponse({"status": "failure", "message": str(error)}, status_code=400)
    attempts: list[Attempt] = request.scope[REQUEST_KEY].attempts  # the journal's
    journaled = UpstreamRequest(
        upstream.method, upstream.url, tuple(redact_headers(upstream.headers)), upstream.body
    )
    try:
        answer = await _answer(state, provider, upstream, fault)
    except _Dropped:
        attempts.append(Attempt(provider, journaled, UpstreamResponse(0), fault))
        transport = request.scope.get("mock.transport")
        if transport is not None:
            transport.abort()  # the gateway's fetch sees the socket close before any answer
        return Response(b"", 500)  # written nowhere once the transport is gone
    attempts.append(Attempt(provider, journaled, answer, fault))
    # The fake's own headers only: content-length is the server's to set.
    headers = {k: v for k, v in answer.headers if k != "content-length"}
    return Response(answer.body, answer.status, headers=headers)


def create_upstream_app(
    *,
    seed: int = 0,
    clock: Callable[[], float] = time.time,
    journal_cap: int = 10_000,
    blocked_words: tuple[str, ...] = ("mock-blocked",),
    filtered_words: tuple[str, ...] = ("mock-filtered",),
    url_ttl: float = 3600.0,
    profile: str = DEFAULT_PROFILE,
    allowed_hosts: tuple[str, ...] = (),
) -> Starlette:
    """The fake providers' native APIs, with ``/_mock/`` control routes (see module doc).

    ``profile`` matters only for what the providers themselves do (OpenAI's retired DALL·E).
    """

    state = MockState(
        get_profile(profile),
        seed=seed,
        clock=clock,
        journal=Journal(cap=journal_cap),
        blocked_words=tuple(word.lower() for word in blocked_words),
        filtered_words=tuple(word.lower() for word in filtered_words),
        url_ttl=url_ttl,
        registry=Registry(),
    )
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    routes = [
        Route("/_mock/health", control_health, methods=["GET"]),
        Route("/_mock/requests", control_calls, methods=["GET"]),
        Route("/_mock/calls", control_calls, methods=["GET"]),
        Route("/_mock/reset", control_reset, methods=["POST"]),
        Route("/_mock/faults", control_faults, methods=["GET", "POST", "DELETE"]),
        Route(BLOB_PREFIX + "/{path:path}", control_blob, methods=["GET"]),
        Route("/{path:path}", _native, methods=methods),
    ]
    app = _UpstreamApp(routes=routes)
    app.state.mock = state
    app.state.role = "upstream"
    app.add_middleware(JournalMiddleware, state=state)
    app.add_middleware(ControlGuard, allowed_hosts=allowed_hosts)  # /_mock/ only
    return app
