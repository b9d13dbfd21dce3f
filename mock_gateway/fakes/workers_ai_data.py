"""Cloudflare Workers AI facts the fake answers from, in one table.

Source: docs/facts/providers/workers-ai.md §2 (Cloudflare's model pages, read through the
search tool). Everything marked ASSUMED is not confirmed by a reference read; it is kept
here, and only here.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FAULT_ERRORS", "MESSAGES", "MODELS", "ModelRules"]


@dataclass(frozen=True)
class ModelRules:
    """One text-to-image model: how it answers and what it takes."""

    binary: bool  # True: the PNG itself; False: JSON {"result": {"image": <base64 JPEG>}}
    steps_field: str  # the field its schema reads for the step count
    max_steps: int
    sized: bool  # whether it takes height/width
    max_prompt: int


MODELS: dict[str, ModelRules] = {
    # FROM DOCS: SDXL base and lightning answer binary PNG, num_steps max 20, height/width
    # 256..2048. ASSUMED: the same for DreamShaper (the gateway's docs list it with them).
    "@cf/stabilityai/stable-diffusion-xl-base-1.0": ModelRules(True, "num_steps", 20, True, 10_000),
    "@cf/bytedance/stable-diffusion-xl-lightning": ModelRules(True, "num_steps", 20, True, 10_000),
    "@cf/lykon/dreamshaper-8-lcm": ModelRules(True, "num_steps", 20, True, 10_000),
    # FROM DOCS (third-party quoting them): FLUX schnell answers JSON, steps max 8, prompt at
    # most 2048 characters. ASSUMED: a 1024x1024 JPEG, height/width ignored.
    "@cf/black-forest-labs/flux-1-schnell": ModelRules(False, "steps", 8, False, 2048),
}
SIDE_RANGE = (256, 2048)  # FROM DOCS (the current SDXL pages)
DEFAULT_SIDE = 1024  # ASSUMED

# ---- ASSUMED: the Cloudflare API v4 envelope and its codes (5006 from community reports) -----
MESSAGES: dict[str, tuple[int, str]] = {
    "auth": (10000, "Authentication error"),
    "no_model": (5007, "No such model {model} or task"),
    "required": (5006, "Error: required properties at '/' are 'prompt'"),
    "type": (5006, "Error: value at '/{name}' must be {expected}"),
    "maximum": (5006, "Error: value at '/{name}' must be <= {limit}"),
    "minimum": (5006, "Error: value at '/{name}' must be >= {limit}"),
    "too_long": (5006, "Error: length of '/prompt' must be <= {limit}"),
    "bad_json": (5006, "Error: invalid JSON body"),
    "nsfw": (3030, "Input prompt contains NSFW content."),
}
FAULT_ERRORS: dict[int, tuple[int, str]] = {
    400: (5006, "Error: bad input"),
    401: MESSAGES["auth"],
    403: (10000, "Authentication error"),
    404: (7003, "Could not route to /ai/run, perhaps your object identifier is invalid?"),
    429: (3040, "Capacity temporarily exceeded, please try again."),
    500: (3043, "Internal server error"),
}
