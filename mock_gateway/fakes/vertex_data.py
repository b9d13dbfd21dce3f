"""Vertex AI Imagen facts the fake answers from, in one table.

Source: docs/facts/providers/google-vertex-ai.md §2 (Google's Imagen API reference and the
"generate deterministic images" page, read through the search tool). Everything marked
ASSUMED below is not confirmed by a reference read; it is kept here, and only here, so one
edit fixes it everywhere.
"""

from __future__ import annotations

__all__ = [
    "ASPECT_SIZES",
    "DEFAULT_SAMPLE_COUNT",
    "FAULT_ERRORS",
    "MAX_INSTANCES",
    "MESSAGES",
    "MIME_TYPES",
    "MODELS",
    "PERSON_GENERATION",
    "SAFETY_SETTINGS",
    "SAMPLE_COUNT_RANGE",
    "STATUS_NAMES",
]

# The Imagen models of the reference (FROM DOCS), served at .../publishers/google/models/{m}.
MODELS: frozenset[str] = frozenset({
    "imagen-4.0-generate-001", "imagen-4.0-fast-generate-001", "imagen-4.0-ultra-generate-001",
    "imagen-3.0-generate-002", "imagen-3.0-generate-001", "imagen-3.0-fast-generate-001",
    "imagen-3.0-capability-001", "imagegeneration@006", "imagegeneration@005",
    "imagegeneration@002",
})  # fmt: skip
# aspectRatio (FROM DOCS: 1:1 default, 3:4, 4:3, 9:16, 16:9) -> the pixel size drawn.
# ASSUMED: Imagen 3's output sizes per ratio (as Google's model pages list them, not re-read).
ASPECT_SIZES: dict[str, tuple[int, int]] = {
    "1:1": (1024, 1024),
    "3:4": (896, 1280),
    "4:3": (1280, 896),
    "9:16": (768, 1408),
    "16:9": (1408, 768),
}
PERSON_GENERATION = ("dont_allow", "allow_adult", "allow_all")  # FROM DOCS
SAFETY_SETTINGS = (  # FROM DOCS, the deprecated spellings included
    "block_low_and_above", "block_medium_and_above", "block_only_high", "block_none",
    "block_most", "block_some", "block_few", "block_fewest",
)  # fmt: skip
MIME_TYPES = ("image/png", "image/jpeg")  # outputOptions.mimeType (FROM DOCS)
SAMPLE_COUNT_RANGE = (1, 4)  # FROM DOCS ("accepted values 1-4", the deterministic-images page)

# ---- ASSUMED: not found in a reference read ------------------------------------------------
DEFAULT_SAMPLE_COUNT = 4  # ASSUMED: the Imagen API's default sampleCount (recalled, not re-read)
MAX_INSTANCES = 1  # ASSUMED: Imagen takes one prompt per call (the gateway sends one per string)
# Google's RPC status names per HTTP status (Google API error model, not re-read).
STATUS_NAMES: dict[int, str] = {
    400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
    404: "NOT_FOUND", 409: "ABORTED", 429: "RESOURCE_EXHAUSTED", 499: "CANCELLED",
    500: "INTERNAL", 501: "UNIMPLEMENTED", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED",
}  # fmt: skip
# The messages' texts (the prompt-blocked one is the measured transcript's canned answer).
MESSAGES: dict[str, str] = {
    "unauthenticated": (
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
        "cookie or other valid authentication credential. See "
        "https://developers.google.com/identity/sign-in/web/devconsole-project."
    ),
    "bad_json": "Invalid JSON payload received. {detail}",
    "no_instances": "instances must be a non-empty list.",
    "too_many_instances": "Only {max} instance(s) are supported per request, got {got}.",
    "no_prompt": "Prompt is required.",
    "sample_count": "Invalid sample count: {got}. It must be between {low} and {high}.",
    "aspect_ratio": "Unsupported aspect ratio: {got}. Supported: {supported}.",
    "person_generation": "Unsupported personGeneration value: {got}.",
    "safety_setting": "Unsupported safetySetting value: {got}.",
    "mime_type": "Unsupported output mime type: {got}.",
    "compression": "compressionQuality must be between 0 and 100, got {got}.",
    "seed_watermark": "Seed is not supported when addWatermark is true. Set addWatermark to false.",
    "blocked": (
        "Image generation failed with the following error: The prompt could not be submitted. "
        "This prompt contains sensitive words that violate Google's Responsible AI practices. "
        "Try rephrasing the prompt."
    ),
    "filtered": "Your current safety filter threshold filtered out 1 generated images.",
    "model_not_found": "Publisher Model `{name}` not found.",
    "not_found_path": "The requested URL {path} was not found on this server.",
}
# An injected status fault's message per status (ASSUMED texts in Google's style).
FAULT_ERRORS: dict[int, str] = {
    400: "Request contains an invalid argument.",
    401: MESSAGES["unauthenticated"],
    403: "Permission 'aiplatform.endpoints.predict' denied on resource (or it may not exist).",
    404: "Requested entity was not found.",
    429: (
        "Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model "
        "with base model: imagen-3.0-generate. Please submit a quota increase request. "
        "https://cloud.google.com/vertex-ai/docs/generative-ai/quotas-genai."
    ),
    500: "Internal error encountered.",
    503: "The service is currently unavailable.",
    504: "The request timed out. Please try again.",
}
