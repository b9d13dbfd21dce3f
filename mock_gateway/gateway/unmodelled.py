"""The gateway's own routes that this mock does not model: a 501 with ``x-mock-unsupported``.

The real gateway answers these with its own handlers (chat, embeddings, image edits, audio,
files, batches, ...), not the proxy; the mock cannot imitate them, so it says so rather than
letting the proxy catch-all make up an answer. The request validator runs first, as it does
on these routes in the gateway. Each row is a route of the gateway's src/index.ts at v1.15.2
(read from the build in conformance/gateway/). When the mock models one, delete its row and
add the real route before these in ``create_app`` (as ``POST /v1/images/edits``, gateway/edits.py).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mock_gateway.gateway.errors import mock_unsupported
from mock_gateway.gateway.request import gateway_request
from mock_gateway.gateway.request_context import reply
from mock_gateway.gateway.validator import validate_request

__all__ = ["UNMODELLED_ROUTES", "unmodelled_routes"]

_ANY = ("GET", "POST", "PUT", "PATCH", "DELETE")

UNMODELLED_ROUTES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("POST",), "/v1/chat/completions"),
    (("POST",), "/v1/completions"),
    (("POST",), "/v1/embeddings"),
    (("POST",), "/v1/audio/speech"),
    (("POST",), "/v1/audio/transcriptions"),
    (("POST",), "/v1/audio/translations"),
    (("POST",), "/v1/messages"),
    (("POST",), "/v1/messages/count_tokens"),
    (("GET",), "/v1/models"),
    (("GET", "POST"), "/v1/files"),
    (("GET", "DELETE"), "/v1/files/{id}"),
    (("GET",), "/v1/files/{id}/content"),
    (("GET", "POST"), "/v1/batches"),
    (("GET",), "/v1/batches/{id}"),
    (("GET",), "/v1/batches/{id:path}/output"),
    (("POST",), "/v1/batches/{id}/cancel"),
    (("POST",), "/v1/responses"),
    (("GET", "DELETE"), "/v1/responses/{id}"),
    (("GET",), "/v1/responses/{id}/input_items"),
    (("POST",), "/v1/prompts/{rest:path}"),
    (("GET",), "/v1/realtime"),
    (_ANY, "/v1/fine_tuning/jobs"),
    (_ANY, "/v1/fine_tuning/jobs/{rest:path}"),
)


async def _unmodelled(request: Request) -> Response:
    rejected = validate_request((await gateway_request(request)).headers)
    if rejected is not None:
        return reply(rejected)
    route = request.scope["route"].path
    return reply(mock_unsupported(f"the gateway's {request.method} {route} route"))


def unmodelled_routes() -> list[Route]:
    """One route per row, for ``create_app``: before the ``/v1/*`` proxy catch-all."""
    return [Route(path, _unmodelled, methods=list(methods)) for methods, path in UNMODELLED_ROUTES]
