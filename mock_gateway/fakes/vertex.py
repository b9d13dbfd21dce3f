"""A fake Vertex AI Imagen: ``POST /v1/projects/{p}/locations/{l}/publishers/google/models/
{model}:predict``, answered in-process as Google would.

It answers ``{"predictions":[{"bytesBase64Encoded","mimeType"}]}`` (pretty-printed, as Google's
JSON APIs write it), errors in Google's RPC shape ``{"error":{"code","message","status"}}``,
and drops filtered images from ``predictions`` (facts: docs/facts/providers/google-vertex-ai.md
§2; the unverified ones are marked in ``vertex_data``).
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from mock_gateway.fakes.images import Base64Text, derive_seed, render_image, render_png_b64
from mock_gateway.fakes.vertex_data import (
    ASPECT_SIZES,
    DEFAULT_SAMPLE_COUNT,
    FAULT_ERRORS,
    MAX_INSTANCES,
    MESSAGES,
    MIME_TYPES,
    MODELS,
    PERSON_GENERATION,
    SAFETY_SETTINGS,
    SAMPLE_COUNT_RANGE,
    STATUS_NAMES,
)
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse, json_response
from mock_gateway.wire import safejson
from mock_gateway.wire.js import is_number, js_string

__all__ = ["VERTEX_BASE_URL", "FakeVertex", "google_error"]

VERTEX_BASE_URL = "https://us-central1-aiplatform.googleapis.com"
_PREDICT = re.compile(
    r"/v1/projects/([^/]+)/locations/([^/]+)/publishers/google/models/([^/]+):predict"
)
_NOT_TOKENS = frozenset({"undefined", "null", ""})
_FORMATS = {"image/png": "png", "image/jpeg": "jpeg"}
# ASSUMED: Google's front end answers an unknown URL with its HTML 404 page (shortened here).
_NOT_FOUND_PAGE = (
    "<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n"
    "  <title>Error 404 (Not Found)!!1</title>\n"
    "  <p><b>404.</b> <ins>That\u2019s an error.</ins>\n  <p>{message}  "
    "<ins>That\u2019s all we know.</ins>\n"
)


class _Reject(Exception):
    """A Google RPC error answer, raised from deep in validation."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def google_error(
    status: int, message: str, headers: tuple[tuple[str, str], ...] = ()
) -> UpstreamResponse:
    """``{"error":{"code","message","status"}}``, pretty-printed as Google writes it."""
    body = {
        "error": {"code": status, "message": message, "status": STATUS_NAMES.get(status, "UNKNOWN")}
    }
    return json_response(status, body, headers, data=_pretty(body))


def _pretty(body: Any) -> bytes:
    return (json.dumps(body, indent=2, ensure_ascii=False) + "\n").encode("utf-8", "surrogatepass")


class FakeVertex:
    """Imagen's ``:predict``, deterministic per seed."""

    def __init__(
        self,
        *,
        seed: int = 0,
        blocked_words: tuple[str, ...] = (),
        filtered_words: tuple[str, ...] = (),
    ) -> None:
        self._seed, self._blocked, self._filtered = seed, blocked_words, filtered_words

    def handle(self, request: UpstreamRequest, *, filtered: bool = False) -> UpstreamResponse:
        """Answer one request to ``{region}-aiplatform.googleapis.com``.

        ``filtered`` makes the safety filter drop every image of an otherwise valid request.
        """
        match = _PREDICT.fullmatch(request.path)
        if request.method != "POST" or match is None:
            message = MESSAGES["not_found_path"].format(path=request.path)
            page = _NOT_FOUND_PAGE.format(message=message).encode()
            return UpstreamResponse(404, (("content-type", "text/html; charset=UTF-8"),), page)
        try:
            self._authorize(request)
            project, location, model = match.groups()
            if model not in MODELS:
                name = f"projects/{project}/locations/{location}/publishers/google/models/{model}"
                raise _Reject(404, MESSAGES["model_not_found"].format(name=name))
            prompt, parameters = _read(request.body)
            return self._predict(model, prompt, parameters, filtered=filtered)
        except _Reject as reject:
            return google_error(reject.status, reject.message)

    def error_response(
        self, request: UpstreamRequest, status: int, *, retry_after: float | None = None
    ) -> UpstreamResponse:
        """Google's error body for an injected ``status`` fault."""
        extra = () if retry_after is None else (("retry-after", js_string(retry_after)),)
        message = FAULT_ERRORS.get(
            status, FAULT_ERRORS[500] if status >= 500 else FAULT_ERRORS[400]
        )
        return google_error(status, message, extra)

    @staticmethod
    def _authorize(request: UpstreamRequest) -> None:
        authorization = request.header("authorization") or ""
        token = authorization.removeprefix("Bearer ").strip()
        # Mock convention (as for OpenAI): a token containing "invalid" is refused too.
        if not authorization.startswith("Bearer ") or token in _NOT_TOKENS or "invalid" in token:
            raise _Reject(401, MESSAGES["unauthenticated"])

    def _predict(
        self, model: str, prompt: str, parameters: dict[str, Any], *, filtered: bool
    ) -> UpstreamResponse:
        count = _sample_count(parameters)
        ratio = _choice(parameters, "aspectRatio", tuple(ASPECT_SIZES), "aspect_ratio", "1:1")
        _choice(parameters, "personGeneration", PERSON_GENERATION, "person_generation", "")
        _choice(parameters, "safetySetting", SAFETY_SETTINGS, "safety_setting", "")
        mime = _output_mime(parameters)
        seed = parameters.get("seed")
        if seed is not None and parameters.get("addWatermark", True) is not False:
            raise _Reject(400, MESSAGES["seed_watermark"])  # FROM DOCS: seed needs no watermark
        lowered = prompt.lower()
        if any(word in lowered for word in self._blocked):
            raise _Reject(400, MESSAGES["blocked"])
        if filtered or any(word in lowered for word in self._filtered):
            return self._filtered_answer(count, bool(parameters.get("includeRaiReason")))
        width, height = ASPECT_SIZES[ratio]
        picture = derive_seed(self._seed, model, prompt, ratio, seed)
        predictions = [
            {
                "bytesBase64Encoded": _image(width, height, prompt, picture, i, mime),
                "mimeType": mime,
            }
            for i in range(count)
        ]
        body = {"predictions": predictions}
        return json_response(200, body, keep=True, data=_pretty(body))

    @staticmethod
    def _filtered_answer(count: int, with_reasons: bool) -> UpstreamResponse:
        # FROM DOCS: filtered images are left out; with includeRaiReason a reason takes their
        # place. ASSUMED: an answer with no image at all is `{}`.
        if not with_reasons:
            return json_response(200, {}, keep=True, data=_pretty({}))
        body = {"predictions": [{"raiFilteredReason": MESSAGES["filtered"]} for _ in range(count)]}
        return json_response(200, body, keep=True, data=_pretty(body))


