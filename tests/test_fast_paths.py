"""The hot path's shortcuts give exactly what the plain code gives: bytes, objects, ids."""

from __future__ import annotations

import base64
import json
import random
import uuid
from typing import Any
from urllib.parse import quote

import pytest

from mock_gateway.adapters import stability
from mock_gateway.fakes.blobs import BlobStore, _quoted, _quoted_b64, _stamp
from mock_gateway.fakes.images import render_png, render_png_b64
from mock_gateway.fakes.openai import FakeOpenAI
from mock_gateway.fakes.stability import FakeStability, _artifacts_json
from mock_gateway.gateway.errors import dumps
from mock_gateway.state import uuid4_text
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse, parsed_json
from mock_gateway.wire import safejson

KEY = "Bearer sk-test-0123456789abcdef"
V1 = "https://api.stability.ai/v1/generation/stable-diffusion-v1-6/text-to-image"


def _compact(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def _post(url: str, body: Any) -> UpstreamRequest:
    headers = {"content-type": "application/json", "authorization": KEY}
    return UpstreamRequest.build("POST", url, headers, json.dumps(body).encode())


@pytest.mark.parametrize("seed", [0, 7, 4294967295, 5.0])
@pytest.mark.parametrize("samples", [1, 3])
@pytest.mark.parametrize("prompt", ["a cat", "mock-filtered dog"])
def test_stability_v1_json_is_what_json_dumps_writes(seed: Any, samples: int, prompt: str) -> None:
    body = {"text_prompts": [{"text": prompt}], "seed": seed, "samples": samples}
    body |= {"height": 320, "width": 320}
    response = FakeStability(filtered_words=("mock-filtered",)).handle(_post(V1, body))
    assert response.status == 200
    parsed = safejson.loads(response.body)
    assert response.body == _compact(parsed)
    assert parsed_json(response) == parsed
    assert _artifacts_json(parsed["artifacts"]) == _compact(parsed)
    kept = parsed_json(response)["artifacts"]
    assert [type(item["seed"]) for item in kept] == [
        type(item["seed"]) for item in parsed["artifacts"]
    ]


@pytest.mark.parametrize("model", ["dall-e-2", "dall-e-3", "gpt-image-1"])
@pytest.mark.parametrize("response_format", ["url", "b64_json"])
def test_openai_kept_object_is_what_parsing_gives(model: str, response_format: str) -> None:
    fake = FakeOpenAI(blobs=BlobStore(secret=b"s"), clock=lambda: 1_795_000_000.0)
    body: dict[str, Any] = {"model": model, "prompt": "a fox", "size": "1024x1024"}
    if model != "gpt-image-1":
        body["response_format"] = response_format
    response = fake.handle(_post("https://api.openai.com/v1/images/generations", body))
    assert response.status == 200, response.body
    assert parsed_json(response) == safejson.loads(response.body)
    assert response.body == _compact(parsed_json(response))


def test_an_answer_without_a_kept_object_is_parsed() -> None:
    response = UpstreamResponse(200, (("content-type", "application/json"),), b'{"a":[1,2.5]}')
    assert parsed_json(response) == {"a": [1, 2.5]}
    with pytest.raises(ValueError):
        parsed_json(UpstreamResponse(200, (), b"not json"))


def test_trace_ids_are_uuid4_text() -> None:
    draws = random.Random(3)
    for bits in [0, 2**128 - 1, *(draws.getrandbits(128) for _ in range(2000))]:
        assert uuid4_text(bits) == str(uuid.UUID(int=bits, version=4))


@pytest.mark.parametrize("size", [(1, 1), (320, 320), (1024, 1024), (7, 1000)])
def test_spliced_base64_is_the_base64_of_the_png(size: tuple[int, int]) -> None:
    # Seeds of every length shift the head's length through all three remainders mod 3.
    for seed in [0, 9, 10, 99, 100, 12345, 4294967295]:
        for blurred in (False, True):
            png = render_png(*size, prompt=f"p{seed}", seed=seed, blurred=blurred)
            text = render_png_b64(*size, prompt=f"p{seed}", seed=seed, blurred=blurred)
            assert text == base64.b64encode(png).decode("ascii")


@pytest.mark.parametrize("created", [1795000000, "1795000000123"])
@pytest.mark.parametrize("samples", [1, 2])
def test_stability_images_json_is_the_client_body_dumped(created: Any, samples: int) -> None:
    body = {"text_prompts": [{"text": "a cat"}], "samples": samples, "height": 320, "width": 320}
    response = FakeStability().handle(_post(V1, body))
    client = stability.client_body(response, {"model": "stable-diffusion-v1-6"}, created)
    fast = stability.images_json(client)
    assert fast is not None
    assert fast == dumps(client)
    # The same bytes from elsewhere (no kept object) and other shapes take the plain path.
    copied = UpstreamResponse(response.status, response.headers, response.body)
    assert stability.images_json(stability.client_body(copied, {}, created)) is None
    assert stability.images_json({"created": 1, "data": [{"url": "x"}]}) is None
    assert stability.images_json({**client, "extra": 1}) is None


def test_blob_url_pieces_are_what_quote_gives() -> None:
    draws = random.Random(5)
    for _ in range(500):
        text = base64.b64encode(draws.randbytes(32)).decode()
        assert _quoted_b64(text) == quote(text, safe="")
    for seconds in (0, 1795000000, 1795003600.5):
        assert _quoted(_stamp(seconds)) == quote(_stamp(seconds), safe="")
