"""httpx transports bound to an app in-process: no socket, the same behaviour as the server."""

from __future__ import annotations

import asyncio
import concurrent.futures

import httpx
from starlette.types import ASGIApp

__all__ = ["InProcessTransport"]


class InProcessTransport(httpx.BaseTransport):
    """A synchronous httpx transport that runs the ASGI app for each request.

    ``httpx.ASGITransport`` is async-only; this one lets ``httpx.Client`` (and SDKs built on
    it, such as ``openai.OpenAI(http_client=...)``) reach the mock without a socket.
    """

    def __init__(self, app: ASGIApp) -> None:
        self._transport = httpx.ASGITransport(app=app)

    async def _send(self, request: httpx.Request) -> httpx.Response:
        response = await self._transport.handle_async_request(request)
        content = await response.aread()
        return httpx.Response(response.status_code, headers=response.headers, content=content)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Run the app for ``request`` on a private event loop (in a worker thread if needed)."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(self._send(request))
        # Called from inside a running loop (a sync client in an async test): use a thread.
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, self._send(request)).result()
