"""azure-ai (Azure AI inference / Foundry) through the gateway: src/providers/azure-ai-inference
(v1.15.2) with azure-openai's image mapping, both routes, a fault, the journal, and both roles
(docs/facts/providers/azure-ai-inference.md)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest

from mock_gateway import PortkeyMock, create_app
from mock_gateway.adapters import azure_ai
from mock_gateway.contract_tools.contracts import iter_errors
from mock_gateway.fakes.images import image_dimensions
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse, json_response

KEY = "k-azure-ai-0123456789"
FOUNDRY = "https://res1.services.ai.azure.com/openai/deployments/dall-e-3"
HEADERS = {
    "x-portkey-provider": "azure-ai",
    "authorization": f"Bearer {KEY}",
    "x-portkey-azure-foundry-url": FOUNDRY,
    "x-portkey-azure-api-version": "2024-10-21",
}


def upstream_for(params: dict[str, Any], api_key: str | None = KEY, **options: Any) -> Any:
    return azure_ai.to_upstream(
        params,
        api_key=api_key,
        base_url=azure_ai.base_url(options),
        boundary="",
        has_body=True,
        options=options,
    )


def test_measured_mapping_and_headers() -> None:
    # Transcript azure-ai config: extra-parameters drop, the deployment name, Bearer key.
    params = {"prompt": "a cat", "n": 20, "size": "1024x1792", "response_format": "url",
              "quality": "hd", "style": "vivid", "user": "u", "seed": 5,
              "negative_prompt": "dog", "steps": 30, "model": "dall-e-3"}  # fmt: skip
    options = {"azureFoundryUrl": FOUNDRY, "azureApiVersion": "2024-10-21",
               "azureDeploymentName": "dep-cfg", "azureExtraParams": "pass-through"}  # fmt: skip
    request = upstream_for(params, **options)
    assert request.body == (
        b'{"prompt":"a cat","model":"dall-e-3","n":10,"quality":"hd","response_format":"url",'
        b'"size":"1024x1792","style":"vivid","user":"u"}'
    )
    assert request.url == FOUNDRY + "/images/generations?api-version=2024-10-21"
    names = [name for name, _ in request.headers]
    assert names[:4] == ["content-type", "extra-parameters", "azureml-model-deployment",
                         "authorization"]  # fmt: skip
    # azure_extra_params camel-cases to azureExtraParams, which the gateway never reads.
    assert request.header("extra-parameters") == "drop"
    assert request.header("authorization") == f"Bearer {KEY}"
    assert request.header("api-key") is None


def test_the_extra_params_header_and_an_ad_token() -> None:
    options = {"azureFoundryUrl": FOUNDRY, "azureExtraParameters": "pass-through",
               "azureAdToken": "Bearer tok"}  # fmt: skip
    request = upstream_for({"prompt": "a"}, **options)
    assert request.header("extra-parameters") == "pass-through"
    assert request.header("authorization") == "Bearer tok"


def test_no_key_sends_no_authorization_and_no_foundry_url_is_relative() -> None:
    request = upstream_for({"prompt": "a"}, api_key=None)
    assert request.header("authorization") is None
    assert request.url == "/images/generations?"


def test_every_non_error_body_gets_the_provider_last() -> None:
    ok = azure_ai.client_body(json_response(200, {"created": 1, "data": []}), {}, 0)
    assert list(ok) == ["created", "data", "provider"] and ok["provider"] == "azure-ai"
    odd = azure_ai.client_body(json_response(200, {"foo": "bar"}), {}, 0)
    assert odd == {"foo": "bar", "provider": "azure-ai"}
    html = UpstreamResponse(500, (("content-type", "text/html"),), b"<html>x</html>")
    assert azure_ai.client_body(html, {}, 0) == {"html-message": "<html>x</html>",
                                                 "provider": "azure-ai"}  # fmt: skip
    error = azure_ai.client_body(json_response(400, {"error": {"message": "m"}}), {}, 0)
    assert error == {"error": {"message": "azure-ai error: m", "type": None, "param": None,
                               "code": None}, "provider": "azure-ai"}  # fmt: skip


@pytest.fixture
def mock() -> Iterator[PortkeyMock]:
    yield PortkeyMock(create_app(profile="oss"))


@pytest.fixture
def client(mock: PortkeyMock) -> Iterator[httpx.Client]:
    with httpx.Client(transport=mock.transport(), base_url=mock.url, headers=HEADERS) as http:
        yield http


def test_unified_route_answers_with_provider_and_a_url_that_resolves(
    mock: PortkeyMock, client: httpx.Client
) -> None:
    answer = client.post("/v1/images/generations", json={"prompt": "a cat", "size": "1024x1792"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["provider"] == "azure-ai"
    assert not list(iter_errors("azure-openai/images-response.json", body))
    image = client.get(body["data"][0]["url"])
    assert image_dimensions(image.content) == (1024, 1792)
    (attempt,) = mock.calls[0].attempts
    assert attempt.request.url == FOUNDRY + "/images/generations?api-version=2024-10-21"
    assert attempt.request.header("extra-parameters") == "drop"


def test_a_config_target_names_the_deployment_header(mock: PortkeyMock) -> None:
    config = {"provider": "azure-ai", "api_key": KEY, "azure_foundry_url": FOUNDRY,
              "azure_api_version": "2024-10-21", "azure_deployment_name": "dep-cfg"}  # fmt: skip
    with httpx.Client(transport=mock.transport(), base_url=mock.url) as http:
        answer = http.post("/v1/images/generations", json={"prompt": "a cat"},
                           headers={"x-portkey-config": json.dumps(config)})  # fmt: skip
    assert answer.status_code == 200, answer.text
    request = mock.calls[0].attempts[0].request
    assert request.header("azureml-model-deployment") == "dep-cfg"


def test_without_a_foundry_url_the_fetch_fails_with_a_500_html_message(
    mock: PortkeyMock, client: httpx.Client
) -> None:
    answer = client.post(
        "/v1/images/generations",
        json={"prompt": "a cat"},
        headers={"x-portkey-azure-foundry-url": "", "x-portkey-azure-api-version": ""},
    )
    assert answer.status_code == 500
    assert answer.json() == {
        "html-message": "Message: Failed to parse URL from /images/generations? Cause: "
        "TypeError: Invalid URL Name: TypeError",
        "provider": "azure-ai",
    }
    assert answer.headers["x-portkey-provider"] == "azure-ai"


def test_a_dropped_connection_and_a_queued_500(mock: PortkeyMock, client: httpx.Client) -> None:
    mock.fail_next(500)
    answer = client.post("/v1/images/generations", json={"prompt": "a cat"})
    assert answer.status_code == 500
    assert answer.json()["error"]["code"] == "InternalServerError"
    mock.drop_next()
    dropped = client.post("/v1/images/generations", json={"prompt": "a cat"})
    assert dropped.status_code == 500 and dropped.json()["provider"] == "azure-ai"
    assert "fetch failed" in dropped.json()["html-message"]


def test_the_proxy_route_appends_the_path_to_the_foundry_url(
    mock: PortkeyMock, client: httpx.Client
) -> None:
    path = "/v1/openai/deployments/dall-e-3/images/generations?api-version=2024-10-21"
    origin = "https://res1.services.ai.azure.com"
    answer = client.post(path, json={"prompt": "a cat"},
                         headers={"x-portkey-azure-foundry-url": origin})  # fmt: skip
    assert answer.status_code == 200, answer.text
    assert "provider" not in answer.json()  # the proxy passes the native body through
    assert mock.calls[0].attempts[0].request.url == origin + path.removeprefix("/v1")


def test_the_upstream_role_answers_azure_ai_calls_and_the_sdk(mock: PortkeyMock) -> None:
    # The upstream azure-ai reaches is an Azure OpenAI deployment: the SDK with a Bearer token.
    upstream = PortkeyMock(create_app(role="upstream"))
    http: Any = httpx.Client(transport=upstream.transport())
    sdk = openai.AzureOpenAI(azure_endpoint=upstream.url, azure_ad_token="eyJ.token",
                             api_version="2024-10-21", http_client=http, max_retries=0)  # fmt: skip
    result = sdk.images.generate(model="dall-e-3", prompt="a cat", response_format="b64_json")
    assert result.data and result.data[0].b64_json
    request = upstream.calls[0].attempts[0].request
    assert request.header("authorization") is not None and request.header("api-key") is None


def test_the_fake_refuses_a_request_without_a_host_itself() -> None:
    from mock_gateway.fakes.azure_openai import FakeAzureAI, FakeAzureOpenAI
    from mock_gateway.fakes.blobs import BlobStore

    fake = FakeAzureAI(FakeAzureOpenAI(blobs=BlobStore(secret=b"s"), clock=lambda: 0.0))
    answer = fake.handle(UpstreamRequest("POST", "/images/generations?", (), b"{}"))
    assert answer.status == 500 and answer.meta == {"network": True}
    injected = fake.error_response(UpstreamRequest("POST", FOUNDRY), 429)
    assert injected.status == 429 and json.loads(injected.body)["error"]["code"] == "429"
