"""``gateway_responses()``: what a client can get back, per provider and route.

Success bodies carry real, small, decodable images (``images.py``). Error bodies are made by
the mock's own parts (the fakes' error answers, the adapters' wrapping, the request
validator), so they are byte for byte what the mock, and the real gateway, send.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from mock_gateway._strategies.common import check_choice
from mock_gateway.adapters import openai as openai_adapter
from mock_gateway.adapters import stability as stability_adapter
from mock_gateway.fakes.blobs import BlobStore
from mock_gateway.fakes.images import IMAGE_FORMATS, image_dimensions, render_image
from mock_gateway.fakes.openai import FakeOpenAI
from mock_gateway.fakes.stability import FakeStability
from mock_gateway.fakes.stability_data import FAULT_ERRORS
from mock_gateway.gateway.errors import (
    dumps,
    gateway_failure,
    invalid_provider_response,
    not_found,
)
from mock_gateway.gateway.request_context import provider_problem, timeout_body
from mock_gateway.gateway.validator import validate_request
from mock_gateway.state import _DROPPED
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse
from mock_gateway.wire.js import json_parse_error

if TYPE_CHECKING:
    import httpx

__all__ = ["GatewayResponse", "gateway_responses"]

ROUTES = ("unified", "proxy")
KINDS = ("success", "error")
PROVIDERS = ("stability-ai", "openai")
UNIFIED_PATH = "/v1/images/generations"
OPENAI_PROXY_PATH = "/v1/proxy/images/generations"
_STATUSES = [*sorted(FAULT_ERRORS), 502, 503, 504]
_MEDIA = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
_MALFORMED = [
    "<html><body><h1>502 Bad Gateway</h1></body></html>",
    "upstream connect error",
    '{"artifacts": [',
    "",
]


@dataclass(frozen=True, repr=False)
class GatewayResponse:
    """One answer a client can get: status, headers and body bytes, and what they mean.

    ``contract`` names the JSON body's contract (``None`` for raw image bytes). For a
    success, ``image_size``, ``image_count`` and ``image_format`` describe its images.
    """

    status: int
    headers: dict[str, str]
    body: bytes
    provider: str
    route: str
    kind: Literal["success", "error"]
    description: str
    contract: str | None = None
    image_size: tuple[int, int] | None = None
    image_count: int = 0
    image_format: str = "png"
    path: str = field(default=UNIFIED_PATH)

    def json(self) -> Any:
        """The body parsed as JSON (``ValueError`` for raw image bytes)."""
        return json.loads(self.body)

    def to_httpx(self, request: httpx.Request | None = None) -> httpx.Response:
        """An ``httpx.Response`` (for ``httpx.MockTransport`` or a parser under test)."""
        import httpx

        return httpx.Response(self.status, headers=self.headers, content=self.body, request=request)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # how Hypothesis prints a falsifying example

    def __repr__(self) -> str:
        return f"GatewayResponse({self.status} {self.provider} {self.route}: {self.description})"


def _headers(provider: str, media: str = "application/json", **extra: str) -> dict[str, str]:
    return {"content-type": media, "x-portkey-provider": provider, **extra}


@st.composite
def _images(
    draw: st.DrawFn, max_side: int, count: int, fmt: str = "png", blurred: bool = False
) -> list[bytes]:
    """``count`` real images of one small size (different colours each), in ``fmt``."""
    width, height = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    prompt, seed = draw(st.sampled_from(["a cat", "a dog", "rain"])), draw(st.integers(0, 99))
    return [
        render_image(width, height, prompt=prompt, seed=seed, index=i, fmt=fmt, blurred=blurred)
        for i in range(count)
    ]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# -- successes --------------------------------------------------------------------------------


@st.composite
def _stability_unified(draw: st.DrawFn, max_side: int) -> GatewayResponse:
    count = draw(st.integers(1, 4))
    fmt = draw(st.sampled_from(IMAGE_FORMATS)) if count == 1 else "png"  # v2beta: one image
    images = draw(_images(max_side, count, fmt))
    created = draw(st.integers(1_700_000_000, 1_900_000_000))
    stamp: int | str = created if draw(st.booleans()) else str(created * 1000)  # hosted-2024
    body = {
        "created": stamp,
        "data": [{"b64_json": _b64(i)} for i in images],
        "provider": "stability-ai",
    }
    size = _size(images[0])
    return GatewayResponse(
        200,
        _headers("stability-ai"),
        dumps(body),
        "stability-ai",
        "unified",
        "success",
        f"{count} b64_json {fmt} image(s) {size}",
        "portkey/images-response-stability.json",
        size,
        count,
        fmt,
    )


def _size(image: bytes) -> tuple[int, int]:
    return image_dimensions(image)


@st.composite
def _openai_success(draw: st.DrawFn, max_side: int, route: str) -> GatewayResponse:
    family = draw(st.sampled_from(["dall-e-url", "dall-e-b64", "gpt-image"]))
    count = draw(st.integers(1, 3))
    fmt = draw(st.sampled_from(IMAGE_FORMATS)) if family == "gpt-image" else "png"
    images = draw(_images(max_side, count, fmt))
    created = draw(st.integers(1_700_000_000, 1_900_000_000))
    body: dict[str, Any] = {"created": created}
    if family == "dall-e-url":
        blobs = BlobStore(secret=b"strategies", clock=lambda: created)
        names = [f"img-{uuid.UUID(int=draw(st.integers(0, 2**64))).hex[:24]}.png" for _ in images]
        body["data"] = [
            {"url": blobs.put(image, name=name, content_type="image/png", created=created)}
            for image, name in zip(images, names, strict=True)
        ]
    elif family == "dall-e-b64":
        body["data"] = [
            {"b64_json": _b64(image), "revised_prompt": "A detailed image of a cat"}
            for image in images
        ]
    else:
        width, height = _size(images[0])
        tokens = draw(st.integers(1, 5000))
        body |= {
            "data": [{"b64_json": _b64(image)} for image in images],
            "usage": {
                "input_tokens": 3,
                "input_tokens_details": {"text_tokens": 3, "image_tokens": 0},
                "output_tokens": tokens,
                "total_tokens": tokens + 3,
            },
            "background": "opaque",
            "output_format": fmt,
            "quality": draw(st.sampled_from(["low", "medium", "high"])),
            "size": f"{width}x{height}",
        }
    path = UNIFIED_PATH if route == "unified" else OPENAI_PROXY_PATH
    return GatewayResponse(
        200,
        _headers("openai"),
        dumps(body),
        "openai",
        route,
        "success",
        f"{family} x{count}",
        "openai/images-response.json",
        _size(images[0]),
        count,
        fmt,
        path,
    )


@st.composite
def _stability_proxy_success(draw: st.DrawFn, max_side: int) -> GatewayResponse:
    version = draw(st.sampled_from(["v1", "v2beta"]))
    raw = draw(st.booleans())
    filtered = draw(st.booleans())
    finish = "CONTENT_FILTERED" if filtered else "SUCCESS"
    count = 1 if raw or version == "v2beta" else draw(st.integers(1, 4))
    fmt = "png" if version == "v1" else draw(st.sampled_from(IMAGE_FORMATS))
    images = draw(_images(max_side, count, fmt, blurred=filtered))
    seed = draw(st.integers(1, 4294967294))
    if version == "v1":
        path = "/v1/generation/stable-diffusion-v1-6/text-to-image"
    else:
        path = f"/v1/v2beta/stable-image/generate/{draw(st.sampled_from(['core', 'sd3']))}"
    description = f"{version} {'raw' if raw else 'JSON'} {fmt} x{count} {finish}"
    if raw:
        headers = _headers(
            "stability-ai", _MEDIA[fmt], **{"finish-reason": finish, "seed": str(seed)}
        )
        return GatewayResponse(
            200,
            headers,
            images[0],
            "stability-ai",
            "proxy",
            "success",
            description,
            None,
            _size(images[0]),
            1,
            fmt,
            path,
        )
    if version == "v1":
        body: Any = {
            "artifacts": [
                {"base64": _b64(image), "seed": seed + i, "finishReason": finish}
                for i, image in enumerate(images)
            ]
        }
        contract, media = "stability/v1-text-to-image-response.json", "application/json"
    else:
        body = {"image": _b64(images[0]), "finish_reason": finish, "seed": seed}
        contract = "stability/v2beta-generate-response.json"
        media = f"application/json; type=image/{fmt}"
    return GatewayResponse(
        200,
        _headers("stability-ai", media),
        dumps(body),
        "stability-ai",
        "proxy",
        "success",
        description,
        contract,
        _size(images[0]),
        count,
        fmt,
        path,
    )


# -- errors -----------------------------------------------------------------------------------


def _upstream(provider: str, version: str) -> UpstreamRequest:
    if provider == "openai":
        return UpstreamRequest("POST", "https://api.openai.com/v1/images/generations")
    path = (
        "/v1/generation/stable-diffusion-v1-6/text-to-image"
        if version == "v1"
        else ("/v2beta/stable-image/generate/core")
    )
    return UpstreamRequest("POST", f"https://api.stability.ai{path}")


@st.composite
def _provider_error(draw: st.DrawFn, provider: str, route: str) -> GatewayResponse:
    """The provider's own error for a status, as the route returns it (wrapped or native)."""
    status = draw(st.sampled_from(_STATUSES))
    retry_after = draw(st.none() | st.integers(0, 5)) if status == 429 else None
    version = draw(st.sampled_from(["v1", "v2beta"])) if provider == "stability-ai" else "v1"
    seed = draw(st.integers(0, 2**16))
    fake: Any = (
        FakeStability(seed=seed)
        if provider == "stability-ai"
        else FakeOpenAI(blobs=BlobStore(secret=b"s"), clock=lambda: 0.0, seed=seed)
    )
    upstream: UpstreamResponse = fake.error_response(
        _upstream(provider, version), status, retry_after=retry_after
    )
    extra = {} if retry_after is None else {"retry-after": str(retry_after)}
    if route == "proxy":
        contract = {"stability-ai": f"stability/{version}-error.json"}.get(
            provider, "openai/error.json"
        )
        body = upstream.body
    else:
        contract = "portkey/provider-error.json"
        if provider == "stability-ai":
            wrapped = stability_adapter.to_client_body(upstream, v1=version == "v1", created=0)
        else:
            wrapped = openai_adapter.client_body(upstream, {}, 0)
        body = dumps(wrapped)
    return GatewayResponse(
        status,
        _headers(provider, **extra),
        body,
        provider,
        route,
        "error",
        f"{provider} {version} error {status}",
        contract,
        path=_path(provider, route, version),
    )


