"""``LiveServer``: the app under uvicorn on a real loopback socket, in a background thread."""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
import time
from types import TracebackType

import uvicorn
from starlette.applications import Starlette

from mock_gateway.serving.connections import (
    DEFAULT_HEADER_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS,
    server_config,
)

__all__ = ["LiveServer", "ServerStartError", "bind_socket", "is_loopback"]

logger = logging.getLogger("mock_gateway")


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve anywhere


def bind_socket(host: str, port: int) -> socket.socket:
    """A bound TCP socket for uvicorn; ``OSError`` (socket closed) if the address is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted connections only when the
    # listening socket says TCP, and without it every answer waits ~40 ms (Nagle + delayed ACK).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        # Listening from here on: a client that reads the printed address and connects before
        # uvicorn has started waits in the backlog instead of being refused.
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


class ServerStartError(RuntimeError):
    """The server did not start listening in time (or its thread died)."""


class LiveServer:
    """Run ``app`` under uvicorn on ``host:port`` (port 0 picks a free one) until ``stop()``.

    ``max_connections``: past it a new connection gets a 503 and is closed;
    ``header_timeout``: seconds a client has to send a request head (then 408, closed).
    """

    def __init__(
        self,
        app: Starlette,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        allow_remote: bool = False,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        header_timeout: float = DEFAULT_HEADER_TIMEOUT,
    ) -> None:
        if not (is_loopback(host) or allow_remote):
            raise ServerStartError(
                f"{host} is not a loopback address; pass allow_remote=True to expose the mock"
            )
        if max_connections < 1 or not header_timeout > 0:
            raise ValueError("max_connections must be at least 1 and header_timeout positive")
        self.app = app
        self.max_connections, self.header_timeout = max_connections, header_timeout
        self.host = host
        self.port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The origin, e.g. ``http://127.0.0.1:8787``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def running(self) -> bool:
        """Whether the server is up and serving (started, not stopped)."""
        server, thread = self._server, self._thread
        return bool(server and thread and thread.is_alive() and server.started)

    @property
    def base_url(self) -> str:
        """What SDKs take as their base URL: the origin plus ``/v1``."""
        return f"{self.url}/v1"

    def start(self, timeout: float = 5.0) -> None:
        """Bind, start serving, and wait (with a deadline) until uvicorn reports it started."""
        if self._thread is not None:
            raise ServerStartError("the server is already running")
        if not is_loopback(self.host):
            logger.warning("mock-portkey-gateway listening on %s, which is not loopback", self.host)
        sock = bind_socket(self.host, self.port)
        self.port = sock.getsockname()[1]
        config = server_config(
            self.app,
            max_connections=self.max_connections,
            header_timeout=self.header_timeout,
            log_level="warning",
            lifespan="off",
            access_log=False,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [sock]},
            name="mock-portkey-gateway",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise ServerStartError(
                    f"mock gateway did not start on {self.url} within {timeout}s"
                )
            time.sleep(0.002)

    def stop(self) -> None:
        """Ask uvicorn to exit and wait for its thread."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> LiveServer:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
