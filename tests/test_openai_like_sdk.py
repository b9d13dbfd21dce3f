"""The openai SDK (``base_url``) against the OpenAI-compatible fakes on the upstream role:
what a real client of Recraft, Deepbricks, Lemonfox or Nscale sends and parses."""

from __future__ import annotations

import httpx
import openai
import pytest

from mock_gateway import PortkeyMock
from tests.openai_like_support import decode, fetch, upstream

CASES = [
    ("recraft-ai", "recraftv3", "1024x1024"),
    ("deepbricks", "dall-e-2", "512x512"),
    ("lemonfox-ai", "sdxl", "768x768"),  # Lemonfox ignores `model`
    ("nscale", "black-forest-labs/FLUX.1-schnell", "1024x1792"),
]


def _sdk(mock: PortkeyMock, provider: str) -> openai.OpenAI:
    http = httpx.Client(transport=mock.transport())
    return openai.OpenAI(
        base_url=f"http://portkey-mock/{provider}/v1",
        api_key="sk-sdk-0123456789",
        http_client=http,  # type: ignore[arg-type]
        max_retries=0,
    )


@pytest.mark.parametrize(("provider", "model", "size"), CASES)
def test_the_openai_sdk_generates_images(provider: str, model: str, size: str) -> None:
    mock = upstream()
    width, height = (int(side) for side in size.split("x"))
    with _sdk(mock, provider) as sdk:
        b64 = sdk.images.generate(
            prompt="a cat", model=model, size=size, response_format="b64_json"
        )
        url = sdk.images.generate(prompt="a cat", model=model, size=size, response_format="url")
    assert b64.data and b64.data[0].b64_json and decode(b64.data[0].b64_json) == (width, height)
    assert url.data and url.data[0].url and fetch(mock, url.data[0].url) == (width, height)
    assert mock.calls[0].attempts[0].url.endswith(f"/{provider}/v1/images/generations")


def test_the_sdk_raises_the_providers_error() -> None:
    with _sdk(upstream(), "deepbricks") as sdk, pytest.raises(openai.BadRequestError) as caught:
        sdk.images.generate(prompt="a cat", model="dall-e-2", size="1792x1024")
    assert caught.value.code == "invalid_size"