def _path(provider: str, route: str, version: str) -> str:
    if route == "unified":
        return UNIFIED_PATH
    if provider == "openai":
        return OPENAI_PROXY_PATH
    return (
        "/v1/generation/stable-diffusion-v1-6/text-to-image"
        if version == "v1"
        else "/v1/v2beta/stable-image/generate/core"
    )


@st.composite
def _unreadable(draw: st.DrawFn, provider: str) -> GatewayResponse:
    """A provider body the gateway could not read (malformed, or the connection dropped)."""
    dropped = draw(st.booleans())
    text = _DROPPED if dropped else draw(st.sampled_from(_MALFORMED))
    status = 500 if dropped else draw(st.sampled_from([200, 502]))
    if provider == "openai":
        body, contract = {"html-message": text}, "portkey/html-message.json"
    else:
        body = invalid_provider_response(provider, {"html-message": text})
        contract = "portkey/provider-error.json"
    kind = "dropped connection" if dropped else "malformed body"
    return GatewayResponse(
        status,
        _headers(provider),
        dumps(body),
        provider,
        "unified",
        "error",
        f"{kind} ({status})",
        contract,
    )


# Header sets the request validator refuses, one per check (validator.py, in its order).
_REFUSED_HEADERS: list[dict[str, str]] = [
    {"content-type": "text/plain"},
    {},
    {"x-portkey-provider": "stability"},
    {"x-portkey-provider": "openai", "x-portkey-custom-host": "ftp://127.0.0.1"},
    {"x-portkey-config": "{not json"},
    {"x-portkey-config": '{"api_key": "k"}'},
    {"x-portkey-config": '{"provider": "openai", "api_key": "k", "retry": {}}'},
    {"x-portkey-config": '{"provider": "openai", "api_key": "k", "options": [{}]}'},
]


