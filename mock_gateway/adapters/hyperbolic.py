"""hyperbolic through the unified images route (src/providers/hyperbolic/, v1.15.2).

docs/facts/providers/hyperbolic.md: the base has no ``/v1`` (the endpoint is
``/v1/image/generation``); only ``model``, ``prompt``, ``height``, ``width``, ``backend`` pass
(``n``, ``size``, ``response_format`` are dropped). The gateway sends ``model`` where
Hyperbolic requires ``model_name`` (a BUG from source and docs). Hyperbolic's native answer
``{"images":[{"image":...}]}`` reaches the client as it is; only OpenAI-style errors are wrapped.
"""

from __future__ import annotations

from mock_gateway.adapters.openai_like import (
    OpenAILikeAdapter,
    Param,
    fixed,
    openai_error_transform,
)

__all__ = ["ADAPTER", "TABLE"]

# imageGenerate.ts:5-23, in this order; required, but with no default to send.
TABLE = (Param("model"), Param("prompt"), Param("height"), Param("width"), Param("backend"))

ADAPTER = OpenAILikeAdapter(
    provider="hyperbolic",
    base_url="https://api.hyperbolic.xyz",  # api.ts:3-22
    table=TABLE,
    endpoint=fixed("/v1/image/generation"),
    transform=openai_error_transform,
)
