"""``mock-portkey record``: a local reverse proxy that forwards to a real gateway and keeps a
cassette (HAR 1.2) of every exchange, credentials redacted before anything is written.

The client gets the real answer, untouched (except that a compressed body arrives decoded);
the cassette gets the redacted one (``mock_gateway.recording.scrub``). A request header
``x-mock-record-label`` names the exchange in the cassette (HAR ``comment``) and is not
forwarded.
"""

from __future__ import annotations

import ssl
import sys
import time
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mock_gateway.recording.har import CassetteWriter, Exchange
from mock_gateway.recording.scrub import scrub

__all__ = ["LABEL_HEADER", "Recorder", "check_target", "create_recorder", "serve_recorder"]

LABEL_HEADER = "x-mock-record-label"
# Hop-by-hop headers (RFC 9110 7.6.1) and the ones httpx sets itself: never forwarded.
_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
        LABEL_HEADER,
    }
)
# The answer reaches the client decoded, so its encoding and length are recomputed; uvicorn
# adds its own date and server.
_NOT_RELAYED = _HOP | {"content-encoding", "date", "server"}
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def check_target(target: str) -> str:
    """``target`` without a trailing slash; ``ValueError`` unless it is an http(s) base URL."""
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise ValueError(f"--target must be an http(s) base URL such as https://api.portkey.ai, "
                         f"got {target!r}")  # fmt: skip
    return target.rstrip("/")


class Recorder:
    """Forwards each request to ``target`` and adds the redacted exchange to ``cassette``."""

    def __init__(
        self,
        target: str,
        cassette: CassetteWriter,
        *,
        thumbnail: int | None = None,
        timeout: float = 600.0,
    ) -> None:
        self.target = check_target(target)
        self.cassette = cassette
        self.thumbnail = thumbnail
        self.timeout = timeout
        self.label = ""  # the comment for exchanges without a label header (set per test)
        self.errors: list[str] = []  # requests that could not reach the target
        self._tls: ssl.SSLContext | None = None

    def _verify(self) -> ssl.SSLContext:
        # httpx's own default context, built once: a new client builds one per request by
        # loading the CA bundle, ~20-50 ms, which was most of a recording's time on loopback.
        if self._tls is None:
            self._tls = httpx.create_ssl_context()
        return self._tls

    async def handle(self, request: Request) -> Response:
        """Forward ``request``, record the exchange, answer what the target answered."""
        body = await request.body()
        sent = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
        label = next((v for k, v in sent if k.lower() == LABEL_HEADER), self.label)
        headers = [(k, v) for k, v in sent if k.lower() not in _HOP | {"accept-encoding"}]
        if any(k.lower() == "accept-encoding" for k, _ in sent):
            # Only what httpx can always decode (the client gets the answer decoded anyway).
            headers.append(("accept-encoding", "gzip, deflate"))
        query = request.url.query
        raw_path = request.scope.get("raw_path")  # as sent: %2F stays %2F
        path = raw_path.decode("latin-1") if raw_path else request.url.path
        url = self.target + path + (f"?{query}" if query else "")
        started, clock = time.time(), time.perf_counter()
        # No client defaults: the target sees the client's own headers, and only those.
        outgoing = httpx.Request(request.method, url, headers=headers, content=body)
        try:
            async with httpx.AsyncClient(timeout=self.timeout, verify=self._verify()) as client:
                answer = await client.send(outgoing, stream=True)
                waited = time.perf_counter()
                content = await answer.aread()
                await answer.aclose()
        except httpx.HTTPError as error:
            message = f"mock-portkey record: cannot reach {self.target}: {error!r}"
            self.errors.append(message)
            return JSONResponse(
                {"status": "failure", "message": message},
                status_code=502,
                headers={"x-mock-record-error": "true"},
            )
        done = time.perf_counter()
        received = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in answer.headers.raw]
        exchange = Exchange(
            method=request.method,
            url=url,
            path=request.url.path,
            request_headers=[(k.lower(), v) for k, v in outgoing.headers.multi_items()],
            request_body=body,
            status=answer.status_code,
            response_headers=[(k.lower(), v) for k, v in received],
            response_body=content,
            started=started,
            timings={
                "send": 0.0,
                "wait": (waited - clock) * 1000,
                "receive": (done - waited) * 1000,
            },
            comment=label,
        )
        self.cassette.add(scrub(exchange, thumbnail=self.thumbnail))
        relayed = Response(content, status_code=answer.status_code)
        relayed.raw_headers = [
            (k.encode("latin-1"), v.encode("latin-1"))
            for k, v in received
            if k.lower() not in _NOT_RELAYED
        ] + [(b"content-length", str(len(content)).encode())]
        return relayed


def create_recorder(recorder: Recorder) -> Starlette:
    """The recorder as an ASGI app: every path and method goes to the target."""
    app = Starlette(routes=[Route("/{path:path}", recorder.handle, methods=_METHODS)])
    app.state.recorder = recorder
    return app


def serve_recorder(
    target: str,
    out: str | Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8788,
    thumbnail: int | None = None,
    stdout: TextIO = sys.stdout,
) -> int:
    """Run the recorder under uvicorn until interrupted; the number of exchanges recorded."""
    import uvicorn

    from mock_gateway.serving.server import bind_socket

    writer = CassetteWriter(out, check_target(target))
    recorder = Recorder(target, writer, thumbnail=thumbnail)
    sock = bind_socket(host, port)
    where = f"http://{f'[{host}]' if ':' in host else host}:{sock.getsockname()[1]}"
    print(f"mock-portkey recording {recorder.target} through {where}", file=stdout)
    print(f"base URL: {where}/v1 ; cassette: {out}", file=stdout, flush=True)
    config = uvicorn.Config(create_recorder(recorder), log_level="warning", lifespan="off")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
        writer.close()
    print(f"recorded {len(writer)} exchange(s) to {out}", file=stdout, flush=True)
    return len(writer)
