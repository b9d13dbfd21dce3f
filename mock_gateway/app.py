"""``create_app``: the mock gateway as a Starlette application. Routes only; logic lives in
``gateway/`` (Portkey's behaviour), ``adapters/`` (its provider mappings) and ``fakes/``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_gateway import safejson
from mock_gateway._version import __version__
from mock_gateway.blobs import BLOB_PREFIX, current_origin, origin_of
from mock_gateway.control_guard import ControlGuard
from mock_gateway.faults import FaultError, queued_from_json
from mock_gateway.gateway.errors import gateway_failure, not_found
from mock_gateway.gateway.hosted import HostedFeatures
from mock_gateway.gateway.profiles import DEFAULT_PROFILE, get_profile
from mock_gateway.gateway.proxy import proxy, proxy_unvalidated
from mock_gateway.gateway.responses import reply, state_of
from mock_gateway.gateway.unified import images_generations
from mock_gateway.gateway.unmodelled import unmodelled_routes
from mock_gateway.hints import HINT_HEADER, collecting, header_value
from mock_gateway.inspector import inspector_routes
from mock_gateway.journal import DEFAULT_JOURNAL_BYTES, DEFAULT_JOURNAL_CAP, Call, Journal
from mock_gateway.js import is_number
from mock_gateway.limits import (
    DEFAULT_MAX_BODY,
    DEFAULT_PAGE,
    MAX_PAGE,
    PAGE_BYTES,
    ClientGone,
    RequestRefused,
    page_params,
    read_body,
    within_bytes,
)
from mock_gateway.offload import OFF_LOOP_BODY, heavy, run_off_loop
from mock_gateway.redact import redact_config
from mock_gateway.registry import Registry
from mock_gateway.state import MockState
from mock_gateway.strict import StrictResponses

__all__ = ["create_app"]

logger = logging.getLogger("mock_gateway")

# A call holding more than this is serialised in a worker thread, not on the event loop.
_OFF_LOOP_BYTES = 256 * 1024


async def _home(request: Request) -> Response:
    # src/index.ts: app.get('/', (c) => c.text('AI Gateway says hey!')); Hono's charset is
    # upper case (conformance suite: validation-home).
    return Response(b"AI Gateway says hey!", headers={"content-type": "text/plain; charset=UTF-8"})


def _json(data: Any, status: int = 200) -> Response:
    # safejson: what a client posted may hold a lone surrogate or 1e400, which it can write.
    return Response(safejson.dumps(data), status, media_type="application/json")


async def _health(request: Request) -> Response:
    state = state_of(request)
    return JSONResponse({"status": "ok", "version": __version__, "profile": state.profile.name})


async def _calls(request: Request) -> Response:
    """One page of the journal, oldest first: ``?limit=`` calls from ``?cursor=`` on (fewer
    when they hold more than ``PAGE_BYTES``: a page in the making keeps its calls alive)."""
    journal = state_of(request).journal
    try:
        limit, cursor = page_params(request.query_params, DEFAULT_PAGE, MAX_PAGE, "cursor")
    except ValueError as error:
        return JSONResponse({"status": "failure", "message": str(error)}, status_code=400)
    calls, dropped = journal.calls(), journal.dropped
    start = 0 if cursor is None or not calls else max(0, cursor - calls[0].index)
    page = within_bytes(calls[start : start + limit], PAGE_BYTES)
    following = str(page[-1].index + 1) if page and start + len(page) < len(calls) else None
    # The headers say so without parsing: a test reading the journal sees it was trimmed,
    # and a client paging through it where the next page starts.
    headers = {"x-mock-journal-dropped": str(dropped)}
    if following is not None:
        headers["x-mock-next-cursor"] = following
    tail = {"dropped": dropped, "next": following, "total": len(calls)}
    return StreamingResponse(
        _page_json(page, safejson.dumps(tail)), media_type="application/json", headers=headers
    )


async def _page_json(calls: list[Call], tail: bytes) -> AsyncIterator[bytes]:
    """``{"calls": [...], ...tail}``, a call at a time, big calls serialised off the loop."""
    yield b'{"calls":['
    for number, call in enumerate(calls):
        # safejson: a body the client sent may hold numbers JSON cannot carry (1e400 -> null).
        if call.size > _OFF_LOOP_BYTES:
            data = await heavy(_call_json, call)
        else:
            data = _call_json(call)
            await asyncio.sleep(0)  # let other clients in between calls
        yield b"," + data if number else data
    yield b"]," + tail[1:]


def _call_json(call: Call) -> bytes:
    return safejson.dumps(call.to_json())


async def _reset(request: Request) -> Response:
    state_of(request).reset()
    return JSONResponse({"status": "ok"})


async def _faults(request: Request) -> Response:
    """GET: what is queued; POST ``{"fault": ..., "times": N, "path": ...}``; DELETE: clear."""
    queue = state_of(request).faults
    if request.method == "DELETE":
        queue.clear()
    elif request.method == "POST":
        try:
            fault, where = queued_from_json(safejson.loads(await request.body()))
            queue.add(fault, **where)
        except FaultError as error:  # every wrong field named, in one answer
            body = {"status": "failure", "message": str(error), "fields": error.fields}
            return _json(body, 400)
        except ValueError as error:  # not JSON
            return _json({"status": "failure", "message": str(error)}, 400)
    return _json({"faults": queue.pending()})


async def _blob(request: Request) -> Response:
    # The signed image URLs DALL·E answers with (`response_format: "url"`), served here.
    status, content_type, body = state_of(request).blobs.get(request.url.path, request.url.query)
    return Response(body, status, media_type=content_type)


async def _registry(request: Request) -> Response:
    """GET: hosted Portkey's records; POST: merge a registry document into them."""
    registry = state_of(request).registry
    if request.method == "POST":
        try:
            registry.update(Registry.from_json(safejson.loads(await request.body())))
        except ValueError as error:  # RegistryError and bad JSON alike
            return _json({"status": "failure", "message": str(error)}, 400)
    # The records carry provider keys: shown shortened, as everywhere else the mock answers.
    return _json(redact_config(registry.to_json()))


