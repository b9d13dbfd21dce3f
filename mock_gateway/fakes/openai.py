"""A fake OpenAI images API: ``POST /v1/images/generations``, answered in-process.

It validates what arrives as OpenAI does (per model, from ``openai_data.MODELS``) and answers
in OpenAI's shapes: DALL·E with signed URLs or base64, GPT image models with base64, ``usage``
and the top-level ``background``/``output_format``/``quality``/``size``.
"""

from __future__ import annotations

import base64
import math
import random
import re
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from jsonschema.exceptions import ValidationError

from mock_gateway.contract_tools.contracts import certainly_valid, validator_for
from mock_gateway.fakes.blobs import BlobStore
from mock_gateway.fakes.images import derive_seed, render_image
from mock_gateway.fakes.openai_data import (
    API_RESOURCES,
    AUTO_QUALITY,
    BLOCKED_CATEGORIES,
    CHARS_PER_TOKEN,
    DEFAULT_MODEL,
    ERROR_FIELD_ORDER,
    GPT_IMAGE_ONLY,
    MASK_SHORT_KEY_KEEP,
    MESSAGES,
    MODELS,
    REQUEST_CONTRACT,
    RETIRED,
    REVISED_PROMPT,
    TOKENS,
    ModelRules,
)
from mock_gateway.hints import hint
from mock_gateway.upstream import (
    UpstreamRequest,
    UpstreamResponse,
    json_response,
    unsupported_response,
)
from mock_gateway.wire import safejson

__all__ = ["OPENAI_BASE_URL", "FakeOpenAI"]

OPENAI_BASE_URL = "https://api.openai.com/v1"
_NOT_KEYS = frozenset({"undefined", "OPENAI_API_KEY"})
_CUSTOM_SIZE = re.compile(r"(\d+)x(\d+)")
_MEDIA = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}


