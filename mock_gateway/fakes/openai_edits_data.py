"""OpenAI image-edit facts the fake answers from: limits, defaults and error texts.

Source: docs/facts/openai-image-edits.md (OpenAI's OpenAPI spec ``CreateImageEditRequest``,
the openai Python package, and error bodies observed in public issue threads). The per-model
field rules are in the request contract (contracts/openai/images-edit-request.json). Lines
marked ASSUMED are not established by any source; they are kept here, and only here.
"""

from __future__ import annotations

from mock_gateway.contract_tools.contracts import contract

__all__ = [
    "DALL_E_DEFAULT_SIZE",
    "EDIT_CONTRACT",
    "EDIT_MESSAGES",
    "EDIT_MODELS",
    "FAMILIES",
    "FILE_FIELDS",
    "IMAGE_TOKENS_PER_INPUT",
    "INTEGER_FIELDS",
    "LIMITS",
    "MIMETYPES",
    "NOT_EDIT_MODELS",
    "NO_TRANSPARENCY",
    "OLD_DEFAULT_MODEL",
    "PARTIAL_SCALE",
    "PRESENT_DEFAULT_MODEL",
    "UNMODELLED_JSON",
]

EDIT_CONTRACT = "openai/images-edit-request.json"

# The edit models, by family, from the contract's $defs (one entry per model).
FAMILIES: dict[str, str] = {
    name: entry["x-family"]
    for name, entry in contract(EDIT_CONTRACT)["$defs"].items()
    if "x-family" in entry
}
EDIT_MODELS = frozenset(FAMILIES)
# Image models that exist but do not edit: the 2025-03 spec "Only dall-e-2 is supported";
# dall-e-3 is in no edit enum. ASSUMED: OpenAI answers them with invalid_value on `model`.
NOT_EDIT_MODELS = ("dall-e-3",)

# The default model: the spec now says gpt-image-1.5 ([S], since 2026-02-10); before, dall-e-2
# unless a GPT-image-only field was sent ([S0] 498c71d). Profiles that still serve DALL·E
# (hosted-2025, hosted-2024, oss) answer with the old rule; the old rule's GPT model is
# gpt-image-1 (the only one then).
PRESENT_DEFAULT_MODEL = "gpt-image-1.5"
OLD_DEFAULT_MODEL = ("dall-e-2", "gpt-image-1")

# Multipart text parts that the API reads as integers and booleans ([S] schema types).
INTEGER_FIELDS = frozenset({"n", "output_compression", "partial_images"})
FILE_FIELDS = frozenset({"image", "image[]", "mask"})

# Per family: how many images, bytes per image, bytes of the mask ([S] CreateImageEditRequest).
LIMITS: dict[str, dict[str, int]] = {
    "gpt-image": {"images": 16, "image_bytes": 50 * 1024 * 1024, "mask_bytes": 4 * 1024 * 1024},
    "dall-e": {"images": 1, "image_bytes": 4 * 1024 * 1024, "mask_bytes": 4 * 1024 * 1024},
}
# The part Content-Types OpenAI accepts (observed: it checks the declared type, not only bytes).
MIMETYPES: dict[str, tuple[str, ...]] = {
    "gpt-image": ("image/jpeg", "image/png", "image/webp"),
    "dall-e": ("image/png",),
}
DALL_E_DEFAULT_SIZE = "1024x1024"

# gpt-image-2 refuses transparent backgrounds (observed 2026-05 and 2026-09 via relays), which
# contradicts the spec of 2026-08-20 ("support is in preview"): empty this to follow the spec.
NO_TRANSPARENCY = frozenset({"gpt-image-2", "gpt-image-2-2026-04-21"})

# ASSUMED: edits bill each input image; OpenAI publishes no arithmetic. A flat count per image.
IMAGE_TOKENS_PER_INPUT = 323
# ASSUMED: a partial image is the final one drawn at lower fidelity: its pixels are quantised to
# this many colours per channel (what a client sees is only that it is an image of the size).
PARTIAL_SCALE = 8

# The JSON form's references the mock cannot resolve offline (a file id, a remote URL).
UNMODELLED_JSON = "OpenAI's JSON image edits by file_id or remote image_url (use a data: URL)"

EDIT_MESSAGES: dict[str, str] = {
    # Observed (openai-image-edits.md §3), confirmed by several threads.
    "invalid_image": (
        "Invalid image file or mode for image {index}, please check your image file. If you "
        "believe this is an error, contact us at help.openai.com and include the request ID "
        "{request_id}."
    ),
    "mimetype": (
        "Invalid file '{name}': unsupported mimetype ('{mimetype}'). Supported file formats are "
        "{supported}."
    ),
    "array_for_dall_e": "Invalid type for 'image': expected a file, but got an array instead.",
    "dall_e_mode": "Invalid input image - format must be in ['RGBA', 'LA', 'L'], got {mode}.",
    "transparent_unsupported": "Transparent background is not supported for this model.",
    # Weak (a relay log, a third-party fixture): the texts are quoted, the status assumed 400.
    "mask_alpha": "Invalid mask image format - mask image missing alpha channel",
    "mask_size": "Invalid mask image format - mask size does not match image size",
    # Weak (2023, seen on variations): DALL·E 2's PNG-under-4MB rule.
    "dall_e_png": "Uploaded image must be a PNG and less than 4 MB.",
    # ASSUMED: no source; OpenAI's newer wording for the same kinds of problem.
    "missing_image": "Missing required parameter: 'image'.",
    "dall_e_square": "Uploaded image must be square.",
    "too_many_images": (
        "Invalid 'image': array too long. Expected an array with maximum length {limit}, but got "
        "an array with length {count} instead."
    ),
    "too_large": "Invalid file '{name}': file too large. Maximum size is {limit}MB.",
    "both_image_fields": "Provide either 'image' or 'image[]', not both.",
    "not_edit_model": "Invalid value: '{model}'. Supported values are: {supported}.",
    "bad_form": "Invalid multipart form: {problem}.",
    "json_refs": "Invalid '{name}': provide exactly one of 'image_url' or 'file_id'.",
    "data_url": (
        "Invalid '{name}': expected a base64-encoded data URL of a PNG, JPEG or WebP image."
    ),
}
