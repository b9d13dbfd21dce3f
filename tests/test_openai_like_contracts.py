"""The six OpenAI-compatible providers' contracts hold what their fakes and the gateway answer,
and the route map knows them (``--strict-responses``, ``mock-portkey check``)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mock_gateway import PortkeyMock, create_app
from mock_gateway.adapters import ADAPTERS
from mock_gateway.adapters.openai_like import OpenAILikeAdapter
from mock_gateway.contract_tools.check import detect_contract
from mock_gateway.contract_tools.contracts import validator_for
from mock_gateway.contract_tools.openapi import component_name, openapi_document
from mock_gateway.contract_tools.route_map import check_json_bytes, response_contracts
from tests.openai_like_support import client, gateway, upstream

PROVIDERS = ("recraft-ai", "deepbricks", "lemonfox-ai", "nscale", "hyperbolic", "siliconflow")
# (path on the upstream role, a body the provider accepts, a body it refuses)
NATIVE: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {
    "recraft-ai": ("/recraft-ai/v1/images/generations", {"prompt": "a"}, {"prompt": ""}),
    "deepbricks": ("/deepbricks/v1/images/generations", {"prompt": "a"}, {"prompt": ""}),
    "lemonfox-ai": ("/lemonfox-ai/v1/images/generations", {"prompt": "a"}, {"prompt": ""}),
    "nscale": (
        "/nscale/v1/images/generations",
        {"prompt": "a", "model": "black-forest-labs/FLUX.1-schnell"},
        {"prompt": "a"},
    ),
    "hyperbolic": (
        "/hyperbolic/v1/image/generation",
        {"prompt": "a", "model_name": "SD2"},
        {"prompt": "a"},
    ),
    "siliconflow": (
        "/siliconflow/v1/images/generations",
        {"prompt": "a", "model": "Qwen/Qwen-Image"},
        {"prompt": "a"},
    ),
}


def _valid(name: str, body: Any) -> list[str]:
    return [error.message for error in validator_for(name).iter_errors(body)]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_the_fakes_answers_match_their_contracts(provider: str) -> None:
    path, good, bad = NATIVE[provider]
    mock = upstream()
    with client(mock) as http:
        ok, refused = http.post(path, json=good), http.post(path, json=bad)
    assert ok.status_code == 200 and refused.status_code in (400, 422)
    assert _valid(f"{provider}/images-response.json", ok.json()) == []
    assert _valid(f"{provider}/error.json", refused.json()) == []
    assert _valid(f"{provider}/images-request.json", good) == []
    # The proxy route's contracts include both, so --strict-responses lets them through.
    for answer in (ok, refused):
        assert (
            check_json_bytes(answer.content, response_contracts("/v1/x", answer.status_code))
            is None
        )


@pytest.mark.parametrize("provider", PROVIDERS)
def test_unified_answers_match_the_route_map(provider: str) -> None:
    body = {
        "prompt": "a",
        "model": {"nscale": "black-forest-labs/FLUX.1-schnell"}.get(provider, ""),
    }
    if not body["model"]:
        del body["model"]
    mock = gateway()
    with client(mock, provider) as http:
        answer = http.post("/v1/images/generations", json=body)
    names = response_contracts("/v1/images/generations", answer.status_code, provider)
    assert check_json_bytes(answer.content, names) is None, answer.text


def test_the_mapped_request_bodies_match_the_request_contracts() -> None:
    params = {"prompt": "a cat", "n": 20, "size": "1024x1024", "response_format": "url"}
    for provider in ("recraft-ai", "deepbricks", "lemonfox-ai", "nscale"):
        adapter = ADAPTERS[provider]
        assert isinstance(adapter, OpenAILikeAdapter)
        assert _valid(f"{provider}/images-request.json", adapter.map_params(params)) == []


def test_strict_responses_serve_the_raw_passthroughs() -> None:
    strict = PortkeyMock(create_app(profile="oss", strict_responses=True))
    with client(strict, "hyperbolic") as http:
        answer = http.post("/v1/images/generations", json={"prompt": "a", "model": "SD2"})
    assert answer.status_code == 422 and "detail" in answer.json()


@pytest.mark.parametrize(
    ("payload", "name"),
    [
        ({"images": [{"image": "aGk="}], "inference_time": 1.5}, "hyperbolic/images-response.json"),
        (
            {"images": [{"url": "https://x.test/a.png"}], "timings": {"inference": 1}, "seed": 1},
            "siliconflow/images-response.json",
        ),
        (
            {"detail": [{"loc": ["body", "model_name"], "msg": "Field required"}]},
            "hyperbolic/error.json",
        ),
        (
            {"code": 20012, "message": "Model does not exist.", "data": None},
            "siliconflow/error.json",
        ),
        (
            {"created": 1, "credits": 40, "data": [{"image_id": "i", "url": "https://x.test/a"}]},
            "recraft-ai/images-response.json",
        ),
    ],
)
def test_mock_portkey_check_recognises_the_native_shapes(payload: Any, name: str) -> None:
    assert detect_contract(payload) == name
    assert _valid(name, payload) == []


def test_the_openapi_document_names_their_routes_and_answers() -> None:
    document = openapi_document()
    unified = json.dumps(document["paths"]["/v1/images/generations"]["post"]["responses"]["200"])
    for provider in PROVIDERS:
        assert component_name(f"{provider}/error.json") in document["components"]["schemas"]
    assert component_name("nscale/unified-response.json") in unified
    assert component_name("hyperbolic/images-response.json") in unified
    proxy = document["paths"]["/v1/proxy/images/generations"]["post"]
    assert component_name("recraft-ai/error.json") in json.dumps(proxy["responses"]["400"])
    hyperbolic = document["paths"]["/v1/v1/image/generation"]["post"]
    assert component_name("hyperbolic/error.json") in json.dumps(hyperbolic["responses"]["422"])