class _Reject(Exception):
    """An OpenAI error answer, raised from deep in validation."""

    def __init__(
        self,
        status: int,
        message: str,
        type_: str,
        param: str | None,
        code: str | None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error = {"message": message, "type": type_, "param": param, "code": code, **extra}


def _invalid(message: str, param: str | None, code: str | None = "invalid_value") -> _Reject:
    return _Reject(400, message, "invalid_request_error", param, code)


def _type_error(name: str, expected: str, value: Any) -> _Reject:
    message = MESSAGES["invalid_type"].format(name=name, expected=expected, got=_kind(value))
    return _invalid(message, name, "invalid_type")


def _not_one_of(name: str, value: Any, choices: Iterable[str]) -> _Reject:
    message = MESSAGES["invalid_value"].format(value=f"'{value}'", supported=_choices(choices))
    return _invalid(message, name)


def _choices(values: Iterable[str]) -> str:
    """OpenAI's list: ``'a', 'b', and 'c'`` (``'a' and 'b'`` for two)."""
    quoted = [f"'{value}'" for value in values]
    if len(quoted) <= 2:
        return " and ".join(quoted)
    return ", ".join(quoted[:-1]) + f", and {quoted[-1]}"


_TYPE_NAMES = {"integer": "an integer", "string": "a string", "boolean": "a boolean",
               "number": "a number", "object": "an object", "array": "an array"}  # fmt: skip


def _precedence(error: ValidationError) -> tuple[int, int, int]:
    if "propertyNames" in error.absolute_schema_path:
        return (0, 0, 0)
    if error.validator == "required":
        return (1, 0, 0)
    field = str(error.absolute_path[0]) if error.absolute_path else ""
    rank = ERROR_FIELD_ORDER.index(field) if field in ERROR_FIELD_ORDER else len(ERROR_FIELD_ORDER)
    # A model's own message (x-message) yields to the generic one on the same field.
    return (2, rank, int("x-message" in error.schema) + int(error.validator != "type"))


def _to_openai(error: ValidationError) -> _Reject:
    """A contract violation as OpenAI words it (openai_data.MESSAGES)."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    field = str(error.absolute_path[0]) if error.absolute_path else None
    if "x-message" in schema:
        param, code = schema.get("x-param", field), schema.get("x-code", "invalid_value")
        return _Reject(400, schema["x-message"], "invalid_request_error", param, code)
    if "propertyNames" in error.absolute_schema_path:
        name = str(error.instance)
        return _invalid(MESSAGES["unknown_parameter"].format(name=name), name, "unknown_parameter")
    if error.validator == "required":
        return _invalid(MESSAGES["missing_prompt"], "prompt", "missing_required_parameter")
    value = error.validator_value
    if error.validator == "type":
        kinds = [kind for kind in (value if isinstance(value, list) else [value]) if kind != "null"]
        return _type_error(str(field), _TYPE_NAMES.get(kinds[0], kinds[0]), error.instance)
    if error.validator == "maxLength":
        message = MESSAGES["prompt_too_long"].format(limit=value, length=len(error.instance))
        return _invalid(message, field, "string_above_max_length")
    if error.validator in ("minimum", "maximum"):
        below = error.validator == "minimum"
        side, op = ("below minimum", ">=") if below else ("above maximum", "<=")
        code = "integer_below_min_value" if below else "integer_above_max_value"
        message = MESSAGES["n_range"].format(side=side, op=op, bound=value, n=error.instance)
        return _invalid(message.replace("'n'", f"'{field}'"), field, code)
    if error.validator == "anyOf":  # gpt-image-2 sizes: a listed size or WxH
        return _invalid(MESSAGES["custom_size"].format(size=error.instance), field)
    choices = [choice for choice in value if choice is not None] if isinstance(value, list) else []
    return _not_one_of(str(field), error.instance, choices)


def _check_custom_size(size: str) -> None:
    """gpt-image-2's WxH rule, which JSON Schema cannot state (it relates the two numbers)."""
    match = _CUSTOM_SIZE.fullmatch(size)
    # Past 6 digits a side is far over 3840 (and int() refuses 4,300 digits): invalid either way.
    if match and max(len(side.lstrip("0")) for side in match.groups()) <= 6:
        width, height = int(match.group(1)), int(match.group(2))
        long_side, short_side = max(width, height), min(width, height)
        multiples = width % 16 == 0 and height % 16 == 0 and short_side > 0
        if multiples and long_side <= 3 * short_side and long_side <= 3840 and short_side <= 2160:
            return
    raise _invalid(MESSAGES["custom_size"].format(size=size), "size")


def _mask(key: str) -> str:
    # OpenAI shows the first 8 characters, stars, and the last 4 (observed; short keys ASSUMED).
    if len(key) > 12:
        return key[:8] + "*" * (len(key) - 12) + key[-4:]
    return key[:MASK_SHORT_KEY_KEEP] + "*" * (len(key) - MASK_SHORT_KEY_KEEP)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number" if isinstance(value, float) else "an integer"
    if isinstance(value, str):
        return "a string"
    return (
        "an array"
        if isinstance(value, list)
        else "an object"
        if isinstance(value, dict)
        else "null"
    )


class FakeOpenAI:
    """OpenAI's image generation, deterministic per seed; DALL·E URLs served from ``blobs``."""

    def __init__(
        self,
        *,
        blobs: BlobStore,
        clock: Callable[[], float],
        seed: int = 0,
        retired: bool = False,
        blocked_words: tuple[str, ...] = (),
    ) -> None:
        self._blobs, self._clock, self._seed = blobs, clock, seed
        self._retired, self._blocked = retired, blocked_words
        self._rng = random.Random(seed)

    def handle(self, request: UpstreamRequest, *, filtered: bool = False) -> UpstreamResponse:
        """Answer one request to ``api.openai.com`` as OpenAI would."""
        if request.method == "POST" and request.path == "/v1/images/edits":
            from mock_gateway.fakes.openai_edits import answer_edit  # it imports this module

            return answer_edit(self, request, filtered=filtered)
        if request.method != "POST" or request.path != "/v1/images/generations":
            if request.path.startswith(API_RESOURCES):
                return unsupported_response(f"OpenAI's {request.method} {request.path}")
            return json_response(
                404,
                {
                    "error": {
                        "message": f"Invalid URL ({request.method} {request.path})",
                        "type": "invalid_request_error",
                        "param": None,
                        "code": None,
                    }
                },
            )
        try:
            self._authorize(request)
            body = self._body(request.body)
            model, rules = self._model(body)
            self._check(body, model, rules)
            return self._generate(body, model, rules, filtered=filtered)
        except _Reject as reject:
            return json_response(reject.status, {"error": reject.error})

    def error_response(
        self, request: UpstreamRequest, status: int, *, retry_after: float | None = None
    ) -> UpstreamResponse:
        """OpenAI's error body for an injected ``status`` fault."""
        if status == 429:
            error = {
                "message": MESSAGES["rate_limit"],
                "type": "requests",
                "param": None,
                "code": "rate_limit_exceeded",
            }
        elif status >= 500:
            error = {
                "message": MESSAGES["server_error"],
                "type": "server_error",
                "param": None,
                "code": None,
            }
        else:
            error = {
                "message": f"HTTP {status}",
                "type": "invalid_request_error",
                "param": None,
                "code": None,
            }
        extra = () if retry_after is None else (("retry-after", f"{retry_after:g}"),)
        return json_response(status, {"error": error}, extra)

    # -- validation -------------------------------------------------------------------------

    @staticmethod
    def _authorize(request: UpstreamRequest) -> None:
        authorization = request.header("authorization")
        if not authorization or not authorization.startswith("Bearer "):
            raise _Reject(401, MESSAGES["no_key"], "invalid_request_error", None, None)
        key = authorization.removeprefix("Bearer ").strip()
        # A mock convention, documented: a key containing "invalid" is refused, so tests can
        # reach OpenAI's invalid_api_key answer with a realistic-looking key.
        if not key or key in _NOT_KEYS or " " in key or "invalid" in key:
            raise _Reject(
                401,
                MESSAGES["bad_key"].format(masked=_mask(key)),
                "invalid_request_error",
                None,
                "invalid_api_key",
            )

    @staticmethod
    def _body(raw: bytes) -> dict[str, Any]:
        try:
            body = safejson.loads(raw)
        except ValueError:
            raise _invalid(MESSAGES["bad_json"], None, None) from None
        if not isinstance(body, dict):
            raise _invalid(MESSAGES["bad_json"], None, None)
        return body

    def _model(self, body: dict[str, Any]) -> tuple[str, ModelRules]:
        model = body.get("model")
        if model is None:
            # The spec's default, unless a GPT-image-only field asks for a GPT image model.
            model = "gpt-image-1" if any(key in body for key in GPT_IMAGE_ONLY) else DEFAULT_MODEL
        if not isinstance(model, str):
            raise _invalid(
                MESSAGES["invalid_type"].format(
                    name="model", expected="a string", got=_kind(model)
                ),
                "model",
                "invalid_type",
            )
        if model not in MODELS or (self._retired and model in RETIRED):
            if model in RETIRED:
                hint(
                    f"model {model} is retired under this profile (OpenAI shut it down on "
                    "2026-05-12); profiles hosted-2025 and hosted-2024 still serve it"
                )
            raise _Reject(
                404,
                MESSAGES["model_not_found"].format(model=model),
                "invalid_request_error",
                None,
                "model_not_found",
            )
        return model, MODELS[model]

    def _check(self, body: dict[str, Any], model: str, rules: ModelRules) -> None:
        """OpenAI's rules for ``model``, from the request contract, answered as OpenAI does."""
        fast = certainly_valid(REQUEST_CONTRACT, model)
        if fast is not None and fast(body):
            errors = []  # the common case, without walking the schema in jsonschema
        else:
            errors = list(validator_for(REQUEST_CONTRACT, model).iter_errors(body))
        if errors:
            raise _to_openai(min(errors, key=_precedence))
        size = body.get("size")
        if rules.custom_sizes and isinstance(size, str) and size not in ("auto",):
            _check_custom_size(size)

    # -- answers ----------------------------------------------------------------------------

    def _policy(self, model: str, rules: ModelRules) -> _Reject:
        if rules.family == "dall-e":
            key = "dall_e_3_policy" if model.startswith("dall-e-3") else "dall_e_2_policy"
            return _Reject(
                400, MESSAGES[key], "invalid_request_error", None, "content_policy_violation"
            )
        request_id = f"req_{uuid.UUID(int=self._rng.getrandbits(128)).hex}"
        message = MESSAGES["moderation_blocked"].format(
            request_id=request_id, categories=", ".join(BLOCKED_CATEGORIES)
        )
        details = {"moderation_stage": "input", "categories": list(BLOCKED_CATEGORIES)}
        return _Reject(
            400,
            message,
            "image_generation_user_error",
            None,
            "moderation_blocked",
            moderation_details=details,
        )

    def _generate(
        self, body: dict[str, Any], model: str, rules: ModelRules, *, filtered: bool
    ) -> UpstreamResponse:
        prompt: str = body["prompt"]
        if filtered or any(word in prompt.lower() for word in self._blocked):
            raise self._policy(model, rules)
        size = body.get("size", rules.default_size)
        size = "1024x1024" if size == "auto" else size
        width, height = (int(side) for side in size.split("x"))
        fmt = body.get("output_format", "png")
        seed = derive_seed(self._seed, model, prompt, size)
        created = int(self._clock())
        # output_compression: the JPEG/WebP quality, 100 by default ([S]).
        compression = body.get("output_compression")
        quality_100 = 100 if compression is None else compression
        images = [
            render_image(width, height, prompt=prompt, seed=seed, index=i, fmt=fmt,
                         quality=None if rules.family == "dall-e" else quality_100)
            for i in range(body.get("n") or 1)
        ]  # fmt: skip
        if rules.family == "dall-e":
            return json_response(
                200,
                {
                    "created": created,
                    "data": [self._dall_e_item(body, model, image, created) for image in images],
                },
                keep=True,
            )
        quality = body.get("quality", "auto")
        quality = AUTO_QUALITY if quality == "auto" else quality
        background = "opaque" if body.get("background", "auto") == "auto" else body["background"]
        if body.get("stream") is True:  # server-sent events (fakes/openai_stream.py)
            from mock_gateway.fakes.openai_stream import stream_response

            each = [self._usage(prompt, size, quality, 1) for _ in images]
            return stream_response(
                "image_generation", body, images, each, created, fmt=fmt, size=size
            )
        return json_response(
            200,
            {
                "created": created,
                "data": [{"b64_json": base64.b64encode(image).decode()} for image in images],
                "usage": self._usage(prompt, size, quality, len(images)),
                "background": background,
                "output_format": fmt,
                "quality": quality,
                "size": size,
            },
        )

    def _dall_e_item(
        self, body: dict[str, Any], model: str, image: bytes, created: int
    ) -> dict[str, Any]:
        if body.get("response_format", "url") == "b64_json":
            item: dict[str, Any] = {"b64_json": base64.b64encode(image).decode()}
        else:
            name = f"img-{self._rng.getrandbits(128):032x}"[:28] + ".png"  # UUID(int=...).hex
            item = {
                "url": self._blobs.put(image, name=name, content_type="image/png", created=created)
            }
        if model == "dall-e-3":
            item["revised_prompt"] = REVISED_PROMPT.format(prompt=body["prompt"])
        return item

    @staticmethod
    def _usage(prompt: str, size: str, quality: str, count: int) -> dict[str, Any]:
        text_tokens = max(1, math.ceil(len(prompt) / CHARS_PER_TOKEN))
        per_image = TOKENS.get((size, quality))
        if per_image is None:  # custom gpt-image-2 sizes: scale the square's count by area
            width, height = (int(side) for side in size.split("x"))
            per_image = round(TOKENS[("1024x1024", quality)] * width * height / 1024**2)
        output = per_image * count
        return {
            "input_tokens": text_tokens,
            "input_tokens_details": {"text_tokens": text_tokens, "image_tokens": 0},
            "output_tokens": output,
            "total_tokens": text_tokens + output,
        }
