"""Every route and error path answers within its contract (the app runs with strict_responses)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mock_gateway import PortkeyMock
from mock_gateway.contract_tools.route_map import check_body, response_contracts
from tests.conftest import MockClient, create_app

STAB = {
    "x-portkey-provider": "stability-ai",
    "authorization": "sk-k",
    "content-type": "application/json",
}
OAI = {
    "x-portkey-provider": "openai",
    "authorization": "Bearer sk-k",
    "content-type": "application/json",
}
BR = {
    "x-portkey-provider": "bedrock",
    "x-portkey-aws-access-key-id": "AKIDEXAMPLE",
    "x-portkey-aws-secret-access-key": "secret-0123456789",
    "content-type": "application/json",
}
BR_V2 = "/v1/model/stability.sd3-5-large-v1:0/invoke"
V1 = "/v1/generation/stable-diffusion-xl-1024-v1-0/text-to-image"
FORM_TYPE = "multipart/form-data; boundary=b0"
FORM = '--b0\r\nContent-Disposition: form-data; name="prompt"\r\n\r\na cat\r\n--b0--\r\n'
SDXL = {"model": "stable-diffusion-xl-1024-v1-0", "prompt": "a", "size": "1024x1024"}
VERTEX = {"x-portkey-provider": "vertex-ai", "authorization": "Bearer ya29.t",
          "x-portkey-vertex-project-id": "p", "x-portkey-vertex-region": "us-central1",
          "content-type": "application/json"}  # fmt: skip
PREDICT = "/v1/v1/projects/p/locations/us-central1/publishers/google/models/imagen-3.0-generate-002:predict"
SEGMIND = {"x-portkey-provider": "segmind", "authorization": "sg-k",
           "content-type": "application/json"}  # fmt: skip
FIREWORKS = {"x-portkey-provider": "fireworks-ai", "authorization": "Bearer fw-k",
             "content-type": "application/json"}  # fmt: skip
FW_MODEL = "accounts/fireworks/models/stable-diffusion-xl-1024-v1-0"
WORKERS = {"x-portkey-provider": "workers-ai", "authorization": "Bearer cf-k",
           "x-portkey-workers-ai-account-id": "a", "content-type": "application/json"}  # fmt: skip
FLUX = "@cf/black-forest-labs/flux-1-schnell"
AZURE = {"x-portkey-provider": "azure-openai", "authorization": "az-k",
         "x-portkey-azure-resource-name": "res1", "x-portkey-azure-deployment-id": "dall-e-3",
         "x-portkey-azure-api-version": "2024-10-21", "content-type": "application/json"}  # fmt: skip
AZ_PATH = "/v1/deployments/dall-e-3/images/generations?api-version=2024-10-21"


def _like(slug: str) -> dict[str, str]:
    return {"x-portkey-provider": slug, "authorization": "Bearer k-0123456789",
            "content-type": "application/json"}  # fmt: skip


def _creative_form() -> bytes:
    """Stability's creative upscale: a prompt and a real 64x64 PNG (multipart, boundary b0)."""
    import io

    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 30)).save(png, "PNG")
    return (
        b'--b0\r\nContent-Disposition: form-data; name="prompt"\r\n\r\na cat\r\n'
        b'--b0\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n'
        b"Content-Type: image/png\r\n\r\n" + png.getvalue() + b"\r\n--b0--\r\n"
    )


CREATIVE = "/v1/v2beta/stable-image/upscale/creative"
NSCALE_SDXL = "stabilityai/stable-diffusion-xl-base-1.0"
# Contracts whose answer needs state a corpus line cannot carry, each checked (under
# strict_responses) where that state exists.
EXERCISED_ELSEWHERE = {
    # a poll needs the id its POST answered: tests/fakes/test_stability_edits.py
    "stability/v2beta-async-in-progress.json",
}

