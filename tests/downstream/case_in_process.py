"""Downstream case: tests/test_plugin.py runs it in a fresh pytest, as a user project would.

The in-process transports need no socket: the base URL's host does not even resolve.
"""

from __future__ import annotations

import asyncio

import httpx
import openai

from mock_gateway import PortkeyMock

NOWHERE = "http://portkey-mock.invalid/v1"  # only the in-process transport can reach this
HEADERS = {
    "x-portkey-api-key": "pk-test",
    "x-portkey-provider": "stability-ai",
    "authorization": "sk",
}


def test_httpx_in_process(portkey_mock: PortkeyMock) -> None:
    with httpx.Client(transport=portkey_mock.transport(), base_url=NOWHERE) as client:
        r = client.post(
            "/images/generations",
            json={"model": "stable-diffusion-v1-6", "prompt": "x"},
            headers=HEADERS,
        )
    assert r.status_code == 200 and r.json()["provider"] == "stability-ai"
    assert portkey_mock.calls.last.upstream[0].json["text_prompts"][0]["text"] == "x"


def test_openai_sdk_in_process(portkey_mock: PortkeyMock) -> None:
    http = httpx.Client(transport=portkey_mock.transport())
    with openai.OpenAI(
        base_url=NOWHERE,
        api_key="sk",
        # openai 3.x types this as httpx2.Client but accepts an httpx.Client at run time.
        http_client=http,  # type: ignore[arg-type]
        default_headers={"x-portkey-api-key": "pk-test", "x-portkey-provider": "stability-ai"},
        max_retries=0,
    ) as client:
        result = client.images.generate(prompt="a", model="stable-diffusion-v1-6")
    assert result.data and result.data[0].b64_json
    assert portkey_mock.calls.call_count == 1


async def _post(portkey_mock: PortkeyMock) -> httpx.Response:
    transport = portkey_mock.async_transport()
    async with httpx.AsyncClient(transport=transport, base_url=NOWHERE) as client:
        return await client.post("/images/generations", json={"prompt": "x"}, headers=HEADERS)


def test_async_transport(portkey_mock: PortkeyMock) -> None:
    # No model: the gateway goes to /v2beta/stable-image/generate/undefined, which 404s.
    assert asyncio.run(_post(portkey_mock)).status_code == 404
