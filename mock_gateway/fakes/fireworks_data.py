"""Fireworks AI facts the fake answers from, in one table.

Source: docs/facts/providers/fireworks-ai.md §2 (Fireworks' API reference for FLUX, and
vercel/ai's Fireworks client for the image_generation models). Everything marked ASSUMED is
not confirmed by a reference read; it is kept here, and only here.
"""

from __future__ import annotations

__all__ = ["FAULT_ERRORS", "LIMITS", "MESSAGES", "MODELS", "MODEL_PREFIX"]

MODEL_PREFIX = "accounts/fireworks/models/"
# The SDXL-style models served at /inference/v1/image_generation/{MODEL_PREFIX}{id}
# (FROM DOCS, third-party client code). FLUX models live at /workflows/{model}/text_to_image,
# which the gateway never calls (so through it a FLUX model meets this fake's 404: ASSUMED).
MODELS: frozenset[str] = frozenset({
    "stable-diffusion-xl-1024-v1-0", "SSD-1B", "playground-v2-1024px-aesthetic",
    "playground-v2-5-1024px-aesthetic", "japanese-stable-diffusion-xl",
})  # fmt: skip

# ---- ASSUMED: Fireworks' limits and bodies for these models are not in a reference read ------
# (name, low, high); the gateway already clamps height/width 512..1024, samples 1..10 and
# steps 10..150, so these only bite on the proxy route.
LIMITS: tuple[tuple[str, float, float], ...] = (
    ("height", 512, 1024),
    ("width", 512, 1024),
    ("samples", 1, 10),
    ("steps", 1, 150),
    ("cfg_scale", 0, 35),
    ("seed", 0, 4294967295),
)
# Error texts: OpenAI-style `{"error":{"object","type","message"}}`, and 422 `{"detail"}`
# (the two shapes the gateway's transform reads; ASSUMED, not found in a reference).
MESSAGES: dict[str, str] = {
    "unauthorized": "The API key you provided is invalid.",
    "model_not_found": "Model not found, inaccessible, and/or not deployed",
    "not_found": "Not Found",
    "field_required": "Field required: {name}",
    "range": "{name} must be between {low} and {high}",
    "type": "{name} must be {expected}",
    "bad_json": "Invalid JSON body",
    "blocked": "Prompt flagged by the safety checker",
}
FAULT_ERRORS: dict[int, tuple[str, str]] = {  # status -> (type, message)
    400: ("invalid_request_error", "Bad request"),
    401: ("invalid_request_error", MESSAGES["unauthorized"]),
    404: ("invalid_request_error", MESSAGES["model_not_found"]),
    429: ("rate_limit_error", "Request rate limit exceeded, please try again later."),
    500: ("internal_server_error", "Internal server error"),
    503: ("service_unavailable", "Service temporarily unavailable"),
}
