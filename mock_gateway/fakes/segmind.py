"""A fake Segmind: ``POST /v1/{model-slug}`` (synchronous text-to-image), answered in-process.

By default Segmind answers the picture itself (``image/jpeg``); with ``base64: true`` (which the
gateway always sends) JSON ``{"image": <base64>, "status", "infer_time"}``. Errors are
``{"error": "<message>"}`` (facts: docs/facts/providers/segmind.md §2; unverified ones marked
in ``segmind_data``).
"""

from __future__ import annotations

import base64
import re
from typing import Any

from mock_gateway.fakes.images import Base64Text, derive_seed, render_image
from mock_gateway.fakes.segmind_data import DEFAULTS, FAULT_ERRORS, MESSAGES, MODELS, RANGES
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse, json_response
from mock_gateway.wire import safejson
from mock_gateway.wire.js import is_number, js_string

__all__ = ["SEGMIND_BASE_URL", "FakeSegmind"]

SEGMIND_BASE_URL = "https://api.segmind.com/v1"
_MODEL_PATH = re.compile(r"(?:/.*)?/v1/([^/]+)")
_NOT_KEYS = frozenset({"undefined", "null", ""})
_INFER_TIME = 2.15  # ASSUMED: a plausible `infer_time` (seconds); the mock takes none
_BOOLEANS = ("refiner", "base64")


class _Reject(Exception):
    """A Segmind error answer, raised from deep in validation."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _error(
    status: int, message: str, headers: tuple[tuple[str, str], ...] = ()
) -> UpstreamResponse:
    return json_response(status, {"error": message}, headers, keep=True)


class FakeSegmind:
    """Segmind's synchronous ``/v1/{slug}`` text-to-image, deterministic per seed."""

    def __init__(
        self,
        *,
        seed: int = 0,
        blocked_words: tuple[str, ...] = (),
        filtered_words: tuple[str, ...] = (),
    ) -> None:
        self._seed, self._blocked, self._filtered = seed, blocked_words, filtered_words

    def handle(self, request: UpstreamRequest, *, filtered: bool = False) -> UpstreamResponse:
        """Answer one request to ``api.segmind.com``.

        ``filtered`` (or a prompt with a filtered word) gives a blurred picture, as an NSFW
        filter would (ASSUMED: Segmind's filtered answer is not documented).
        """
        match = _MODEL_PATH.fullmatch(request.path)
        try:
            if match is None or match.group(1) not in MODELS:
                raise _Reject(404, MESSAGES["not_found"])
            if request.method != "POST":
                raise _Reject(405, MESSAGES["method"])
            key = request.header("x-api-key")
            # Mock convention (as for OpenAI): a key containing "invalid" is refused too.
            if key is None or key in _NOT_KEYS or "invalid" in key:
                raise _Reject(401, MESSAGES["unauthorized"])
            body = _read(request.body)
            return self._generate(match.group(1), body, filtered=filtered)
        except _Reject as reject:
            return _error(reject.status, reject.message)

    def error_response(
        self, request: UpstreamRequest, status: int, *, retry_after: float | None = None
    ) -> UpstreamResponse:
        """Segmind's error body for an injected ``status`` fault."""
        extra = () if retry_after is None else (("retry-after", js_string(retry_after)),)
        message = FAULT_ERRORS.get(
            status, FAULT_ERRORS[500] if status >= 500 else FAULT_ERRORS[400]
        )
        return _error(status, message, extra)

    def _generate(self, model: str, body: dict[str, Any], *, filtered: bool) -> UpstreamResponse:
        prompt = body["prompt"]
        lowered = prompt.lower()
        if any(word in lowered for word in self._blocked):
            raise _Reject(400, MESSAGES["blocked"])
        blurred = filtered or any(word in lowered for word in self._filtered)
        width, height = (
            int(body.get(side, DEFAULTS[side])) for side in ("img_width", "img_height")
        )
        count = int(body.get("samples", DEFAULTS["samples"]))
        seed = body.get("seed") or derive_seed(self._seed, model, prompt, width, height)
        images = [
            render_image(
                width, height, prompt=prompt, seed=int(seed), index=i, fmt="jpeg", blurred=blurred
            )
            for i in range(count)
        ]
        if not body.get("base64", DEFAULTS["base64"]):
            # FROM DOCS: the picture itself. ASSUMED: only the first of several samples.
            return UpstreamResponse(200, (("content-type", "image/jpeg"),), images[0])
        encoded = [Base64Text(base64.b64encode(image).decode("ascii")) for image in images]
        # ASSUMED: one image is a string, several a list (the gateway reads both).
        answer = {
            "image": encoded[0] if count == 1 else encoded,
            "status": "Success",
            "infer_time": _INFER_TIME,
        }
        return json_response(200, answer, keep=True)


def _read(raw: bytes) -> dict[str, Any]:
    try:
        body = safejson.loads(raw)
    except ValueError:
        raise _Reject(400, MESSAGES["bad_json"]) from None
    if not isinstance(body, dict):
        raise _Reject(400, MESSAGES["bad_json"])
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise _Reject(400, MESSAGES["no_prompt"])
    for name, (low, high) in RANGES.items():
        if name not in body:
            continue
        value = body[name]
        if not is_number(value):
            raise _Reject(400, MESSAGES["type"].format(name=name, expected="a number"))
        if not low <= value <= high:
            raise _Reject(400, MESSAGES["range"].format(name=name, low=low, high=high))
    for name in _BOOLEANS:
        if name in body and not isinstance(body[name], bool):
            raise _Reject(400, MESSAGES["type"].format(name=name, expected="a boolean"))
    if "seed" in body and (not is_number(body["seed"]) or body["seed"] < -1):
        raise _Reject(400, MESSAGES["type"].format(name="seed", expected="an integer"))
    return body
