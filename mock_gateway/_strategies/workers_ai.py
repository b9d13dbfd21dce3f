"""Workers AI requests on the unified route, for ``image_requests(provider="workers-ai")``.

Only FLUX schnell is drawn: the SDXL family answers a raw PNG through the unified route, not
an images body (``contracts/workers-ai/unified-request.json``, ``fakes/workers_ai_data.py``).
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
from mock_gateway.fakes.workers_ai_data import DEFAULT_SIDE, MODELS

__all__ = ["WORKERS_AI_MODELS", "workers_ai_breaks", "workers_ai_requests"]

WORKERS_AI_MODELS: tuple[str, ...] = tuple(m for m, rules in MODELS.items() if not rules.binary)


def _request(model: str, body: dict[str, Any], key: str) -> ImageRequest:
    headers = {
        "content-type": "application/json",
        "x-portkey-api-key": PORTKEY_KEY,
        "x-portkey-provider": "workers-ai",
        "x-portkey-workers-ai-account-id": "mock-account",
        "authorization": f"Bearer {key}",
    }
    return ImageRequest(
        "/v1/images/generations",
        headers,
        body,
        "workers-ai",
        model,
        "portkey/images-request.json",
        "workers-ai",
        image_size=(DEFAULT_SIDE, DEFAULT_SIDE),
        image_count=1,  # n is dropped: one image
        image_format="jpeg",
    )


@cache
def workers_ai_requests(model: str) -> st.SearchStrategy[ImageRequest]:
    """Valid unified requests for the JSON-answering Workers AI ``model``."""
    optional: dict[str, st.SearchStrategy[Any]] = {
        "steps": st.integers(1, MODELS[model].max_steps),
        "seed": st.integers(0, 4294967295),
        "negative_prompt": prompts(),
        "n": st.integers(1, 4),  # dropped by the gateway
        "response_format": st.sampled_from(["url", "b64_json"]),  # ignored
    }
    required = {"model": st.just(model), "prompt": prompts()}
    bodies = st.fixed_dictionaries(required, optional=optional).map(ordered)
    return st.tuples(bodies, provider_keys()).map(lambda drawn: _request(model, *drawn))


def workers_ai_breaks(model: str) -> list[Break]:
    """The ways Workers AI refuses a unified request (its errors have no name)."""
    limit = MODELS[model].max_steps
    return [
        Break("no prompt", 400, None, drop=("prompt",)),
        Break(
            f"steps above {model}'s {limit}",
            400,
            None,
            setting("steps", st.integers(limit + 1, 50)),
        ),
        Break(
            "a model Workers AI does not have",
            400,
            None,
            setting("model", st.sampled_from(["@cf/acme/painter", "@cf/openai/dall-e-3"])),
        ),
    ]
