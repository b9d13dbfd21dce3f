"""Shared helpers for the OpenAI-compatible providers' tests (recraft-ai, deepbricks,
lemonfox-ai, nscale, hyperbolic, siliconflow): the gateway and upstream roles in-process."""

from __future__ import annotations

import base64
from typing import Any

import httpx

from mock_gateway import PortkeyMock, create_app
from mock_gateway.fakes.images import image_dimensions

__all__ = ["KEY", "client", "decode", "fetch", "gateway", "upstream", "upstream_json"]

KEY = "sk-test-0123456789abcdef"


def gateway(profile: str = "oss") -> PortkeyMock:
    """The mock gateway, in-process."""
    return PortkeyMock(create_app(profile=profile))


def upstream() -> PortkeyMock:
    """The fakes on their own (``--role upstream``), in-process."""
    return PortkeyMock(create_app(role="upstream"))


def client(mock: PortkeyMock, provider: str | None = None, key: str = KEY) -> httpx.Client:
    """An httpx client for ``mock``, naming ``provider`` and its key when given."""
    headers = {"authorization": f"Bearer {key}", "x-portkey-api-key": "pk-test"}
    if provider is not None:
        headers["x-portkey-provider"] = provider
    return httpx.Client(transport=mock.transport(), base_url=mock.url, headers=headers)


def decode(b64: str) -> tuple[int, int]:
    """The (width, height) of a base64 image; fails if it does not decode."""
    return image_dimensions(base64.b64decode(b64))


def fetch(mock: PortkeyMock, url: str) -> tuple[int, int]:
    """GET an image URL the fake returned, on the mock itself; its (width, height)."""
    path = url.split("://", 1)[1].split("/", 1)[1]
    with httpx.Client(transport=mock.transport(), base_url=mock.url) as http:
        answer = http.get("/" + path)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "image/png"
    return image_dimensions(answer.content)


def upstream_json(mock: PortkeyMock) -> Any:
    """The JSON body of the last call's first upstream request."""
    return mock.calls[-1].attempts[0].json
