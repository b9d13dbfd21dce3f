"""The fake providers served on their own (role upstream), as a real gateway's custom host."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from mock_gateway import LiveServer, PortkeyMock, create_app
from mock_gateway.cli import parse_args
from mock_gateway.fakes.provider_app import provider_for_path
from mock_gateway.faults import Fault
from mock_gateway.state import MockState
from tests.conftest import MockClient
from tests.constants import SDXL_V1_PATH

KEY = {"authorization": "Bearer sk-stab-0123456789abcdef"}
SDXL = SDXL_V1_PATH
V1_BODY = {
    "text_prompts": [{"text": "a cat", "weight": 1}],
    "width": 1024,
    "height": 1024,
    "samples": 2,
}


@pytest.fixture
def upstream() -> MockClient:
    return MockClient(PortkeyMock(create_app(role="upstream")))


def state(client: MockClient) -> MockState:
    mock: MockState = client.mock.state
    return mock


@pytest.mark.parametrize(
    ("path", "provider"),
    [
        ("/v1/images/generations", "openai"),
        ("/images/generations", "openai"),  # a custom host without /v1: OpenAI's own 404
        ("/v1/images/edits", "openai"),
        (SDXL, "stability-ai"),
        ("/generation/stable-diffusion-v1-6/text-to-image", "stability-ai"),
        ("/v2beta/stable-image/generate/core", "stability-ai"),
        ("/v1/engines/list", "stability-ai"),
        ("/anything/else", "stability-ai"),
        # The OpenAI-compatible providers, under their slugs (their paths collide).
        ("/recraft-ai/v1/images/generations", "recraft-ai"),
        ("/nscale/v1/images/generations", "nscale"),
        ("/hyperbolic/v1/image/generation", "hyperbolic"),
        ("/siliconflow/v1/Kwai-Kolors/Kolors/text-to-image", "siliconflow"),
        ("/recraft-aix/v1/images/generations", "openai"),  # a slug is a whole segment
        ("/v1/projects/p/locations/us-central1/publishers/google/models/m:predict", "vertex-ai"),
        ("/v1/projects/p/locations/us-central1", "vertex-ai"),  # the stream-bug route
        ("/v1/sdxl1.0-txt2img", "segmind"),
        ("/v1/undefined", "segmind"),  # the gateway's URL without a model
        ("/v1/images", "openai"),
        ("/inference/v1/image_generation/accounts/fireworks/models/SSD-1B", "fireworks-ai"),
        ("/image_generation/undefined", "fireworks-ai"),
        ("/client/v4/accounts/a/ai/run/@cf/black-forest-labs/flux-1-schnell", "workers-ai"),
        ("/@cf/stabilityai/stable-diffusion-xl-base-1.0", "workers-ai"),  # custom host alone
        ("/client/v4/accounts/a/ai/run/undefined", "workers-ai"),
    ],
)
def test_one_server_tells_the_providers_apart_by_path(path: str, provider: str) -> None:
    assert provider_for_path(path) == provider


def test_stability_v1_answers_artifacts_and_journals_the_request(
    upstream: MockClient,
) -> None:
    response = upstream.post(SDXL, headers=KEY, json=V1_BODY)
    assert response.status_code == 200
    artifacts = response.json()["artifacts"]
    assert len(artifacts) == 2
    assert base64.b64decode(artifacts[0]["base64"]).startswith(b"\x89PNG")
    call = state(upstream).journal.calls().last
    assert (call.path, call.json) == (SDXL, V1_BODY)
    assert call.header("authorization") == "Bearer sk-s...cdef"  # redacted
    assert [attempt.target for attempt in call.upstream] == ["stability-ai"]
    assert call.upstream[0].response.status == 200


def test_stability_v1_png_bytes_and_v2beta_image(upstream: MockClient) -> None:
    one = {**V1_BODY, "samples": 1}  # image/png answers carry one image
    png = upstream.post(SDXL, headers={**KEY, "accept": "image/png"}, json=one)
    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    v2 = upstream.post(
        "/v2beta/stable-image/generate/core",
        headers={**KEY, "accept": "image/*"},
        files={"prompt": (None, "a cat")},
    )
    assert (v2.status_code, v2.headers["content-type"]) == (200, "image/png")


def test_stability_engines_list_and_errors_in_its_own_shape(upstream: MockClient) -> None:
    engines = upstream.get("/v1/engines/list", headers=KEY)
    assert "stable-diffusion-xl-1024-v1-0" in [engine["id"] for engine in engines.json()]
    missing = upstream.post("/generation/stable-diffusion-v1-6/text-to-image", headers=KEY)
    assert missing.status_code == 404
    assert missing.json()["name"] == "not_found"
    unauthorized = upstream.post(SDXL, json=V1_BODY)
    assert unauthorized.status_code == 401
    assert set(unauthorized.json()) == {"id", "name", "message"}


def test_openai_images_with_urls_served_by_the_same_server() -> None:
    # DALL·E's URLs: OpenAI served them until 2026-05-12, so the dated profile.
    with LiveServer(create_app(role="upstream", profile="hosted-2025")) as server:
        response = httpx.post(
            server.url + "/v1/images/generations",
            headers={"authorization": "Bearer sk-oai-0123456789"},
            json={"model": "dall-e-2", "prompt": "a cat"},
        )
        assert response.status_code == 200
        url = response.json()["data"][0]["url"]
        assert url.startswith(server.url + "/_mock/openai-blobs/")
        image = httpx.get(url)
    assert (image.status_code, image.content[:4]) == (200, b"\x89PNG")


def test_openai_wrong_path_is_openais_404(upstream: MockClient) -> None:
    response = upstream.post("/images/generations", headers=KEY, json={"prompt": "a cat"})
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Invalid URL (POST /images/generations)"


def test_faults_from_the_queue_and_from_headers(upstream: MockClient) -> None:
    queued = upstream.post("/_mock/faults", json={"fault": "fail", "status": 503, "retry_after": 2})
    assert queued.status_code == 200
    first = upstream.post(SDXL, headers=KEY, json=V1_BODY)
    assert (first.status_code, first.headers["retry-after"]) == (503, "2")
    assert upstream.post(SDXL, headers=KEY, json=V1_BODY).status_code == 200  # used up
    by_header = upstream.post(SDXL, headers={**KEY, "x-mock-status": "429"}, json=V1_BODY)
    assert by_header.status_code == 429
    assert state(upstream).journal.calls()[-1].upstream[0].fault == Fault.fail(429)
    malformed = upstream.post(
        SDXL, headers={**KEY, "x-mock-status": "nope"}, json=V1_BODY
    )  # a bad control header is a clear 400
    assert malformed.status_code == 400
    assert "x-mock-status" in malformed.json()["message"]


def test_a_malformed_fault_without_a_content_type_sends_none(upstream: MockClient) -> None:
    upstream.mock.respond_next(200, "{}", "")
    response = upstream.post(SDXL, headers=KEY, json=V1_BODY)
    assert "content-type" not in response.headers


@pytest.mark.socket
def test_a_drop_fault_closes_the_socket_before_any_answer() -> None:
    with LiveServer(create_app(role="upstream")) as server:
        mock = PortkeyMock(server.app, server)
        mock.drop_next()
        with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
            httpx.post(server.url + SDXL, headers=KEY, json=V1_BODY)
        after = httpx.post(server.url + SDXL, headers=KEY, json=V1_BODY)  # the server lives on
        assert after.status_code == 200
        assert mock.calls[0].upstream[0].fault == Fault.drop()


def test_reset_and_health_control_routes(upstream: MockClient) -> None:
    upstream.post(SDXL, headers=KEY, json=V1_BODY)
    assert len(upstream.get("/_mock/calls").json()["calls"]) == 1
    assert upstream.post("/_mock/reset", headers={"content-type": "application/json"}).json() == {
        "status": "ok"
    }
    assert upstream.get("/_mock/calls").json()["calls"] == []
    assert upstream.get("/_mock/health").json()["status"] == "ok"


def test_an_unknown_role_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown role 'proxy'"):
        create_app(role="proxy")


def test_the_cli_takes_a_role() -> None:
    assert parse_args(["serve"]).role == "gateway"
    assert parse_args(["serve", "--role", "upstream"]).role == "upstream"
    with pytest.raises(SystemExit):
        parse_args(["serve", "--role", "nope"])


@pytest.mark.socket
def test_serve_role_upstream_prints_the_custom_hosts_and_answers() -> None:
    script = os.path.join(os.path.dirname(sys.executable), "mock-portkey")
    process = subprocess.Popen(
        [script, "serve", "--role", "upstream", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        hosts = process.stdout.readline()
        assert "fake providers listening on http://127.0.0.1:" in first
        origin = first.split(" on ")[1].strip()
        assert hosts.strip() == f"custom_host: {origin} (stability-ai), {origin}/v1 (openai)"
        deadline = time.monotonic() + 5
        while True:
            try:
                response = httpx.get(origin + "/v1/engines/list", headers=KEY)
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "server did not answer"
                time.sleep(0.02)
        assert response.status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert "stopped" in out
    assert "Traceback" not in err
