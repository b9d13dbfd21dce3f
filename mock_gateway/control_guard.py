"""The ``/_mock/*`` controls answer only their own user, not any web page the user visits.

- ``Host``: a page on another site can have its name resolve to 127.0.0.1 (DNS rebinding) and
  then read the journal as "same origin". Every ``/_mock/`` request must name the bound address,
  a loopback name or address, or a name allowed with ``allowed_hosts`` (``--allowed-host``);
  anything else gets a 403. The signed DALL·E image URLs are exempt: their signature is their
  authorisation, and clients fetch them by whatever name reached the server.
- Writes (any method but GET, HEAD, OPTIONS) need ``content-type: application/json``: a page on
  another site can send a "simple" request (``text/plain``, a form) without asking first, but
  for JSON the browser must ask (a CORS preflight), which the mock never grants. The inspector's
  own script-free button posts a form, so a write whose ``Origin`` is the server's own origin
  passes too. Anything else gets a 415.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

from mock_gateway.blobs import BLOB_PREFIX

__all__ = ["ControlGuard", "host_allowed"]

_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def _hostname(value: str) -> str:
    """The host part of a ``Host`` header value (no port; IPv6 without brackets), lower case."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value[1:]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def _is_loopback(name: str) -> bool:
    if name == "localhost" or name.endswith(".localhost"):
        return True  # RFC 6761: always loopback, resolvers may not answer otherwise
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_allowed(host: str | None, server: str | None, allowed: Iterable[str] = ()) -> bool:
    """Whether a ``Host`` header may reach the controls of a server bound at ``server``."""
    if host is None:
        return True  # HTTP/1.0 without Host: no page in a browser sends that
    name = _hostname(host)
    return (
        _is_loopback(name)
        or (server is not None and name == _hostname(server))
        or name in {_hostname(a) for a in allowed}
    )


def _header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope["headers"]:
        if name.lower() == wanted:
            return str(value.decode("latin-1"))
    return None


def _json_type(content_type: str | None) -> bool:
    media = (content_type or "").split(";")[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


class ControlGuard:
    """ASGI middleware: the ``Host`` and content-type rules above, for ``/_mock/`` only."""

    def __init__(self, app: ASGIApp, allowed_hosts: Iterable[str] = ()) -> None:
        self.app = app
        self.allowed = tuple(allowed_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or not (path + "/").startswith("/_mock/")
            or path.startswith(BLOB_PREFIX + "/")
        ):
            await self.app(scope, receive, send)
            return
        problem = self._problem(scope)
        if problem is None:
            await self.app(scope, receive, send)
            return
        status, message = problem
        body = json.dumps({"status": "failure", "message": message}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _problem(self, scope: Scope) -> tuple[int, str] | None:
        host = _header(scope, b"host")
        server = scope.get("server")
        if not host_allowed(host, None if server is None else str(server[0]), self.allowed):
            shown = _hostname(host or "")[:100]
            return 403, (
                f"the /_mock/ controls answer only to the bound address, loopback or an allowed "
                f"name, not Host {shown!r}; start the server with --allowed-host {shown} "
                "(create_app(allowed_hosts=...)) if that name is yours"
            )
        if scope["method"] in _READS or _json_type(_header(scope, b"content-type")):
            return None
        origin = _header(scope, b"origin") or ""
        if host is not None and origin.split("://", 1)[-1].lower() == host.strip().lower():
            return None  # the inspector's own form, posted from its own page
        return 415, (
            f"{scope['method']} {scope['path']} needs content-type: application/json (so that a "
            "web page cannot send it without asking first)"
        )
