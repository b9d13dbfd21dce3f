"""A fake Fireworks AI image API: ``POST /inference/v1/image_generation/accounts/fireworks/
models/{id}``, answered in-process.

``Accept: application/json`` (the gateway's) gets a JSON array of ``{"base64", "finishReason",
"seed", "Id"}``; ``Accept: image/*`` gets the first PNG itself. Errors are OpenAI-style
``{"error":{...}}`` or FastAPI's 422 ``{"detail": ...}`` (facts: docs/facts/providers/
fireworks-ai.md §2; unverified ones marked in ``fireworks_data``).
"""

from __future__ import annotations

import random
import re
import uuid
from typing import Any

from mock_gateway.fakes.fireworks_data import FAULT_ERRORS, LIMITS, MESSAGES, MODEL_PREFIX, MODELS
from mock_gateway.fakes.images import Base64Text, derive_seed, render_png, render_png_b64
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse, json_response
from mock_gateway.wire import safejson
from mock_gateway.wire.js import is_number, js_string

__all__ = ["FIREWORKS_BASE_URL", "FakeFireworks"]

FIREWORKS_BASE_URL = "https://api.fireworks.ai/inference/v1"
_PATH = re.compile(r"(?:/.*)?/image_generation/(.+)")
_NOT_KEYS = frozenset({"undefined", "null", ""})


class _Reject(Exception):
    """A Fireworks error answer: OpenAI-style, or a 422 ``detail``."""

    def __init__(self, status: int, message: str, type_: str = "invalid_request_error") -> None:
        super().__init__(message)
        self.status, self.message, self.type = status, message, type_

    def response(self, headers: tuple[tuple[str, str], ...] = ()) -> UpstreamResponse:
        if self.status == 422:
            return json_response(422, {"detail": self.message}, headers, keep=True)
        error = {"object": "error", "type": self.type, "message": self.message}
        return json_response(self.status, {"error": error}, headers, keep=True)


class FakeFireworks:
    """Fireworks' SDXL-style image_generation models, deterministic per seed."""

    def __init__(
        self,
        *,
        seed: int = 0,
        blocked_words: tuple[str, ...] = (),
        filtered_words: tuple[str, ...] = (),
    ) -> None:
        self._seed, self._blocked, self._filtered = seed, blocked_words, filtered_words
        self._rng = random.Random(seed)

    def handle(self, request: UpstreamRequest, *, filtered: bool = False) -> UpstreamResponse:
        """Answer one request to ``api.fireworks.ai``; ``filtered`` marks every image
        ``CONTENT_FILTERED`` (a blurred picture), as the safety checker does."""
        match = _PATH.fullmatch(request.path)
        try:
            if request.method != "POST" or match is None:
                raise _Reject(404, MESSAGES["not_found"])
            self._authorize(request)
            model = match.group(1)
            if not model.startswith(MODEL_PREFIX) or model.removeprefix(MODEL_PREFIX) not in MODELS:
                raise _Reject(404, MESSAGES["model_not_found"])
            body = _read(request.body)
            return self._generate(model, body, request.header("accept") or "", filtered=filtered)
        except _Reject as reject:
            return reject.response()

    def error_response(
        self, request: UpstreamRequest, status: int, *, retry_after: float | None = None
    ) -> UpstreamResponse:
        """Fireworks' error body for an injected ``status`` fault."""
        extra = () if retry_after is None else (("retry-after", js_string(retry_after)),)
        type_, message = FAULT_ERRORS.get(status, FAULT_ERRORS[500 if status >= 500 else 400])
        return _Reject(status, message, type_).response(extra)

    @staticmethod
    def _authorize(request: UpstreamRequest) -> None:
        authorization = request.header("authorization") or ""
        key = authorization.removeprefix("Bearer ").strip()
        # Mock convention (as for OpenAI): a key containing "invalid" is refused too.
        if not authorization.startswith("Bearer ") or key in _NOT_KEYS or "invalid" in key:
            raise _Reject(401, MESSAGES["unauthorized"])

    def _generate(
        self, model: str, body: dict[str, Any], accept: str, *, filtered: bool
    ) -> UpstreamResponse:
        prompt = " ".join(js_string(item.get("text")) for item in body["text_prompts"])
        lowered = prompt.lower()
        if any(word in lowered for word in self._blocked):
            raise _Reject(400, MESSAGES["blocked"])
        blurred = filtered or any(word in lowered for word in self._filtered)
        width, height = int(body.get("width", 1024)), int(body.get("height", 1024))
        seed = int(body.get("seed") or derive_seed(self._seed, model, prompt, width, height))
        count = int(body.get("samples", 1))
        if accept.startswith("image/"):
            image = render_png(width, height, prompt=prompt, seed=seed, blurred=blurred)
            return UpstreamResponse(200, (("content-type", "image/png"),), image)
        reason = "CONTENT_FILTERED" if blurred else "SUCCESS"
        items = [
            {
                "base64": Base64Text(
                    render_png_b64(
                        width, height, prompt=prompt, seed=seed, index=i, blurred=blurred
                    )
                ),
                "finishReason": reason,
                "seed": seed,
                "Id": str(uuid.UUID(int=self._rng.getrandbits(128))),
            }
            for i in range(count)
        ]
        return json_response(200, items, keep=True)


def _read(raw: bytes) -> dict[str, Any]:
    try:
        body = safejson.loads(raw)
    except ValueError:
        raise _Reject(400, MESSAGES["bad_json"]) from None
    if not isinstance(body, dict):
        raise _Reject(400, MESSAGES["bad_json"])
    prompts = body.get("text_prompts")
    if (
        not isinstance(prompts, list)
        or not prompts
        or not all(isinstance(item, dict) and isinstance(item.get("text"), str) for item in prompts)
    ):
        raise _Reject(422, MESSAGES["field_required"].format(name="text_prompts"))
    for name, low, high in LIMITS:
        if name not in body:
            continue
        value = body[name]
        if not is_number(value) or (name != "cfg_scale" and value != int(value)):
            raise _Reject(422, MESSAGES["type"].format(name=name, expected="a number"))
        if not low <= value <= high:
            raise _Reject(400, MESSAGES["range"].format(name=name, low=low, high=high))
    return body
