"""lemonfox-ai through the unified images route (src/providers/lemonfox-ai/, v1.15.2).

docs/facts/providers/lemonfox-ai.md: ``model`` is dropped (Lemonfox picks its model),
``n`` clamped to 1..8, no default ever sent; errors keep message and type, ``param`` and
``code`` are always null; successes pass through without ``provider``.
"""

from __future__ import annotations

from mock_gateway.adapters.openai_like import OpenAILikeAdapter, Param, fixed, lemonfox_transform

__all__ = ["ADAPTER", "TABLE"]

# imageGenerate.ts:9-30, in this order.
TABLE = (
    Param("prompt"),
    Param("negative_prompt"),
    Param("n", low=1, high=8),
    Param("response_format"),
    Param("size"),
)

ADAPTER = OpenAILikeAdapter(
    provider="lemonfox-ai",
    base_url="https://api.lemonfox.ai/v1",  # api.ts:3-24
    table=TABLE,
    endpoint=fixed("/images/generations"),
    transform=lemonfox_transform,
)
