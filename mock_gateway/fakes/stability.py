"""A fake Stability AI: its own v1 and v2beta APIs, answered in-process.

It sees exactly the request the gateway would put on the wire (path, headers, body bytes),
so gateway quirks such as the missing ``/v1`` or the ``[object Object]`` body meet the same
404 or 400 that real Stability would give them.
"""

from __future__ import annotations

import base64
import json
import random
import uuid
from typing import Any

from mock_gateway.contract_tools.contracts import describe, first_error
from mock_gateway.fakes.images import (
    Base64Text,
    derive_seed,
    render_image,
    render_png,
    render_png_b64,
)
from mock_gateway.fakes.stability_data import (
    CORE_SIZES,
    ENGINES,
    ERROR_NAMES,
    FAULT_ERRORS,
    MESSAGES,
    ONE_MP_SIZES,
    SAMPLE_SEED_STEP,
    SD16_RANGE,
    SDXL_DIMENSIONS,
    SDXL_ENGINES,
    V2_ENDPOINTS,
)
from mock_gateway.upstream import (
    UpstreamRequest,
    UpstreamResponse,
    json_response,
)
from mock_gateway.wire import safejson
from mock_gateway.wire.js import js_string
from mock_gateway.wire.multipart import MultipartError, decode_form

__all__ = ["STABILITY_BASE_URL", "FakeStability"]

STABILITY_BASE_URL = "https://api.stability.ai"
_V1_CONTRACT = "stability/v1-text-to-image-request.json"
_V2_CONTRACT = "stability/v2beta-generate-request.json"
_V2_MAX_BODY = 10 * 1024 * 1024  # v2beta: 413 payload_too_large over 10 MiB (spec)
_NOT_KEYS = frozenset({"undefined", "OPENAI_API_KEY"})
_ENGINE_IDS = frozenset(entry["id"] for entry in ENGINES)
_V1_DEFAULTS = {"height": 512, "width": 512, "samples": 1, "seed": 0}


class _Reject(Exception):
    """A native Stability error answer, raised from deep in a handler."""

    def __init__(self, status: int, name: str, message: str) -> None:
        super().__init__(message)
        self.status, self.name, self.message = status, name, message


