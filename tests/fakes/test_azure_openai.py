"""The fake Azure OpenAI answers its own images API (docs/facts/providers/azure-openai.md §2)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from mock_gateway.contract_tools.contracts import iter_errors
from mock_gateway.fakes.azure_openai import FakeAzureOpenAI
from mock_gateway.fakes.blobs import BLOB_PREFIX, BlobStore
from mock_gateway.fakes.images import image_dimensions
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse

NOW = 1_795_000_000.0
BASE = "https://res1.openai.azure.com/openai"
PATH = "/deployments/{dep}/images/generations?api-version=2024-10-21"
KEY = {"api-key": "az-key-0123456789abcdef"}


def fake(blobs: BlobStore | None = None) -> FakeAzureOpenAI:
    store = blobs or BlobStore(secret=b"s", clock=lambda: NOW)
    return FakeAzureOpenAI(blobs=store, clock=lambda: NOW, blocked_words=("mock-blocked",))


def post(
    body: Any,
    *,
    dep: str = "dall-e-3",
    headers: dict[str, str] | None = None,
    url: str | None = None,
    filtered: bool = False,
    blobs: BlobStore | None = None,
) -> UpstreamResponse:
    sent = {"content-type": "application/json", **(KEY if headers is None else headers)}
    target = url or BASE + PATH.format(dep=dep)
    request = UpstreamRequest.build("POST", target, sent, json.dumps(body).encode())
    return fake(blobs).handle(request, filtered=filtered)


def error_of(response: UpstreamResponse) -> dict[str, Any]:
    body = response.json()
    assert not list(iter_errors("azure-openai/error.json", body)), body
    error: dict[str, Any] = body["error"]
    return error


def test_a_dall_e_3_url_resolves_to_a_png_of_the_requested_size() -> None:
    blobs = BlobStore(secret=b"s", clock=lambda: NOW)
    response = post({"prompt": "a cat", "size": "1792x1024"}, blobs=blobs)
    assert response.status == 200
    body = response.json()
    assert not list(iter_errors("azure-openai/images-response.json", body))
    (item,) = body["data"]
    assert body["created"] == int(NOW)
    assert item["revised_prompt"].endswith("a cat")
    assert item["content_filter_results"]["sexual"] == {"severity": "safe", "filtered": False}
    assert item["prompt_filter_results"]["profanity"] == {"detected": False, "filtered": False}
    path, _, query = item["url"].partition("?")
    # Azure's blob path shape: .../images/{uuid}/generated_00.png (spec example).
    assert path.endswith("/generated_00.png") and "/images/" in path
    status, media, data = blobs.get(path[path.index(BLOB_PREFIX) :], query)
    assert (status, media) == (200, "image/png")
    assert image_dimensions(data) == (1792, 1024)


def test_b64_json_decodes_to_the_requested_size_and_is_deterministic() -> None:
    body = {"prompt": "a cat", "response_format": "b64_json", "size": "1024x1792"}
    first, second = post(body).json(), post(body).json()
    assert first == second
    (item,) = first["data"]
    assert "url" not in item
    assert image_dimensions(base64.b64decode(item["b64_json"])) == (1024, 1792)


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ({"prompt": "a cat", "n": 2}, "n"),  # DALL·E 3 on Azure: n is 1 only (spec 2024-10-21)
        ({"prompt": "a cat", "size": "512x512"}, "size"),
        ({"prompt": "a cat", "quality": "high"}, "quality"),
        ({"prompt": "a cat", "style": "bold"}, "style"),
        ({"prompt": "a cat", "response_format": "png"}, "response_format"),
        ({"prompt": "x" * 4001}, "prompt"),
        ({"prompt": ""}, "prompt"),
        ({"style": "x", "prompt": "a cat", "size": "1x1"}, "style"),  # the first in order
    ],
)
def test_a_value_outside_the_contract_is_invalid_payload_naming_it(
    body: dict[str, Any], name: str
) -> None:
    response = post(body)
    assert response.status == 400
    assert error_of(response) == {
        "code": "invalidPayload",
        "message": f"Invalid payload: Value for property {name} is invalid.",
    }


def test_a_missing_prompt_is_named() -> None:
    response = post({"n": 1})
    assert response.status == 400
    assert "prompt" in error_of(response)["message"]


def test_the_gateway_default_model_is_ignored_the_deployment_decides() -> None:
    response = post({"prompt": "a cat", "model": "whatever"}, dep="my-dalle")
    assert response.status == 200
    assert "revised_prompt" in response.json()["data"][0]


@pytest.mark.parametrize(
    ("headers", "code", "words"),
    [
        ({}, "401", "missing subscription key"),
        ({"api-key": "undefined"}, "401", "invalid subscription key"),
        ({"api-key": "invalid-key-0123"}, "401", "invalid subscription key"),
        ({"authorization": "Bearer invalid-token"}, "InvalidAuthenticationToken", "invalid"),
    ],
)
def test_auth_failures_answer_401_in_azure_shape(
    headers: dict[str, str], code: str, words: str
) -> None:
    response = post({"prompt": "a cat"}, headers=headers)
    assert response.status == 401
    error = error_of(response)
    assert error["code"] == code and words in error["message"]


def test_an_entra_bearer_token_is_accepted() -> None:
    response = post({"prompt": "a cat"}, headers={"authorization": "Bearer eyJ0eXAi.tok"})
    assert response.status == 200


def test_an_unknown_deployment_is_404_deployment_not_found() -> None:
    response = post({"prompt": "a cat"}, dep="missing-dep")
    assert response.status == 404
    assert error_of(response)["code"] == "DeploymentNotFound"


@pytest.mark.parametrize(
    "url",
    [
        BASE + "/deployments/dall-e-3/images/generations",  # no api-version
        BASE + "/deployments/dall-e-3/chat/nothing?api-version=2024-10-21",
        BASE + "/images/generations?api-version=2024-10-21",
    ],
)
def test_a_path_azure_does_not_serve_is_404_resource_not_found(url: str) -> None:
    response = post({"prompt": "a cat"}, url=url)
    assert response.status == 404
    assert error_of(response) == {"code": "404", "message": "Resource not found"}


def test_the_v1_surface_takes_the_deployment_from_model_and_needs_no_api_version() -> None:
    url = BASE + "/v1/images/generations"
    assert post({"prompt": "a cat", "model": "dall-e-3"}, url=url).status == 200
    assert post({"prompt": "a cat", "model": "missing"}, url=url).status == 404


def test_the_path_works_without_the_openai_segment_as_a_custom_host_sends_it() -> None:
    url = "http://127.0.0.1:9/deployments/dall-e-3/images/generations?api-version=2024-02-01"
    assert post({"prompt": "a cat"}, url=url).status == 200


@pytest.mark.parametrize("filtered", [False, True])
def test_the_content_filter_answers_400_with_inner_error(filtered: bool) -> None:
    prompt = "a cat" if filtered else "a mock-blocked cat"
    response = post({"prompt": prompt}, filtered=filtered)
    assert response.status == 400
    error = error_of(response)
    assert error["code"] == "content_policy_violation"
    assert error["type"] == "invalid_request_error"
    inner = error["inner_error"]
    assert inner["code"] == "ResponsibleAIPolicyViolation"
    assert inner["content_filter_results"]["sexual"] == {"severity": "high", "filtered": True}
    assert inner["content_filter_results"]["violence"]["filtered"] is False


def test_a_gpt_image_deployment_answers_base64_as_openai_gpt_image_does() -> None:
    response = post({"prompt": "a cat", "model": "dall-e-3", "quality": "low"}, dep="gpt-image-1")
    assert response.status == 200
    body = response.json()
    assert not list(iter_errors("azure-openai/images-response.json", body))
    assert body["quality"] == "low" and "usage" in body
    assert image_dimensions(base64.b64decode(body["data"][0]["b64_json"])) == (1024, 1024)


def test_a_gpt_image_deployment_refuses_response_format() -> None:
    response = post({"prompt": "a cat", "response_format": "url"}, dep="prod-gpt-image-1-mini")
    assert response.status == 400
    assert response.json()["error"]["param"] == "response_format"


def test_image_edits_are_not_modelled_and_say_so() -> None:
    url = BASE + "/deployments/dall-e-3/images/edits?api-version=2024-10-21"
    response = post({"prompt": "a cat"}, url=url)
    assert response.status == 501
    assert response.header("x-mock-unsupported") == "true"


@pytest.mark.parametrize(
    ("status", "code"), [(429, "429"), (500, "InternalServerError"), (403, "403")]
)
def test_injected_errors_are_in_azure_shape(status: int, code: str) -> None:
    request = UpstreamRequest.build("POST", BASE + PATH.format(dep="d"), KEY, b"{}")
    response = fake().error_response(request, status, retry_after=7)
    assert response.status == status
    assert response.header("retry-after") == "7"
    error = error_of(response)
    assert error["code"] == code
    if status == 429:
        assert "2024-10-21" in error["message"] and "retry after 7 seconds" in error["message"]