# (name, method, path, headers, body): every answer kind each route has.
CORPUS: list[tuple[str, str, str, dict[str, str], Any]] = [
    ("unified stability v1", "POST", "/v1/images/generations", STAB, SDXL),
    ("unified stability v2", "POST", "/v1/images/generations", STAB, {"model": "core", "prompt": "a"}),
    ("unified stability v1 error", "POST", "/v1/images/generations", STAB, {**SDXL, "size": "512x512"}),
    ("unified stability v2 error", "POST", "/v1/images/generations", STAB, {"model": "core", "prompt": "a", "aspect_ratio": "7:3"}),
    ("unified stability 404", "POST", "/v1/images/generations", STAB, {"prompt": "a"}),
    ("unified stability 401", "POST", "/v1/images/generations", {**STAB, "authorization": "invalid"}, SDXL),
    ("unified stability blocked", "POST", "/v1/images/generations", STAB, {"model": "sd3", "prompt": "mock-blocked"}),
    ("unified dall-e url", "POST", "/v1/images/generations", OAI, {"model": "dall-e-3", "prompt": "a"}),
    ("unified dall-e b64", "POST", "/v1/images/generations", OAI, {"model": "dall-e-2", "prompt": "a", "response_format": "b64_json"}),
    ("unified gpt-image", "POST", "/v1/images/generations", OAI, {"model": "gpt-image-1", "prompt": "a"}),
    ("unified openai error", "POST", "/v1/images/generations", OAI, {"model": "gpt-image-1", "prompt": "a", "response_format": "url"}),
    ("unified openai moderation", "POST", "/v1/images/generations", OAI, {"model": "gpt-image-1", "prompt": "mock-blocked"}),
    ("unified openai 401", "POST", "/v1/images/generations", {**OAI, "authorization": "Bearer invalid"}, {"prompt": "a"}),
    ("unified bedrock v1", "POST", "/v1/images/generations", BR, {"model": "stability.stable-diffusion-xl-v1", "prompt": "a"}),
    ("unified bedrock v2", "POST", "/v1/images/generations", BR, {"model": "stability.stable-image-core-v1:1", "prompt": "a"}),
    ("unified bedrock error", "POST", "/v1/images/generations", BR, {"model": "stability.sd3-5-large-v1:0"}),
    ("unified bedrock filtered", "POST", "/v1/images/generations", BR, {"model": "stability.sd3-5-large-v1:0", "prompt": "mock-blocked"}),
    ("unified bedrock no model", "POST", "/v1/images/generations", BR, {"prompt": "a"}),
    ("proxy bedrock v1", "POST", "/v1/model/stability.stable-diffusion-xl-v1/invoke", BR, {"text_prompts": [{"text": "a"}]}),
    ("proxy bedrock v2", "POST", BR_V2, BR, {"prompt": "a"}),
    ("proxy bedrock error", "POST", BR_V2, BR, {}),
    ("validator: content type", "POST", "/v1/images/generations", {**STAB, "content-type": "text/plain"}, {}),
    ("validator: no provider", "POST", "/v1/images/generations", {"content-type": "application/json"}, {}),
    ("validator: config errors", "POST", "/v1/images/generations", {"x-portkey-config": '{"provider":"nope","api_key":"k"}'}, {}),
    ("unreadable body", "POST", "/v1/images/generations", STAB, "{"),
    ("gateway exception", "POST", "/v1/images/generations", {"x-portkey-provider": "anthropic"}, {}),
    ("unmodelled provider", "POST", "/v1/images/generations", {"x-portkey-provider": "hyperbolic"}, {}),
    ("fault 429", "POST", "/v1/images/generations", {**STAB, "x-mock-status": "429", "x-mock-retry-after": "1"}, SDXL),
    ("fault respond", "POST", "/v1/images/generations", {**STAB, "x-mock-fault": "respond"}, SDXL),
    ("fault drop, openai", "POST", "/v1/images/generations", {**OAI, "x-mock-fault": "drop"}, {"prompt": "a"}),
    ("fault drop, stability", "POST", "/v1/images/generations", {**STAB, "x-mock-fault": "drop"}, SDXL),
    ("fault timeout", "POST", "/v1/images/generations", {**STAB, "x-mock-fault": "timeout", "x-portkey-request-timeout": "5"}, SDXL),
    ("proxy v1 json", "POST", V1, STAB, {"text_prompts": [{"text": "a"}], "width": 1024, "height": 1024}),
    ("proxy v1 error", "POST", V1, STAB, {"text_prompts": []}),
    ("proxy v1 404", "POST", "/v1/generation/nope/text-to-image", STAB, {"text_prompts": [{"text": "a"}]}),
    ("proxy v2 json", "POST", "/v1/v2beta/stable-image/generate/core", {**STAB, "content-type": FORM_TYPE, "accept": "application/json"}, FORM),
    ("proxy v2 error", "POST", "/v1/v2beta/stable-image/generate/core", {**STAB, "content-type": FORM_TYPE}, "--b0--\r\n"),
    ("proxy engines", "GET", "/v1/engines/list", STAB, None),
    ("proxy bad json", "POST", V1, STAB, "{"),
    ("proxy without provider", "POST", "/v1/proxy/x", {"content-type": "application/json"}, {}),
    ("proxy timeout", "POST", V1, {**STAB, "x-mock-fault": "timeout", "x-portkey-request-timeout": "5"}, {}),
    ("unrouted", "POST", "/v2/images", {}, None),
    ("unified vertex", "POST", "/v1/images/generations", VERTEX, {"model": "imagen-3.0-generate-002", "prompt": "a", "n": 1}),
    ("unified vertex error", "POST", "/v1/images/generations", VERTEX, {"model": "imagen-3.0-generate-002", "prompt": "a", "n": 9}),
    ("proxy vertex", "POST", PREDICT, VERTEX, {"instances": [{"prompt": "a"}], "parameters": {"sampleCount": 1}}),
    ("proxy vertex error", "POST", PREDICT, VERTEX, {"instances": []}),
    ("unified segmind", "POST", "/v1/images/generations", SEGMIND, {"model": "sdxl1.0-txt2img", "prompt": "a", "size": "512x512"}),
    ("proxy segmind base64", "POST", "/v1/sdxl1.0-txt2img", SEGMIND, {"prompt": "a", "base64": True, "img_width": 512, "img_height": 512}),
    ("proxy segmind error", "POST", "/v1/sdxl1.0-txt2img", SEGMIND, {"prompt": "a", "samples": 9}),
    ("unified fireworks", "POST", "/v1/images/generations", FIREWORKS, {"model": FW_MODEL, "prompt": "a", "size": "512x512"}),
    ("proxy fireworks", "POST", f"/v1/image_generation/{FW_MODEL}", FIREWORKS, {"text_prompts": [{"text": "a"}], "height": 512, "width": 512}),
    ("proxy fireworks error", "POST", f"/v1/image_generation/{FW_MODEL}", FIREWORKS, {"samples": 1}),
    ("proxy workers-ai", "POST", f"/v1/{FLUX}", WORKERS, {"prompt": "a"}),
    ("proxy workers-ai error", "POST", f"/v1/{FLUX}", WORKERS, {"prompt": "a", "steps": 99}),
    ("unified azure-openai", "POST", "/v1/images/generations", AZURE, {"prompt": "a"}),
    ("proxy azure-openai", "POST", AZ_PATH, AZURE, {"prompt": "a"}),
    ("proxy azure-openai error", "POST", AZ_PATH, AZURE, {"prompt": "a", "n": 2}),
    ("unified recraft-ai", "POST", "/v1/images/generations", _like("recraft-ai"), {"prompt": "a"}),
    ("proxy recraft-ai", "POST", "/v1/proxy/images/generations", _like("recraft-ai"), {"prompt": "a"}),
    ("proxy recraft-ai error", "POST", "/v1/proxy/images/generations", _like("recraft-ai"), {"prompt": "a", "size": "7x7"}),
    ("unified deepbricks", "POST", "/v1/images/generations", _like("deepbricks"), {"prompt": "a"}),
    ("proxy deepbricks", "POST", "/v1/proxy/images/generations", _like("deepbricks"), {"prompt": "a"}),
    ("unified lemonfox-ai", "POST", "/v1/images/generations", _like("lemonfox-ai"), {"prompt": "a"}),
    ("proxy lemonfox-ai", "POST", "/v1/proxy/images/generations", _like("lemonfox-ai"), {"prompt": "a"}),
    ("unified nscale", "POST", "/v1/images/generations", _like("nscale"), {"prompt": "a", "model": NSCALE_SDXL}),
    ("proxy nscale", "POST", "/v1/proxy/images/generations", _like("nscale"), {"prompt": "a", "model": NSCALE_SDXL}),
    ("proxy hyperbolic", "POST", "/v1/v1/image/generation", _like("hyperbolic"), {"prompt": "a", "model_name": "SDXL1.0-base"}),
    ("proxy siliconflow", "POST", "/v1/proxy/images/generations", _like("siliconflow"), {"prompt": "a", "model": "Kwai-Kolors/Kolors"}),
    ("proxy siliconflow error", "POST", "/v1/proxy/images/generations", _like("siliconflow"), {"prompt": "a", "model": "nope/nope"}),
    ("proxy stability creative", "POST", CREATIVE, {**STAB, "content-type": FORM_TYPE, "accept": "application/json", "x-mock-async-polls": "1"}, _creative_form()),
]  # fmt: skip
# Workers AI's @cf/... models are Model Catalog slugs to the hosted profile: its unified
# answer is sent to a mock with profile oss.
OSS_CORPUS: list[tuple[str, str, str, dict[str, str], Any]] = [
    ("unified workers-ai", "POST", "/v1/images/generations", WORKERS, {"model": FLUX, "prompt": "a"}),
]  # fmt: skip


