"""The inspector: ``GET /_mock/``, a page of the journal, newest first, with its images.

Cheap by construction: the page reads the journal as it is (no extra copies of any image;
thumbnails are served from the bodies the journal already holds, or from the DALL·E blob
store), renders at most ``limit`` rows (default 200), and the page's script polls a token
that the server answers with 204 until something changed. Nothing here runs on the gateway
routes themselves.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from mock_gateway.control.inspector.assets import SCRIPT, STYLE
from mock_gateway.control.inspector.html import (
    Filters,
    Page,
    RowCache,
    render_page,
    render_rows,
    row_options,
)
from mock_gateway.control.inspector.view import FoundImage, find_images
from mock_gateway.fakes.blobs import BlobStore
from mock_gateway.gateway.request_context import state_of
from mock_gateway.journal import Call
from mock_gateway.serving.offload import heavy
from mock_gateway.wire import safejson
from mock_gateway.wire.limits import PAGE_BYTES, within_bytes

if TYPE_CHECKING:
    from mock_gateway.handle import PortkeyMock

__all__ = [
    "INSPECTOR_PATH",
    "failure_section",
    "inspector_routes",
    "journal_token",
    "snapshot_html",
    "write_snapshot",
]

INSPECTOR_PATH = "/_mock/"
DEFAULT_LIMIT = 200
# Rows one page or poll renders at most (?limit= past it is served this many), and rows
# rendered between two turns of the event loop: 100,000 rows at once held the server 25 s.
MAX_LIMIT = 1000
_CHUNK = 25
_INLINE_BYTES = 256 * 1024
# Characters of rows one answer carries at most (then fewer rows than asked, and "next"):
# 1000 rows of big calls are ~50 MB of HTML, and several such answers at once add up.
_ROWS_BUDGET = 4_000_000
# Characters of rendered rows kept per app (a row is about 5 kB; an error's up to ~150 kB).
ROW_CACHE = 8_000_000
# Snapshots embed an image whole up to this size, and a thumbnail of anything bigger.
_EMBED_WHOLE = 256_000
_THUMBNAIL = 320
_CSP = (
    "default-src 'none'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
_HEADERS = {
    "content-security-policy": _CSP,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


def journal_token(calls: list[Call], dropped: int) -> str:
    """Changes whenever a call arrives, is answered, or the journal is cleared."""
    first = calls[0].time if calls else 0.0
    tail = ",".join(
        f"{c.index}:{c.status}:{len(c.attempts)}:{len(c.response_body)}" for c in calls[-64:]
    )
    text = f"{len(calls)}|{dropped}|{first!r}|{tail}"
    return hashlib.blake2s(text.encode(), digest_size=8).hexdigest()


def _selected(
    calls: list[Call], filters: Filters, limit: int, before: int | None = None
) -> list[Call]:
    chosen: list[Call] = []
    end = len(calls) if before is None or not calls else max(0, before - calls[0].index)
    for call in reversed(calls[:end]):
        if filters.matches(call):
            chosen.append(call)
            if len(chosen) >= limit:
                break
    return within_bytes(chosen, PAGE_BYTES)


def _live_image_url(call: Call, number: int, image: FoundImage) -> str:
    # The call's time pins the URL to this call: indices restart when the journal is cleared.
    return f"/_mock/inspector/calls/{call.index}/images/{number}?t={call.time!r}"


class _BadRequest(ValueError):
    pass


def _query(request: Request) -> tuple[Filters, int, int | None]:
    params = request.query_params
    filters = Filters(
        route=params.get("route", ""),
        provider=params.get("provider", ""),
        status=params.get("status", ""),
    )
    try:
        limit = int(params.get("limit", DEFAULT_LIMIT))
    except ValueError:
        raise _BadRequest("limit must be a whole number") from None
    if limit < 1:
        raise _BadRequest("limit must be at least 1")
    before = params.get("before", "")
    if before and not (before.isascii() and before.isdigit() and len(before) < 19):
        raise _BadRequest("before must be a call index, as the last rows gave it in 'next'")
    return filters, min(limit, MAX_LIMIT), int(before) if before else None


def _bad(error: Exception) -> Response:
    return JSONResponse({"status": "failure", "message": str(error)}, status_code=400)


def _cache(request: Request) -> RowCache:
    """This app's rendered rows (kept on the app, as everything is: no module state)."""
    cache: RowCache | None = getattr(request.app.state, "inspector_rows", None)
    if cache is None:
        request.app.state.inspector_lock = threading.Lock()
        cache = request.app.state.inspector_rows = RowCache(budget=ROW_CACHE)
    return cache


