"""nscale through the unified images route (src/providers/nscale/, v1.15.2).

docs/facts/providers/nscale.md: ``prompt``, ``model``, ``n``, ``size`` passed unclamped,
``response_format`` dropped; the answer is rebuilt as ``{created: Date.now(), data}`` (so
``created`` is in milliseconds), and every body without a ``data`` array, i.e. every error,
makes the transform throw: the client gets the 500 gateway exception (a BUG, measured).
"""

from __future__ import annotations

from mock_gateway.adapters.openai_like import OpenAILikeAdapter, Param, fixed, nscale_transform

__all__ = ["ADAPTER", "TABLE"]

# imageGenerate.ts:3-18: `model` is required without a default, so a missing one is omitted.
TABLE = (Param("prompt"), Param("model"), Param("n"), Param("size"))

ADAPTER = OpenAILikeAdapter(
    provider="nscale",
    base_url="https://inference.api.nscale.com/v1",  # api.ts:3-18
    table=TABLE,
    endpoint=fixed("/images/generations"),
    transform=nscale_transform,
)
