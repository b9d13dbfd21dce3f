"""Properties of the mock over the whole space the public strategies generate.

test_robustness.py throws arbitrary bytes at the mock (no crash); these use well-formed
requests that know their real answer, so they can check the answer itself: its contract,
the real error, determinism, the images, the Stability url quirk and the upstream mapping.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import urlsplit

import httpx
from hypothesis import given
from hypothesis import strategies as st

from mock_gateway import PortkeyMock, create_app
from mock_gateway import strategies as pst
from mock_gateway.contract_tools.contracts import validate
from mock_gateway.contract_tools.route_map import check_body, response_contracts
from tests.conftest import FIXED_NOW
from tests.pngcheck import decode_png

MOCK = PortkeyMock(create_app(clock=lambda: FIXED_NOW))
CLIENT = httpx.Client(transport=MOCK.transport(), base_url=MOCK.url)
# Providers image_requests() draws only when named (Workers AI needs profile oss: its own tests).
NAMED = ("vertex-ai", "segmind", "fireworks-ai")
ANY_VALID = st.one_of(
    pst.image_requests(),
    *(pst.image_requests(provider=provider) for provider in NAMED),
    pst.stability_v1_requests(),
    pst.stability_v2beta_requests(),
)
ANY_INVALID = st.one_of(
    pst.image_requests(valid=False),
    *(pst.image_requests(provider=provider, valid=False) for provider in NAMED),
    pst.stability_v1_requests(valid=False),
    pst.stability_v2beta_requests(valid=False),
)


def _follows_its_contract(answer: httpx.Response) -> None:
    path, provider = answer.request.url.path, answer.headers.get("x-portkey-provider")
    assert answer.headers["content-type"].startswith(("application/json", "image/")), answer
    if answer.headers["content-type"].startswith("application/json"):
        contracts = response_contracts(path, answer.status_code, provider)
        assert check_body(answer.json(), contracts) is None, answer.text[:400]


@given(ANY_VALID)
def test_every_valid_request_gets_a_200_that_follows_its_contract(
    request: pst.ImageRequest,
) -> None:
    answer = request.send(CLIENT)
    assert answer.status_code == 200, answer.text[:400]
    _follows_its_contract(answer)


@given(pst.portkey_configs(), st.sampled_from(["a cat", "tiny castle at night"]))
def test_every_valid_config_routes_a_prompt_to_a_200(
    config: pst.PortkeyConfig, prompt: str
) -> None:
    headers = {"x-portkey-api-key": "pk", "x-portkey-config": config.header()}
    answer = CLIENT.post("/v1/images/generations", json={"prompt": prompt}, headers=headers)
    assert answer.status_code == 200, (config, answer.text[:400])
    _follows_its_contract(answer)


@given(ANY_INVALID)
def test_every_invalid_request_gets_the_real_error_never_a_500(request: pst.ImageRequest) -> None:
    answer = request.send(CLIENT)
    assert answer.status_code == request.status, answer.text[:400]
    body = answer.json()
    if request.path == "/v1/images/generations" and "status" in body:
        validate("portkey/gateway-failure.json", body)  # the gateway's own (Vertex: no model)
        assert request.error_name is None
    elif request.path == "/v1/images/generations":  # wrapped as generateErrorResponse does
        validate("portkey/provider-error.json", body)
        assert body["provider"] == request.provider
        assert request.error_name in (None, body["error"]["type"], body["error"]["code"])
    else:  # the proxy passes Stability's own error through
        version = "v2beta" if "/v2beta/" in request.path else "v1"
        validate(f"stability/{version}-error.json", body)
        assert body["name"] == request.error_name


@given(pst.portkey_configs(valid=False))
def test_every_invalid_config_gets_the_validators_400(config: pst.PortkeyConfig) -> None:
    headers = {"x-portkey-api-key": "pk", "x-portkey-config": config.header()}
    answer = CLIENT.post("/v1/images/generations", json={"prompt": "a"}, headers=headers)
    assert answer.status_code == 400
    assert answer.json()["message"] == "Invalid config passed", config.reason


@given(ANY_VALID, st.integers(0, 2**32))
def test_the_same_request_and_seed_give_the_same_bytes(
    request: pst.ImageRequest, seed: int
) -> None:
    answers = []
    for _ in range(2):
        MOCK.reset(seed=seed)
        answers.append(request.send(CLIENT))
    first, second = answers
    assert first.content == second.content
    assert first.headers == second.headers
    MOCK.reset(seed=0)


def _images(answer: httpx.Response) -> list[bytes]:
    """Every image of a unified answer: decoded b64_json, or fetched from its url."""
    images = []
    for item in answer.json()["data"]:
        if "b64_json" in item:
            images.append(base64.b64decode(item["b64_json"], validate=True))
        else:  # DALL·E's signed URL resolves on the mock itself
            url = urlsplit(item["url"])
            images.append(CLIENT.get(f"{url.path}?{url.query}").content)
    return images


@given(pst.image_requests())
def test_images_are_pngs_of_the_requested_size_and_count(request: pst.ImageRequest) -> None:
    answer = request.send(CLIENT)
    images = _images(answer)
    assert len(images) == request.image_count
    for image in images:
        if request.image_format == "png":
            decoded = decode_png(image)  # chunk CRCs, IHDR and the inflated scanlines
            assert (decoded.width, decoded.height) == request.image_size
        else:
            assert not image.startswith(b"\x89PNG")  # the format asked for, not a PNG


RESPONSE_FORMATS = st.one_of(
    st.sampled_from(["url", "b64_json", "URL", ""]), st.text(max_size=8), st.integers(), st.none()
)


@given(pst.image_requests(provider="stability-ai"), RESPONSE_FORMATS)
def test_stability_on_the_unified_route_never_answers_a_url(
    request: pst.ImageRequest, response_format: Any
) -> None:
    body = {**request.body, "response_format": response_format}
    answer = CLIENT.post(request.path, headers=dict(request.headers), json=body)
    assert answer.status_code == 200, answer.text[:400]
    assert [set(item) for item in answer.json()["data"]] == [{"b64_json"}] * request.image_count


# -- the journal's upstream request is the gateway's mapping (§3.2, §3.3, §3.6, §4) ---------------

# Stated here from portkey-gateway-behavior.md, independently of the adapters' code.
_V1_RENAMES = (("style", "style_preset"), ("cfg_scale", "cfg_scale"),
               ("clip_guidance_preset", "clip_guidance_preset"), ("sampler", "sampler"),
               ("seed", "seed"), ("steps", "steps"), ("extras", "extras"))  # fmt: skip
_V2_FIELDS = ("prompt", "negative_prompt", "aspect_ratio", "seed", "style_preset", "mode",
              "output_format", "image", "strength")  # fmt: skip
_OPENAI_FIELDS = ("prompt", "model", "n", "quality", "response_format", "size", "style", "user")


def _expected_upstream(request: pst.ImageRequest) -> tuple[str, Any]:
    """(URL, JSON body or form fields) the gateway sends for ``request``."""
    body = request.body
    if request.path != "/v1/images/generations":  # the proxy forwards Stability's own body
        # §4.1: the gateway drops /v1; the hosted profile reaches v1 as the forum thread shows.
        path = request.path.removeprefix("/v1")
        url = "https://api.stability.ai" + (path if path.startswith("/v2beta/") else "/v1" + path)
        if request.encoding == "multipart":
            return url, [{"name": k, "value": str(v)} for k, v in body.items()]
        return url, list(body.items())
    if request.provider == "openai":
        return "https://api.openai.com/v1/images/generations", [
            (k, body[k]) for k in _OPENAI_FIELDS if k in body
        ]
    if request.provider == "bedrock":  # docs/facts/providers/bedrock.md §1.3
        url = f"https://bedrock-runtime.us-east-1.amazonaws.com/model/{request.model}/invoke"
        url = url.replace(":", "%3A").replace("https%3A", "https:")
        if request.model == "stability.stable-diffusion-xl-v1":
            sdxl: list[tuple[str, Any]] = [
                ("text_prompts", [{"text": body["prompt"], "weight": 1}])
            ]
            if "n" in body:
                sdxl.append(("samples", body["n"]))
            if "size" in body:
                width, height = (max(320, int(side)) for side in body["size"].lower().split("x"))
                sdxl += [("height", height), ("width", width)]
            return url, sdxl + ([("style_preset", body["style"])] if "style" in body else [])
        return url, [(k, body[k]) for k in _V2_FIELDS if k in body]
    if request.provider in ("azure-openai", "azure-ai"):  # model defaults to dall-e-3
        # azure-openai.md §1.1: the resource's deployment; azure-ai-inference.md §1.1: the
        # foundry URL, as given, plus /images/generations.
        base = request.headers.get("x-portkey-azure-foundry-url") or (
            "https://res1.openai.azure.com/openai/deployments/"
            + request.headers["x-portkey-azure-deployment-id"]
        )
        url = f"{base}/images/generations?api-version=2024-10-21"
        return url, [(k, {"model": "dall-e-3", **body}[k]) for k in _OPENAI_FIELDS
                     if k in body or k == "model"]  # fmt: skip
    if request.provider == "vertex-ai":
        return _expected_vertex(request)
    if request.provider == "segmind":
        return _expected_segmind(request)
    if request.provider == "fireworks-ai":
        return _expected_fireworks(request)
    if request.model in ("stable-diffusion-xl-1024-v1-0", "stable-diffusion-v1-6"):
        mapped: list[tuple[str, Any]] = [("text_prompts", [{"text": body["prompt"], "weight": 1}])]
        if "n" in body:
            mapped.append(("samples", body["n"]))
        if "size" in body:
            width, height = (max(320, int(side)) for side in body["size"].lower().split("x"))
            mapped += [("height", height), ("width", width)]
        mapped += [(target, body[source]) for source, target in _V1_RENAMES if source in body]
        url = f"https://api.stability.ai/v1/generation/{request.model}/text-to-image"
        return url, mapped
    url = f"https://api.stability.ai/v2beta/stable-image/generate/{request.model}"
    return url, [{"name": k, "value": str(body[k])} for k in _V2_FIELDS if k in body]


def _expected_vertex(request: pst.ImageRequest) -> tuple[str, Any]:
    """google-vertex-ai.md §1.2-1.3: project and region in the URL; camelCase options into
    `parameters` (n -> sampleCount, quality -> outputOptions.compressionQuality, mimeType ->
    outputOptions.mimeType), only when one of them is sent."""
    body, headers = request.body, request.headers
    region, project = headers["x-portkey-vertex-region"], headers["x-portkey-vertex-project-id"]
    url = (f"https://{region}-aiplatform.googleapis.com/v1/projects/{project}/locations/{region}"
           f"/publishers/google/models/{request.model}:predict")  # fmt: skip
    parameters: dict[str, Any] = {}
    if "n" in body:
        parameters["sampleCount"] = body["n"]
    if body.get("quality"):
        quality = body["quality"]
        level = quality if isinstance(quality, int) else 100 if quality == "hd" else 75
        parameters["outputOptions"] = {"compressionQuality": level}
    for name in ("aspectRatio", "negativePrompt", "personGeneration", "safetySetting"):
        if name in body:
            parameters[name] = body[name]
    if "mimeType" in body:
        parameters.setdefault("outputOptions", {})["mimeType"] = body["mimeType"]
    mapped: list[tuple[str, Any]] = [("instances", [{"prompt": body["prompt"]}])]
    sent = {"n", "quality", "aspectRatio", "negativePrompt", "personGeneration", "safetySetting",
            "mimeType"} & set(body)  # fmt: skip
    return url, mapped + ([("parameters", parameters)] if sent else [])


def _expected_segmind(request: pst.ImageRequest) -> tuple[str, Any]:
    """segmind.md §1.1-1.2: the model in the URL; n -> samples, size -> img_height/img_width,
    steps -> num_inference_steps (default 20), base64 always true; the rest dropped."""
    body = request.body
    mapped: list[tuple[str, Any]] = [("prompt", body["prompt"])]
    if "n" in body:
        mapped.append(("samples", body["n"]))
    if "size" in body:
        width, height = (int(side) for side in body["size"].split("x"))
        mapped += [("img_height", height), ("img_width", width)]
    mapped.append(("num_inference_steps", body.get("steps", 20)))
    mapped += [(k, body[k]) for k in ("negative_prompt", "guidance_scale", "seed") if k in body]
    mapped.append(("base64", True))
    return f"https://api.segmind.com/v1/{request.model}", mapped


def _expected_fireworks(request: pst.ImageRequest) -> tuple[str, Any]:
    """fireworks-ai.md §1.1-1.2: the model in the URL and the body; size clamped 512..1024,
    n 1..10, seed 0..4294967295, steps 10..150; cfg_scale and safety_check as they are."""
    body = request.body
    mapped: list[tuple[str, Any]] = [("text_prompts", [{"text": body["prompt"], "weight": 1}]),
                                     ("model", body["model"])]  # fmt: skip
    if "size" in body:
        width, height = (min(1024, max(512, int(side))) for side in body["size"].split("x"))
        mapped += [("height", height), ("width", width)]
    if "cfg_scale" in body:
        mapped.append(("cfg_scale", body["cfg_scale"]))
    if "n" in body:
        mapped.append(("samples", min(10, max(1, body["n"]))))
    if "seed" in body:
        mapped.append(("seed", body["seed"]))
    if "steps" in body:
        mapped.append(("steps", min(150, max(10, body["steps"]))))
    if "safety_check" in body:
        mapped.append(("safety_check", body["safety_check"]))
    return f"https://api.fireworks.ai/inference/v1/image_generation/{body['model']}", mapped


@given(ANY_VALID)
def test_the_journal_holds_the_gateways_mapping_of_the_request(request: pst.ImageRequest) -> None:
    MOCK.reset()
    request.send(CLIENT)
    call = MOCK.calls.last
    assert call.json == (None if request.encoding == "multipart" else json.loads(request.content))
    (attempt,) = call.upstream
    url, expected = _expected_upstream(request)
    assert attempt.url == url
    if attempt.form is not None:
        assert attempt.form == expected
    else:
        assert list(attempt.json.items()) == expected  # the same keys, in the same order
