"""A request with a big body runs in a worker thread, so that it cannot hold the others.

Parsing and re-serialising a client's 16 MB JSON body is seconds of CPU, and json's C code
holds the GIL throughout: on the event loop, every other client waits as long. Requests
whose body is over ``OFF_LOOP_BODY`` bytes are run, whole, on an event loop of their own in
a worker thread, with ``safejson.YIELDING`` set, so that their JSON goes through json's
pure-Python code, which hands the GIL back every few milliseconds. At most
``OFF_LOOP_REQUESTS`` of them run at once (each holds a parsed copy of its body); the
others wait their turn, off the loop. The client's disconnect cancels the request there too.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import sys
import threading
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_gateway import safejson

__all__ = ["OFF_LOOP_BODY", "OFF_LOOP_REQUESTS", "run_off_loop"]

OFF_LOOP_BODY = safejson.YIELDING_SIZE
OFF_LOOP_REQUESTS = 1
_TURNS = threading.BoundedSemaphore(OFF_LOOP_REQUESTS)
# While one runs, threads switch every ms (Python's default is 5 ms), so that the event
# loop's thread, which needs the GIL back after every socket call, gets it sooner.
_SWITCH = 0.001


async def run_off_loop(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """``await app(scope, receive, send)``, run in a worker thread on an event loop of its own."""
    loop = asyncio.get_running_loop()
    started: concurrent.futures.Future[tuple[asyncio.AbstractEventLoop, asyncio.Task[Any]]]
    started = concurrent.futures.Future()

    async def sending(message: Message) -> None:
        await send(message)

    async def receiving() -> Message:
        return await receive()

    async def here(message: Message) -> None:  # the worker's send, carried out on our loop
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(sending(message), loop))

    async def there() -> Message:  # and its receive
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(receiving(), loop))

    async def main() -> None:
        task = asyncio.current_task()
        assert task is not None
        try:
            started.set_result((asyncio.get_running_loop(), task))
        except concurrent.futures.InvalidStateError:
            return  # cancelled: the client left while the request waited for a turn
        await app(scope, there, here)

    def work() -> None:
        with _TURNS:
            if started.cancelled():
                return  # the client left while waiting for a turn
            safejson.YIELDING.set(True)
            before = sys.getswitchinterval()
            sys.setswitchinterval(min(before, _SWITCH))
            try:
                asyncio.run(main())
            finally:
                sys.setswitchinterval(before)

    context = contextvars.copy_context()  # the request's context vars (e.g. its origin)
    done = loop.run_in_executor(None, context.run, work)
    try:
        await asyncio.shield(done)
    except asyncio.CancelledError:
        if started.done():
            worker_loop, task = started.result()
            worker_loop.call_soon_threadsafe(task.cancel)
        else:
            started.cancel()
        raise