async def _render(request: Request, selected: list[Call]) -> str:
    """The selected calls as rows, for the page and for its live updates alike: a few rows
    inline, more (or big ones) a chunk at a time in a worker thread, off the event loop.
    Past ``_ROWS_BUDGET`` characters the rest of ``selected`` is dropped (left for later)."""
    blobs, cache = state_of(request).blobs, _cache(request)
    lock: threading.Lock = request.app.state.inspector_lock  # the cache is not thread-safe

    def render(chunk: list[Call], first: int) -> str:
        with lock:
            return render_rows(chunk, blobs, _live_image_url, cache, first=first)

    if len(selected) <= _CHUNK and sum(call.size for call in selected) < _INLINE_BYTES:
        return render(selected, 0)
    parts: list[str] = []
    size = 0
    for start in range(0, len(selected), _CHUNK):
        if size > _ROWS_BUDGET:  # enough for one answer: the rest is the next page's
            del selected[start:]
            break
        parts.append(await heavy(render, selected[start : start + _CHUNK], start))
        size += len(parts[-1])
    return "".join(parts)


def _next(calls: list[Call], selected: list[Call]) -> int | None:
    """Where the next (older) rows start, if there may be any: ``?before=``."""
    if not selected or not calls or selected[-1].index == calls[0].index:
        return None
    return selected[-1].index


async def _page(request: Request) -> Response:
    state = state_of(request)
    try:
        filters, limit, before = _query(request)
    except _BadRequest as error:
        return _bad(error)
    calls, dropped = state.journal.calls(), state.journal.dropped
    page = Page(
        token=journal_token(calls, dropped), filters=filters, dropped=dropped, total=len(calls)
    )
    rows = await _render(request, _selected(calls, filters, limit, before))
    # visible: a body may hold a lone surrogate (a JSON "\\ud800"), which UTF-8 cannot carry.
    body = safejson.visible(render_page(page, calls, rows))
    return Response(body, media_type="text/html; charset=utf-8", headers=_HEADERS)


async def _rows(request: Request) -> Response:
    state = state_of(request)
    try:
        filters, limit, before = _query(request)
    except _BadRequest as error:
        return _bad(error)
    calls, dropped = state.journal.calls(), state.journal.dropped
    token = journal_token(calls, dropped)
    if request.query_params.get("since") == token:
        return Response(status_code=204, headers={"cache-control": "no-store"})
    selected = _selected(calls, filters, limit, before)
    rows = safejson.visible(await _render(request, selected))
    data = {
        "token": token,
        "rows": rows,
        "options": row_options(calls),
        "total": len(calls),
        "dropped": dropped,
        "next": _next(calls, selected),
    }
    # safejson: a provider name from a config may hold a lone surrogate; it is escaped.
    return Response(
        safejson.dumps(data), media_type="application/json", headers={"cache-control": "no-store"}
    )


def _find(calls: list[Call], index: int) -> Call | None:
    if not calls:
        return None
    position = index - calls[0].index  # indices are consecutive within the journal
    return calls[position] if 0 <= position < len(calls) else None


