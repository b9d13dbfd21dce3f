"""Fake OpenAI-compatible image APIs (recraft-ai, deepbricks, lemonfox-ai, nscale).

One class, ``FakeOpenAILike``, parameterised by a provider's ``Spec``
(``fakes/openai_like_data.py``): ``POST /v1/images/generations`` with a Bearer key, the
provider's validation and error shape, real PNGs of the asked size, as signed URLs on the
mock (``fakes/blobs.py``) or base64. On the upstream role each provider is served under
``/<slug>`` (``fakes/provider_app.py``), so the path may carry that prefix.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from mock_gateway.fakes.blobs import BlobStore
from mock_gateway.fakes.images import derive_seed, render_png, render_png_b64
from mock_gateway.fakes.openai_like_data import Spec, aspect_sizes
from mock_gateway.upstream import (
    UpstreamRequest,
    UpstreamResponse,
    json_response,
    unsupported_response,
)
from mock_gateway.wire import safejson

__all__ = ["FakeOpenAILike", "Reject", "bearer_key", "json_object", "local_path"]

_NOT_KEYS = frozenset({"", "undefined", "null"})


class Reject(Exception):
    """A provider error answer: status, a short code, the message and the field."""

    def __init__(self, status: int, code: str, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.param = status, code, message, param


def local_path(path: str, provider: str) -> str:
    """The path without the ``/<slug>`` prefix the upstream role serves the provider under."""
    prefix = f"/{provider}"
    return path[len(prefix) :] if path == prefix or path.startswith(prefix + "/") else path


def bearer_key(request: UpstreamRequest) -> str | None:
    """The Bearer key, or ``None`` when there is none a provider would take. A key containing
    ``invalid`` is refused too (the mock's convention, as for OpenAI)."""
    authorization = request.header("authorization") or ""
    if not authorization.startswith("Bearer "):
        return None
    key = authorization.removeprefix("Bearer ").strip()
    return None if key in _NOT_KEYS or "invalid" in key else key


def json_object(raw: bytes) -> dict[str, Any]:
    """The body as a JSON object, or a 400."""
    try:
        body = safejson.loads(raw)
    except ValueError:
        raise Reject(400, "invalid_json", "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise Reject(400, "invalid_json", "The request body must be a JSON object.")
    return body


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    return {int: "integer", float: "number", str: "string", list: "array", dict: "object"}.get(
        type(value), "null"
    )


class FakeOpenAILike:
    """One OpenAI-compatible provider's image generation, deterministic per seed."""

    def __init__(
        self,
        spec: Spec,
        *,
        blobs: BlobStore,
        clock: Callable[[], float],
        seed: int = 0,
        blocked_words: tuple[str, ...] = (),
    ) -> None:
        self.spec = spec
        self._blobs, self._clock, self._seed, self._blocked = blobs, clock, seed, blocked_words
        self._rng = random.Random(f"{spec.provider}-{seed}")

    def handle(self, request: UpstreamRequest, *, filtered: bool = False) -> UpstreamResponse:
        """Answer one request as the provider would."""
        path = local_path(request.path, self.spec.provider)
        try:
            if request.method != "POST" or path != self.spec.path:
                raise Reject(404, "not_found", f"Unknown request URL: {request.method} {path}.")
            if bearer_key(request) is None:
                raise Reject(401, "invalid_api_key", "Invalid or missing API key.")
            body = json_object(request.body)
            return self._generate(body, filtered=filtered)
        except Reject as reject:
            return self.reject_response(reject)

    def error_response(
        self, request: UpstreamRequest, status: int, *, retry_after: float | None = None
    ) -> UpstreamResponse:
        """The provider's error body for an injected ``status`` fault."""
        if status == 429:
            reject = Reject(429, "rate_limit_exceeded", "Rate limit exceeded.")
        elif status >= 500:
            reject = Reject(status, "server_error", "The server had an error.")
        else:
            reject = Reject(status, "error", f"HTTP {status}")
        extra = () if retry_after is None else (("retry-after", f"{retry_after:g}"),)
        return self.reject_response(reject, extra)

    def reject_response(
        self, reject: Reject, headers: tuple[tuple[str, str], ...] = ()
    ) -> UpstreamResponse:
        """``reject`` in the provider's error shape."""
        shape = self.spec.error_shape
        if shape == "code-message":
            body: Any = {"code": reject.code, "message": reject.message}
        else:  # "openai"
            kind = "invalid_request_error" if reject.status < 500 else "server_error"
            error = {"message": reject.message, "type": kind, "param": reject.param,
                     "code": reject.code}  # fmt: skip
            body = {"error": error}
        return json_response(reject.status, body, headers)

    # -- validation -------------------------------------------------------------------------

    def _model(self, body: dict[str, Any]) -> str | None:
        spec = self.spec
        if "" in spec.models:
            return None  # the provider picks its own model; `model` is not looked at
        model = body.get(spec.model_field, spec.default_model)
        if model is None:
            raise Reject(400, "missing_required_parameter", f"'{spec.model_field}' is required.",
                         spec.model_field)  # fmt: skip
        if not isinstance(model, str) or model not in spec.models:
            shown = model if isinstance(model, str) else safejson.dumps(model).decode()
            raise Reject(400, "model_not_found", f"The model '{shown}' does not exist.",
                         spec.model_field)  # fmt: skip
        return model

    def _prompt(self, body: dict[str, Any], model: str | None) -> str:
        prompt = body.get("prompt")
        if prompt is None or prompt == "":
            raise Reject(400, "missing_required_parameter", "'prompt' is required.", "prompt")
        if not isinstance(prompt, str):
            raise Reject(400, "invalid_type", f"'prompt' must be a string, not {_kind(prompt)}.",
                         "prompt")  # fmt: skip
        limit = self.spec.prompt_limits.get(model or "", self.spec.prompt_limit)
        if len(prompt) > limit:
            raise Reject(400, "string_above_max_length",
                         f"'prompt' is too long: {len(prompt)} characters, at most {limit}.",
                         "prompt")  # fmt: skip
        return prompt

    def _size(self, body: dict[str, Any], model: str | None) -> tuple[int, int]:
        spec = self.spec
        sizes = spec.models[model or ""]
        size = body.get("size", spec.default_size if spec.default_size in sizes else sizes[0])
        if spec.aspect_sizes and isinstance(size, str):
            size = aspect_sizes(sizes).get(size, size)  # Recraft also takes `w:h`
        if not isinstance(size, str) or size not in sizes:
            raise Reject(400, "invalid_size",
                         f"Invalid size {safejson.dumps(size).decode()}; supported: "
                         f"{', '.join(sizes)}.", "size")  # fmt: skip
        width, height = (int(side) for side in size.split("x"))
        return width, height

    def _count(self, body: dict[str, Any]) -> int:
        low, high = self.spec.n_range
        n = body.get("n", 1)
        if isinstance(n, bool) or not isinstance(n, int) or not low <= n <= high:
            raise Reject(400, "invalid_value", f"'n' must be an integer from {low} to {high}.",
                         "n")  # fmt: skip
        return n

    def _format(self, body: dict[str, Any]) -> str:
        fmt = body.get("response_format", self.spec.default_format)
        if fmt not in self.spec.formats:
            raise Reject(400, "invalid_value", f"'response_format' must be one of: "
                         f"{', '.join(self.spec.formats)}.", "response_format")  # fmt: skip
        return str(fmt)

    def _style(self, body: dict[str, Any]) -> None:
        style = body.get("style")
        if style is None or not self.spec.styles:
            return
        if style in self.spec.vector_styles:
            raise _Unsupported(f"{self.spec.provider}'s vector style {style!r} (it answers SVG)")
        if style not in self.spec.styles:
            raise Reject(400, "invalid_style", f"Invalid style {safejson.dumps(style).decode()}; "
                         f"supported: {', '.join(self.spec.styles)}.", "style")  # fmt: skip

    # -- answer -----------------------------------------------------------------------------

    def _generate(self, body: dict[str, Any], *, filtered: bool) -> UpstreamResponse:
        model = self._model(body)
        prompt = self._prompt(body, model)
        (width, height), count, fmt = self._size(body, model), self._count(body), self._format(body)
        try:
            self._style(body)
        except _Unsupported as what:
            return unsupported_response(str(what))
        if filtered or any(word in prompt.lower() for word in self._blocked):
            raise Reject(400, "content_policy_violation",
                         "Your request was rejected by the safety system.", "prompt")  # fmt: skip
        seed = derive_seed(self._seed, self.spec.provider, model or "", prompt, width, height)
        created = int(self._clock())
        items = [self._item(fmt, width, height, prompt, seed, i, created) for i in range(count)]
        answer: dict[str, Any] = {"created": created, "data": items}
        if self.spec.credits_per_image is not None:
            answer["credits"] = self.spec.credits_per_image * count
        return json_response(200, answer, keep=True)

    def _item(
        self, fmt: str, width: int, height: int, prompt: str, seed: int, index: int, created: int
    ) -> dict[str, Any]:
        if fmt == "b64_json":
            return {
                "b64_json": render_png_b64(width, height, prompt=prompt, seed=seed, index=index)
            }
        image = render_png(width, height, prompt=prompt, seed=seed, index=index)
        token = f"{self._rng.getrandbits(128):032x}"
        url = self._blobs.put(
            image, name=f"{self.spec.provider}-{token}.png", content_type="image/png",
            created=created,
        )  # fmt: skip
        if self.spec.image_ids:
            image_id = f"{token[:8]}-{token[8:12]}-{token[12:16]}-{token[16:20]}-{token[20:]}"
            return {"image_id": image_id, "url": url}
        return {"url": url}


class _Unsupported(Exception):
    """Something real the mock does not draw."""
