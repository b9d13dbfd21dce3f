"""The same prompt through each provider: today's surprises, side by side (issue 12)."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from mock_gateway.fakes.images import image_dimensions
from tests.conftest import ClientFactory, MockClient

PROMPT = "Harry potter using aeroplane for transport"


@pytest.fixture
def client(make_client: ClientFactory) -> MockClient:
    """DALL·E as OpenAI served it until 2026-05-12: the dated profile (the default retires it)."""
    return make_client(profile="hosted-2025")


def generate(client: MockClient, provider: str, body: dict[str, Any]) -> httpx.Response:
    headers = {"x-portkey-provider": provider, "authorization": "Bearer sk-test-key-0123456789"}
    return client.post("/v1/images/generations", headers=headers, json={"prompt": PROMPT, **body})


def test_the_three_answers_to_the_same_prompt(client: MockClient) -> None:
    stability = generate(
        client, "stability-ai", {"model": "stable-diffusion-v1-6", "response_format": "url"}
    )
    dall_e = generate(client, "openai", {"model": "dall-e-3", "response_format": "url"})
    gpt = generate(client, "openai", {"model": "gpt-image-1"})
    gpt_with_url = generate(client, "openai", {"model": "gpt-image-1", "response_format": "url"})

    # Stability: b64_json although url was asked (the seed's surprise).
    assert stability.status_code == 200
    assert list(stability.json()["data"][0]) == ["b64_json"]
    # DALL·E 3: a url, which resolves on the mock itself, plus revised_prompt.
    assert dall_e.status_code == 200
    item = dall_e.json()["data"][0]
    assert set(item) == {"url", "revised_prompt"}
    fetched = client.get(item["url"].removeprefix("http://portkey-mock"))
    assert fetched.status_code == 200 and fetched.headers["content-type"] == "image/png"
    assert image_dimensions(fetched.content) == (1024, 1024)
    # GPT image: b64_json with usage, no provider field (OpenAI's answer is passed through).
    assert gpt.status_code == 200
    assert set(gpt.json()) == {
        "created",
        "data",
        "usage",
        "background",
        "output_format",
        "quality",
        "size",
    }
    assert image_dimensions(base64.b64decode(gpt.json()["data"][0]["b64_json"])) == (1024, 1024)
    # ...and today's version of the surprise: response_format is a 400 for GPT image models.
    assert gpt_with_url.status_code == 400
    assert gpt_with_url.json() == {
        "error": {
            "message": "openai error: Unknown parameter: 'response_format'.",
            "type": "invalid_request_error",
            "param": "response_format",
            "code": "unknown_parameter",
        },
        "provider": "openai",
    }


def test_openai_upstream_gets_only_the_forwarded_fields(client: MockClient) -> None:
    generate(
        client,
        "openai",
        {"model": "gpt-image-1", "background": "transparent", "output_format": "webp"},
    )
    upstream = client.calls()[-1]["upstream"][0]["request"]
    assert upstream["url"] == "https://api.openai.com/v1/images/generations"
    assert upstream["body"]["json"] == {"prompt": PROMPT, "model": "gpt-image-1"}


def test_no_model_is_dall_e_2_with_a_url(client: MockClient) -> None:
    response = generate(client, "openai", {})
    assert list(response.json()["data"][0]) == ["url"]
    assert client.calls()[-1]["upstream"][0]["request"]["body"]["json"]["model"] == "dall-e-2"


def test_the_url_follows_a_proxy_host(client: MockClient) -> None:
    headers = {
        "x-portkey-provider": "openai",
        "authorization": "Bearer sk-k",
        "x-forwarded-host": "images.test:9000",
        "x-forwarded-proto": "https",
    }
    response = client.post(
        "/v1/images/generations", headers=headers, json={"prompt": "x", "model": "dall-e-2"}
    )
    assert response.json()["data"][0]["url"].startswith(
        "https://images.test:9000/_mock/openai-blobs/"
    )


def test_urls_expire_after_the_configured_lifetime(make_client: ClientFactory) -> None:
    now = [1_795_000_000.0]
    client = make_client(clock=lambda: now[0], url_ttl=120, profile="hosted-2025")
    url = (
        generate(client, "openai", {"model": "dall-e-2"})
        .json()["data"][0]["url"]
        .removeprefix("http://portkey-mock")
    )
    assert client.get(url).status_code == 200
    now[0] += 121
    expired = client.get(url)
    assert expired.status_code == 403
    assert b"Signature not valid in the specified time frame" in expired.content


@pytest.mark.parametrize("profile", ["hosted", "hosted-dalle-retired"])
def test_dall_e_is_retired_by_default(make_client: ClientFactory, profile: str) -> None:
    # OpenAI shut DALL·E 2 and 3 down on 2026-05-12: the default answers as it does today; the
    # old name for that behaviour still works, with a DeprecationWarning.
    if profile == "hosted":
        client = make_client()
    else:
        with pytest.warns(DeprecationWarning, match="hosted-dalle-retired"):
            client = make_client(profile=profile)
    assert client.get("/_mock/health").json()["profile"] == "hosted"
    response = generate(client, "openai", {"model": "dall-e-3"})
    assert response.status_code == 404
    assert response.json()["error"] == {
        "message": "openai error: The model `dall-e-3` does not exist or you do not have access to it.",
        "type": "invalid_request_error",
        "param": None,
        "code": "model_not_found",
    }


@pytest.mark.parametrize(
    ("provider", "body", "status", "code"),
    [
        ("openai", {"model": "gpt-image-1"}, 400, "moderation_blocked"),
        ("openai", {"model": "dall-e-2"}, 400, "content_policy_violation"),
        ("stability-ai", {"model": "core"}, 403, None),
    ],
)
def test_blocked_word_through_the_gateway(
    client: MockClient, provider: str, body: dict[str, Any], status: int, code: str | None
) -> None:
    response = client.post(
        "/v1/images/generations",
        headers={"x-portkey-provider": provider, "authorization": "Bearer sk-k"},
        json={"prompt": "a mock-blocked thing", **body},
    )
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    if provider == "stability-ai":
        assert error["type"] == "content_moderation"
        assert error["message"].startswith("stability-ai error: Your request was flagged")


def test_filtered_word_stability_v1_blurs_and_marks_the_artifact(client: MockClient) -> None:
    response = client.post(
        "/v1/generation/stable-diffusion-v1-6/text-to-image",
        headers={"x-portkey-provider": "stability-ai", "authorization": "sk-k"},
        json={"text_prompts": [{"text": "a mock-filtered thing"}]},
    )
    (artifact,) = response.json()["artifacts"]
    assert artifact["finishReason"] == "CONTENT_FILTERED"
    from tests.pngcheck import decode_png

    image = decode_png(base64.b64decode(artifact["base64"]))
    assert (
        len({image.palette[i : i + 3] for i in range(0, len(image.palette), 3)}) == 1
    )  # one flat colour


def test_dall_e_urls_expire_on_the_mocks_clock(client: MockClient) -> None:
    url = (
        generate(client, "openai", {"model": "dall-e-2"})
        .json()["data"][0]["url"]
        .removeprefix("http://portkey-mock")
    )
    assert client.get(url).status_code == 200
    assert client.post("/_mock/clock", json={"advance": 3601}).status_code == 200
    assert client.get(url).status_code == 403  # OpenAI's URLs live 60 minutes
