"""Over a real loopback socket: the seed's code, the seed's curl, and the two Python SDKs."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mock_gateway import LiveServer, ServerStartError, create_app
from mock_gateway.fakes.images import image_dimensions
from mock_gateway.fakes.openai_data import MODELS, RETIRED
from tests.pngcheck import decode_png
from tests.seed import SEED_CURL_DATA

pytestmark = pytest.mark.socket


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with LiveServer(create_app()) as live:
        yield live


def test_binds_loopback_on_a_free_port(server: LiveServer) -> None:
    assert server.url.startswith("http://127.0.0.1:") and server.port > 0
    assert server.base_url == server.url + "/v1"
    assert httpx.get(server.url + "/").text == "AI Gateway says hey!"


def test_seed_requests_code_verbatim_but_the_url(server: LiveServer) -> None:
    import requests

    PORTKEY_API_KEY = "pk-test-123"
    config = {
        "provider": "stability-ai",
        "api_key": "sk-stability-test",
        "override_params": {"model": "stable-diffusion-v1-6"},
    }
    # --- from ../shared/seed/, only the URL changed ---
    config_json = json.dumps(config)
    url = f"{server.base_url}/images/generations"
    headers = {
        "Content-Type": "application/json",
        "x-portkey-api-key": f"{PORTKEY_API_KEY}",
    }
    headers["x-portkey-config"] = config_json
    data = {"prompt": "Harry potter using aeroplane for transport", "response_format": "url"}
    response = requests.post(url, headers=headers, data=json.dumps(data))
    generation_response = response.json()
    # --- end of the seed ---
    assert response.status_code == 200
    assert "url" not in json.dumps(generation_response)
    (item,) = generation_response["data"]
    assert list(item) == ["b64_json"]
    image = decode_png(base64.b64decode(item["b64_json"]))
    assert (image.width, image.height) == (512, 512)


def test_seed_curl_verbatim_but_the_url(server: LiveServer, tmp_path: Any) -> None:
    curl = shutil.which("curl")
    assert curl, "this test runs the seed's curl command: install curl (apt-get install curl)"
    out = tmp_path / "cat.png"
    seed_data = SEED_CURL_DATA  # the thread's --data, character for character
    command = [
        curl,
        "--silent",
        "--show-error",
        "--output",
        str(out),
        "--dump-header",
        "-",
        "--location",
        f"{server.base_url}/generation/stable-diffusion-xl-1024-v1-0/text-to-image",
        "--header",
        "x-portkey-provider: stability-ai",
        "--header",
        "Authorization: <stability-key>",
        "--header",
        "x-portkey-api-key: <portkey-key>",
        "--header",
        "Accept: image/png",
        "--header",
        "Content-Type: application/json",
        "--data",
        seed_data,
    ]
    headers = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=30
    ).stdout.lower()
    assert headers.startswith("http/1.1 200")
    assert "content-type: image/png" in headers and "x-portkey-provider: stability-ai" in headers
    image = decode_png(out.read_bytes())
    assert (image.width, image.height) == (1024, 1024)


def test_openai_sdk_pointed_at_the_base_url(server: LiveServer) -> None:
    import openai

    with openai.OpenAI(
        base_url=server.base_url,
        api_key="sk-stability-key",
        default_headers={"x-portkey-api-key": "pk-test", "x-portkey-provider": "stability-ai"},
        max_retries=0,
    ) as client:
        result = client.images.generate(
            prompt="a cat",
            model="stable-diffusion-xl-1024-v1-0",
            size="1024x1024",
            n=2,
            response_format="url",
        )
    assert [item.url for item in result.data or []] == [None, None]
    for item in result.data or []:
        assert decode_png(base64.b64decode(item.b64_json or "")).width == 1024
    assert (result.model_extra or {}).get("provider") == "stability-ai"


def test_portkey_sdk_pointed_at_the_base_url(server: LiveServer) -> None:
    from portkey_ai import Portkey

    with Portkey(
        base_url=server.base_url,
        api_key="pk-test",
        provider="stability-ai",
        Authorization="sk-stability-key",
    ) as portkey:
        result = portkey.images.generate(
            prompt="a dog", model="stable-diffusion-v1-6", size="640x448"
        )
    (item,) = result.data or []
    image = decode_png(base64.b64decode(item.b64_json or ""))
    assert (image.width, image.height) == (640, 448)
    assert item.url is None


def test_portkey_sdk_without_authorization_meets_stabilitys_401(server: LiveServer) -> None:
    # The SDK then sends its placeholder `Bearer OPENAI_API_KEY` (§1.4); Stability refuses it.
    from portkey_ai import Portkey

    portkey = Portkey(base_url=server.base_url, api_key="pk-test", provider="stability-ai")
    # portkey-ai raises its vendored openai's APIStatusError, which it does not re-export.
    with portkey, pytest.raises(Exception, match="stability-ai error") as caught:
        portkey.images.generate(prompt="a dog", model="stable-diffusion-v1-6")
    assert getattr(caught.value, "status_code", None) == 401
    assert "stability-ai error" in str(caught.value)


def test_a_taken_port_is_a_start_error() -> None:
    with LiveServer(create_app()) as first, pytest.raises(OSError):
        LiveServer(create_app(), port=first.port).start()


def test_listening_socket_is_tcp_so_connections_get_nodelay() -> None:
    # asyncio sets TCP_NODELAY on accepted sockets only when the listener's proto is TCP;
    # without it each answer stalls ~40 ms on Nagle and delayed ACKs.
    import socket

    from mock_gateway.serving.server import bind_socket

    sock = bind_socket("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()


def test_start_twice_is_refused() -> None:
    with LiveServer(create_app()) as live, pytest.raises(ServerStartError, match="already running"):
        live.start()


@pytest.mark.parametrize("model", sorted(MODELS))
def test_openai_sdk_generates_with_every_catalogue_model(server: LiveServer, model: str) -> None:
    if model in RETIRED:  # OpenAI served these until 2026-05-12: the dated profile has them
        with LiveServer(create_app(profile="hosted-2025")) as dated:
            _generate_with_the_openai_sdk(dated, model)
    else:
        _generate_with_the_openai_sdk(server, model)


def _generate_with_the_openai_sdk(server: LiveServer, model: str) -> None:
    import openai

    with openai.OpenAI(
        base_url=server.base_url, api_key="sk-openai-key", max_retries=0,
        default_headers={"x-portkey-api-key": "pk-test", "x-portkey-provider": "openai"},
    ) as client:  # fmt: skip
        result = client.images.generate(prompt="a cat", model=model)
    (item,) = result.data or []
    if model.startswith("dall-e"):
        assert item.url and item.b64_json is None
        image = httpx.get(item.url).content  # the URL resolves on the running server
    else:
        assert item.b64_json and item.url is None and result.usage is not None
        image = base64.b64decode(item.b64_json)
    assert image_dimensions(image) == (1024, 1024)
