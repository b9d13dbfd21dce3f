"""``create_app``: the mock gateway as a Starlette application. Routes only; logic lives in
``gateway/`` (Portkey's behaviour), ``adapters/`` (its provider mappings) and ``fakes/``.
"""

from __future__ import annotations

import logging
from typing import Any, Unpack

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from mock_gateway.contract_tools.strict import StrictResponses
from mock_gateway.control.guard import ControlGuard
from mock_gateway.control.inspector.routes import inspector_routes
from mock_gateway.control.middleware import JournalMiddleware
from mock_gateway.control.routes import (
    control_blob,
    control_cache,
    control_calls,
    control_clock,
    control_faults,
    control_health,
    control_openapi,
    control_registry,
    control_reset,
)
from mock_gateway.fakes.blobs import BLOB_PREFIX
from mock_gateway.gateway.edits import images_edits
from mock_gateway.gateway.errors import gateway_failure, not_found
from mock_gateway.gateway.hosted import HostedFeatures
from mock_gateway.gateway.proxy import proxy, proxy_unvalidated
from mock_gateway.gateway.request_context import reply, state_of
from mock_gateway.gateway.unified import images_generations
from mock_gateway.gateway.unmodelled import unmodelled_routes
from mock_gateway.settings import Settings, SettingsOptions
from mock_gateway.state import MockState

__all__ = ["create_app"]

logger = logging.getLogger("mock_gateway")


async def _home(request: Request) -> Response:
    # src/index.ts: app.get('/', (c) => c.text('AI Gateway says hey!')); Hono's charset is
    # upper case (conformance suite: validation-home).
    return Response(b"AI Gateway says hey!", headers={"content-type": "text/plain; charset=UTF-8"})


async def _openapi(request: Request) -> Response:
    from mock_gateway.contract_tools.openapi import openapi_document  # built on first use

    return JSONResponse(openapi_document())


async def _not_found(request: Request, exc: Exception) -> Response:
    # Hono answers an unrouted path, or a method no route takes, with its notFound body.
    return reply(not_found())


async def _internal_error(request: Request, exc: Exception) -> Response:
    # The gateway's app.onError shape. A 500 from our own code is a bug: flag it, log it, and
    # keep it so that the pytest fixture fails the test that caused it.
    state_of(request).errors.append(exc)
    # Starlette re-raises after this answer is sent; _MockApp stops it there, so that the
    # server keeps the connection (it would close it, unannounced, under the client's feet).
    request.scope["mock.answered_error"] = True
    logger.exception(
        "mock-portkey-gateway bug while handling %s %s", request.method, request.url.path
    )
    answer = reply(gateway_failure(str(exc) or type(exc).__name__, status=500))
    answer.headers["x-mock-internal-error"] = "true"
    return answer


class _MockApp(Starlette):
    """Starlette, except that an error already answered (and logged) is not re-raised."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except Exception:
            if not scope.get("mock.answered_error"):
                raise


def create_app(settings: Settings | None = None, **options: Unpack[SettingsOptions]) -> Starlette:
    """Build a mock Portkey gateway app (or, with ``role="upstream"``, the fake providers).

    ``create_app(Settings(profile="oss"))``, ``create_app(settings=...)`` or the same options
    as keywords, ``create_app(profile="oss")``; keywords given with settings replace theirs.
    Every option and its default is described once, in ``mock_gateway.Settings``.
    """
    settings = Settings.from_options(dict(options), base=settings)
    if settings.role == "upstream":
        from mock_gateway.fakes.provider_app import create_upstream_app

        return create_upstream_app(settings)
    state = MockState.from_settings(settings)
    proxy_methods = ["GET", "POST", "DELETE"]
    routes = [
        # The gateway's routes first: Starlette tries routes in order, and no other path
        # starts with /v1/, so this saves a dozen failed matches on every gateway request.
        Route("/v1/images/generations", images_generations, methods=["POST"]),
        Route("/v1/images/edits", images_edits, methods=["POST"]),
        Route("/v1/proxy/{path:path}", proxy_unvalidated, methods=["POST"]),
        *unmodelled_routes(),  # the gateway's other routes: 501 x-mock-unsupported
        Route("/v1/{path:path}", proxy, methods=proxy_methods),
        Route("/", _home, methods=["GET"]),
        Route("/_mock/health", control_health, methods=["GET"]),
        Route("/openapi.json", _openapi, methods=["GET"]),
        Route("/_mock/openapi.json", control_openapi, methods=["GET"]),
        Route("/_mock/requests", control_calls, methods=["GET"]),
        Route("/_mock/calls", control_calls, methods=["GET"]),
        Route("/_mock/reset", control_reset, methods=["POST"]),
        Route("/_mock/faults", control_faults, methods=["GET", "POST", "DELETE"]),
        Route("/_mock/registry", control_registry, methods=["GET", "POST"]),
        Route("/_mock/clock", control_clock, methods=["GET", "POST"]),
        Route("/_mock/cache", control_cache, methods=["GET", "DELETE"]),
        Route(BLOB_PREFIX + "/{path:path}", control_blob, methods=["GET"]),
        *inspector_routes(),  # GET /_mock/: the journal as a page
    ]
    handlers: dict[Any, Any] = {HTTPException: _not_found, Exception: _internal_error}
    app = _MockApp(routes=routes, exception_handlers=handlers)
    app.state.mock = state
    if settings.strict_responses:
        app.add_middleware(StrictResponses, state=state)
    app.add_middleware(HostedFeatures, state=state)  # hosted Portkey's lookups, before the gateway
    if settings.replay:  # inside the journal, which keeps replayed calls like any other
        from mock_gateway.recording.replay import ReplayMiddleware, load_replay

        app.add_middleware(ReplayMiddleware, exchanges=load_replay(settings.replay))
    app.add_middleware(JournalMiddleware, state=state)  # it sees what the client got
    app.add_middleware(ControlGuard, allowed_hosts=settings.allowed_hosts)  # /_mock/ only
    return app
