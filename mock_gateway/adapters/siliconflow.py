"""siliconflow through the unified images route (src/providers/siliconflow/, v1.15.2).

docs/facts/providers/siliconflow.md: the gateway calls the outdated ``/{model}/text-to-image``
(model default ``ByteDance/SDXL-Lightning``, in the URL only), sends ``size`` as
``image_size``, drops ``n`` and ``response_format``; SiliconFlow's native answer
``{"images":[{"url":...}],...}`` passes through; only OpenAI-style errors are wrapped, its
native ``{code, message, data}`` errors pass raw.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mock_gateway.adapters.openai_like import OpenAILikeAdapter, Param, openai_error_transform
from mock_gateway.wire.js import js_string

__all__ = ["ADAPTER", "DEFAULT_MODEL", "TABLE"]

DEFAULT_MODEL = "ByteDance/SDXL-Lightning"  # api.ts: the URL's default only
# imageGenerate.ts:5-26: no entry is required, so none of the file's defaults is sent.
TABLE = (
    Param("prompt"),
    Param("size", to="image_size"),
    Param("num_inference_steps"),
    Param("batch_size"),
    Param("guidance_scale"),
)


def _endpoint(params: Mapping[str, Any]) -> str:
    # `const {model = "ByteDance/SDXL-Lightning"} = body`: the default only for undefined.
    model = params.get("model", DEFAULT_MODEL)
    return f"/{js_string(model)}/text-to-image"


ADAPTER = OpenAILikeAdapter(
    provider="siliconflow",
    base_url="https://api.siliconflow.cn/v1",  # api.ts:3-22
    table=TABLE,
    endpoint=_endpoint,
    transform=openai_error_transform,
)
