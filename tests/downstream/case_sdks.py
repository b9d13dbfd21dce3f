"""Downstream case: tests/test_plugin.py runs it in a fresh pytest, as a user project would."""

from __future__ import annotations

import openai
import pytest
from portkey_ai import Portkey

from mock_gateway import PortkeyMock


def test_openai_sdk(portkey_mock: PortkeyMock) -> None:
    with openai.OpenAI(
        base_url=portkey_mock.base_url,
        api_key="sk-stab",
        default_headers={"x-portkey-api-key": "pk-test", "x-portkey-provider": "stability-ai"},
    ) as client:
        result = client.images.generate(
            prompt="a cat",
            model="stable-diffusion-xl-1024-v1-0",
            size="1024x1024",
            response_format="url",
        )
    assert result.data and result.data[0].url is None and result.data[0].b64_json


def test_portkey_sdk(portkey_mock: PortkeyMock) -> None:
    with Portkey(
        base_url=portkey_mock.base_url,
        api_key="pk",
        provider="stability-ai",
        Authorization="sk-stab",
    ) as portkey:
        result = portkey.images.generate(prompt="a dog", model="stable-diffusion-v1-6")
    assert result.data and result.data[0].b64_json
    portkey_mock.assert_called("/v1/images/generations", method="POST", count=1)


@pytest.mark.portkey_mock(env=True)
def test_code_that_builds_its_own_clients_finds_the_mock(portkey_mock: PortkeyMock) -> None:
    with Portkey(api_key="pk", provider="stability-ai", Authorization="sk-stab") as portkey:
        portkey.images.generate(prompt="a dog", model="stable-diffusion-v1-6")
    with openai.OpenAI(
        api_key="sk-stab",
        default_headers={"x-portkey-api-key": "pk-test", "x-portkey-provider": "stability-ai"},
    ) as client:
        client.images.generate(prompt="a cat", model="stable-diffusion-v1-6")
    assert portkey_mock.calls.call_count == 2
