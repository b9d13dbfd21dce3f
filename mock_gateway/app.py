"""``create_app``: the mock gateway as a Starlette application. Routes only; logic lives in
``gateway/`` (Portkey's behaviour), ``adapters/`` (its provider mappings) and ``fakes/``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

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
from mock_gateway.gateway.profiles import DEFAULT_PROFILE, get_profile
from mock_gateway.gateway.proxy import proxy, proxy_unvalidated
from mock_gateway.gateway.registry import Registry
from mock_gateway.gateway.request_context import reply, state_of
from mock_gateway.gateway.unified import images_generations
from mock_gateway.gateway.unmodelled import unmodelled_routes
from mock_gateway.journal import DEFAULT_JOURNAL_BYTES, DEFAULT_JOURNAL_CAP, Journal
from mock_gateway.state import MockState
from mock_gateway.wire.limits import (
    DEFAULT_MAX_BODY,
)

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


def create_app(
    *,
    profile: str = DEFAULT_PROFILE,
    seed: int = 0,
    clock: Callable[[], float] = time.time,
    journal_cap: int = DEFAULT_JOURNAL_CAP,
    journal_bytes: int = DEFAULT_JOURNAL_BYTES,
    max_body_bytes: int = DEFAULT_MAX_BODY,
    blocked_words: tuple[str, ...] = ("mock-blocked",),
    filtered_words: tuple[str, ...] = ("mock-filtered",),
    url_ttl: float = 3600.0,
    strict_responses: bool = False,
    time_scale: float = 1.0,
    registry: Registry | None = None,
    role: str = "gateway",
    replay: Sequence[str | Path] = (),
    allowed_hosts: tuple[str, ...] = (),
) -> Starlette:
    """Build a mock Portkey gateway app (or, with ``role="upstream"``, the fake providers).

    Args:
        profile: which gateway flavour to imitate (``hosted``: today's, ``hosted-2025``,
            ``hosted-2024``, ``oss``, ``oss-npm``); see ``mock_gateway.PROFILES``.
        seed: seeds every generated id, trace id and Stability "random" seed.
        clock: the gateway's clock, for ``created``, the cache's ``max_age`` and DALL·E URL
            lifetimes (inject a fixed one for snapshots; ``POST /_mock/clock`` advances it).
        journal_cap: how many calls the journal keeps before dropping the oldest.
        journal_bytes: how many bytes the journal keeps (each call's head, bodies, answer
            and upstream attempts) before dropping the oldest calls; ``GET /_mock/requests``
            counts the dropped.
        max_body_bytes: a request body over this gets the mock's 413 before it is read whole.
        blocked_words: a prompt containing one is refused by the provider's content filter
            (OpenAI's moderation error, Stability v2beta's 403; v1 answers CONTENT_FILTERED).
        filtered_words: Stability answers 200 with a blurred image marked CONTENT_FILTERED
            (OpenAI, which has no such answer, refuses these too).
        url_ttl: seconds a DALL·E image URL stays valid (OpenAI: 60 minutes).
        strict_responses: check every JSON answer against its contract before sending it,
            and answer a loud 500 instead of one that breaks it (a debug switch).
        time_scale: multiplies the gateway's own waits (retry backoff, retry-after, a timeout
            fault's hold): 1.0 is faithful; the journal records faithful times whatever the
            scale.
        registry: hosted Portkey's records (API keys, virtual keys, @slug providers, saved
            configs), used by the hosted profiles; see ``mock_gateway.Registry``.
        role: ``gateway`` (the default), or ``upstream``: the fake Stability and OpenAI APIs
            at their native paths, for a real gateway's ``custom_host``
            (``mock_gateway.fakes.provider_app``; the gateway-only options are ignored).
        replay: HAR cassettes (``mock-portkey record``): a request recorded there (same
            method, path and body) gets its recorded answer; see ``mock_gateway.recording.replay``.
        allowed_hosts: names besides loopback and the bound address that may reach the
            ``/_mock/`` controls in a ``Host`` header (``mock_gateway.control.guard``).
    """
    if role == "upstream":
        from mock_gateway.fakes.provider_app import create_upstream_app

        return create_upstream_app(
            seed=seed,
            clock=clock,
            journal_cap=journal_cap,
            blocked_words=blocked_words,
            filtered_words=filtered_words,
            url_ttl=url_ttl,
            profile=profile,
            allowed_hosts=allowed_hosts,
        )
    if role != "gateway":
        raise ValueError(f"unknown role {role!r}; choose gateway or upstream")
    state = MockState(
        get_profile(profile),
        seed=seed,
        clock=clock,
        journal=Journal(cap=journal_cap, max_bytes=journal_bytes),
        blocked_words=tuple(word.lower() for word in blocked_words),
        filtered_words=tuple(word.lower() for word in filtered_words),
        url_ttl=url_ttl,
        time_scale=time_scale,
        registry=registry or Registry(),
        max_body_bytes=max_body_bytes,
    )
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
    if strict_responses:
        app.add_middleware(StrictResponses, state=state)
    app.add_middleware(HostedFeatures, state=state)  # hosted Portkey's lookups, before the gateway
    if replay:  # inside the journal, which keeps replayed calls like any other
        from mock_gateway.recording.replay import ReplayMiddleware, load_replay

        app.add_middleware(ReplayMiddleware, exchanges=load_replay(replay))
    app.add_middleware(JournalMiddleware, state=state)  # it sees what the client got
    app.add_middleware(ControlGuard, allowed_hosts=allowed_hosts)  # /_mock/ only
    return app
