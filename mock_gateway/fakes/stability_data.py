"""Stability AI facts the fake answers from, in one table.

Sources: docs/facts/upstream-apis.md and sources/stability-claims.md (Stability's v1 and
v2beta OpenAPI documents). Lines marked ASSUMED are not published by Stability; they are kept
here, and only here, so that one edit fixes them everywhere.
"""

from __future__ import annotations

__all__ = [
    "CORE_SIZES",
    "ENGINES",
    "ERROR_NAMES",
    "FAULT_ERRORS",
    "MESSAGES",
    "ONE_MP_SIZES",
    "SD16_RANGE",
    "SDXL_DIMENSIONS",
    "SAMPLE_SEED_STEP",
    "SDXL_ENGINES",
    "V2_ENDPOINTS",
]

# GET /v1/engines/list. The v1 spec's Engine schema (id, name, description, type).
# ASSUMED: which engines are still listed today; these are the ones the gateway and the
# spec's error text name.
ENGINES: tuple[dict[str, str], ...] = (
    {"id": "stable-diffusion-xl-1024-v1-0", "name": "Stable Diffusion XL 1.0",
     "description": "Stability-AI Stable Diffusion XL v1.0", "type": "PICTURE"},
    {"id": "stable-diffusion-xl-1024-v0-9", "name": "Stable Diffusion XL 0.9",
     "description": "Stability-AI Stable Diffusion XL v0.9", "type": "PICTURE"},
    {"id": "stable-diffusion-v1-6", "name": "Stable Diffusion v1.6",
     "description": "Stability-AI Stable Diffusion v1.6", "type": "PICTURE"},
)  # fmt: skip

SDXL_ENGINES = frozenset({"stable-diffusion-xl-1024-v1-0", "stable-diffusion-xl-1024-v0-9"})
# The nine SDXL sizes, in the order Stability's own error message lists them (observed).
SDXL_DIMENSIONS: tuple[tuple[int, int], ...] = (
    (1024, 1024), (1152, 896), (1216, 832), (1344, 768), (1536, 640),
    (640, 1536), (768, 1344), (832, 1216), (896, 1152),
)  # fmt: skip
SD16_RANGE = (320, 1536)  # each side, for stable-diffusion-v1-6 (v1 reference, SD 1.6 era)

# Error `name` for a v1 validation failure, by the top-level field at fault. The names are
# from the spec's 400FromGeneration list; which field maps to which name is ASSUMED.
ERROR_NAMES: dict[str, str] = {
    "height": "invalid_height_or_width",
    "width": "invalid_height_or_width",
    "samples": "invalid_samples",
    "text_prompts": "invalid_prompts",
}

MESSAGES: dict[str, str] = {
    # From the spec's examples: confirmed.
    "missing_key": "missing authorization header",
    "engine_not_found": "The specified engine (ID {engine}) was not found.",
    "server_error": "An unexpected server error occurred, please try again.",
    # Observed in third-party captures of the real API: confirmed by those only.
    "sdxl_dimensions": (
        "for stable-diffusion-xl-1024-v0-9 and stable-diffusion-xl-1024-v1-0 the allowed "
        "dimensions are 1024x1024, 1152x896, 1216x832, 1344x768, 1536x640, 640x1536, 768x1344, "
        "832x1216, 896x1152, but we received {width}x{height}"
    ),
    "v2_missing": "{field}: required",
    # ASSUMED: Stability publishes no text for these; they follow its "<field>: <problem>" form.
    "invalid_key": "invalid authorization header",
    "bad_json": "body: unable to parse the request body as JSON",
    "sd16_dimensions": (
        "for stable-diffusion-v1-6 the height and width must be between 320 and 1536, "
        "but we received {width}x{height}"
    ),
    "png_samples": "samples: must be 1 when the Accept header is image/png",
    "route_not_found": "The requested path {path} was not found.",
    "v2_bad_form": "body: the request body must be multipart/form-data",
}

# v2beta endpoints the fake serves, by the last path segment.
V2_ENDPOINTS = frozenset({"core", "ultra", "sd3"})

# Output size by aspect ratio. Stability publishes only megapixels (sd3 and ultra 1 MP with
# 1:1 = 1024x1024; core 1.5 MP). NOT VERIFIED: this is the common SD3 table that third-party
# wrappers use, a plausible stand-in for sd3 and ultra.
ONE_MP_SIZES: dict[str, tuple[int, int]] = {
    "1:1": (1024, 1024), "16:9": (1344, 768), "21:9": (1536, 640), "3:2": (1216, 832),
    "2:3": (832, 1216), "5:4": (1088, 896), "4:5": (896, 1088), "9:16": (768, 1344),
    "9:21": (640, 1536),
}  # fmt: skip
# NOT VERIFIED: no table for core was found; each ratio scaled to about 1.5 MP, sides
# rounded to multiples of 64.
CORE_SIZES: dict[str, tuple[int, int]] = {
    "1:1": (1216, 1216), "16:9": (1664, 896), "21:9": (1856, 832), "3:2": (1472, 1024),
    "2:3": (1024, 1472), "5:4": (1344, 1088), "4:5": (1088, 1344), "9:16": (896, 1664),
    "9:21": (832, 1856),
}  # fmt: skip

# Error bodies for an injected `status` fault: status -> (v1 name, v1 message, v2 name, v2 message).
# v1: the v1 spec's 401/403/404/500 responses. v2: the v2beta spec's 403/413/422/429/500.
# ASSUMED: the v1 429 body (the v1 spec documents none), and every status not listed here,
# which falls back to 500's names with the HTTP reason phrase.
FAULT_ERRORS: dict[int, tuple[str, str, str, str]] = {
    400: ("bad_request", "bad request", "bad_request", "bad request"),
    401: ("unauthorized", "invalid authorization header",
          "unauthorized", "invalid authorization header"),
    403: ("permission_denied", "You do not have permission to access this resource",
          "content_moderation", "Your request was flagged by our content moderation system, as a "
          "result your request was denied and you were not charged."),
    404: ("not_found", "The requested resource was not found.", "not_found",
          "The requested resource was not found."),
    413: ("payload_too_large", "body: payloads cannot be larger than 10MiB in size",
          "payload_too_large", "body: payloads cannot be larger than 10MiB in size"),
    422: ("invalid_language", "English is the only supported language for this service.",
          "invalid_language", "English is the only supported language for this service."),
    429: ("rate_limit_exceeded", "You have exceeded the rate limit of 150 requests within a 10 "
          "second period, and have been timed out for 60 seconds.", "rate_limit_exceeded",
          "You have exceeded the rate limit of 150 requests within a 10 second period, and have "
          "been timed out for 60 seconds."),
    500: ("server_error", "An unexpected server error occurred, please try again.",
          "internal_error", "An unexpected server error has occurred, please try again later."),
}  # fmt: skip

# ASSUMED: in a v1 batch each further sample reports the next seed (seed + index).
SAMPLE_SEED_STEP = 1
