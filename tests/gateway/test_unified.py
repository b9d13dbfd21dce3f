"""POST /v1/images/generations with provider stability-ai, end to end in-process (§3)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.conftest import FIXED_NOW, ClientFactory, MockClient, config
from tests.constants import SDXL_MODEL
from tests.pngcheck import decode_png

SDXL = SDXL_MODEL
STABILITY = {"x-portkey-provider": "stability-ai", "authorization": "Bearer sk-stab-12345678"}
PORTKEY_HEADERS = {
    "x-portkey-last-used-option-index",
    "x-portkey-retry-attempt-count",
    "x-portkey-trace-id",
    "x-portkey-cache-status",
    "x-portkey-provider",
}


def generate(client: MockClient, body: Any, headers: dict[str, str] | None = None) -> Any:
    return client.post("/v1/images/generations", headers=headers or STABILITY, json=body)


def sizes(body: dict[str, Any]) -> list[tuple[int, int]]:
    images = [decode_png(base64.b64decode(item["b64_json"])) for item in body["data"]]
    return [(image.width, image.height) for image in images]


def test_seed_request_gets_b64_json_even_though_it_asked_for_url(client: MockClient) -> None:
    # The forum thread's request; its (unshown) config must have named a model: the 512x512
    # PNG in its answer is what stable-diffusion-v1-6 makes by default.
    headers = {
        "content-type": "application/json",
        "x-portkey-api-key": "pk-123",
        "x-portkey-config": config(
            provider="stability-ai",
            api_key="sk-stab-1",
            override_params={"model": "stable-diffusion-v1-6"},
        ),
    }
    response = client.post(
        "/v1/images/generations",
        headers=headers,
        content=json.dumps(
            {"prompt": "Harry potter using aeroplane for transport", "response_format": "url"}
        ),
    )
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["created", "data", "provider"]
    assert body["provider"] == "stability-ai"
    assert [list(item) for item in body["data"]] == [["b64_json"]]
    assert sizes(body) == [(512, 512)]
    assert body["data"][0]["b64_json"].startswith(
        "iVBORw0KGgoAAAANSUhEUgAAAgAAAAIACA"
    )  # as in the seed


@pytest.mark.parametrize("response_format", ["url", "b64_json", None, "png"])
def test_stability_never_returns_a_url(client: MockClient, response_format: str | None) -> None:
    body: dict[str, Any] = {"model": SDXL, "prompt": "a cat", "n": 2, "size": "1024x1024"}
    if response_format is not None:
        body["response_format"] = response_format
    response = generate(client, body)
    assert response.status_code == 200
    assert all(list(item) == ["b64_json"] for item in response.json()["data"])
    assert sizes(response.json()) == [(1024, 1024), (1024, 1024)]


def test_compact_json_and_headers(client: MockClient) -> None:
    response = generate(client, {"model": SDXL, "prompt": "a cat", "size": "1024x1024"})
    assert response.headers["content-type"] == "application/json"
    assert b'{"created":1795000000,"data":[{"b64_json":"' in response.content
    assert set(response.headers) >= PORTKEY_HEADERS
    assert response.headers["x-portkey-provider"] == "stability-ai"
    assert response.headers["x-portkey-last-used-option-index"] == "config"
    assert response.headers["x-portkey-retry-attempt-count"] == "0"
    assert response.headers["x-portkey-cache-status"] == "DISABLED"


def test_trace_id_is_echoed(client: MockClient) -> None:
    response = generate(
        client,
        {"model": SDXL, "prompt": "a", "size": "1024x1024"},
        {**STABILITY, "x-portkey-trace-id": "t-1"},
    )
    assert response.headers["x-portkey-trace-id"] == "t-1"


@pytest.mark.parametrize(("profile", "generated"), [("hosted", True), ("oss", False)])
def test_trace_id_when_absent_depends_on_the_profile(
    make_client: ClientFactory, profile: str, generated: bool
) -> None:
    response = generate(
        make_client(profile=profile), {"model": SDXL, "prompt": "a", "size": "1024x1024"}
    )
    assert "x-portkey-trace-id" in response.headers
    assert bool(response.headers["x-portkey-trace-id"]) is generated


@pytest.mark.parametrize(
    ("profile", "created"),
    [
        ("hosted", int(FIXED_NOW)),
        ("oss", int(FIXED_NOW)),
        ("hosted-2024", str(int(FIXED_NOW * 1000))),
    ],
)
def test_created_format_depends_on_the_profile(
    make_client: ClientFactory, profile: str, created: int | str
) -> None:
    response = generate(
        make_client(profile=profile), {"model": SDXL, "prompt": "a", "size": "1024x1024"}
    )
    assert response.json()["created"] == created


def test_upstream_errors_are_wrapped_with_stabilitys_status(client: MockClient) -> None:
    response = generate(client, {"model": SDXL, "prompt": "a cat", "size": "512x512"})
    assert response.status_code == 400
    error = response.json()
    assert error["provider"] == "stability-ai"
    assert error["error"]["type"] == "invalid_sdxl_v1_dimensions"
    assert error["error"]["message"].startswith(
        "stability-ai error: for stable-diffusion-xl-1024-v0-9"
    )
    assert error["error"]["message"].endswith("but we received 512x512")
    assert set(response.headers) >= PORTKEY_HEADERS


def test_missing_authorization_reaches_stability_as_bearer_undefined(
    client: MockClient,
) -> None:
    response = generate(
        client,
        {"model": SDXL, "prompt": "a", "size": "1024x1024"},
        {"x-portkey-provider": "stability-ai"},
    )
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "unauthorized"
    (attempt,) = client.calls()[-1]["upstream"]
    assert attempt["request"]["headers"][1] == ["authorization", "Bearer undefined"]


def test_no_model_goes_to_v2beta_undefined_and_404s(client: MockClient) -> None:
    response = generate(client, {"prompt": "a cat", "response_format": "url"})
    assert response.status_code == 404
    assert response.json()["error"]["message"].startswith("stability-ai error: ")
    (attempt,) = client.calls()[-1]["upstream"]
    assert (
        attempt["request"]["url"]
        == "https://api.stability.ai/v2beta/stable-image/generate/undefined"
    )


@pytest.mark.parametrize(
    ("model", "size"), [("core", (1216, 1216)), ("sd3", (1024, 1024)), ("ultra", (1024, 1024))]
)
def test_v2_models_give_one_image(client: MockClient, model: str, size: tuple[int, int]) -> None:
    response = generate(client, {"model": model, "prompt": "a cat", "n": 4, "size": "512x512"})
    assert response.status_code == 200
    assert sizes(response.json()) == [size]  # n and size are dropped on v2


def test_v2_upstream_error_is_wrapped_with_the_id_as_param(client: MockClient) -> None:
    response = generate(client, {"model": "core", "prompt": "a cat", "aspect_ratio": "7:3"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "bad_request"
    assert error["message"].startswith("stability-ai error: aspect_ratio: ")
    assert (
        error["param"]
        == client.calls()[-1]["upstream"][0]["response"]["body"]["text"]
        .split('"id":"')[1]
        .split('"')[0]
    )


def test_override_params_win_over_the_body(client: MockClient) -> None:
    headers = {
        "x-portkey-config": config(
            provider="stability-ai",
            api_key="k",
            override_params={"model": "stable-diffusion-v1-6", "n": 3},
        )
    }
    response = generate(client, {"model": SDXL, "prompt": "a", "n": 1}, headers)
    assert response.status_code == 200
    assert sizes(response.json()) == [(512, 512)] * 3


def test_config_provider_wins_over_the_provider_header(client: MockClient) -> None:
    headers = {
        "x-portkey-provider": "openai",
        "x-portkey-config": config(provider="stability-ai", api_key="k"),
    }
    response = generate(client, {"model": SDXL, "prompt": "a", "size": "1024x1024"}, headers)
    assert response.status_code == 200
    assert response.headers["x-portkey-provider"] == "stability-ai"


def test_custom_host_and_forward_headers_shape_the_upstream_request(
    client: MockClient,
) -> None:
    headers = {
        **STABILITY,
        "x-portkey-custom-host": "http://127.0.0.1:9921",
        "x-portkey-forward-headers": "x-custom-a,stability-client-id",
        "x-custom-a": "1",
        "stability-client-id": "app1",
        "x-not-listed": "no",
    }
    generate(client, {"model": SDXL, "prompt": "a", "size": "1024x1024"}, headers)
    request = client.calls()[-1]["upstream"][0]["request"]
    assert request["url"] == f"http://127.0.0.1:9921/v1/generation/{SDXL}/text-to-image"
    names = dict(request["headers"])
    assert (names["x-custom-a"], names["stability-client-id"]) == ("1", "app1")
    assert "x-not-listed" not in names


@pytest.mark.parametrize("body", [b"", b"{", b"not json"])
def test_a_body_that_is_not_json_is_the_gateways_500(client: MockClient, body: bytes) -> None:
    response = client.post(
        "/v1/images/generations",
        headers={**STABILITY, "content-type": "application/json"},
        content=body,
    )
    assert response.status_code == 500
    assert response.content == b'{"status":"failure","message":"Something went wrong"}'
    assert not [name for name in response.headers if name.startswith("x-portkey-")]


def test_a_size_that_is_not_a_string_is_a_gateway_exception(client: MockClient) -> None:
    response = generate(client, {"model": SDXL, "prompt": "a", "size": 1024})
    assert response.status_code == 500
    assert response.content == b'{"status":"failure","message":"Something went wrong"}'
    assert response.headers["x-portkey-gateway-exception"] == "true"


def test_no_content_type_forwards_an_empty_body(client: MockClient) -> None:
    response = client.post(
        "/v1/images/generations",
        headers=STABILITY,
        content=json.dumps({"model": SDXL, "prompt": "a"}),
    )
    assert response.status_code == 400  # Stability cannot parse the empty body
    assert client.calls()[-1]["upstream"][0]["request"]["body"] == {"text": ""}


@pytest.mark.parametrize(
    ("provider", "status", "body"),
    [
        (
            "anthropic",
            500,
            b'{"status":"failure","message":"imageGenerate is not supported by anthropic"}',
        ),
        ("portkey", 500, b'{"status":"failure","message":"Provider portkey not found"}'),
    ],
)
def test_providers_without_images(
    client: MockClient, provider: str, status: int, body: bytes
) -> None:
    response = generate(client, {"prompt": "a"}, {"x-portkey-provider": provider})
    assert (response.status_code, response.content) == (status, body)
    assert response.headers["x-portkey-gateway-exception"] == "true"


def test_every_image_provider_the_gateway_routes_is_modelled() -> None:
    from mock_gateway.adapters import ADAPTERS
    from mock_gateway.fakes.registry import FAKES
    from mock_gateway.gateway.providers import IMAGE_PROVIDERS

    # Issue 17: the fifteen providers with imageGenerate in the gateway 1.15.2.
    assert len(IMAGE_PROVIDERS) == 15
    assert IMAGE_PROVIDERS - set(ADAPTERS) == set()
    assert IMAGE_PROVIDERS - set(FAKES) == set()


def test_an_unmodelled_image_provider_says_so(
    client: MockClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mock_gateway.adapters import ADAPTERS

    monkeypatch.delitem(ADAPTERS, "nscale")  # as if the mock had no adapter for it
    response = generate(client, {"prompt": "a"}, {"x-portkey-provider": "nscale"})
    assert response.status_code == 501
    assert response.headers["x-mock-unsupported"] == "true"
    assert "nscale" in response.json()["message"]


def test_the_same_request_and_seed_give_the_same_bytes(make_client: ClientFactory) -> None:
    body = {"model": "stable-diffusion-v1-6", "prompt": "a cat", "seed": 0}
    first = generate(make_client(seed=1), body).json()
    again = generate(make_client(seed=1), body).json()
    other = generate(make_client(seed=2), body).json()
    assert first == again
    assert first["data"] != other["data"]  # seed 0 is random: a new instance seed, a new image
