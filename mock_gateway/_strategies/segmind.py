"""Segmind requests on the unified route, for ``image_requests(provider="segmind")``.

Facts from the unified request contract (``contracts/segmind/unified-request.json``) and the
fake's table (``fakes/segmind_data.py``).
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
from mock_gateway.fakes.segmind_data import DEFAULTS, MODELS, RANGES

__all__ = ["SEGMIND_MODELS", "segmind_breaks", "segmind_requests"]

SEGMIND_MODELS: tuple[str, ...] = tuple(sorted(MODELS))


def _request(model: str, body: dict[str, Any], key: str) -> ImageRequest:
    headers = {
        "content-type": "application/json",
        "x-portkey-api-key": PORTKEY_KEY,
        "x-portkey-provider": "segmind",
        "authorization": f"Bearer {key}",
    }
    width, height = DEFAULTS["img_width"], DEFAULTS["img_height"]
    if "size" in body:
        width, height = (int(side) for side in body["size"].lower().split("x"))
    return ImageRequest(
        "/v1/images/generations",
        headers,
        body,
        "segmind",
        model,
        "portkey/images-request.json",
        "segmind",
        image_size=(int(width), int(height)),
        image_count=body.get("n", DEFAULTS["samples"]),
        image_format="jpeg",  # Segmind draws JPEGs
    )


def _sides() -> st.SearchStrategy[int]:
    low, high = RANGES["img_width"]
    return st.integers(int(low) // 64, int(high) // 64).map(lambda k: 64 * k)


@cache
def segmind_requests(model: str) -> st.SearchStrategy[ImageRequest]:
    """Valid unified requests for Segmind ``model``."""
    optional: dict[str, st.SearchStrategy[Any]] = {
        "n": st.integers(1, int(RANGES["samples"][1])),
        "size": st.tuples(_sides(), _sides()).map(lambda wh: f"{wh[0]}x{wh[1]}"),
        "steps": st.integers(1, int(RANGES["num_inference_steps"][1])),
        "guidance_scale": st.floats(*RANGES["guidance_scale"]),
        "negative_prompt": prompts(),
        "seed": st.integers(0, 4294967295),
        "response_format": st.sampled_from(["url", "b64_json"]),  # ignored: always b64_json
    }
    required = {"model": st.just(model), "prompt": prompts()}
    bodies = st.fixed_dictionaries(required, optional=optional).map(ordered)
    return st.tuples(bodies, provider_keys()).map(lambda drawn: _request(model, *drawn))


def segmind_breaks(model: str) -> list[Break]:
    """The ways Segmind refuses a unified request (its ``error`` is a bare string: no name)."""
    del model
    return [
        Break("no prompt", 400, None, drop=("prompt",)),
        Break("n above Segmind's 4", 400, None, setting("n", st.integers(5, 10))),
        Break(
            "a side outside Segmind's 512..2048",
            400,
            None,
            setting("size", st.sampled_from(["256x1024", "1024x4096", "64x64"])),
        ),
        Break("guidance_scale above 25", 400, None, setting("guidance_scale", st.integers(26, 99))),
        Break(
            "a model slug Segmind does not serve",
            404,
            None,
            setting("model", st.sampled_from(["sdxl9-txt2img", "dall-e-3", "flux"])),
        ),
    ]
