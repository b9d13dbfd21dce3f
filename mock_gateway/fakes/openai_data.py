"""OpenAI image facts the fake answers from: the model catalogue and the error texts.

Sources: docs/facts/upstream-apis.md and sources/openai-claims.md (OpenAI's OpenAPI spec,
the openai Python package, the image-generation guide, the deprecations page, and error bodies
observed in public issue threads). Lines marked ASSUMED are not established by any source; they
are kept here, and only here.
"""

from __future__ import annotations

from dataclasses import dataclass

from mock_gateway.contract_tools.contracts import contract

__all__ = [
    "API_RESOURCES",
    "AUTO_QUALITY",
    "BLOCKED_CATEGORIES",
    "CHARS_PER_TOKEN",
    "DEFAULT_MODEL",
    "ERROR_FIELD_ORDER",
    "GPT_IMAGE_ONLY",
    "MASK_SHORT_KEY_KEEP",
    "MESSAGES",
    "MODELS",
    "REQUEST_CONTRACT",
    "RETIRED",
    "REVISED_PROMPT",
    "TOKENS",
    "ModelRules",
]


# OpenAI's API beyond image generation, by path prefix (its API reference): real there, not
# modelled here, so the fake answers 501 x-mock-unsupported instead of a made-up 404. Any
# other path gets OpenAI's own "Invalid URL" 404.
API_RESOURCES = (
    "/v1/images/edits",  # other methods than POST (POST is modelled: fakes/openai_edits.py)
    "/v1/images/variations",
    "/v1/chat/",
    "/v1/completions",
    "/v1/embeddings",
    "/v1/audio/",
    "/v1/moderations",
    "/v1/models",
    "/v1/files",
    "/v1/uploads",
    "/v1/batches",
    "/v1/fine_tuning/",
    "/v1/responses",
    "/v1/conversations",
    "/v1/realtime",
    "/v1/assistants",
    "/v1/threads",
    "/v1/vector_stores",
    "/v1/evals",
    "/v1/containers",
    "/v1/videos",
)


@dataclass(frozen=True)
class ModelRules:
    """What the generator needs of one model; its validation rules live in the contract."""

    family: str  # "dall-e" or "gpt-image"
    default_size: str
    custom_sizes: bool = False  # gpt-image-2: any WxH, sides multiples of 16, ratio <= 3:1


REQUEST_CONTRACT = "openai/images-request.json"


def _catalogue() -> dict[str, ModelRules]:
    # The catalogue is the request contract's $defs: one entry per model, the next model is
    # one more entry there (contracts/openai/images-request.json).
    definitions = contract(REQUEST_CONTRACT)["$defs"]
    return {
        name: ModelRules(
            family=entry["x-family"],
            default_size=entry["properties"]["size"]["default"],
            custom_sizes=entry.get("x-custom-sizes", False),
        )
        for name, entry in definitions.items()
        if "x-family" in entry
    }


MODELS: dict[str, ModelRules] = _catalogue()
DEFAULT_MODEL = "dall-e-2"  # the spec's default when no GPT-image-only field is sent
RETIRED = frozenset({"dall-e-2", "dall-e-3"})  # shut down 2026-05-12 (deprecations page)
GPT_IMAGE_ONLY = ("background", "output_format", "output_compression", "moderation", "stream",
                  "partial_images")  # fmt: skip

# Output tokens per image by (size, quality), from OpenAI's gpt-image-1 price table.
# ASSUMED: the same counts for the other GPT image models, and "auto" billed as "medium".
TOKENS: dict[tuple[str, str], int] = {
    ("1024x1024", "low"): 272,
    ("1024x1024", "medium"): 1056,
    ("1024x1024", "high"): 4160,
    ("1024x1536", "low"): 408,
    ("1024x1536", "medium"): 1584,
    ("1024x1536", "high"): 6240,
    ("1536x1024", "low"): 400,
    ("1536x1024", "medium"): 1568,
    ("1536x1024", "high"): 6208,
}

