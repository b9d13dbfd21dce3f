"""Request constants the suite shares: one definition of each model, body and path."""

from __future__ import annotations

from typing import Any

__all__ = ["SDXL_BODY", "SDXL_MODEL", "SDXL_V1_PATH"]

SDXL_MODEL = "stable-diffusion-xl-1024-v1-0"
"""Stability's SDXL v1 engine: a v1 model (JSON), sizes from a fixed list."""
SDXL_BODY: dict[str, Any] = {"model": SDXL_MODEL, "prompt": "a cat", "size": "1024x1024"}
"""A unified images request that Stability's SDXL answers with one image."""
SDXL_V1_PATH = f"/v1/generation/{SDXL_MODEL}/text-to-image"
"""Stability's own v1 text-to-image path (the proxy route and the fake's native API)."""