class FakeStability:
    """Stability's v1 text-to-image, engines list and v2beta generate, deterministic per seed."""

    def __init__(
        self,
        *,
        seed: int = 0,
        blocked_words: tuple[str, ...] = (),
        filtered_words: tuple[str, ...] = (),
    ) -> None:
        self._seed = seed
        self._rng = random.Random(seed)
        self._blocked, self._filtered = blocked_words, filtered_words

    def _flagged(self, prompt: str, words: tuple[str, ...]) -> bool:
        lowered = prompt.lower()
        return any(word in lowered for word in words)

    def reset(self) -> None:
        """Restart the id sequence, as a fresh instance with the same seed would."""
        self._rng = random.Random(self._seed)

    def handle(self, request: UpstreamRequest, *, filtered: bool = False) -> UpstreamResponse:
        """Answer one request to ``api.stability.ai`` as Stability would.

        ``filtered`` makes the content filter fire on an otherwise valid generation.
        """
        parts = request.path.strip("/").split("/")
        try:
            return self._route(request, parts, filtered)
        except _Reject as reject:
            return self._error(reject, v2=parts[0] == "v2beta")

    def error_response(
        self, request: UpstreamRequest, status: int, *, retry_after: float | None = None
    ) -> UpstreamResponse:
        """Stability's own error body for ``status`` on this route (an injected fault)."""
        v2 = request.path.startswith("/v2beta/")
        v1_name, v1_message, v2_name, v2_message = FAULT_ERRORS.get(status, FAULT_ERRORS[500])
        name, message = (v2_name, v2_message) if v2 else (v1_name, v1_message)
        response = self._error(_Reject(status, name, message), v2=v2)
        if retry_after is None:
            return response
        extra = (("retry-after", js_string(retry_after)),)
        return UpstreamResponse(response.status, response.headers + extra, response.body)

    def _route(
        self, request: UpstreamRequest, parts: list[str], filtered: bool
    ) -> UpstreamResponse:
        method = request.method
        if (
            method == "POST"
            and len(parts) == 4
            and parts[:2] == ["v1", "generation"]
            and parts[3] == "text-to-image"
        ):
            return self._text_to_image(request, parts[2], filtered)
        if method == "GET" and parts == ["v1", "engines", "list"]:
            self._authorize(request)
            return json_response(200, list(ENGINES))
        is_v2 = parts[:3] == ["v2beta", "stable-image", "generate"] and len(parts) == 4
        if method == "POST" and is_v2 and parts[3] in V2_ENDPOINTS:
            return self._generate_v2(request, parts[3], filtered)
        raise _Reject(404, "not_found", MESSAGES["route_not_found"].format(path=request.path))

    def _error(self, reject: _Reject, *, v2: bool) -> UpstreamResponse:
        error_id = str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
        if v2:  # v2beta errors carry a list of messages
            return json_response(
                reject.status, {"id": error_id, "name": reject.name, "errors": [reject.message]}
            )
        return json_response(
            reject.status, {"id": error_id, "name": reject.name, "message": reject.message}
        )

    @staticmethod
    def _authorize(request: UpstreamRequest) -> None:
        authorization = request.header("authorization")
        if authorization is None:
            raise _Reject(401, "unauthorized", MESSAGES["missing_key"])
        # Raw keys are accepted as well as `Bearer <key>`: the forum's proxy call sends the
        # raw key and Portkey staff recommended it as working. `undefined` is what the OSS
        # gateway sends when it had no key (§1.2); `OPENAI_API_KEY` is the placeholder the
        # portkey-ai SDK sends when the user gave no Authorization (§1.4). Neither is a key.
        key = authorization.removeprefix("Bearer ").strip()
        # A mock convention, documented: a key containing "invalid" is refused (a 401).
        if not key or key in _NOT_KEYS or " " in key or "invalid" in key:
            raise _Reject(401, "unauthorized", MESSAGES["invalid_key"])

    # -- v1 ---------------------------------------------------------------------------------

    def _text_to_image(
        self, request: UpstreamRequest, engine: str, filtered: bool
    ) -> UpstreamResponse:
        self._authorize(request)
        if engine not in _ENGINE_IDS:
            raise _Reject(404, "not_found", MESSAGES["engine_not_found"].format(engine=engine))
        body = self._v1_body(request.body)
        wants_png = _accepts(request, "image/png")
        self._check_engine(engine, body, wants_png=wants_png)
        prompt = " ".join(str(item.get("text", "")) for item in body["text_prompts"])
        seed = body["seed"] or derive_seed(
            self._seed, engine, prompt, body["width"], body["height"]
        )
        # v1 has no moderation error: filtering is per artifact, with a 200, a blurred image
        # and finishReason CONTENT_FILTERED (spec: Image.finishReason).
        blurred = filtered or self._flagged(prompt, self._blocked + self._filtered)
        finish = "CONTENT_FILTERED" if blurred else "SUCCESS"
        if wants_png:
            png = render_png(
                body["width"], body["height"], prompt=prompt, seed=seed, blurred=blurred
            )
            return UpstreamResponse(200, _image_headers("png", finish, seed, len(png)), png)
        artifacts = [
            {
                "base64": Base64Text(
                    render_png_b64(
                        body["width"],
                        body["height"],
                        prompt=prompt,
                        seed=seed,
                        index=i,
                        blurred=blurred,
                    )
                ),
                "seed": (seed + i * SAMPLE_SEED_STEP) % 4294967296,
                "finishReason": finish,
            }
            for i in range(body["samples"])
        ]
        return json_response(
            200, {"artifacts": artifacts}, keep=True, data=_artifacts_json(artifacts)
        )

    @staticmethod
    def _v1_body(raw: bytes) -> dict[str, Any]:
        try:
            body = safejson.loads(raw)
        except ValueError:
            raise _Reject(400, "bad_request", MESSAGES["bad_json"]) from None
        if not isinstance(body, dict):
            raise _Reject(400, "bad_request", MESSAGES["bad_json"])
        error = first_error(_V1_CONTRACT, body)
        if error is not None:
            field = str(error.absolute_path[0]) if error.absolute_path else "text_prompts"
            raise _Reject(400, ERROR_NAMES.get(field, "bad_request"), describe(error))
        return {**_V1_DEFAULTS, **body}

    @staticmethod
    def _check_engine(engine: str, body: dict[str, Any], *, wants_png: bool) -> None:
        width, height = body["width"], body["height"]
        if engine in SDXL_ENGINES and (width, height) not in SDXL_DIMENSIONS:
            message = MESSAGES["sdxl_dimensions"].format(width=width, height=height)
            raise _Reject(400, "invalid_sdxl_v1_dimensions", message)
        low, high = SD16_RANGE
        if engine == "stable-diffusion-v1-6" and not (
            low <= width <= high and low <= height <= high
        ):
            message = MESSAGES["sd16_dimensions"].format(width=width, height=height)
            raise _Reject(400, "invalid_height_or_width", message)
        if wants_png and body["samples"] > 1:
            raise _Reject(400, "invalid_samples", MESSAGES["png_samples"])

    # -- v2beta -----------------------------------------------------------------------------

    def _generate_v2(
        self, request: UpstreamRequest, endpoint: str, filtered: bool
    ) -> UpstreamResponse:
        self._authorize(request)
        if len(request.body) > _V2_MAX_BODY:
            _, _, name, message = FAULT_ERRORS[413]
            raise _Reject(413, name, message)
        fields = _form_fields(request)
        error = first_error(_V2_CONTRACT, fields, endpoint)
        if error is not None:
            if error.validator == "required":
                missing = next(key for key in error.validator_value if key not in error.instance)
                raise _Reject(400, "bad_request", MESSAGES["v2_missing"].format(field=missing))
            raise _Reject(400, "bad_request", describe(error))
        prompt = fields["prompt"]
        if filtered or self._flagged(prompt, self._blocked):
            # v2beta refuses a flagged request outright: 403 content_moderation (spec).
            _, _, name, message = FAULT_ERRORS[403]
            raise _Reject(403, name, message)
        # A softer filter answers 200 with a blurred image and finish_reason CONTENT_FILTERED.
        blurred = self._flagged(prompt, self._filtered)
        finish = "CONTENT_FILTERED" if blurred else "SUCCESS"
        fmt = fields.get("output_format", "png")
        ratio = fields.get("aspect_ratio", "1:1")
        width, height = (CORE_SIZES if endpoint == "core" else ONE_MP_SIZES)[ratio]
        seed = fields.get("seed") or derive_seed(self._seed, endpoint, prompt, ratio)
        image = render_image(width, height, prompt=prompt, seed=seed, fmt=fmt, blurred=blurred)
        if _accepts(request, "application/json"):
            body = {
                "image": base64.b64encode(image).decode(),
                "finish_reason": finish,
                "seed": seed,
            }
            data = json.dumps(body, separators=(",", ":")).encode()
            content_type = f"application/json; type=image/{fmt}"
            return UpstreamResponse(200, (("content-type", content_type),), data)
        request_id = uuid.UUID(int=self._rng.getrandbits(128), version=4).hex
        headers = (*_image_headers(fmt, finish, seed, len(image)), ("x-request-id", request_id))
        return UpstreamResponse(200, headers, image)


