"""The ``/_mock`` controls both apps mount (health, journal, reset, faults, blobs) and the
gateway app's own (registry, clock, cache, its OpenAPI document)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from mock_gateway._version import __version__
from mock_gateway.faults import FaultError, kind_notes, queued_from_json
from mock_gateway.gateway.registry import Registry
from mock_gateway.gateway.request_context import state_of
from mock_gateway.journal import Call
from mock_gateway.serving.offload import heavy
from mock_gateway.wire import safejson
from mock_gateway.wire.js import is_number
from mock_gateway.wire.limits import (
    DEFAULT_PAGE,
    MAX_PAGE,
    PAGE_BYTES,
    page_params,
    within_bytes,
)
from mock_gateway.wire.redact import redact_config

# A call holding more than this is serialised in a worker thread, not on the event loop.
_OFF_LOOP_BYTES = 256 * 1024

__all__ = [
    "control_blob",
    "control_cache",
    "control_calls",
    "control_clock",
    "control_faults",
    "control_health",
    "control_openapi",
    "control_registry",
    "control_reset",
]


def _json(data: Any, status: int = 200) -> Response:
    # safejson: what a client posted may hold a lone surrogate or 1e400, which it can write.
    return Response(safejson.dumps(data), status, media_type="application/json")


async def control_health(request: Request) -> Response:
    """``GET /_mock/health``: up, with the version and the profile."""
    state = state_of(request)
    return JSONResponse({"status": "ok", "version": __version__, "profile": state.profile.name})


async def control_calls(request: Request) -> Response:
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


async def control_reset(request: Request) -> Response:
    """``POST /_mock/reset``: back to the state the app started in (``MockState.reset``)."""
    state_of(request).reset()
    return JSONResponse({"status": "ok"})


async def control_faults(request: Request) -> Response:
    """GET: what is queued; POST ``{"fault": ..., "times": N, "path": ...}``; DELETE: clear.

    A POST with a deprecated kind name (``status``, ``delay``, ``malformed``,
    ``content-filter``) is queued under its new name, and the answer lists it in
    ``"deprecated"``."""
    queue = state_of(request).faults
    notes: list[str] = []
    if request.method == "DELETE":
        queue.clear()
    elif request.method == "POST":
        try:
            data = safejson.loads(await request.body())
            fault, where = queued_from_json(data)
            queue.add(fault, **where)
        except FaultError as error:  # every wrong field named, in one answer
            body = {"status": "failure", "message": str(error), "fields": error.fields}
            return _json(body, 400)
        except ValueError as error:  # not JSON
            return _json({"status": "failure", "message": str(error)}, 400)
        # An old kind name still works; a server has no caller to warn, so the answer says so.
        _, notes = kind_notes(data.get("fault"))
    answer: dict[str, Any] = {"faults": queue.pending()}
    if notes:
        answer["deprecated"] = notes
    return _json(answer)


async def control_blob(request: Request) -> Response:
    """The signed image URLs DALL·E answers with (``response_format: "url"``), served here."""
    # The signed image URLs DALL·E answers with (`response_format: "url"`), served here.
    status, content_type, body = state_of(request).blobs.get(request.url.path, request.url.query)
    return Response(body, status, media_type=content_type)


async def control_registry(request: Request) -> Response:
    """GET: hosted Portkey's records; POST: merge a registry document into them."""
    registry = state_of(request).registry
    if request.method == "POST":
        try:
            registry.update(Registry.from_json(safejson.loads(await request.body())))
        except ValueError as error:  # RegistryError and bad JSON alike
            return _json({"status": "failure", "message": str(error)}, 400)
    # The records carry provider keys: shown shortened, as everywhere else the mock answers.
    return _json(redact_config(registry.to_json()))


async def control_clock(request: Request) -> Response:
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


async def control_cache(request: Request) -> Response:
    """GET: hosted Portkey's cache, as the mock holds it; DELETE: empty it."""
    cache = state_of(request).cache
    if request.method == "DELETE":
        cache.clear()
    return JSONResponse({"entries": cache.entries()})


async def control_openapi(request: Request) -> Response:
    """``GET /_mock/openapi.json``: the controls' own OpenAPI document."""
    from mock_gateway.control.openapi import control_openapi_document  # built on first use

    return JSONResponse(control_openapi_document())
