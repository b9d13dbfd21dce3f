"""Mock-only hints (``x-mock-hint`` and one log line) where the faithful answer says nothing,
and the gateway's routes the mock does not model (501 ``x-mock-unsupported``)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from mock_gateway.gateway.unmodelled import UNMODELLED_ROUTES
from mock_gateway.hints import MAX_HINT, header_value
from tests.conftest import ClientFactory, MockClient

STABILITY = {"x-portkey-provider": "stability-ai", "authorization": "sk-stab-0123456789"}
OPENAI = {"x-portkey-provider": "openai", "authorization": "sk-oai-0123456789"}
V1_BODY = {"text_prompts": [{"text": "a cat"}]}
# A v1 model in the body: the open-source gateway then sends JSON, not [object Object].
V1_WITH_MODEL = {**V1_BODY, "model": "stable-diffusion-v1-6"}


def hint_of(response: Any, caplog: pytest.LogCaptureFixture) -> str:
    """The response's hint, checked against the one log line that said the same."""
    value: str = response.headers["x-mock-hint"]
    value.encode("ascii")  # a header value: ASCII only
    assert len(value) <= MAX_HINT
    logged = [r.getMessage() for r in caplog.records if r.name == "mock_gateway"]
    assert logged == [f"mock-portkey-gateway hint: {value}"]
    return value


def test_missing_portkey_key_keeps_the_bare_401_and_says_which_header(
    client: MockClient, caplog: pytest.LogCaptureFixture
) -> None:
    response = client.post(
        "/v1/images/generations",
        headers={**STABILITY, "x-portkey-api-key": None},
        json={"prompt": "a cat"},
    )
    assert (response.status_code, response.content) == (401, b"")  # faithful
    hint = hint_of(response, caplog)
    assert "missing header x-portkey-api-key" in hint and "profile hosted" in hint


def test_unknown_virtual_key_says_it_is_not_registered(
    client: MockClient, caplog: pytest.LogCaptureFixture
) -> None:
    response = client.post(
        "/v1/images/generations",
        headers={"x-portkey-virtual-key": "vk-nope"},
        json={"prompt": "a cat"},
    )
    assert response.status_code == 400
    assert response.json()["message"] == "Invalid virtual key passed: vk-nope"
    hint = hint_of(response, caplog)
    assert hint.startswith("virtual key vk-nope is not in the registry")
    assert "POST /_mock/registry" in hint


def test_a_retired_model_says_which_profile_retired_it(
    make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_client()  # the default profile answers as OpenAI does today
    response = client.post(
        "/v1/images/generations", headers=OPENAI, json={"model": "dall-e-3", "prompt": "a cat"}
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "model_not_found"  # OpenAI's own answer
    hint = hint_of(response, caplog)
    assert "dall-e-3 is retired" in hint and "hosted-2025" in hint


def test_the_oss_proxy_dropping_v1_is_named(
    make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_client(profile="oss")
    path = "/v1/generation/stable-diffusion-v1-6/text-to-image"
    response = client.post(path, headers=STABILITY, json=V1_WITH_MODEL)
    assert response.status_code == 404  # Stability's own 404 for /generation/...
    hint = hint_of(response, caplog)
    assert "drops /v1" in hint and "/generation/stable-diffusion-v1-6/text-to-image" in hint
    # The hosted profile restores /v1: no hint there.
    hosted = make_client().post(path, headers=STABILITY, json=V1_BODY)
    assert hosted.status_code == 200 and "x-mock-hint" not in hosted.headers


def test_no_model_sending_stability_to_generate_undefined_is_named(
    client: MockClient, caplog: pytest.LogCaptureFixture
) -> None:
    response = client.post("/v1/images/generations", headers=STABILITY, json={"prompt": "a"})
    assert response.status_code == 404
    assert client.calls()[-1]["upstream"][0]["request"]["url"].endswith("/generate/undefined")
    assert "/v2beta/stable-image/generate/undefined; set model" in hint_of(response, caplog)


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"{not json", "not JSON as JSON.parse reads it"),
        (b'{"prompt": NaN}', "NaN is not JSON"),
        (b"[" * 65 + b"]" * 65, "nested deeper than 64 levels"),
        (b"", "empty"),
    ],
)
def test_bad_json_keeps_something_went_wrong_and_says_why(
    client: MockClient, caplog: pytest.LogCaptureFixture, body: bytes, why: str
) -> None:
    response = client.post(
        "/v1/images/generations",
        headers={**STABILITY, "content-type": "application/json"},
        content=body,
    )
    assert (response.status_code, response.json()) == (
        500,
        {"status": "failure", "message": "Something went wrong"},
    )
    assert why in hint_of(response, caplog)