async def _image(request: Request) -> Response:
    state = state_of(request)
    call = _find(state.journal.calls(), int(request.path_params["index"]))
    if call is None or request.query_params.get("t") != repr(call.time):
        return JSONResponse({"status": "failure", "message": "no such call"}, status_code=404)
    images = find_images(call, state.blobs)
    number = int(request.path_params["number"])
    image = images[number] if number < len(images) else None
    if image is None or image.data is None or image.info is None:
        return JSONResponse({"status": "failure", "message": "no such image"}, status_code=404)
    cache = {"cache-control": "private, max-age=86400, immutable"}
    return Response(image.data, media_type=image.info.media_type, headers=cache)


async def _clear(request: Request) -> Response:
    state_of(request).journal.reset()
    cache = _cache(request)
    with request.app.state.inspector_lock:
        cache.clear()
    if "text/html" in request.headers.get("accept", ""):  # the button, without script
        return RedirectResponse(INSPECTOR_PATH, status_code=303)
    return JSONResponse({"status": "ok"})


async def _style(request: Request) -> Response:
    return Response(STYLE, media_type="text/css", headers={"cache-control": "no-cache"})


async def _script(request: Request) -> Response:
    return Response(SCRIPT, media_type="text/javascript", headers={"cache-control": "no-cache"})


def inspector_routes() -> list[BaseRoute]:
    """The inspector's routes, all under ``/_mock/`` (which the journal does not record)."""
    return [
        Route(INSPECTOR_PATH, _page, methods=["GET"]),
        Route("/_mock/inspector/rows", _rows, methods=["GET"]),
        Route("/_mock/inspector/clear", _clear, methods=["POST"]),
        Route("/_mock/inspector/inspector.css", _style, methods=["GET"]),
        Route("/_mock/inspector/inspector.js", _script, methods=["GET"]),
        Route("/_mock/inspector/calls/{index:int}/images/{number:int}", _image, methods=["GET"]),
    ]


def _data_uri(call: Call, number: int, image: FoundImage) -> str:
    assert image.data is not None and image.info is not None  # only shown images get here
    data, media = image.data, image.info.media_type
    if len(data) > _EMBED_WHOLE:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as picture:
            small = picture.convert("RGB")
            small.thumbnail((_THUMBNAIL, _THUMBNAIL))
            out = io.BytesIO()
            small.save(out, "PNG")
        data, media = out.getvalue(), "image/png"
    return f"data:{media};base64,{base64.b64encode(data).decode('ascii')}"


def snapshot_html(
    calls: list[Call], *, blobs: BlobStore | None = None, title: str = "", dropped: int = 0
) -> str:
    """A self-contained page of ``calls`` (images inlined): open it with no server running."""
    page = Page(
        title=title or "mock-portkey-gateway journal",
        live=False,
        dropped=dropped,
        total=len(calls),
    )
    rows = render_rows(list(reversed(calls)), blobs, _data_uri)
    return safejson.visible(render_page(page, calls, rows))


def write_snapshot(
    path: str | Path, calls: list[Call], *, blobs: BlobStore | None = None, title: str = ""
) -> Path:
    """Write ``snapshot_html`` to ``path`` (parents created); the path written."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(snapshot_html(calls, blobs=blobs, title=title), encoding="utf-8")
    return target


def failure_section(nodeid: str, handle: PortkeyMock, directory: Path) -> tuple[str, Path]:
    """For a failing test: write its journal's snapshot; the report text, and the file."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_")[:120]
    name += "-" + hashlib.blake2s(nodeid.encode(), digest_size=4).hexdigest()  # ids stay apart
    path = handle.write_snapshot(directory / f"{name}.html", title=f"portkey_mock: {nodeid}")
    lines = [f"journal snapshot ({len(handle.calls)} request(s)): {path}"]
    if handle.server is not None and handle.server.running:
        live = f"inspector: {handle.inspector_url} (live until the next test resets the journal)"
        lines.insert(0, live)
    return "\n".join(lines), path