async def _clock(request: Request) -> Response:
    """GET: the mock's time; POST ``{"advance": seconds}``: move it forward (cache max_age,
    DALL·E URL lifetimes) without waiting."""
    state = state_of(request)
    if request.method == "POST":
        try:
            data = safejson.loads(await request.body())
            seconds: Any = data.get("advance") if isinstance(data, dict) else None
            if not is_number(seconds):
                raise ValueError('send {"advance": <seconds>}, a number')
            if isinstance(seconds, int) and seconds.bit_length() > 1000:
                seconds = float("inf")  # JSON.parse: an integer past a double is Infinity
            state.advance_clock(float(seconds))
        except ValueError as error:
            return _json({"status": "failure", "message": str(error)}, 400)
    return _json({"now": state.now(), "offset": state.clock_offset})


async def _cache(request: Request) -> Response:
    """GET: hosted Portkey's cache, as the mock holds it; DELETE: empty it."""
    cache = state_of(request).cache
    if request.method == "DELETE":
        cache.clear()
    return JSONResponse({"entries": cache.entries()})


async def _openapi(request: Request) -> Response:
    from mock_gateway.openapi import openapi_document  # built on first use

    return JSONResponse(openapi_document())


async def _control_openapi(request: Request) -> Response:
    from mock_gateway.control_openapi import control_openapi_document  # built on first use

    return JSONResponse(control_openapi_document())


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


_HINT = HINT_HEADER.encode()


async def _watch(
    receive: Receive,
    gone: asyncio.Event,
    handler: asyncio.Task[Any] | None,
    answered: Callable[[], bool],
) -> None:
    """Wait for the client's disconnect; cancel ``handler`` if it has not answered by then."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            gone.set()
            if not answered() and handler is not None:
                handler.cancel()
            return


def _json_like(call: Call) -> bool:
    """Whether the body may be read as JSON: typed so, untyped, or starting like JSON."""
    media = (call.header("content-type") or "").split(";")[0].strip().lower()
    return media in ("", "application/json") or call.body[:1] in (b"{", b"[")


class _MockApp(Starlette):
    """Starlette, except that an error already answered (and logged) is not re-raised."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except Exception:
            if not scope.get("mock.answered_error"):
                raise


