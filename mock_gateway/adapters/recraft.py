"""recraft-ai through the unified images route (src/providers/recraft-ai/, v1.15.2).

docs/facts/providers/recraft-ai.md: the allow-list below (no default is ever sent: none but
``prompt`` is required), ``n`` clamped to 1..2, and errors without an OpenAI ``error`` object
lose their message ("Unknown error occurred"). Successes pass through without ``provider``.
"""

from __future__ import annotations

from mock_gateway.adapters.openai_like import OpenAILikeAdapter, Param, fixed, recraft_transform

__all__ = ["ADAPTER", "TABLE"]

# imageGenerate.ts:14-52, in this order.
TABLE = (
    Param("prompt"),
    Param("style"),
    Param("style_id"),
    Param("n", low=1, high=2),
    Param("size"),
    Param("response_format"),
    Param("controls"),
    Param("model"),
    Param("artistic_level"),
    Param("substyle"),
)

ADAPTER = OpenAILikeAdapter(
    provider="recraft-ai",
    base_url="https://external.api.recraft.ai/v1",  # api.ts:3-17
    table=TABLE,
    endpoint=fixed("/images/generations"),
    transform=recraft_transform,
)
