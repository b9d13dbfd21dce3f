"""azure-openai through the gateway: the mapping of src/providers/azure-openai (v1.15.2), both
routes, a fault, the journal, both roles, and the official ``openai`` SDK (``AzureOpenAI``)
against the fake directly and through the mock gateway (docs/facts/providers/azure-openai.md)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any, cast

import httpx
import openai
import pytest

from mock_gateway import PortkeyMock, create_app
from mock_gateway.adapters import azure_openai
from mock_gateway.contract_tools.contracts import iter_errors
from mock_gateway.fakes.images import image_dimensions
from mock_gateway.upstream import UpstreamResponse, json_response

KEY = "az-key-0123456789abcdef"
HEADERS = {
    "x-portkey-provider": "azure-openai",
    "authorization": f"Bearer {KEY}",
    "x-portkey-azure-resource-name": "res1",
    "x-portkey-azure-deployment-id": "dall-e-3",
    "x-portkey-azure-api-version": "2024-10-21",
}
UPSTREAM = "https://res1.openai.azure.com/openai/deployments/dall-e-3/images/generations"


def upstream_for(params: dict[str, Any], **options: Any) -> Any:
    return azure_openai.to_upstream(
        params,
        api_key=KEY,
        base_url=azure_openai.base_url(options),
        boundary="",
        has_body=True,
        options=options,
    )


def test_measured_mapping_byte_for_byte() -> None:
    # Transcript az-url full params: allow-list order, n clamped to 10, GPT-image fields dropped.
    params = {"model": "dall-e-3", "prompt": "a cat", "n": 20, "size": "1024x1792",
              "quality": "hd", "style": "vivid", "response_format": "url", "user": "u1",
              "background": "transparent", "output_format": "png", "seed": 5}  # fmt: skip
    request = upstream_for(params, resourceName="res1", deploymentId="dep1",
                           apiVersion="2024-02-01")  # fmt: skip
    assert request.body == (
        b'{"prompt":"a cat","model":"dall-e-3","n":10,"quality":"hd","response_format":"url",'
        b'"size":"1024x1792","style":"vivid","user":"u1"}'
    )
    assert request.url == (
        "https://res1.openai.azure.com/openai/deployments/dep1/images/generations"
        "?api-version=2024-02-01"
    )
    names = [name for name, _ in request.headers]
    assert names[:2] == ["content-type", "api-key"] and "authorization" not in names
    assert request.header("api-key") == KEY


def test_model_defaults_to_dall_e_3_and_n_zero_becomes_one() -> None:
    request = upstream_for({"prompt": "a cat", "n": 0, "response_format": "b64_json"})
    assert json.loads(request.body) == {"prompt": "a cat", "model": "dall-e-3", "n": 1,
                                        "response_format": "b64_json"}  # fmt: skip
    # No resource name, deployment or api-version: JS's `undefined` in the URL, no query.
    assert request.url == (
        "https://undefined.openai.azure.com/openai/deployments/undefined/images/generations?"
    )


def test_api_version_v1_takes_the_v1_surface_without_api_version() -> None:
    request = upstream_for({"prompt": "a cat"}, deploymentId="dep1", apiVersion=" v1 ")
    assert request.url.endswith("/openai/v1/images/generations?")


def test_an_ad_token_is_sent_as_bearer_instead_of_the_api_key() -> None:
    request = upstream_for({"prompt": "a"}, azureAdToken="Bearer tok-ad")
    assert request.header("authorization") == "Bearer tok-ad"
    assert request.header("api-key") is None


def test_errors_are_wrapped_and_inner_error_is_lost() -> None:
    upstream = {"error": {"code": "content_policy_violation", "message": "Rejected.",
                          "type": "invalid_request_error",
                          "inner_error": {"code": "ResponsibleAIPolicyViolation"}}}  # fmt: skip
    body = azure_openai.client_body(json_response(400, upstream), {}, 0)
    assert body == {
        "error": {"message": "azure-openai error: Rejected.", "type": "invalid_request_error",
                  "param": None, "code": "content_policy_violation"},
        "provider": "azure-openai",
    }  # fmt: skip


def test_text_is_html_message_and_odd_json_passes_through() -> None:
    html = UpstreamResponse(500, (("content-type", "text/html"),), b"<html>x</html>")
    assert azure_openai.client_body(html, {}, 0) == {"html-message": "<html>x</html>"}
    assert azure_openai.client_body(json_response(200, {"foo": "bar"}), {}, 0) == {"foo": "bar"}


# -- through the mock, in-process -------------------------------------------------------------


@pytest.fixture
def mock() -> Iterator[PortkeyMock]:
    yield PortkeyMock(create_app(profile="oss"))


@pytest.fixture
def client(mock: PortkeyMock) -> Iterator[httpx.Client]:
    with httpx.Client(transport=mock.transport(), base_url=mock.url, headers=HEADERS) as http:
        yield http


def test_unified_route_answers_azure_urls_that_resolve_on_the_mock(
    mock: PortkeyMock, client: httpx.Client
) -> None:
    answer = client.post("/v1/images/generations", json={"prompt": "a cat", "n": 1})
    assert answer.status_code == 200, answer.text
    assert answer.headers["x-portkey-provider"] == "azure-openai"
    body = answer.json()
    assert "provider" not in body  # azure-openai adds none (unlike azure-ai)
    assert not list(iter_errors("azure-openai/images-response.json", body))
    item = body["data"][0]
    assert item["content_filter_results"]["hate"]["filtered"] is False
    image = client.get(item["url"])
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image_dimensions(image.content) == (1024, 1024)
    (attempt,) = mock.calls[0].attempts
    assert attempt.request.url == UPSTREAM + "?api-version=2024-10-21"
    assert attempt.request.header("api-key") != KEY  # the journal keeps it redacted
    assert json.loads(attempt.request.body) == {"prompt": "a cat", "model": "dall-e-3", "n": 1}


def test_a_config_target_carries_the_azure_options(mock: PortkeyMock) -> None:
    config = {"provider": "azure-openai", "api_key": KEY, "resource_name": "r2",
              "deployment_id": "d2", "api_version": "2024-02-01"}  # fmt: skip
    with httpx.Client(transport=mock.transport(), base_url=mock.url) as http:
        answer = http.post(
            "/v1/images/generations",
            json={"prompt": "a cat", "response_format": "b64_json"},
            headers={"x-portkey-config": json.dumps(config)},
        )
    assert answer.status_code == 200, answer.text
    data = base64.b64decode(answer.json()["data"][0]["b64_json"])
    assert image_dimensions(data) == (1024, 1024)
    assert mock.calls[0].attempts[0].request.url == (
        "https://r2.openai.azure.com/openai/deployments/d2/images/generations"
        "?api-version=2024-02-01"
    )


def test_dall_e_3_n_above_one_reaches_azure_and_is_refused(client: httpx.Client) -> None:
    answer = client.post("/v1/images/generations", json={"prompt": "a cat", "n": 4})
    assert answer.status_code == 400
    assert answer.json() == {
        "error": {"message": "azure-openai error: Invalid payload: Value for property n is "
                  "invalid.", "type": None, "param": None, "code": "invalidPayload"},
        "provider": "azure-openai",
    }  # fmt: skip


def test_a_queued_429_comes_back_wrapped_with_retry_after(
    mock: PortkeyMock, client: httpx.Client
) -> None:
    mock.fail_next(429, retry_after=5)
    answer = client.post("/v1/images/generations", json={"prompt": "a cat"})
    assert answer.status_code == 429
    assert answer.headers["retry-after"] == "5"
    body = answer.json()
    assert body["provider"] == "azure-openai" and body["error"]["code"] == "429"
    assert body["error"]["message"].startswith("azure-openai error: Requests to the")


def test_a_content_filter_fault_loses_inner_error_through_the_gateway(
    mock: PortkeyMock, client: httpx.Client
) -> None:
    mock.filter_next()
    answer = client.post("/v1/images/generations", json={"prompt": "a cat"})
    assert answer.status_code == 400
    assert "inner_error" not in answer.text
    assert answer.json()["error"]["code"] == "content_policy_violation"
    # The journal keeps Azure's own answer, with its filter results.
    upstream = mock.calls[0].attempts[0].response
    assert json.loads(upstream.body)["error"]["inner_error"]["content_filter_results"]


def test_the_proxy_route_passes_azure_answers_through(client: httpx.Client) -> None:
    path = "/v1/deployments/dall-e-3/images/generations?api-version=2024-10-21"
    answer = client.post(path, json={"prompt": "a mock-blocked cat"})
    assert answer.status_code == 400
    error = answer.json()["error"]  # native, unwrapped: inner_error survives
    assert error["inner_error"]["code"] == "ResponsibleAIPolicyViolation"
    ok = client.post(path, json={"prompt": "a cat", "response_format": "b64_json"})
    assert ok.status_code == 200 and "b64_json" in ok.json()["data"][0]


# -- the upstream role, and the official SDK ---------------------------------------------------


@pytest.fixture
def upstream() -> Iterator[PortkeyMock]:
    yield PortkeyMock(create_app(role="upstream"))


def test_the_upstream_role_serves_azure_paths_and_journals_them(upstream: PortkeyMock) -> None:
    with httpx.Client(transport=upstream.transport(), base_url=upstream.url) as http:
        path = "/openai/deployments/missing-one/images/generations?api-version=2024-10-21"
        answer = http.post(path, json={"prompt": "a cat"}, headers={"api-key": KEY})
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "DeploymentNotFound"
    (attempt,) = upstream.calls[0].attempts
    assert attempt.target == "azure-openai"


def _http(mock: PortkeyMock) -> Any:
    # openai 3 types its client as httpx2's and takes an httpx one at run time (normalised).
    return cast("Any", httpx.Client(transport=mock.transport()))


def _sdk(mock: PortkeyMock, **options: Any) -> openai.AzureOpenAI:
    sdk: openai.AzureOpenAI = openai.AzureOpenAI(
        api_version="2024-10-21", http_client=_http(mock), max_retries=0, **options
    )
    return sdk


def test_azure_openai_sdk_against_the_upstream_role(upstream: PortkeyMock) -> None:
    sdk = _sdk(upstream, azure_endpoint=upstream.url, api_key=KEY)
    result = sdk.images.generate(model="dall-e-3", prompt="a cat", size="1024x1792")
    (image,) = result.data or []
    assert image.revised_prompt and image.url
    with httpx.Client(transport=upstream.transport()) as http:
        fetched = http.get(image.url)
    assert image_dimensions(fetched.content) == (1024, 1792)
    request = upstream.calls[0].attempts[0].request
    assert request.url.split("?")[0].endswith("/openai/deployments/dall-e-3/images/generations")
    assert "api-version=2024-10-21" in request.url


def test_azure_openai_sdk_sees_azure_errors_as_its_own_exceptions(upstream: PortkeyMock) -> None:
    sdk = _sdk(upstream, azure_endpoint=upstream.url, api_key="invalid-key")
    with pytest.raises(openai.AuthenticationError) as denied:
        sdk.images.generate(model="dall-e-3", prompt="a cat")
    assert denied.value.code == "401"
    good = _sdk(upstream, azure_endpoint=upstream.url, api_key=KEY)
    with pytest.raises(openai.BadRequestError) as refused:
        good.images.generate(model="dall-e-3", prompt="a mock-blocked cat")
    assert refused.value.code == "content_policy_violation"
    with pytest.raises(openai.NotFoundError):
        good.images.generate(model="missing-deployment", prompt="a cat")


def test_azure_openai_sdk_through_the_mock_gateway(mock: PortkeyMock) -> None:
    # The SDK's own path (/deployments/{model}/images/generations) is the proxy route.
    headers = {k: v for k, v in HEADERS.items() if k != "authorization"}
    sdk = _sdk(mock, base_url=f"{mock.url}/v1", api_key=KEY, default_headers=headers)
    result = sdk.images.generate(model="dall-e-3", prompt="a cat", response_format="b64_json")
    data = base64.b64decode((result.data or [])[0].b64_json or "")
    assert image_dimensions(data) == (1024, 1024)
    (attempt,) = mock.calls[0].attempts
    assert attempt.request.url.startswith(UPSTREAM + "?api-version=2024-10-21")


def test_openai_sdk_on_the_unified_route_with_the_azure_headers(mock: PortkeyMock) -> None:
    headers = {k: v for k, v in HEADERS.items() if k != "authorization"}
    sdk = openai.OpenAI(base_url=f"{mock.url}/v1", api_key=KEY, default_headers=headers,
                        http_client=_http(mock), max_retries=0)  # fmt: skip
    result = sdk.images.generate(model="dall-e-3", prompt="a cat", style="natural")
    assert result.data and result.data[0].url
    assert mock.calls[0].attempts[0].request.url == UPSTREAM + "?api-version=2024-10-21"


def test_check_tells_azure_payloads_from_openai_ones(tmp_path: Any) -> None:
    from mock_gateway.contract_tools.check import check_paths, detect_contract

    error = {"error": {"code": "DeploymentNotFound", "message": "The API deployment ..."}}
    filtered = {"error": {"code": "content_policy_violation", "message": "m", "type": "t",
                          "inner_error": {"code": "ResponsibleAIPolicyViolation"}}}  # fmt: skip
    images = {"created": 1, "data": [{"url": "https://x.test/a.png",
                                      "content_filter_results": {}}]}  # fmt: skip
    assert detect_contract(error) == detect_contract(filtered) == "azure-openai/error.json"
    assert detect_contract(images) == "azure-openai/images-response.json"
    openai_error = {"error": {"message": "m", "type": "t", "param": None, "code": None}}
    assert detect_contract(openai_error) == "openai/error.json"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"error": {"code": 401, "message": "denied"}}))
    (finding,) = check_paths([str(broken)])
    assert finding.contract == "azure-openai/error.json" and finding.pointer == "/error/code"


@pytest.mark.parametrize(
    "path",
    [
        "/openai/deployments/d/images/generations",
        "/deployments/d/images/generations",  # a custom host without /openai
        "/openai/v1/images/generations",
    ],
)
def test_the_upstream_role_sends_azure_paths_to_the_azure_fake(path: str) -> None:
    from mock_gateway.fakes.provider_app import provider_for_path

    assert provider_for_path(path) == "azure-openai"
    assert provider_for_path("/v1/images/generations") == "openai"  # OpenAI's stays OpenAI's


def test_a_fallback_from_stability_to_azure_shows_the_shape_change(mock: PortkeyMock) -> None:
    # The forum thread's config: Stability first, Azure when it fails. The client asked for
    # url; Stability would have answered b64_json with "provider", Azure answers a url without.
    config = {
        "strategy": {"mode": "fallback"},
        "targets": [
            {"provider": "stability-ai", "api_key": "sk-stab-0123456789abcdef"},
            {"provider": "azure-openai", "api_key": KEY, "resource_name": "res1",
             "deployment_id": "dall-e-3", "api_version": "2024-10-21"},
        ],
    }  # fmt: skip
    mock.fail_next(503, provider="stability-ai")
    with httpx.Client(transport=mock.transport(), base_url=mock.url) as http:
        answer = http.post(
            "/v1/images/generations",
            json={"prompt": "a cat", "model": "stable-diffusion-xl-1024-v1-0",
                  "size": "1024x1024", "response_format": "url"},
            headers={"x-portkey-config": json.dumps(config)},
        )  # fmt: skip
    assert answer.status_code == 200, answer.text
    assert answer.headers["x-portkey-provider"] == "azure-openai"
    assert answer.headers["x-portkey-last-used-option-index"] == "config.targets[1]"
    body = answer.json()
    assert "provider" not in body and body["data"][0]["url"]
    stability, azure = mock.calls[0].attempts
    assert stability.response.status == 503 and azure.response.status == 200
    # The unified body reached Azure with the gateway's azure mapping: Stability's model kept.
    assert json.loads(azure.request.body)["model"] == "stable-diffusion-xl-1024-v1-0"


def test_the_proxy_route_appends_api_version_from_the_header(
    mock: PortkeyMock, client: httpx.Client
) -> None:
    # getProxyEndpoint (api.ts:202-221): only when the client's query has no api-version.
    for path, sent in [
        ("/v1/deployments/dall-e-3/images/generations", "?api-version=2024-10-21"),
        ("/v1/deployments/dall-e-3/images/generations?x=1", "?x=1&api-version=2024-10-21"),
        ("/v1/deployments/dall-e-3/images/generations?api-version=2024-02-01",
         "?api-version=2024-02-01"),
    ]:  # fmt: skip
        mock.reset()
        assert client.post(path, json={"prompt": "a cat"}).status_code == 200
        assert mock.calls[0].attempts[0].request.url == UPSTREAM + sent
