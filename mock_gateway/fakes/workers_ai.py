"""A fake Cloudflare Workers AI: ``POST /client/v4/accounts/{account}/ai/run/{model}``.

SDXL-family models answer the PNG itself; FLUX schnell answers the Cloudflare envelope
``{"result":{"image":<base64>},"success":true,"errors":[],"messages":[]}``. Errors use the same
envelope with ``success: false`` (facts: docs/facts/providers/workers-ai.md §2; unverified ones
marked in ``workers_ai_data``).
"""

from __future__ import annotations

import base64
import re
from typing import Any

from mock_gateway.fakes.images import Base64Text, derive_seed, render_image, render_png
from mock_gateway.fakes.workers_ai_data import (
    DEFAULT_SIDE,
    FAULT_ERRORS,
    MESSAGES,
    MODELS,
    SIDE_RANGE,
    ModelRules,
)
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse, json_response
from mock_gateway.wire import safejson
from mock_gateway.wire.js import is_number, js_string

__all__ = ["WORKERS_AI_BASE_URL", "FakeWorkersAI", "envelope_error"]

WORKERS_AI_BASE_URL = "https://api.cloudflare.com/client/v4/accounts/{account}/ai/run"
_PATH = re.compile(r"(?:/.*?)?/(@(?:cf|hf)/.+)")
_NOT_KEYS = frozenset({"undefined", "null", ""})


class _Reject(Exception):
    """A Cloudflare error envelope, raised from deep in validation."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def envelope_error(
    status: int, code: int, message: str, headers: tuple[tuple[str, str], ...] = ()
) -> UpstreamResponse:
    """``{"result":null,"success":false,"errors":[{"code","message"}],"messages":[]}``."""
    body = {"result": None, "success": False, "errors": [{"code": code, "message": message}],
            "messages": []}  # fmt: skip
    return json_response(status, body, headers, keep=True)


def _reject(status: int, key: str, **values: Any) -> _Reject:
    code, text = MESSAGES[key]
    return _Reject(status, code, text.format(**values))


class FakeWorkersAI:
    """Workers AI text-to-image, deterministic per seed."""

    def __init__(
        self,
        *,
        seed: int = 0,
        blocked_words: tuple[str, ...] = (),
        filtered_words: tuple[str, ...] = (),
    ) -> None:
        self._seed, self._blocked, self._filtered = seed, blocked_words, filtered_words

    def handle(self, request: UpstreamRequest, *, filtered: bool = False) -> UpstreamResponse:
        """Answer one ``ai/run`` call; ``filtered`` gives a blurred picture (ASSUMED: how a
        filtered image looks is not documented)."""
        match = _PATH.fullmatch(request.path)
        try:
            if request.method != "POST" or match is None:
                code, message = FAULT_ERRORS[404]
                raise _Reject(404, code, message)
            self._authorize(request)
            model = match.group(1)
            rules = MODELS.get(model)
            if rules is None:
                raise _reject(400, "no_model", model=model)
            body = _read(request.body, rules)
            return self._generate(model, rules, body, filtered=filtered)
        except _Reject as reject:
            return envelope_error(reject.status, reject.code, reject.message)

    def error_response(
        self, request: UpstreamRequest, status: int, *, retry_after: float | None = None
    ) -> UpstreamResponse:
        """Cloudflare's envelope for an injected ``status`` fault."""
        extra = () if retry_after is None else (("retry-after", js_string(retry_after)),)
        code, message = FAULT_ERRORS.get(status, FAULT_ERRORS[500 if status >= 500 else 400])
        return envelope_error(status, code, message, extra)

    @staticmethod
    def _authorize(request: UpstreamRequest) -> None:
        authorization = request.header("authorization") or ""
        token = authorization.removeprefix("Bearer ").strip()
        # Mock convention (as for OpenAI): a token containing "invalid" is refused too.
        if not authorization.startswith("Bearer ") or token in _NOT_KEYS or "invalid" in token:
            raise _reject(401, "auth")

    def _generate(
        self, model: str, rules: ModelRules, body: dict[str, Any], *, filtered: bool
    ) -> UpstreamResponse:
        prompt: str = body["prompt"]
        lowered = prompt.lower()
        if any(word in lowered for word in self._blocked):
            raise _reject(400, "nsfw")
        blurred = filtered or any(word in lowered for word in self._filtered)
        width = int(body.get("width", DEFAULT_SIDE)) if rules.sized else DEFAULT_SIDE
        height = int(body.get("height", DEFAULT_SIDE)) if rules.sized else DEFAULT_SIDE
        seed = int(body.get("seed") or derive_seed(self._seed, model, prompt, width, height))
        if rules.binary:
            image = render_png(width, height, prompt=prompt, seed=seed, blurred=blurred)
            return UpstreamResponse(200, (("content-type", "image/png"),), image)
        jpeg = render_image(width, height, prompt=prompt, seed=seed, fmt="jpeg", blurred=blurred)
        result = {"image": Base64Text(base64.b64encode(jpeg).decode("ascii"))}
        answer = {"result": result, "success": True, "errors": [], "messages": []}
        return json_response(200, answer, keep=True)


def _read(raw: bytes, rules: ModelRules) -> dict[str, Any]:
    try:
        body = safejson.loads(raw)
    except ValueError:
        raise _reject(400, "bad_json") from None
    if not isinstance(body, dict):
        raise _reject(400, "bad_json")
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt:
        raise _reject(400, "required")
    if len(prompt) > rules.max_prompt:
        raise _reject(400, "too_long", limit=rules.max_prompt)
    limits = [(rules.steps_field, 1, rules.max_steps)]
    if rules.sized:
        limits += [("height", *SIDE_RANGE), ("width", *SIDE_RANGE)]
    for name, low, high in limits:
        if name not in body:
            continue
        value = body[name]
        if not is_number(value) or value != int(value):
            raise _reject(400, "type", name=name, expected="an integer")
        if value > high:
            raise _reject(400, "maximum", name=name, limit=high)
        if value < low:
            raise _reject(400, "minimum", name=name, limit=low)
    return body
