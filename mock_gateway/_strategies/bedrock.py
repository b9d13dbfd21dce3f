"""``image_requests(provider="bedrock")``: unified requests for the Stability models on Bedrock.

Facts from the fake's catalogue (``fakes/bedrock_data.py``) and its request contracts
(``contracts/bedrock/``); the gateway's mapping from ``adapters/bedrock.py``.
"""

from __future__ import annotations

import string
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
from mock_gateway.fakes.bedrock_data import ASPECT_RATIOS, SDXL_DIMENSIONS, V1_MODELS, V2_MODELS

__all__ = ["BEDROCK_MODELS", "bedrock_breaks", "bedrock_requests", "is_sdxl"]

PATH = "/v1/images/generations"
UNIFIED = "portkey/images-request.json"
BEDROCK_MODELS: tuple[str, ...] = (*sorted(V1_MODELS), *sorted(V2_MODELS))
_SIZES = sorted(SDXL_DIMENSIONS)


def is_sdxl(model: str) -> bool:
    """Whether ``model`` takes Bedrock's v1 (SDXL) body."""
    return model in V1_MODELS


def _access_keys() -> st.SearchStrategy[str]:
    tail = st.text(string.ascii_uppercase + string.digits, min_size=12, max_size=16)
    return tail.filter(lambda text: "INVALID" not in text).map(lambda text: f"AKIA{text}")


def _headers(access_key: str) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "x-portkey-api-key": PORTKEY_KEY,
        "x-portkey-provider": "bedrock",
        "x-portkey-aws-access-key-id": access_key,
        "x-portkey-aws-secret-access-key": "mock-secret-0123456789",
        "x-portkey-aws-region": "us-east-1",
    }


def _request(model: str, body: dict[str, Any], access_key: str) -> ImageRequest:
    if is_sdxl(model):
        size = tuple(map(int, body["size"].split("x"))) if "size" in body else (1024, 1024)
        image, fmt = (size[0], size[1]), "png"
    else:
        image = ASPECT_RATIOS[body.get("aspect_ratio", "1:1")]
        fmt = str(body.get("output_format", "png")).lower()
    return ImageRequest(PATH, _headers(access_key), body, "bedrock", model, UNIFIED,
                        "bedrock", image_size=image, image_format=fmt)  # fmt: skip


@cache
def bedrock_requests(model: str) -> st.SearchStrategy[ImageRequest]:
    """Valid unified requests for one Bedrock model."""
    optional: dict[str, st.SearchStrategy[Any]] = {
        "response_format": st.sampled_from(["url", "b64_json"]),  # ignored: always b64_json
    }
    if is_sdxl(model):
        optional |= {
            "size": st.sampled_from([f"{w}x{h}" for w, h in _SIZES]),
            "n": st.just(1),  # ASSUMED: Bedrock's SDXL draws one image per request
            "style": st.sampled_from(enum_of("stability/style-preset.json")),
        }
    else:
        optional |= {
            "negative_prompt": prompts(),
            "aspect_ratio": st.sampled_from(sorted(ASPECT_RATIOS)),
            "seed": st.integers(0, 4294967294),
            "output_format": st.sampled_from(["png", "jpeg"]),
            "n": st.integers(1, 10),  # dropped by the gateway's v2 mapping
        }
    required = {"model": st.just(model), "prompt": prompts()}
    bodies = st.fixed_dictionaries(required, optional=optional).map(ordered)
    return st.tuples(bodies, _access_keys()).map(lambda drawn: _request(model, *drawn))


def bedrock_breaks(model: str) -> list[Break]:
    """How Bedrock refuses an otherwise valid request for ``model``. ``error_name`` is None:
    the gateway's error body drops Bedrock's exception name (type and code are null); the
    answer's ``x-amzn-errortype`` header still names it."""
    name = None
    breaks = [
        Break("no prompt", 400, name, drop=("prompt",)),
        Break(
            "an access key Bedrock does not know",
            403,
            None,
            headers={"x-portkey-aws-access-key-id": "AKIAINVALID0123456"},
        ),
    ]
    if is_sdxl(model):
        return [
            *breaks,
            Break("n above 1 (one SDXL image per request)", 400, name,
                  setting("n", st.integers(2, 10))),
            Break("size is not one of SDXL's nine", 400, name,
                  setting("size", st.sampled_from(["1024x640", "640x640", "1536x1536"]))),
        ]  # fmt: skip
    return [
        *breaks,
        Break("aspect_ratio Bedrock does not offer", 400, name,
              setting("aspect_ratio", st.sampled_from(["7:3", "4:3", "square"]))),
        Break("output_format webp (Bedrock: JPEG or PNG)", 400, name,
              setting("output_format", st.just("webp"))),
        Break("seed above 4294967295", 400, name,
              setting("seed", st.integers(4294967296, 2**40))),
    ]  # fmt: skip
