"""deepbricks through the unified images route (src/providers/deepbricks/, v1.15.2).

docs/facts/providers/deepbricks.md: OpenAI's allow-list exactly (``model`` defaults to
dall-e-2, ``n`` clamped to 1..10), OpenAI-style errors prefixed ``deepbricks error:``,
successes passed through without ``provider``. ``Deepbricks-Organization``/``-Project`` come
from a config target's ``openai_organization``/``openai_project`` only (api.ts:9-16; with
headers alone the gateway fills them for provider ``openai`` only, handlerUtils.ts:1166).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mock_gateway.adapters.openai_like import (
    OpenAILikeAdapter,
    Param,
    fixed,
    openai_error_transform,
)
from mock_gateway.wire.js import js_string, truthy

__all__ = ["ADAPTER", "TABLE"]

# imageGenerate.ts:5-35 (openai's config): `model` is required with a default.
TABLE = (
    Param("prompt"),
    Param("model", default="dall-e-2"),
    Param("n", low=1, high=10),
    Param("quality"),
    Param("response_format"),
    Param("size"),
    Param("style"),
    Param("user"),
)


def _headers(options: Mapping[str, Any]) -> list[tuple[str, str]]:
    pairs = (
        ("deepbricks-organization", options.get("openaiOrganization")),
        ("deepbricks-project", options.get("openaiProject")),
    )
    return [(name, js_string(value)) for name, value in pairs if truthy(value)]


ADAPTER = OpenAILikeAdapter(
    provider="deepbricks",
    base_url="https://api.deepbricks.ai/v1",  # api.ts:3-29
    table=TABLE,
    endpoint=fixed("/images/generations"),
    transform=openai_error_transform,
    headers=_headers,
)
