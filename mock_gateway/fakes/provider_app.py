"""The fake providers on their own (``role="upstream"``): each provider's native API.

Any gateway can be pointed at this app (``custom_host``), the open-source Portkey gateway
included. It answers with the same fakes, faults and journal the mock gateway uses
in-process; each call's ``upstream`` holds the one attempt the provider answered.

One server holds every provider; their paths do not collide:

- Vertex AI: ``/v1/projects/{project}/locations/{region}/...`` (Imagen's ``:predict``);
- Workers AI: ``/client/v4/accounts/{account}/ai/run/@cf/...``;
- Fireworks: ``/inference/v1/image_generation/accounts/fireworks/models/{id}``;
- Segmind: ``/v1/{model-slug}`` (one segment after ``/v1``, e.g. ``/v1/sdxl1.0-txt2img``);
- OpenAI: ``POST /v1/images/generations``, and any path with an ``/images/`` segment (so a
  custom host without ``/v1`` meets OpenAI's own "Invalid URL" 404);
- Azure OpenAI: ``/openai/...`` and ``/deployments/...`` (``/openai/deployments/{id}/images/
  generations``, ``/openai/v1/images/generations``);
- the OpenAI-compatible providers, whose paths would collide with OpenAI's, each under its
  slug: ``/recraft-ai/v1/images/generations``, ``/deepbricks/...``, ``/lemonfox-ai/...``,
  ``/nscale/...``, ``/hyperbolic/v1/image/generation``, ``/siliconflow/v1/...`` (custom host
  ``http://HOST:PORT/<slug>/v1``, ``/<slug>`` for hyperbolic, whose base has no ``/v1``);
- Bedrock: any path with a ``/model/`` segment (``POST /model/{modelId}/invoke``), and any
  path under ``/bedrock`` (a custom host such as ``http://127.0.0.1:PORT/bedrock`` also takes
  the gateway's bare-base-URL call for ``stream: true``);
- Stability: everything else, e.g. ``POST /v1/generation/{engine}/text-to-image``,
  ``GET /v1/engines/list``, ``POST /v2beta/stable-image/generate/{core|ultra|sd3}``; unknown
  paths get Stability's 404. (Stability's paths say ``stable-image``, never ``images``.)
"""

from __future__ import annotations

import asyncio
import re
from typing import Unpack

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
from mock_gateway.gateway.request import REQUEST_KEY
from mock_gateway.journal import Attempt
from mock_gateway.settings import Settings, SettingsOptions
from mock_gateway.state import MockState, provider_answer
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse
from mock_gateway.wire.redact import redact_headers

__all__ = ["SLUG_PREFIXED", "create_upstream_app", "provider_for_path"]


# Providers served under /<slug>/ (their own paths collide with OpenAI's).
SLUG_PREFIXED = frozenset(
    {"recraft-ai", "deepbricks", "lemonfox-ai", "nscale", "hyperbolic", "siliconflow"}
)

# Azure OpenAI with or without its /openai base segment (a custom host replaces the base).
_AZURE_OPENAI = ("/openai/", "/deployments/")


# Other providers' own paths, checked first: (pattern, provider). Each is a shape the
# provider's gateway URL has after any custom host, and no Stability or OpenAI path has.
_OWN_PATHS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Vertex AI: /v1/projects/{p}/locations/{l}/... (its :predict, and the stream-bug route)
    (re.compile(r"(?:/.*)?/v1/projects/[^/]+/locations/[^/]+(?:/.*)?"), "vertex-ai"),
    # Workers AI: .../ai/run/{model}, or a custom host's /@cf/... (model ids start with @)
    (re.compile(r"(?:/.*?)?/@(?:cf|hf)/.+|(?:/.*)?/ai/run/.+"), "workers-ai"),
    # Fireworks: .../image_generation/{model} (its model ids have slashes)
    (re.compile(r"(?:/.*)?/image_generation/.+"), "fireworks-ai"),
    # Segmind: /v1/{model-slug}, one segment after /v1 (Stability's and OpenAI's have two+)
    (re.compile(r"(?:/.*)?/v1/(?!images$)[^/]+"), "segmind"),
)


def provider_for_path(path: str) -> str:
    """Which fake answers ``path``: a prefixed provider by its first segment, Azure OpenAI's
    paths (``/openai/...`` and ``/deployments/...``), Bedrock's (a ``/model/`` segment, or
    under ``/bedrock``), a provider whose own path shape it has (Vertex's ``/v1/projects/...``,
    Workers AI's ``/ai/run/...``, Fireworks' ``/image_generation/...``, Segmind's
    ``/v1/{slug}``), else ``openai`` if it has an ``/images/`` segment, else Stability."""
    first = path.split("/", 2)[1] if path.startswith("/") else ""
    if first in SLUG_PREFIXED:
        return first
    if path.startswith(_AZURE_OPENAI):
        return "azure-openai"
    if first == "bedrock" or "/model/" in path:
        return "bedrock"  # InvokeModel; /bedrock is a custom host for Bedrock's bare base URL
    for pattern, provider in _OWN_PATHS:
        if pattern.fullmatch(path):
            return provider
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
    settings: Settings | None = None, **options: Unpack[SettingsOptions]
) -> Starlette:
    """The fake providers' native APIs, with ``/_mock/`` control routes (see module doc).

    Options as ``create_app``'s (``mock_gateway.Settings``); the gateway-only ones are
    ignored. ``profile`` matters only for what the providers themselves do (OpenAI's retired
    DALL·E).
    """
    settings = Settings.from_options(dict(options), base=settings)
    state = MockState.from_settings(settings)
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
    app.add_middleware(ControlGuard, allowed_hosts=settings.allowed_hosts)  # /_mock/ only
    return app
