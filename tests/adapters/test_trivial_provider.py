"""Adding a provider touches ``adapters/`` and ``fakes/`` only: a trivial one, plugged in here.

``lemonfox-ai`` is a slug the gateway knows (VALID_PROVIDERS, with ``imageGenerate``). The mock
models it (adapters/lemonfox.py), but this file plugs a trivial adapter (the mapping) and fake
(its native API) in over it for each test, with ``registered``/``registered_fake``, which
put the real ones back afterwards; it drives the unified route, the proxy route, a fault and
the journal through the public ``PortkeyMock``: no gateway-layer code knows the provider.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

import httpx
import pytest

from mock_gateway import PortkeyMock, create_app
from mock_gateway.adapters import ADAPTERS, Adapter, registered
from mock_gateway.adapters.base import UNDICI_HEADERS, client_json
from mock_gateway.fakes.images import render_png_b64
from mock_gateway.fakes.registry import registered_fake
from mock_gateway.gateway.profiles import Profile
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse, parsed_json
from mock_gateway.wire import safejson

SLUG = "lemonfox-ai"
_JSON = (("content-type", "application/json"),)


class TrivialAdapter:
    """The gateway's mapping for the trivial provider: a prompt in, one image out."""

    PROVIDER = SLUG
    BASE_URL = "https://api.trivial.example"
    PROXY_OBJECT_HINT = "the gateway sent the trivial provider [object Object]"
    # Its one option, read from a header when the provider comes from headers.
    OPTION_HEADERS: Mapping[str, str] = MappingProxyType(
        {"trivialShade": "x-portkey-trivial-shade"}
    )

    def base_url(self, options: Mapping[str, Any]) -> str:
        return self.BASE_URL

    def to_upstream(
        self,
        params: Mapping[str, Any],
        *,
        api_key: str | None,
        base_url: str,
        boundary: str,
        has_body: bool,
        options: Mapping[str, Any],
    ) -> UpstreamRequest:
        text = {"text": params.get("prompt"), "shade": options.get("trivialShade")}
        body = safejson.dumps(text) if has_body else b""
        headers = [*_JSON, ("authorization", f"Bearer {api_key}"), *UNDICI_HEADERS]
        return UpstreamRequest.build("POST", f"{base_url}/draw", headers, body)

    def client_body(
        self, response: UpstreamResponse, params: Mapping[str, Any], created: int | str
    ) -> Any:
        data = parsed_json(response)
        if response.status != 200:
            return {"error": {"message": str(data.get("oops")), "type": None}, "provider": SLUG}
        return {"created": created, "data": [{"b64_json": data["png"]}], "provider": SLUG}

    def client_json(self, body: Any) -> bytes:
        return client_json(body)

    def proxy_headers(
        self, parsed: Any, *, api_key: str | None, options: Mapping[str, Any]
    ) -> list[tuple[str, str]]:
        return [("authorization", f"Bearer {api_key}")]

    def proxy_path(self, path: str, profile: Profile) -> str:
        return path

    def sign(self, request: UpstreamRequest, options: Mapping[str, Any]) -> UpstreamRequest:
        return request


class TrivialFake:
    """The trivial provider's own API: ``POST /draw`` answers one 8x8 PNG."""

    def handle(self, request: UpstreamRequest, *, filtered: bool = False) -> UpstreamResponse:
        if not request.url.endswith("/draw"):
            return UpstreamResponse(404, _JSON, b'{"oops": "no such path"}')
        return UpstreamResponse(200, _JSON, safejson.dumps({"png": render_png_b64(8, 8)}))

    def error_response(
        self, request: UpstreamRequest, status: int, *, retry_after: float | None = None
    ) -> UpstreamResponse:
        return UpstreamResponse(status, _JSON, b'{"oops": "injected"}')


_ADAPTER: Adapter = TrivialAdapter()  # mypy checks the class against the protocol here


@pytest.fixture
def mock() -> Iterator[PortkeyMock]:
    with registered(_ADAPTER), registered_fake(SLUG, lambda state: TrivialFake()):
        yield PortkeyMock(create_app(profile="oss"))


def _client(mock: PortkeyMock) -> httpx.Client:
    headers = {"x-portkey-provider": SLUG, "authorization": "Bearer sk-trivial-0123456789"}
    return httpx.Client(transport=mock.transport(), base_url=mock.url, headers=headers)


def test_the_unified_route_maps_to_the_trivial_provider_and_back(mock: PortkeyMock) -> None:
    with _client(mock) as client:
        answer = client.post(
            "/v1/images/generations",
            json={"prompt": "a lemon", "n": 1},
            headers={"x-portkey-trivial-shade": "yellow"},
        )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["provider"] == SLUG
    assert body["data"][0]["b64_json"] == render_png_b64(8, 8)
    assert answer.headers["x-portkey-provider"] == SLUG
    (call,) = mock.calls
    (attempt,) = call.attempts
    assert attempt.request.url == "https://api.trivial.example/draw"
    # The provider's own option travels from its x-portkey-* header to the adapter.
    assert json.loads(attempt.request.body) == {"text": "a lemon", "shade": "yellow"}


def test_a_config_target_gives_the_adapter_its_options(mock: PortkeyMock) -> None:
    config = {"provider": SLUG, "api_key": "sk-trivial-0123456789", "trivial_shade": "green"}
    with _client(mock) as client:
        answer = client.post(
            "/v1/images/generations",
            json={"prompt": "a lime"},
            headers={"x-portkey-config": json.dumps(config)},
        )
    assert answer.status_code == 200, answer.text
    (call,) = mock.calls
    # camelCased as the gateway's convertKeysToCamelCase does: trivial_shade -> trivialShade.
    assert json.loads(call.attempts[0].request.body) == {"text": "a lime", "shade": "green"}


def test_the_proxy_route_forwards_to_the_trivial_provider(mock: PortkeyMock) -> None:
    with _client(mock) as client:
        answer = client.post("/v1/draw", json={"text": "raw"})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"png": render_png_b64(8, 8)}
    (call,) = mock.calls
    assert call.attempts[0].request.url == "https://api.trivial.example/draw"


def test_a_queued_fault_reaches_the_trivial_provider(mock: PortkeyMock) -> None:
    mock.fail_next(503)
    with _client(mock) as client:
        answer = client.post("/v1/images/generations", json={"prompt": "a lemon"})
    assert answer.status_code == 503
    assert answer.json()["error"]["message"] == "injected"


def test_unplugged_the_slug_is_as_before() -> None:
    from mock_gateway.adapters.lemonfox import ADAPTER
    from mock_gateway.fakes.registry import FAKES

    before, fake = ADAPTERS.get(SLUG), FAKES.get(SLUG)
    assert before is ADAPTER  # the modelled provider is what the trivial one stands over
    with registered(_ADAPTER), registered_fake(SLUG, lambda state: TrivialFake()):
        assert ADAPTERS[SLUG] is _ADAPTER and FAKES[SLUG] is not fake
    assert ADAPTERS.get(SLUG) is before and FAKES.get(SLUG) is fake


def test_the_inspector_names_the_trivial_provider(mock: PortkeyMock) -> None:
    from mock_gateway.control.inspector.view import call_provider

    with _client(mock) as client:
        client.post("/v1/images/generations", json={"prompt": "a lemon"})
    (call,) = mock.calls
    assert call_provider(call) == SLUG