@pytest.fixture(scope="module")
def strict() -> MockClient:
    return MockClient(PortkeyMock(create_app(strict_responses=True)))


def _send(client: MockClient, method: str, path: str, headers: dict[str, str], body: Any) -> Any:
    raw = isinstance(body, str | bytes)
    content = body if raw else (None if body is None else json.dumps(body))
    return client.request(method, path, headers=headers, content=content)


@pytest.mark.parametrize(
    ("name", "method", "path", "headers", "body"), CORPUS, ids=[c[0] for c in CORPUS]
)
def test_every_answer_is_within_its_contract(
    strict: MockClient, name: str, method: str, path: str, headers: dict[str, str], body: Any
) -> None:
    response = _send(strict, method, path, headers, body)
    assert "x-mock-contract-violation" not in response.headers, response.text
    if response.headers.get("content-type", "").startswith("application/json"):
        provider = response.headers.get("x-portkey-provider")
        contracts = response_contracts(path, response.status_code, provider)
        assert contracts, f"{path} has no contracts"
        assert check_body(response.json(), contracts) is None


def test_the_corpus_exercises_every_response_contract() -> None:
    hosted, oss = (
        MockClient(PortkeyMock(create_app())),
        MockClient(PortkeyMock(create_app(profile="oss"))),
    )
    used: set[str] = set()
    runs = [(hosted, case) for case in CORPUS] + [(oss, case) for case in OSS_CORPUS]
    for client, (_, method, path, headers, body) in runs:
        response = _send(client, method, path, headers, body)
        if not response.headers.get("content-type", "").startswith("application/json"):
            continue
        provider = response.headers.get("x-portkey-provider")
        for name in response_contracts(path, response.status_code, provider):
            if check_body(response.json(), (name,)) is None:
                used.add(name)
    every = {
        name
        for path in ("/v1/images/generations", V1, "/v2/x")
        for name in response_contracts(path, 404)
    }
    assert every - used - EXERCISED_ELSEWHERE == set()


def test_strict_mode_refuses_a_broken_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app(strict_responses=True)
    client = MockClient(PortkeyMock(app))
    from mock_gateway.adapters import stability

    monkeypatch.setattr(
        stability, "to_client_body", lambda *args, **kwargs: {"created": 1, "data": [{"url": "x"}]}
    )
    response = client.post("/v1/images/generations", headers=STAB, json=SDXL)
    assert response.status_code == 500
    assert response.headers["x-mock-contract-violation"] == "true"
    assert "broke its contract" in response.json()["message"]
    assert app.state.mock.errors, "the violation is recorded for the fixture to raise"
