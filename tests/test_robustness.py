"""Arbitrary input never crashes the mock: every answer is one the real gateway could give."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from mock_gateway import PortkeyMock
from tests.conftest import MockClient
from tests.conftest import create_app as _create_app

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
known_keys = st.sampled_from(
    ["model", "prompt", "n", "size", "style", "seed", "steps", "cfg_scale", "sampler",
     "response_format", "aspect_ratio", "output_format", "text_prompts", "width", "height"]
)  # fmt: skip
bodies = st.dictionaries(known_keys, json_values, max_size=8) | json_values
models = st.sampled_from(
    [
        "stable-diffusion-xl-1024-v1-0",
        "stable-diffusion-v1-6",
        "core",
        "sd3",
        "dall-e-3",
        "gpt-image-1",
    ]
)
providers = st.sampled_from(["stability-ai", "openai"])
configs = st.dictionaries(
    st.sampled_from(["provider", "api_key", "override_params", "custom_host", "retry", "targets",
                     "strategy", "forward_headers", "request_timeout", "cache", "options"]),
    json_values,
    max_size=5,
).map(json.dumps)  # fmt: skip
paths = st.sampled_from(
    [
        "/v1/images/generations",
        "/v1/generation/stable-diffusion-xl-1024-v1-0/text-to-image",
        "/v1/proxy/v1/generation/stable-diffusion-v1-6/text-to-image",
        "/v1/v2beta/stable-image/generate/core",
    ]
)

# Strict: any answer that breaks its contract becomes a 500 flagged x-mock-contract-violation.
CLIENT = MockClient(PortkeyMock(_create_app(strict_responses=True)))


def _check(response: Any) -> None:
    assert "x-mock-internal-error" not in response.headers, response.text
    assert "x-mock-contract-violation" not in response.headers, response.text
    if response.status_code == 500:
        assert response.json()["status"] == "failure"


@given(body=bodies, model=models, path=paths, provider=providers)
def test_any_json_body_gets_a_real_answer(body: Any, model: str, path: str, provider: str) -> None:
    if isinstance(body, dict) and "model" not in body:
        body = {**body, "model": model}
    headers = {
        "x-portkey-provider": provider,
        "authorization": "Bearer sk-k",
        "content-type": "application/json",
    }
    _check(CLIENT.post(path, headers=headers, content=json.dumps(body)))


@given(config=configs, path=paths, body=bodies)
def test_any_config_header_gets_a_real_answer(config: str, path: str, body: Any) -> None:
    headers = {"x-portkey-config": config, "content-type": "application/json"}
    _check(CLIENT.post(path, headers=headers, content=json.dumps(body)))


@given(
    raw=st.binary(max_size=64),
    content_type=st.sampled_from(
        ["application/json", "multipart/form-data; boundary=x", "text/plain", ""]
    ),
)
def test_any_bytes_get_a_real_answer(raw: bytes, content_type: str) -> None:
    headers = {"x-portkey-provider": "stability-ai", "authorization": "sk-k"}
    if content_type:
        headers["content-type"] = content_type
    for path in ("/v1/images/generations", "/v1/v2beta/stable-image/generate/core"):
        _check(CLIENT.post(path, headers=headers, content=raw))