@st.composite
def _gateway_error(draw: st.DrawFn, provider: str, route: str) -> GatewayResponse:
    """Answers the gateway makes itself: validator refusals, exceptions, timeouts, 404."""
    which = draw(st.sampled_from(["validator", "exception", "timeout", "not-found", "body"]))
    status, headers = 400, _headers(provider)
    if which == "validator":
        refused = validate_request(draw(st.sampled_from(_REFUSED_HEADERS)))
        assert refused is not None
        status, body, contract = refused.status, refused.body, "portkey/gateway-failure.json"
        headers = {"content-type": "application/json"}  # no x-portkey-* on refusals
    elif which == "exception":
        reply = provider_problem(draw(st.sampled_from(["anthropic", "cohere"])), images=True)
        assert reply is not None
        status, body, contract = reply.status, reply.body, "portkey/gateway-failure.json"
        headers = {**reply.headers}
    elif which == "timeout":
        status, body = 408, timeout_body(draw(st.integers(1, 60_000)))
        contract = "portkey/timeout-error.json"
    elif which == "not-found":
        reply = not_found()
        status, body, contract = 404, reply.body, "portkey/not-found.json"
        headers = {"content-type": "application/json"}
    else:  # a body the gateway cannot parse
        text = draw(st.sampled_from(["", "{", '{"prompt": "a cat"']))
        message = (
            "Something went wrong"
            if route == "unified"
            else (f"Proxy error: {json_parse_error(text)}")
        )
        reply = gateway_failure(message, status=500)
        status, body, contract = 500, reply.body, "portkey/gateway-failure.json"
    path = "/v2/images" if which == "not-found" else _path(provider, route, "v1")
    return GatewayResponse(
        status,
        headers,
        body,
        provider,
        route,
        "error",
        f"gateway {which} {status}",
        contract,
        path=path,
    )