def _number(value: Any) -> str:
    # json.dumps writes a plain int as its repr; anything else it writes itself.
    return repr(value) if type(value) is int else json.dumps(value)


def _artifacts_json(artifacts: list[dict[str, Any]]) -> bytes:
    """``{"artifacts": artifacts}`` as compact JSON, the base64 written as is: it needs no
    escaping, and scanning a large string for escapes is most of what json.dumps costs here."""
    items = [
        '{"base64":"' + item["base64"] + '","seed":' + _number(item["seed"])
        + ',"finishReason":' + json.dumps(item["finishReason"]) + "}"
        for item in artifacts
    ]  # fmt: skip
    return ('{"artifacts":[' + ",".join(items) + "]}").encode()


def _accepts(request: UpstreamRequest, media: str) -> bool:
    accept = (request.header("accept") or "").split(",")[0].split(";")[0].strip().lower()
    return accept == media


def _image_headers(fmt: str, finish: str, seed: int, length: int) -> tuple[tuple[str, str], ...]:
    return (
        ("content-type", f"image/{fmt}"),
        ("content-length", str(length)),
        ("finish-reason", finish),
        ("seed", str(seed)),
    )


def _form_fields(request: UpstreamRequest) -> dict[str, Any]:
    content_type = request.header("content-type") or ""
    if not content_type.lower().startswith("multipart/form-data"):
        raise _Reject(400, "bad_request", MESSAGES["v2_bad_form"])
    try:
        parts = decode_form(request.body, content_type)
    except MultipartError:
        raise _Reject(400, "bad_request", MESSAGES["v2_bad_form"]) from None
    return {
        part.name: part.value if part.filename else _typed(part.name, part.text) for part in parts
    }


def _typed(name: str, text: str) -> Any:
    """Form values arrive as text; read numeric fields as numbers, as Stability does."""
    try:
        if name == "seed":
            return int(text)
        if name in ("cfg_scale", "strength"):
            return float(text)
    except ValueError:
        return text  # left as text so the contract names the field as the wrong type
    return text