MESSAGES: dict[str, str] = {
    # Observed in public issue threads (openai-claims.md rows 15, 30-32, 35, 36): confirmed.
    "invalid_value": "Invalid value: {value}. Supported values are: {supported}.",
    "unknown_parameter": "Unknown parameter: '{name}'.",
    "prompt_too_long": (
        "Invalid 'prompt': string too long. Expected a string with maximum length {limit}, "
        "but got a string with length {length} instead."
    ),
    "bad_key": (
        "Incorrect API key provided: {masked}. You can find your API key at "
        "https://platform.openai.com/account/api-keys."
    ),
    "no_key": (
        "You didn't provide an API key. You need to provide your API key in an Authorization "
        "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field "
        "(with blank username) if you're accessing the API from your browser and are prompted for "
        "a username and password. You can obtain an API key from "
        "https://platform.openai.com/account/api-keys."
    ),
    "dall_e_2_policy": (
        "Your request was rejected as a result of our safety system. Your prompt may contain "
        "text that is not allowed by our safety system."
    ),
    "dall_e_3_policy": (
        "Your request was rejected as a result of our safety system. Image descriptions "
        "generated from your prompt may contain text that is not allowed by our safety system. "
        "If you believe this was done in error, your request may succeed if retried, or by "
        "adjusting your prompt."
    ),
    "moderation_blocked": (
        "Your request was rejected by the safety system. If you believe this is an error, "
        "contact us at help.openai.com and include the request ID {request_id}. "
        "safety_violations=[{categories}]."
    ),
    "rate_limit": (
        "Rate limit exceeded for images per minute in organization org-mock. Limit: 5/1min. "
        "Current: 6/1min. Please visit https://platform.openai.com/docs/guides/rate-limits to "
        "learn how to increase your rate limit."
    ),
    # Weak evidence (one third-party excerpt): the dall-e-3 n>1 text.
    "dall_e_3_n": "You must provide n=1 for this model.",
    # Seen on other endpoints only.
    "server_error": "The server had an error while processing your request. Sorry about that!",
    # ASSUMED: no source for the image endpoint; the newer OpenAI style is used.
    "missing_prompt": "Missing required parameter: 'prompt'.",
    "model_not_found": "The model `{model}` does not exist or you do not have access to it.",
    "invalid_type": "Invalid type for '{name}': expected {expected}, but got {got} instead.",
    "n_range": (
        "Invalid 'n': integer {side} value. Expected a value {op} {bound}, but got {n} instead."
    ),
    "custom_size": (
        "Invalid value: '{size}'. Width and height must be multiples of 16, the aspect ratio at "
        "most 3:1, and the size at most 3840x2160."
    ),
    "bad_json": "We could not parse the JSON body of your request.",
    "transparent": "Transparent background requires output_format png or webp.",
}
# ASSUMED: the moderation categories a blocked prompt reports.
BLOCKED_CATEGORIES = ("sexual",)

# ASSUMED, each of these: OpenAI publishes none of them.
# The order OpenAI reports problems in, beyond "unknown parameters first".
ERROR_FIELD_ORDER = ("prompt", "model", "n", "size", "quality", "style", "response_format",
                     "background", "output_format", "output_compression", "moderation", "stream",
                     "partial_images", "user")  # fmt: skip
# What quality "auto" resolves to in the answer of a GPT image model.
AUTO_QUALITY = "medium"
# dall-e-3's rewrite of the prompt (it always returns one; the wording is ours).
REVISED_PROMPT = "A detailed, high-quality image of {prompt}"
# Prompt tokens in ``usage``: about four characters a token.
CHARS_PER_TOKEN = 4
# Key masking: observed for long keys (first 8, stars, last 4); for keys of 12 characters or
# fewer, the first 2 and stars is assumed.
MASK_SHORT_KEY_KEEP = 2