def test_bad_json_on_the_proxy_route_says_why(
    client: MockClient, caplog: pytest.LogCaptureFixture
) -> None:
    response = client.post(
        "/v1/generation/stable-diffusion-v1-6/text-to-image",
        headers={**STABILITY, "content-type": "application/json"},
        content=b'{"x": NaN}',
    )
    assert response.status_code == 500
    assert response.json()["message"].startswith("Proxy error: ")
    assert "NaN is not JSON" in hint_of(response, caplog)


def test_a_plain_success_has_no_hint(client: MockClient) -> None:
    response = client.post(
        "/v1/images/generations",
        headers=STABILITY,
        json={"model": "stable-diffusion-v1-6", "prompt": "a cat"},
    )
    assert response.status_code == 200 and "x-mock-hint" not in response.headers


def test_hint_values_are_short_printable_ascii() -> None:
    value = header_value(["prompt «ünïcode»\r\nx", "y" * 1000])
    assert len(value) == MAX_HINT and value.endswith(b"...")
    assert all(32 <= byte < 127 for byte in value)


@pytest.mark.parametrize(
    "path",
    ["/v1/images/variations", "/v1/chat/completions", "/v1/embeddings",
     "/v1/completions", "/v1/audio/speech", "/v1/moderations"],
)  # fmt: skip
@pytest.mark.parametrize("profile", ["hosted", "oss"])
def test_unmodelled_routes_answer_501_for_openai(
    make_client: ClientFactory, path: str, profile: str
) -> None:
    response = make_client(profile=profile).post(path, headers=OPENAI, json={"model": "x"})
    assert response.status_code == 501, response.text
    assert response.headers["x-mock-unsupported"] == "true"
    assert response.json()["message"].startswith("mock-portkey-gateway does not model ")
    assert path in response.json()["message"]


@pytest.mark.parametrize(("methods", "path"), UNMODELLED_ROUTES)
def test_every_unmodelled_gateway_route_answers_501_whatever_the_provider(
    client: MockClient, methods: tuple[str, ...], path: str
) -> None:
    concrete = path.replace("{id}", "file-1").replace("{id:path}", "b-1")
    concrete = concrete.replace("{rest:path}", "x/y")
    for provider in ("stability-ai", "openai", "anthropic"):
        headers = {**STABILITY, "x-portkey-provider": provider}
        response = client.request(methods[0], concrete, headers=headers)
        assert (response.status_code, response.headers.get("x-mock-unsupported")) == (
            501,
            "true",
        ), (provider, concrete, response.text)


def test_unmodelled_routes_validate_first_as_the_gateway_does(client: MockClient) -> None:
    response = client.post("/v1/chat/completions", json={"messages": []})  # no provider
    assert response.status_code == 400
    assert "x-mock-unsupported" not in response.headers
    assert response.json()["status"] == "failure"


def test_stability_variations_stays_stabilitys_own_404(
    client: MockClient, caplog: pytest.LogCaptureFixture
) -> None:
    # Not a gateway route: proxied to Stability, which has no such path (faithful).
    with caplog.at_level(logging.WARNING):
        response = client.post("/v1/images/variations", headers=STABILITY, json={})
    assert response.status_code == 404 and "x-mock-unsupported" not in response.headers


def test_the_oss_npm_500_for_a_2xx_is_named(
    make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_client(profile="oss-npm")
    path = "/v1/v1/generation/stable-diffusion-v1-6/text-to-image"  # reaches Stability v1
    response = client.post(path, headers=STABILITY, json=V1_WITH_MODEL)
    assert (response.status_code, response.json()["message"]) == (500, "Something went wrong")
    assert client.calls()[-1]["upstream"][0]["response"]["status"] == 200
    assert hint_of(response, caplog).startswith("profile oss-npm: the gateway as npm installs")


def test_the_oss_object_object_body_is_named(
    make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_client(profile="oss")
    path = "/v1/v2beta/stable-image/generate/core"
    response = client.post(path, headers=STABILITY, json={"prompt": "a cat"})
    assert client.calls()[-1]["upstream"][0]["request"]["body"]["text"] == "[object Object]"
    assert response.status_code >= 400
    assert "[object Object]" in hint_of(response, caplog)