# -- the public strategy ----------------------------------------------------------------------


def _success(provider: str, route: str, max_side: int) -> st.SearchStrategy[GatewayResponse]:
    if provider == "openai":
        return _openai_success(max_side, route)
    if route == "unified":
        return _stability_unified(max_side)
    return _stability_proxy_success(max_side)


def _choices(
    provider: str, route: str, kind: str | None, max_side: int
) -> list[st.SearchStrategy[GatewayResponse]]:
    errors = [_provider_error(provider, route), _gateway_error(provider, route)]
    if route == "unified":
        errors.append(_unreadable(provider))
    success = [_success(provider, route, max_side)] if kind != "error" else []
    return success + (errors if kind != "success" else [])


def gateway_responses(
    *,
    provider: str | None = None,
    route: str = "unified",
    kind: str | None = None,
    max_side: int = 64,
) -> st.SearchStrategy[GatewayResponse]:
    """Answers the gateway gives a client, as ``GatewayResponse`` values.

    ``provider``: ``"stability-ai"`` or ``"openai"`` (default: both). ``route``:
    ``"unified"`` (``/v1/images/generations``) or ``"proxy"`` (the provider's own API).
    ``kind``: ``"success"`` (bodies with real images, ``max_side`` pixels a side at most) or
    ``"error"`` (every error envelope: the provider's own, wrapped or not, the gateway's
    validator refusals and exceptions, its 408 timeout, unreadable upstream bodies, 404).
    Successes shrink to one 1x1 PNG.
    """
    check_choice("gateway_responses", "provider", provider, PROVIDERS)
    check_choice("gateway_responses", "route", route, ROUTES)
    check_choice("gateway_responses", "kind", kind, KINDS)
    if not isinstance(max_side, int) or not 1 <= max_side <= 4096:
        raise InvalidArgument(
            f"gateway_responses() takes max_side from 1 to 4096 pixels, got {max_side!r}; "
            "try gateway_responses(max_side=64)"
        )
    providers = [provider] if provider else list(PROVIDERS)
    return st.one_of([s for p in providers for s in _choices(p, route, kind, max_side)])
