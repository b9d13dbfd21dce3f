"""The proxy routes: Stability's own API through Portkey (§4), per profile."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from mock_gateway.fakes.images import image_dimensions
from tests.conftest import ClientFactory, MockClient, config
from tests.constants import SDXL_V1_PATH
from tests.pngcheck import decode_png
from tests.seed import SEED_CURL_DATA

SDXL_PATH = SDXL_V1_PATH
SEED_CURL_BODY = SEED_CURL_DATA
SEED_CURL_HEADERS = {
    "x-portkey-provider": "stability-ai",
    "authorization": "sk-stability-key-123",
    "x-portkey-api-key": "pk-portkey-key",
    "accept": "image/png",
    "content-type": "application/json",
}


def proxy(
    client: MockClient, path: str = SDXL_PATH, body: str = SEED_CURL_BODY, **headers: str
) -> Any:
    return client.post(path, headers={**SEED_CURL_HEADERS, **headers}, content=body)


def test_seed_curl_returns_raw_png_bytes(client: MockClient) -> None:
    response = proxy(client)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["finish-reason"] == "SUCCESS"
    assert int(response.headers["seed"]) > 0
    assert response.headers["x-portkey-provider"] == "stability-ai"
    assert response.headers["x-portkey-last-used-option-index"] == "config"
    image = decode_png(response.content)
    assert (image.width, image.height) == (1024, 1024)


def test_seed_curl_without_accept_gets_stability_json(client: MockClient) -> None:
    headers = {k: v for k, v in SEED_CURL_HEADERS.items() if k != "accept"}
    response = client.post(SDXL_PATH, headers=headers, content=SEED_CURL_BODY)
    assert response.status_code == 200
    (artifact,) = response.json()["artifacts"]
    assert set(artifact) == {"base64", "seed", "finishReason"}
    assert decode_png(base64.b64decode(artifact["base64"])).width == 1024


def test_the_upstream_request_is_the_clients_own(client: MockClient) -> None:
    proxy(client, **{"x-custom": "kept", "cookie": "a=b"})
    request = client.calls()[-1]["upstream"][0]["request"]
    headers = dict(request["headers"])
    assert request["url"] == f"https://api.stability.ai{SDXL_PATH}"  # hosted keeps the /v1
    assert headers["authorization"] == "sk-s...-123"  # raw, no Bearer added, redacted
    assert headers["accept"] == "image/png"
    assert headers["x-custom"] == "kept"
    assert not [name for name in headers if name.startswith("x-portkey-")]
    assert json.loads(request["body"]["text"]) == json.loads(SEED_CURL_BODY)


def test_proxy_errors_pass_through_in_stabilitys_own_shape(client: MockClient) -> None:
    response = proxy(
        client, body=json.dumps({"text_prompts": [{"text": "x"}], "width": 512, "height": 512})
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"id", "name", "message"}
    assert body["name"] == "invalid_sdxl_v1_dimensions"
    assert response.headers["x-portkey-provider"] == "stability-ai"


def test_unknown_engine_is_stabilitys_404(client: MockClient) -> None:
    response = proxy(client, path="/v1/generation/sdxl-9000/text-to-image")
    assert response.status_code == 404
    assert response.json()["message"] == "The specified engine (ID sdxl-9000) was not found."


def test_missing_authorization_is_stabilitys_401(client: MockClient) -> None:
    headers = {k: v for k, v in SEED_CURL_HEADERS.items() if k != "authorization"}
    response = client.post(SDXL_PATH, headers=headers, content=SEED_CURL_BODY)
    # The gateway adds `Bearer undefined` itself when the client sent no key (§1.2).
    assert response.status_code == 401
    assert response.json()["name"] == "unauthorized"


def test_override_params_apply_to_proxy_bodies(client: MockClient) -> None:
    headers = {
        "x-portkey-config": config(
            provider="stability-ai", api_key="sk-k", override_params={"samples": 2}
        ),
        "accept": "application/json",
    }
    response = proxy(client, **headers)
    assert len(response.json()["artifacts"]) == 2


def test_query_string_is_kept(client: MockClient) -> None:
    proxy(client, path=f"{SDXL_PATH}?foo=bar&x=1")
    assert client.calls()[-1]["upstream"][0]["request"]["url"].endswith("text-to-image?foo=bar&x=1")


def test_deprecated_proxy_prefix_works_too(client: MockClient) -> None:
    response = proxy(
        client, path="/v1/proxy/generation/stable-diffusion-xl-1024-v1-0/text-to-image"
    )
    assert response.status_code == 200
    assert decode_png(response.content).height == 1024


def test_v2beta_through_the_oss_proxy(make_client: ClientFactory) -> None:
    client = make_client(profile="oss")
    boundary = "b0undary"
    form = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="prompt"\r\n\r\n'
        f"a cat\r\n--{boundary}--\r\n"
    )
    response = client.post(
        "/v1/v2beta/stable-image/generate/core",
        headers={
            "x-portkey-provider": "stability-ai",
            "authorization": "sk-k",
            "accept": "image/*",
            "content-type": f"multipart/form-data; boundary={boundary}",
        },
        content=form,
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert (decode_png(response.content).width, decode_png(response.content).height) == (1216, 1216)


@pytest.mark.parametrize("body", ["", '{"steps":'])
def test_bad_json_is_the_proxy_error(client: MockClient, body: str) -> None:
    response = proxy(client, body=body)
    assert response.status_code == 500
    assert (
        response.content
        == b'{"status":"failure","message":"Proxy error: Unexpected end of JSON input"}'
    )


def test_get_engines_list_through_the_proxy(client: MockClient) -> None:
    response = client.get(
        "/v1/engines/list", headers={"x-portkey-provider": "stability-ai", "authorization": "sk-k"}
    )
    assert response.status_code == 200
    assert "stable-diffusion-v1-6" in {engine["id"] for engine in response.json()}


# -- the open-source gateway's quirks, one profile each -----------------------------------


def test_oss_loses_the_v1_and_stability_404s(make_client: ClientFactory) -> None:
    client = make_client(profile="oss")
    response = proxy(
        client,
        body=json.dumps({"model": "stable-diffusion-xl-1024-v1-0", **json.loads(SEED_CURL_BODY)}),
    )
    assert response.status_code == 404
    assert client.calls()[-1]["upstream"][0]["request"]["url"] == (
        "https://api.stability.ai/generation/stable-diffusion-xl-1024-v1-0/text-to-image"
    )


def test_oss_sends_object_object_without_a_v1_model(make_client: ClientFactory) -> None:
    client = make_client(profile="oss")
    response = proxy(client, path="/v1/v1/generation/stable-diffusion-xl-1024-v1-0/text-to-image")
    assert response.status_code == 400  # Stability cannot parse "[object Object]"
    request = client.calls()[-1]["upstream"][0]["request"]
    assert request["body"] == {"text": "[object Object]"}
    assert dict(request["headers"])["content-type"] == "application/json"


def test_oss_with_a_v1_model_in_the_body_and_v1v1_path_works(make_client: ClientFactory) -> None:
    client = make_client(profile="oss")
    body = json.dumps({"model": "stable-diffusion-xl-1024-v1-0", **json.loads(SEED_CURL_BODY)})
    response = proxy(
        client, path="/v1/v1/generation/stable-diffusion-xl-1024-v1-0/text-to-image", body=body
    )
    assert response.status_code == 200
    assert decode_png(response.content).width == 1024
    assert response.headers["x-portkey-trace-id"] == ""


def test_oss_npm_turns_every_2xx_proxy_answer_into_500(make_client: ClientFactory) -> None:
    client = make_client(profile="oss-npm")
    body = json.dumps({"model": "stable-diffusion-xl-1024-v1-0", **json.loads(SEED_CURL_BODY)})
    response = proxy(
        client, path="/v1/v1/generation/stable-diffusion-xl-1024-v1-0/text-to-image", body=body
    )
    assert response.status_code == 500
    assert response.content == b'{"status":"failure","message":"Something went wrong"}'
    assert response.headers["x-portkey-gateway-exception"] == "true"
    assert not [
        h
        for h in response.headers
        if h.startswith("x-portkey-") and h != "x-portkey-gateway-exception"
    ]


def test_oss_npm_passes_errors_through(make_client: ClientFactory) -> None:
    response = proxy(make_client(profile="oss-npm"))  # loses /v1 -> Stability 404
    assert response.status_code == 404
    assert response.headers["x-portkey-provider"] == "stability-ai"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("5", "Proxy error: Cannot create property 'default_input_guardrails' on number '5'"),
        ("null", "Proxy error: Cannot set properties of null (setting 'default_input_guardrails')"),
        ("{", "Proxy error: Unexpected end of JSON input"),
        ("[]", "Provider  not found"),
    ],
)
def test_unvalidated_proxy_with_an_odd_config_is_the_gateways_error_not_a_crash(
    client: MockClient, raw: str, message: str
) -> None:
    response = client.post(
        "/v1/proxy/generation/stable-diffusion-xl-1024-v1-0/text-to-image",
        headers={"x-portkey-config": raw, "content-type": "application/json"},
        content=SEED_CURL_DATA,
    )
    assert response.status_code == 500
    assert response.json() == {"status": "failure", "message": message}
    assert "x-mock-internal-error" not in response.headers


def _v2_form(fields: list[tuple[str, str]]) -> tuple[str, str]:
    boundary = "formboundary42"
    parts = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields
    )
    return f"multipart/form-data; boundary={boundary}", parts + f"--{boundary}--\r\n"


@pytest.mark.parametrize("fmt", ["png", "jpeg", "webp"])
@pytest.mark.parametrize("endpoint", ["core", "ultra", "sd3"])
def test_v2beta_proxy_returns_raw_bytes_in_each_format(
    client: MockClient, endpoint: str, fmt: str
) -> None:
    content_type, body = _v2_form(
        [("prompt", "a cat"), ("output_format", fmt), ("aspect_ratio", "1:1")]
    )
    response = client.post(
        f"/v1/v2beta/stable-image/generate/{endpoint}",
        headers={
            "x-portkey-provider": "stability-ai",
            "authorization": "sk-k",
            "content-type": content_type,
        },
        content=body,
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == f"image/{fmt}"
    assert response.headers["finish-reason"] == "SUCCESS" and response.headers["seed"]
    expected = (1216, 1216) if endpoint == "core" else (1024, 1024)
    assert image_dimensions(response.content) == expected


def test_v2beta_proxy_json_answer(client: MockClient) -> None:
    content_type, body = _v2_form(
        [("prompt", "a cat"), ("output_format", "webp"), ("model", "sd3.5-medium")]
    )
    response = client.post(
        "/v1/v2beta/stable-image/generate/sd3",
        headers={"x-portkey-provider": "stability-ai", "authorization": "sk-k",
                 "content-type": content_type, "accept": "application/json"},
        content=body,
    )  # fmt: skip
    assert response.headers["content-type"] == "application/json; type=image/webp"
    data = response.json()
    assert (data["finish_reason"], list(data)) == ("SUCCESS", ["image", "finish_reason", "seed"])
    assert "finish-reason" not in response.headers
    assert image_dimensions(base64.b64decode(data["image"])) == (1024, 1024)


def test_v2beta_soft_filter_marks_body_and_header(client: MockClient) -> None:
    content_type, body = _v2_form([("prompt", "a mock-filtered cat")])
    response = client.post(
        "/v1/v2beta/stable-image/generate/core",
        headers={
            "x-portkey-provider": "stability-ai",
            "authorization": "sk-k",
            "content-type": content_type,
        },
        content=body,
    )
    assert response.status_code == 200
    assert response.headers["finish-reason"] == "CONTENT_FILTERED"


@pytest.mark.parametrize(
    ("path", "upstream"),
    [
        (
            "/v1/generation/stable-diffusion-v1-6/text-to-image",
            "/v1/generation/stable-diffusion-v1-6/text-to-image",
        ),
        (
            "/v1/v1/generation/stable-diffusion-v1-6/text-to-image",
            "/v1/generation/stable-diffusion-v1-6/text-to-image",
        ),
        ("/v1/v2beta/stable-image/generate/core", "/v2beta/stable-image/generate/core"),
        ("/v1/engines/list", "/v1/engines/list"),
    ],
)
def test_hosted_proxy_paths(client: MockClient, path: str, upstream: str) -> None:
    client.post(
        path, headers={"x-portkey-provider": "stability-ai", "authorization": "sk-k"}, json={}
    )
    assert (
        client.calls()[-1]["upstream"][0]["request"]["url"] == "https://api.stability.ai" + upstream
    )
