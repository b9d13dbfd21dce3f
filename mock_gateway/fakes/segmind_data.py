"""Segmind facts the fake answers from, in one table.

Source: docs/facts/providers/segmind.md §2 (Segmind's sdxl1.0-txt2img API page, read through
the search tool). Everything marked ASSUMED is not confirmed by a reference read; it is kept
here, and only here, so one edit fixes it everywhere.
"""

from __future__ import annotations

__all__ = [
    "DEFAULTS",
    "FAULT_ERRORS",
    "MESSAGES",
    "MODELS",
    "RANGES",
]

# The synchronous /v1/{slug} text-to-image models. FROM DOCS: sdxl1.0-txt2img and its
# parameters. ASSUMED: the other slugs exist and take the same parameters and limits.
MODELS: frozenset[str] = frozenset(
    {"sdxl1.0-txt2img", "sd1.5-txt2img", "ssd-1b", "segmind-vega", "kandinsky2.2-txt2img"}
)
# FROM DOCS (sdxl1.0-txt2img): samples 1..4, img_width/img_height "between 512 and 2048",
# guidance_scale 1..25, high_noise_fraction 0..1. ASSUMED: num_inference_steps 1..100,
# strength 0..1.
RANGES: dict[str, tuple[float, float]] = {
    "samples": (1, 4),
    "img_width": (512, 2048),
    "img_height": (512, 2048),
    "guidance_scale": (1, 25),
    "high_noise_fraction": (0, 1),
    "num_inference_steps": (1, 100),
    "strength": (0, 1),
}
# FROM DOCS: samples 1, base64 false. ASSUMED: a 1024x1024 picture when no size is sent.
DEFAULTS: dict[str, int | bool] = {
    "samples": 1,
    "img_width": 1024,
    "img_height": 1024,
    "base64": False,
}

# ---- ASSUMED: Segmind's bodies are not in the docs read; `{"error": "<message>"}` is the
# shape the gateway's type expects (SegmindImageGenerateErrorResponse). -----------------------
MESSAGES: dict[str, str] = {
    "unauthorized": "User authentication failed",  # FROM DOCS (the 401 line)
    "not_found": "The requested URL does not exist",  # FROM DOCS (the 404 line)
    "method": "Method Not Allowed",  # FROM DOCS (405)
    "bad_json": "Invalid JSON body",
    "no_prompt": "prompt is required",
    "type": "Invalid type for {name}: expected {expected}",
    "range": "Invalid value for {name}: must be between {low} and {high}",
    "blocked": "NSFW content detected in the prompt. Please modify the prompt and try again.",
}
# An injected status fault's message per status (406 FROM DOCS: "Not enough credits").
FAULT_ERRORS: dict[int, str] = {
    400: "Bad request",
    401: MESSAGES["unauthorized"],
    404: MESSAGES["not_found"],
    405: MESSAGES["method"],
    406: "Not enough credits",
    429: "Rate limit exceeded. Please try again later.",
    500: "Internal Server Error",
}
