"""Fireworks AI requests on the unified route, for ``image_requests(provider="fireworks-ai")``.

Facts from the unified request contract (``contracts/fireworks/unified-request.json``) and the
fake's table (``fakes/fireworks_data.py``).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from hypothesis import strategies as st

from mock_gateway._strategies.common import (
    PORTKEY_KEY,
    Break,
    ImageRequest,
    ordered,
    prompts,
    provider_keys,
    setting,
)
from mock_gateway.fakes.fireworks_data import MODEL_PREFIX, MODELS

__all__ = ["FIREWORKS_MODELS", "fireworks_breaks", "fireworks_requests"]

FIREWORKS_MODELS: tuple[str, ...] = tuple(MODEL_PREFIX + model for model in sorted(MODELS))


def _clamped(side: str) -> int:
    return min(1024, max(512, int(side)))  # the gateway's 512..1024 clamp


def _request(model: str, body: dict[str, Any], key: str) -> ImageRequest:
    headers = {
        "content-type": "application/json",
        "x-portkey-api-key": PORTKEY_KEY,
        "x-portkey-provider": "fireworks-ai",
        "authorization": f"Bearer {key}",
    }
    width, height = 1024, 1024  # ASSUMED: Fireworks' default size
    if "size" in body:
        width, height = (_clamped(side) for side in body["size"].split("x"))
    return ImageRequest(
        "/v1/images/generations",
        headers,
        body,
        "fireworks-ai",
        model,
        "portkey/images-request.json",
        "fireworks-ai",
        image_size=(width, height),
        image_count=min(10, body.get("n", 1)),
    )


@cache
def fireworks_requests(model: str) -> st.SearchStrategy[ImageRequest]:
    """Valid unified requests for Fireworks ``model`` (sizes outside 512..1024 are clamped)."""
    sides = st.integers(4, 24).map(lambda k: str(64 * k))
    optional: dict[str, st.SearchStrategy[Any]] = {
        "n": st.integers(1, 4),
        "size": st.tuples(sides, sides).map("x".join),
        "steps": st.integers(1, 200),  # clamped to 10..150 by the gateway
        "cfg_scale": st.integers(0, 35),
        "seed": st.integers(0, 4294967295),
        "safety_check": st.booleans(),
        "response_format": st.sampled_from(["url", "b64_json"]),  # ignored: always b64_json
    }
    required = {"model": st.just(model), "prompt": prompts()}
    bodies = st.fixed_dictionaries(required, optional=optional).map(ordered)
    return st.tuples(bodies, provider_keys()).map(lambda drawn: _request(model, *drawn))


def fireworks_breaks(model: str) -> list[Break]:
    """The ways Fireworks refuses a unified request."""
    del model
    return [
        Break("no prompt (text_prompts missing)", 422, None, drop=("prompt",)),
        Break(
            "cfg_scale above 35",
            400,
            "invalid_request_error",
            setting("cfg_scale", st.integers(36, 99)),
        ),
        Break(
            "a model Fireworks does not serve at image_generation",
            404,
            "invalid_request_error",
            setting(
                "model",
                st.sampled_from(
                    [
                        "accounts/fireworks/models/flux-1-schnell-fp8",
                        "stable-diffusion-xl-1024-v1-0",
                    ]
                ),
            ),
        ),
    ]