class JournalMiddleware:
    """Records every gateway request (not ``/_mock/``) with its answer and upstream attempts."""

    def __init__(self, app: ASGIApp, state: MockState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (scope["path"] + "/").startswith("/_mock/"):
            await self.app(scope, receive, send)
            return
        pairs = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        call = self.state.journal.open(
            time=time.time(),
            method=scope["method"],
            path=scope["path"],
            query=scope.get("query_string", b"").decode("latin-1"),
            headers=pairs,
            body=b"",
        )
        scope["mock.attempts"] = call.attempts
        hints = collecting()  # why it answered so, where the answer cannot say (hints.py)
        # DALL·E's URLs must point at the host and port this client used to reach us.
        current_origin.set(origin_of(dict(pairs), scope.get("scheme", "http")))
        # Read the whole body first, so it is journaled even when no handler reads it (404s);
        # one over the limit is refused before it is read whole, its first bytes journaled.
        limit, timeout = self.state.max_body_bytes, self.state.body_timeout
        try:
            call.body = await read_body(receive, scope["headers"], limit, timeout)
        except RequestRefused as refused:
            call.body, call.body_truncated_from = refused.prefix, refused.size
            await self._answer(call, reply(refused.reply), scope, receive, send)
            return
        except ClientGone as gone:  # killed mid-upload: kept, marked, and nobody to answer
            call.body, call.aborted = gone.received, True
            self.state.journal.settle(call)
            return
        replayed, done = False, False
        left = asyncio.Event()

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": call.body, "more_body": False}
            await left.wait()  # the watcher below owns the client's receive from now on
            return {"type": "http.disconnect"}

        async def send_and_keep(message: Message) -> None:
            nonlocal done
            if message["type"] == "http.response.start":
                if hints:
                    headers = [*message["headers"], (_HINT, header_value(hints))]
                    message = {**message, "headers": headers}
                call.status = message["status"]
                call.response_headers = [
                    (k.decode("latin-1"), v.decode("latin-1")) for k, v in message["headers"]
                ]
            elif message["type"] == "http.response.body":
                call.response_body += message.get("body", b"")
                if not message.get("more_body", False):
                    done = True
                    self.state.journal.settle(call)
            await send(message)

        # A client that leaves takes its request's work with it (retries, held faults): the
        # watcher cancels the handler as soon as the server reports the disconnect.
        handler = asyncio.current_task()
        watcher = asyncio.create_task(_watch(receive, left, handler, lambda: done))
        try:
            if len(call.body) > OFF_LOOP_BODY and _json_like(call):  # offload.py
                await run_off_loop(self.app, scope, replay, send_and_keep)
            else:
                await self.app(scope, replay, send_and_keep)
        except asyncio.CancelledError:
            if not left.is_set() or handler is None or handler.uncancel() > 0:
                raise  # a cancellation from elsewhere (server shutdown): pass it on
        finally:
            watcher.cancel()
            self.state.journal.settle(call)  # what it got so far, even when it left early

    async def _answer(
        self, call: Call, answer: Response, scope: Scope, receive: Receive, send: Send
    ) -> None:
        call.status = answer.status_code
        call.response_headers = [(k, v) for k, v in answer.headers.items()]
        call.response_body = bytes(answer.body)
        self.state.journal.settle(call)
        await answer(scope, receive, send)


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
            (``mock_gateway.provider_app``; the gateway-only options are ignored).
        replay: HAR cassettes (``mock-portkey record``): a request recorded there (same
            method, path and body) gets its recorded answer; see ``mock_gateway.replay``.
        allowed_hosts: names besides loopback and the bound address that may reach the
            ``/_mock/`` controls in a ``Host`` header (``mock_gateway.control_guard``).
    """
    if role == "upstream":
        from mock_gateway.provider_app import create_upstream_app

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
        Route("/v1/proxy/{path:path}", proxy_unvalidated, methods=["POST"]),
        *unmodelled_routes(),  # the gateway's other routes: 501 x-mock-unsupported
        Route("/v1/{path:path}", proxy, methods=proxy_methods),
        Route("/", _home, methods=["GET"]),
        Route("/_mock/health", _health, methods=["GET"]),
        Route("/openapi.json", _openapi, methods=["GET"]),
        Route("/_mock/openapi.json", _control_openapi, methods=["GET"]),
        Route("/_mock/requests", _calls, methods=["GET"]),
        Route("/_mock/calls", _calls, methods=["GET"]),
        Route("/_mock/reset", _reset, methods=["POST"]),
        Route("/_mock/faults", _faults, methods=["GET", "POST", "DELETE"]),
        Route("/_mock/registry", _registry, methods=["GET", "POST"]),
        Route("/_mock/clock", _clock, methods=["GET", "POST"]),
        Route("/_mock/cache", _cache, methods=["GET", "DELETE"]),
        Route(BLOB_PREFIX + "/{path:path}", _blob, methods=["GET"]),
        *inspector_routes(),  # GET /_mock/: the journal as a page
    ]
    handlers: dict[Any, Any] = {HTTPException: _not_found, Exception: _internal_error}
    app = _MockApp(routes=routes, exception_handlers=handlers)
    app.state.mock = state
    if strict_responses:
        app.add_middleware(StrictResponses, state=state)
    app.add_middleware(HostedFeatures, state=state)  # hosted Portkey's lookups, before the gateway
    if replay:  # inside the journal, which keeps replayed calls like any other
        from mock_gateway.replay import ReplayMiddleware, load_replay

        app.add_middleware(ReplayMiddleware, exchanges=load_replay(replay))
    app.add_middleware(JournalMiddleware, state=state)  # it sees what the client got
    app.add_middleware(ControlGuard, allowed_hosts=allowed_hosts)  # /_mock/ only
    return app