def _read(raw: bytes) -> tuple[str, dict[str, Any]]:
    try:
        body = safejson.loads(raw)
    except ValueError as error:
        raise _Reject(400, MESSAGES["bad_json"].format(detail=error)) from None
    if not isinstance(body, dict):
        raise _Reject(400, MESSAGES["bad_json"].format(detail="expected an object"))
    instances = body.get("instances")
    if not isinstance(instances, list) or not instances:
        raise _Reject(400, MESSAGES["no_instances"])
    if len(instances) > MAX_INSTANCES:
        raise _Reject(
            400, MESSAGES["too_many_instances"].format(max=MAX_INSTANCES, got=len(instances))
        )
    instance = instances[0]
    prompt = instance.get("prompt") if isinstance(instance, dict) else None
    if not isinstance(prompt, str) or not prompt.strip():
        raise _Reject(400, MESSAGES["no_prompt"])
    parameters = body.get("parameters", {})
    if not isinstance(parameters, dict):
        raise _Reject(400, MESSAGES["bad_json"].format(detail="parameters must be an object"))
    return prompt, parameters


def _sample_count(parameters: dict[str, Any]) -> int:
    value = parameters.get("sampleCount", DEFAULT_SAMPLE_COUNT)
    low, high = SAMPLE_COUNT_RANGE
    if not is_number(value) or value != int(value) or not low <= value <= high:
        raise _Reject(
            400, MESSAGES["sample_count"].format(got=js_string(value), low=low, high=high)
        )
    return int(value)


def _choice(
    parameters: dict[str, Any], name: str, allowed: tuple[str, ...], key: str, default: str
) -> str:
    value = parameters.get(name, default)
    if value != default and value not in allowed:
        raise _Reject(400, MESSAGES[key].format(got=js_string(value), supported=", ".join(allowed)))
    return str(value)


def _output_mime(parameters: dict[str, Any]) -> str:
    options = parameters.get("outputOptions", {})
    if not isinstance(options, dict):
        options = {}
    mime = options.get("mimeType", "image/png")
    if mime not in MIME_TYPES:
        raise _Reject(400, MESSAGES["mime_type"].format(got=js_string(mime)))
    quality = options.get("compressionQuality")
    if quality is not None and (not is_number(quality) or not 0 <= quality <= 100):
        raise _Reject(400, MESSAGES["compression"].format(got=js_string(quality)))
    return str(mime)


def _image(width: int, height: int, prompt: str, seed: int, index: int, mime: str) -> Base64Text:
    if mime == "image/png":
        return Base64Text(render_png_b64(width, height, prompt=prompt, seed=seed, index=index))
    data = render_image(width, height, prompt=prompt, seed=seed, index=index, fmt=_FORMATS[mime])
    return Base64Text(base64.b64encode(data).decode("ascii"))
