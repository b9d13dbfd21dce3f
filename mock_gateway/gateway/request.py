"""``GatewayRequest``: one client request as the gateway layer reads it, built once.

The journal middleware (``control/middleware.py``) builds it when a request arrives, once the
body is read, and leaves it in the ASGI scope under ``REQUEST_KEY``; hosted Portkey's lookups
(``gateway/hosted.py``) update its headers and body in place; the routes (``unified.py``,
``proxy.py``) take it from there and pass it, not Starlette's ``Request``, to everything
below them: the config runner, the renderer, the answer headers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from starlette.datastructures import URL
from starlette.requests import Request
from starlette.types import Scope

from mock_gateway.faults import Fault
from mock_gateway.journal import Attempt
from mock_gateway.state import MockState, Timeline
from mock_gateway.wire.call_headers import joined_pairs

__all__ = ["REQUEST_KEY", "GatewayRequest", "gateway_request", "url_parts"]

# The one scope key a request's facts travel under, from the middleware to the routes.
REQUEST_KEY = "mock.request"

# What Starlette's URL escapes (?, #, \\) or urlsplit drops (tab, CR, LF) in a path or query.
_ODD = frozenset("?#\\\t\r\n")
_ODD_QUERY = frozenset(b"#\t\r\n")


def url_parts(scope: Scope) -> tuple[str, str]:
    """The path and query as the routes have always read them (Starlette's ``request.url``:
    ``?``, ``#`` and ``\\`` in the path escaped, tab and newlines dropped), without building
    the URL for the ordinary request. A query that is not UTF-8 is read as latin-1."""
    path: str = scope["path"]
    query: bytes = scope.get("query_string", b"")
    if _ODD.isdisjoint(path) and query.isascii() and _ODD_QUERY.isdisjoint(query):
        return path, query.decode("ascii")
    try:
        url = URL(scope=scope)
    except UnicodeDecodeError:
        url = URL(scope={**scope, "query_string": query.decode("latin-1").encode()})
    return url.path, url.query


class GatewayRequest:
    """A request's method, path, query, headers, body and the mock's per-request facts.

    ``headers`` is read as the gateway reads headers (``wire/call_headers.joined_pairs``:
    names lower case, a repeated name's values joined with ", "); ``pairs`` keeps every
    header as sent, for the proxy route, which forwards repeated headers one by one.
    ``params`` (the unified route's parsed body) and ``fault`` (from the ``x-mock-*``
    headers) are filled in by the route, at the point where their errors are answered.
    ``attempts`` is the journal call's list of upstream attempts; ``timeline`` the
    request's faithful clock, started when the gateway first asks for it.
    """

    __slots__ = (
        "_timeline",
        "attempts",
        "body",
        "fault",
        "headers",
        "method",
        "pairs",
        "params",
        "path",
        "query",
        "state",
    )

    def __init__(
        self,
        state: MockState,
        *,
        method: str,
        path: str,
        query: str = "",
        pairs: Iterable[tuple[str, str]] = (),
        body: bytes = b"",
        attempts: list[Attempt] | None = None,
    ) -> None:
        self.state = state
        self.method = method
        self.path = path
        self.query = query
        self.pairs = list(pairs)
        self.headers: dict[str, str] = joined_pairs(self.pairs)
        self.body = body
        self.attempts: list[Attempt] = [] if attempts is None else attempts
        self.params: Mapping[str, Any] = {}
        self.fault: Fault | None = None
        self._timeline: Timeline | None = None

    @classmethod
    def from_scope(
        cls,
        scope: Scope,
        state: MockState,
        *,
        body: bytes = b"",
        attempts: list[Attempt] | None = None,
    ) -> GatewayRequest:
        """The request an ASGI scope describes (its headers decoded as latin-1, as HTTP's are)."""
        path, query = url_parts(scope)
        return cls(
            state,
            method=scope["method"],
            path=path,
            query=query,
            pairs=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]],
            body=body,
            attempts=attempts,
        )

    @property
    def timeline(self) -> Timeline:
        """The request's clock: real time plus the waits the time scale skipped."""
        if self._timeline is None:
            self._timeline = self.state.timeline()
        return self._timeline

    def replace_headers(self, headers: Mapping[str, str]) -> None:
        """Headers rewritten before the gateway sees them (hosted Portkey's lookups)."""
        self.headers = dict(headers)
        self.pairs = list(self.headers.items())

    def __repr__(self) -> str:
        return f"GatewayRequest({self.method} {self.path})"


async def gateway_request(request: Request) -> GatewayRequest:
    """The ``GatewayRequest`` the middleware left in the scope; built here (body read) in an
    app without the journal middleware."""
    found: GatewayRequest | None = request.scope.get(REQUEST_KEY)
    if found is None:
        state: MockState = request.app.state.mock
        found = GatewayRequest.from_scope(request.scope, state, body=await request.body())
        request.scope[REQUEST_KEY] = found
    return found
