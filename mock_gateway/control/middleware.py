"""The journal middleware both apps mount: every request, its answer and its upstream
attempts, kept as the client sent and got them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_gateway.fakes.blobs import current_origin, origin_of
from mock_gateway.gateway.request import REQUEST_KEY, GatewayRequest, url_parts
from mock_gateway.gateway.request_context import reply
from mock_gateway.hints import HINT_HEADER, collecting, header_value
from mock_gateway.journal import Call
from mock_gateway.serving.offload import OFF_LOOP_BODY, OFF_LOOP_REQUESTS, run_off_loop
from mock_gateway.state import MockState
from mock_gateway.wire.limits import (
    ClientGone,
    RequestRefused,
    declared_length,
    read_body,
)

__all__ = ["JournalMiddleware"]

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


def _big_json(scope: Scope) -> bool:
    """Whether the request declares a JSON (or untyped) body big enough to be run off the loop
    (``offload.py``): known from its head, before a byte of the body is read."""
    size = declared_length(scope["headers"])
    if size is None or size <= OFF_LOOP_BODY:
        return False
    types = [value for name, value in scope["headers"] if name == b"content-type"]
    media = types[0].split(b";")[0].strip().lower() if types else b""
    return media in (b"", b"application/json")


class _Turns:
    """One big JSON request at a time, per event loop: the others wait for their turn before
    their bodies are read, so a crowd of big bodies waits in the kernel's socket buffers
    (uvicorn stops reading a connection whose app is not receiving) rather than in our heap."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._semaphore = asyncio.Semaphore(OFF_LOOP_REQUESTS)

    def take(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # an app reused on a new loop (tests): a fresh semaphore
            self._loop, self._semaphore = loop, asyncio.Semaphore(OFF_LOOP_REQUESTS)
        return self._semaphore


def _json_like(call: Call) -> bool:
    """Whether the body may be read as JSON: typed so, untyped, or starting like JSON."""
    media = (call.header("content-type") or "").split(";")[0].strip().lower()
    return media in ("", "application/json") or call.body[:1] in (b"{", b"[")


class JournalMiddleware:
    """Records every gateway request (not ``/_mock/``) with its answer and upstream attempts."""

    def __init__(self, app: ASGIApp, state: MockState) -> None:
        self.app = app
        self.state = state
        self._turns = _Turns()

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
        if _big_json(scope):
            async with self._turns.take():
                await self._serve(call, pairs, scope, receive, send)
        else:
            await self._serve(call, pairs, scope, receive, send)

    async def _serve(
        self, call: Call, pairs: list[tuple[str, str]], scope: Scope, receive: Receive, send: Send
    ) -> None:
        """Read the body, run the app and keep what it answered."""
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
        # What the gateway layer reads of this request, built once (gateway/request.py).
        path, query = url_parts(scope)
        scope[REQUEST_KEY] = GatewayRequest(
            self.state,
            method=scope["method"],
            path=path,
            query=query,
            pairs=pairs,
            body=call.body,
            attempts=call.attempts,
        )
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
