"""Cloudflare Workers AI through the mock gateway and on its own (role upstream).

The mapping is checked against the measured upstream body of docs/facts/providers/workers-ai.md
§1.2; the wire behaviour against the real gateway by tests/conformance/cases/workers-ai.json.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import given, settings

from mock_gateway import PortkeyMock, create_app
from mock_gateway import strategies as pst
from mock_gateway.adapters.base import AdapterCrash
from mock_gateway.adapters.workers_ai import base_url, client_body, map_params, to_upstream
from mock_gateway.contract_tools.route_map import check_body, response_contracts
from mock_gateway.fakes.images import image_dimensions
from mock_gateway.faults import Fault
from mock_gateway.upstream import json_response

FLUX = "@cf/black-forest-labs/flux-1-schnell"
SDXL = "@cf/stabilityai/stable-diffusion-xl-base-1.0"
HEADERS = {
    "x-portkey-provider": "workers-ai",
    "authorization": "Bearer cf-token-0123456789",
    "x-portkey-workers-ai-account-id": "acc-1",
}
BASE = "https://api.cloudflare.com/client/v4/accounts/acc-1/ai/run"


@pytest.fixture
def mock() -> Iterator[PortkeyMock]:
    yield PortkeyMock(create_app(profile="oss"))


def _generate(mock: PortkeyMock, body: dict[str, object]) -> httpx.Response:
    with httpx.Client(transport=mock.transport(), base_url=mock.url) as client:
        return client.post("/v1/images/generations", json=body, headers=HEADERS)


def test_measured_mapping_byte_for_byte() -> None:
    params = {"model": FLUX, "prompt": "a cat", "n": 20, "size": "1024x1792",
              "response_format": "url", "quality": "hd", "style": "vivid", "user": "u",
              "seed": 5, "negative_prompt": "dog", "steps": 30}  # fmt: skip
    request = to_upstream(params, api_key="cf", base_url=base_url({"workersAiAccountId": "acc-1"}),
                          boundary="", has_body=True, options={})  # fmt: skip
    assert request.url == f"{BASE}/{FLUX}"
    assert request.body == (
        b'{"prompt":"a cat","negative_prompt":"dog","num_steps":30,"steps":30,"height":1792,'
        b'"width":1024,"seed":5}'
    )
    assert base_url({}) == "https://api.cloudflare.com/client/v4/accounts/undefined/ai/run"
    with pytest.raises(AdapterCrash):
        map_params({"prompt": "a", "size": 512})


def test_errors_join_code_and_message_and_a_null_result_throws() -> None:
    errors = [{"code": 5006, "message": "a"}, {"code": 7, "message": "b"}]
    envelope = {"result": None, "success": False, "messages": [], "errors": errors}
    assert client_body(json_response(400, envelope), {}, 1)["error"]["message"] == (
        "workers-ai error: Error 5006:a, Error 7:b"
    )
    with pytest.raises(AdapterCrash):
        client_body(json_response(200, {"result": None, "success": True}), {}, 1)


def test_flux_on_the_unified_route_is_one_b64_json(mock: PortkeyMock) -> None:
    answer = _generate(mock, {"model": FLUX, "prompt": "a cat", "n": 3, "steps": 4})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert check_body(body, response_contracts("/v1/images/generations", 200, "workers-ai")) is None
    (item,) = body["data"]  # n dropped: one image
    assert image_dimensions(base64.b64decode(item["b64_json"])) == (1024, 1024)
    (attempt,) = mock.calls[0].attempts
    assert attempt.request.url == f"{BASE}/{FLUX}"
    assert json.loads(attempt.request.body) == {"prompt": "a cat", "num_steps": 4, "steps": 4}


def test_sdxl_on_the_unified_route_is_the_raw_png(mock: PortkeyMock) -> None:
    answer = _generate(mock, {"model": SDXL, "prompt": "a cat", "size": "640x512"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/png"
    assert image_dimensions(answer.content) == (640, 512)
    assert answer.headers["x-portkey-provider"] == "workers-ai"


def test_the_npm_build_answers_the_png_with_its_500(mock: PortkeyMock) -> None:
    npm = PortkeyMock(create_app(profile="oss-npm"))
    answer = _generate(npm, {"model": SDXL, "prompt": "a cat"})
    assert answer.status_code == 500  # reference §3.4: the immutable-headers bug


def test_a_200_with_a_null_result_is_the_gateways_500(mock: PortkeyMock) -> None:
    mock.queue(Fault.malformed('{"result":null,"success":true}', content_type="application/json"))
    answer = _generate(mock, {"model": FLUX, "prompt": "a cat"})
    assert answer.status_code == 500
    assert answer.json() == {"status": "failure", "message": "Something went wrong"}


def test_the_proxy_route_forwards_cloudflares_own_call(mock: PortkeyMock) -> None:
    with httpx.Client(transport=mock.transport(), base_url=mock.url, headers=HEADERS) as client:
        answer = client.post(f"/v1/{FLUX}", json={"prompt": "a cat", "steps": 4})
    assert answer.status_code == 200, answer.text
    assert answer.json()["success"] is True
    assert mock.calls[0].attempts[0].request.url == f"{BASE}/{FLUX}"


def test_cloudflares_documented_http_call_against_the_upstream_role() -> None:
    # The documented call (curl .../accounts/{ACCOUNT_ID}/ai/run/{model} with Authorization:
    # Bearer {API_TOKEN}), made with httpx: the `cloudflare` SDK on PyPI would do the same
    # POST but pins its base URL per client and adds nothing a test here needs.
    upstream = PortkeyMock(create_app(role="upstream"))
    with httpx.Client(transport=upstream.transport(), base_url=upstream.url) as client:
        path = f"/client/v4/accounts/acc-1/ai/run/{SDXL}"
        token = {"Authorization": "Bearer cf-token-0123456789"}
        answer = client.post(path, headers=token, json={"prompt": "a lighthouse", "width": 512,
                                                        "height": 768})  # fmt: skip
        assert answer.status_code == 200 and answer.headers["content-type"] == "image/png"
        assert image_dimensions(answer.content) == (512, 768)
        refused = client.post(path, json={"prompt": "a"})
        assert refused.status_code == 401 and refused.json()["success"] is False
    assert [call.attempts[0].target for call in upstream.calls] == ["workers-ai"] * 2


# Profile oss: hosted Portkey reads a model starting with "@" as a Model Catalog slug, so
# Workers AI's @cf/... models need the open-source gateway (see image_requests' docstring).
_STRATEGY_MOCK = PortkeyMock(create_app(profile="oss"))


@settings(max_examples=25, deadline=None)
@given(pst.image_requests(provider="workers-ai"))
def test_drawn_workers_ai_requests_get_their_image(request: pst.ImageRequest) -> None:
    with httpx.Client(transport=_STRATEGY_MOCK.transport(), base_url=_STRATEGY_MOCK.url) as client:
        answer = request.send(client)
    assert answer.status_code == 200, answer.text[:300]
    (item,) = answer.json()["data"]
    assert image_dimensions(base64.b64decode(item["b64_json"])) == request.image_size


@settings(max_examples=25, deadline=None)
@given(pst.image_requests(provider="workers-ai", valid=False))
def test_drawn_bad_workers_ai_requests_get_the_status_they_promise(
    request: pst.ImageRequest,
) -> None:
    with httpx.Client(transport=_STRATEGY_MOCK.transport(), base_url=_STRATEGY_MOCK.url) as client:
        answer = request.send(client)
    assert answer.status_code == request.status, (request.reason, answer.text[:300])
    assert answer.json()["error"]["message"].startswith("workers-ai error: Error ")
