"""Vertex AI (Imagen) requests on the unified route, for ``image_requests(provider="vertex-ai")``.

Facts from the unified request contract (``contracts/vertex/unified-request.json``) and the
fake's table (``fakes/vertex_data.py``): the sizes per aspect ratio, the default of four images.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from hypothesis import strategies as st

from mock_gateway._strategies.common import (
    PORTKEY_KEY,
    Break,
    ImageRequest,
    enum_of,
    ordered,
    prompts,
    setting,
)
from mock_gateway.fakes.vertex_data import ASPECT_SIZES, DEFAULT_SAMPLE_COUNT, MODELS

__all__ = ["VERTEX_MODELS", "vertex_breaks", "vertex_requests"]

VERTEX_MODELS: tuple[str, ...] = tuple(sorted(MODELS))
_CONTRACT = "vertex/unified-request.json"
_PROJECT, _REGION = "mock-project", "us-central1"


def _request(model: str, body: dict[str, Any], token: str) -> ImageRequest:
    headers = {
        "content-type": "application/json",
        "x-portkey-api-key": PORTKEY_KEY,
        "x-portkey-provider": "vertex-ai",
        "x-portkey-vertex-project-id": _PROJECT,
        "x-portkey-vertex-region": _REGION,
        "authorization": f"Bearer {token}",
    }
    return ImageRequest(
        "/v1/images/generations",
        headers,
        body,
        "vertex-ai",
        model,
        "portkey/images-request.json",
        "vertex-ai",
        image_size=ASPECT_SIZES[body.get("aspectRatio", "1:1")],
        image_count=body.get("n", DEFAULT_SAMPLE_COUNT),
        image_format="jpeg" if body.get("mimeType") == "image/jpeg" else "png",
    )


def _tokens() -> st.SearchStrategy[str]:
    """OAuth access tokens the fake accepts (``ya29.`` and no ``invalid``)."""
    tail = st.text("abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=8, max_size=24)
    return tail.filter(lambda text: "invalid" not in text).map(lambda text: f"ya29.{text}")


@cache
def vertex_requests(model: str) -> st.SearchStrategy[ImageRequest]:
    """Valid unified requests for Imagen ``model`` (camelCase options, as the gateway reads)."""
    optional: dict[str, st.SearchStrategy[Any]] = {
        "n": st.integers(1, 4),
        "aspectRatio": st.sampled_from(enum_of(_CONTRACT, "properties", "aspectRatio")),
        "negativePrompt": prompts(),
        "personGeneration": st.sampled_from(enum_of(_CONTRACT, "properties", "personGeneration")),
        "safetySetting": st.sampled_from(enum_of(_CONTRACT, "properties", "safetySetting")),
        "mimeType": st.sampled_from(enum_of(_CONTRACT, "properties", "mimeType")),
        "quality": st.sampled_from(["hd", "standard"]) | st.integers(0, 100),
        "response_format": st.sampled_from(["url", "b64_json"]),  # ignored: always b64_json
        "size": st.just("1024x1024"),  # dropped by the gateway
    }
    required = {"model": st.just(model), "prompt": prompts()}
    bodies = st.fixed_dictionaries(required, optional=optional).map(ordered)
    return st.tuples(bodies, _tokens()).map(lambda drawn: _request(model, *drawn))


def vertex_breaks(model: str) -> list[Break]:
    """The ways Imagen (or the gateway, for a missing model) refuses a unified request."""
    del model
    return [
        Break("no prompt", 400, "INVALID_ARGUMENT", drop=("prompt",)),
        Break("n above Imagen's 4", 400, "INVALID_ARGUMENT", setting("n", st.integers(5, 10))),
        Break(
            "aspectRatio Imagen does not offer",
            400,
            "INVALID_ARGUMENT",
            setting("aspectRatio", st.sampled_from(["2:1", "21:9", "square"])),
        ),
        Break(
            "a seed while the watermark is on (the gateway drops addWatermark: false)",
            400,
            "INVALID_ARGUMENT",
            setting("seed", st.integers(1, 4294967295)),
        ),
        Break(
            "a model Vertex does not publish",
            404,
            "NOT_FOUND",
            setting("model", st.sampled_from(["imagen-9", "imagen-3.0", "dall-e-3"])),
        ),
        Break("no model: the gateway's own 400", 400, None, drop=("model",)),
    ]
