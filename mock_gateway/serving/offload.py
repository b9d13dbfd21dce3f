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
import contextlib
import contextvars
import ctypes
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_gateway.wire import safejson

__all__ = ["OFF_LOOP_BODY", "OFF_LOOP_REQUESTS", "heavy", "release_memory", "run_off_loop"]

T = TypeVar("T")


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to do
        return None
    return trim


_TRIM = _malloc_trim()


_busy = 0
_busy_lock = threading.Lock()
_before = sys.getswitchinterval()


@contextlib.contextmanager
def _often() -> Iterator[None]:
    """While a worker runs, threads switch every ``_SWITCH`` seconds (then as before)."""
    global _busy, _before
    with _busy_lock:
        if _busy == 0:
            _before = sys.getswitchinterval()
            sys.setswitchinterval(min(_before, _SWITCH))
        _busy += 1
    try:
        yield
    finally:
        with _busy_lock:
            _busy -= 1
            if _busy == 0:
                sys.setswitchinterval(_before)


def release_memory() -> None:
    """Hand the memory a big request freed back to the system (glibc's ``malloc_trim``).

    glibc keeps what a thread freed in that thread's arena: without this, the server's RSS
    stays at the high-water mark of the biggest work it ever did.
    """
    if _TRIM is not None:
        _TRIM(0)


OFF_LOOP_BODY = safejson.YIELDING_SIZE
OFF_LOOP_REQUESTS = 1
_TURNS = threading.BoundedSemaphore(OFF_LOOP_REQUESTS)
# Their own threads, always the same ones: glibc gives each thread that allocates a lot its
# own malloc arena, and keeps what it freed there, so a new thread per big request would
# leave a few tens of MB of RSS behind each time.
_WORKERS = concurrent.futures.ThreadPoolExecutor(OFF_LOOP_REQUESTS, "mock-gateway-big-body")
# One more for the controls' heavy reads (journal pages, inspector rows), one at a time.
_HEAVY = concurrent.futures.ThreadPoolExecutor(1, "mock-gateway-heavy-read")


async def heavy(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` in the heavy-read thread, with ``safejson.YIELDING`` set there."""

    def work() -> T:
        safejson.YIELDING.set(True)
        try:
            with _often():
                return function(*args)
        finally:
            release_memory()

    context = contextvars.copy_context()
    return await asyncio.get_running_loop().run_in_executor(_HEAVY, context.run, work)


# While one runs, threads switch every ms (Python's default is 5 ms), so that the event
# loop's thread, which needs the GIL back after every socket call, gets it sooner. The
# interval is process-wide in CPython (no per-thread setting), so it is scoped in time
# instead: set while a worker runs, put back after. Measured (2026-12-02, LiveServer, three
# 600,000-key bodies, /_mock/health polled meanwhile): 34 health answers/s with it, 22/s
# without (p90 29 ms vs 37 ms). Without malloc_trim, RSS after eight such bodies was
# 344 MB, 274 MB with it. (One run each on a busy 2-core machine.)
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
            try:
                with _often():
                    asyncio.run(main())
            finally:
                release_memory()

    context = contextvars.copy_context()  # the request's context vars (e.g. its origin)
    done = loop.run_in_executor(_WORKERS, context.run, work)
    try:
        await asyncio.shield(done)
    except asyncio.CancelledError:
        if started.done():
            worker_loop, task = started.result()
            worker_loop.call_soon_threadsafe(task.cancel)
        else:
            started.cancel()
        raise
