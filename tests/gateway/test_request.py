"""``GatewayRequest``: built once per request, carried under one scope key, read by the routes;
the older accessors (``state_of``, ``client_headers``) still answer from it."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mock_gateway import PortkeyMock, create_app
from mock_gateway.control.middleware import JournalMiddleware
from mock_gateway.gateway.config_runner import run_config
from mock_gateway.gateway.render import render
from mock_gateway.gateway.request import REQUEST_KEY, GatewayRequest, gateway_request, url_parts
from mock_gateway.gateway.request_context import attempts_of, client_headers, state_of
from mock_gateway.gateway.target import Target
from mock_gateway.transport import InProcessTransport
from mock_gateway.upstream import UpstreamRequest
from tests.constants import SDXL_BODY

STABILITY = {"x-portkey-provider": "stability-ai", "authorization": "sk-test-0123456789"}


def _probe_app(endpoint: Any) -> tuple[Starlette, Any]:
    """A bare app behind the journal middleware, with one probing route at /v1/probe."""
    from mock_gateway.gateway.profiles import get_profile
    from mock_gateway.state import MockState

    state = MockState(get_profile("oss"))
    app = Starlette(routes=[Route("/v1/probe", endpoint, methods=["GET", "POST"])])
    app.state.mock = state
    app.add_middleware(JournalMiddleware, state=state)
    return app, state


def test_the_middleware_builds_one_request_with_joined_headers_and_the_body() -> None:
    seen: list[dict[str, Any]] = []

    async def probe(request: Request) -> Response:
        built = await gateway_request(request)
        seen.append(
            {
                "same": built is await gateway_request(request),
                "keys": sorted(k for k in request.scope if k.startswith("mock.")),
                "headers": built.headers,
                "pairs": [p for p in built.pairs if p[0] == "x-a"],
                "body": built.body,
                "path": (built.method, built.path, built.query),
                "attempts_are_the_journal_s": built.attempts is state.journal.calls()[0].attempts,
            }
        )
        return Response(b"ok")

    app, state = _probe_app(probe)
    with httpx.Client(transport=InProcessTransport(app), base_url="http://t") as client:
        answer = client.post(
            "/v1/probe?x=1", headers=[("X-A", "one"), ("x-a", "two")], content=b"hello"
        )
    assert answer.status_code == 200
    (got,) = seen
    assert got["same"] is True
    assert got["keys"] == [REQUEST_KEY]  # no other per-request side channel
    assert got["headers"]["x-a"] == "one, two"  # the one rule (wire/call_headers.py)
    assert got["pairs"] == [("x-a", "one"), ("x-a", "two")]  # each kept, for the proxy route
    assert got["body"] == b"hello"
    assert got["path"] == ("POST", "/v1/probe", "x=1")
    assert got["attempts_are_the_journal_s"] is True


def test_the_old_accessors_still_read_the_request() -> None:
    seen: list[Any] = []

    async def probe(request: Request) -> Response:
        built = await gateway_request(request)
        seen.append(
            (
                state_of(request) is built.state,
                client_headers(request) is built.headers,
                attempts_of(request) is built.attempts,
            )
        )
        return Response(b"ok")

    app, _ = _probe_app(probe)
    with httpx.Client(transport=InProcessTransport(app), base_url="http://t") as client:
        assert client.get("/v1/probe", headers={"x-b": "1"}).status_code == 200
    assert seen == [(True, True, True)]


def test_without_the_middleware_the_request_is_built_from_the_scope() -> None:
    from mock_gateway.gateway.profiles import get_profile
    from mock_gateway.state import MockState

    async def probe(request: Request) -> Response:
        assert client_headers(request)["x-c"] == "1, 2"
        built = await gateway_request(request)
        return JSONResponse({"body": built.body.decode(), "x-c": built.headers["x-c"]})

    app = Starlette(routes=[Route("/v1/probe", probe, methods=["POST"])])
    app.state.mock = MockState(get_profile("oss"))
    with httpx.Client(transport=InProcessTransport(app), base_url="http://t") as client:
        answer = client.post("/v1/probe", headers=[("x-c", "1"), ("x-c", "2")], content=b"hi")
    assert answer.json() == {"body": "hi", "x-c": "1, 2"}


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/v1/a", b"x=1"),
        ("/v1/a?b", b""),
        ("/v1/a#b\\c", b"q=#1"),
        ("/v1/\tx\r\n", b"a\tb"),
        ("//v1", b""),
        ("/v1/\u00e9", "a=\u00e9".encode()),
    ],
)
def test_path_and_query_are_what_starlette_s_url_gives(path: str, query: bytes) -> None:
    scope = {"type": "http", "path": path, "query_string": query, "headers": [(b"host", b"h")]}
    url = URL(scope=scope)
    assert url_parts(scope) == (url.path, url.query)


def test_a_query_that_is_not_utf8_is_read_as_latin1() -> None:
    scope = {"type": "http", "path": "/v1/a", "query_string": b"q=\xff", "headers": []}
    assert url_parts(scope) == ("/v1/a", "q=\u00ff")


def test_run_config_and_render_take_the_gateway_request() -> None:
    mock = PortkeyMock(create_app(profile="oss"))
    request = GatewayRequest(
        mock.state,
        method="POST",
        path="/v1/images/generations",
        pairs=[*STABILITY.items(), ("content-type", "application/json")],
    )
    request.params = SDXL_BODY

    def build(leaf: Target) -> tuple[UpstreamRequest, Any]:
        from mock_gateway.adapters import ADAPTERS

        adapter = ADAPTERS[str(leaf.provider)]
        upstream = adapter.to_upstream(
            dict(request.params),
            api_key=leaf.api_key,
            base_url=adapter.base_url(leaf.options),
            boundary=request.state.boundary(),
            has_body=True,
            options=leaf.options,
        )
        return upstream, request.params

    outcome = asyncio.run(run_config(request, images=True, build=build))
    answer = render(request, outcome, transform=True)
    assert answer.status_code == 200
    assert answer.headers["x-portkey-provider"] == "stability-ai"
    (attempt,) = request.attempts
    assert attempt.request.url.endswith(
        "/v1/generation/stable-diffusion-xl-1024-v1-0/text-to-image"
    )
