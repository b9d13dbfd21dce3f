"""The fake Cloudflare Workers AI on its own: PNG bytes, FLUX's envelope, Cloudflare's errors."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from mock_gateway.contract_tools.contracts import validator_for
from mock_gateway.fakes.images import image_dimensions
from mock_gateway.fakes.workers_ai import FakeWorkersAI
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse

BASE = "https://api.cloudflare.com/client/v4/accounts/acc-1/ai/run/"
FLUX = "@cf/black-forest-labs/flux-1-schnell"
SDXL = "@cf/stabilityai/stable-diffusion-xl-base-1.0"
TOKEN = {"authorization": "Bearer cf-token-0123456789"}


def _run(
    fake: FakeWorkersAI,
    model: str,
    body: Any,
    *,
    headers: dict[str, str] | None = None,
    filtered: bool = False,
) -> UpstreamResponse:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = UpstreamRequest.build(
        "POST", BASE + model, TOKEN if headers is None else headers, raw
    )
    return fake.handle(request, filtered=filtered)


def _error(response: UpstreamResponse) -> dict[str, Any]:
    body = response.json()
    assert not list(validator_for("workers-ai/error.json").iter_errors(body)), body
    (error,) = body["errors"]
    return dict(error)


@pytest.fixture
def fake() -> FakeWorkersAI:
    return FakeWorkersAI(seed=5, blocked_words=("mock-blocked",), filtered_words=("mock-filtered",))


def test_sdxl_answers_the_png_itself(fake: FakeWorkersAI) -> None:
    answer = _run(fake, SDXL, {"prompt": "a cat", "width": 768, "height": 512, "num_steps": 20})
    assert answer.status == 200 and answer.media_type == "image/png"
    assert image_dimensions(answer.body) == (768, 512)


def test_flux_answers_the_envelope_with_a_jpeg(fake: FakeWorkersAI) -> None:
    answer = _run(fake, FLUX, {"prompt": "a cat", "steps": 4, "num_steps": 4})
    body = answer.json()
    assert not list(validator_for("workers-ai/run-response.json").iter_errors(body))
    image = base64.b64decode(body["result"]["image"])
    assert image.startswith(b"\xff\xd8") and image_dimensions(image) == (1024, 1024)


@pytest.mark.parametrize(
    ("model", "body", "words"),
    [
        (FLUX, {"steps": 4}, "required properties at '/' are 'prompt'"),
        (FLUX, {"prompt": "a", "steps": 9}, "'/steps' must be <= 8"),
        (SDXL, {"prompt": "a", "num_steps": 21}, "'/num_steps' must be <= 20"),
        (SDXL, {"prompt": "a", "width": 128}, "'/width' must be >= 256"),
        (SDXL, {"prompt": "a", "height": "big"}, "'/height' must be an integer"),
        (FLUX, {"prompt": "x" * 2049}, "length of '/prompt'"),
        ("@cf/acme/painter", {"prompt": "a"}, "No such model @cf/acme/painter"),
        (FLUX, {"prompt": "a mock-blocked cat"}, "NSFW"),
    ],
)
def test_bad_input_gets_the_envelope(
    fake: FakeWorkersAI, model: str, body: Any, words: str
) -> None:
    answer = _run(fake, model, body)
    assert answer.status == 400 and words in _error(answer)["message"]


def test_auth_and_unknown_paths(fake: FakeWorkersAI) -> None:
    refused = _run(fake, FLUX, {"prompt": "a"}, headers={"authorization": "Bearer invalid-1"})
    assert refused.status == 401 and _error(refused)["code"] == 10000
    undefined = fake.handle(UpstreamRequest.build("POST", BASE + "undefined", TOKEN, b"{}"))
    assert undefined.status == 404 and _error(undefined)["code"] == 7003


def test_filtered_is_blurred_and_a_fault_speaks_the_envelope(fake: FakeWorkersAI) -> None:
    plain = _run(fake, SDXL, {"prompt": "a cat", "seed": 3}).body
    assert _run(fake, SDXL, {"prompt": "a cat", "seed": 3}, filtered=True).body != plain
    request = UpstreamRequest.build("POST", BASE + FLUX, TOKEN, b"{}")
    answer = fake.error_response(request, 429, retry_after=2)
    assert answer.status == 429 and _error(answer)["code"] == 3040
    assert answer.header("retry-after") == "2"
