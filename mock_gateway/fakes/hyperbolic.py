"""A fake Hyperbolic image API: ``POST /v1/image/generation`` (``HYPERBOLIC`` in
``fakes/openai_like_data.py``).

Hyperbolic requires ``model_name``; the gateway's unified route sends ``model``, so through
it the fake answers the validation error a real Hyperbolic gives (422, ASSUMED FastAPI-style),
which the gateway passes on raw. The proxy route, speaking Hyperbolic's own API, succeeds:
``{"images":[{"index":0,"image":"<base64 PNG>"}],"inference_time":...}``.
"""

from __future__ import annotations

from typing import Any

from mock_gateway.fakes.images import derive_seed, render_png_b64
from mock_gateway.fakes.openai_like import FakeOpenAILike, Reject
from mock_gateway.upstream import UpstreamResponse, json_response

__all__ = ["FakeHyperbolic"]

_SIDES = (64, 2048)  # ASSUMED


class FakeHyperbolic(FakeOpenAILike):
    """Hyperbolic's text-to-image, one image per call."""

    def reject_response(
        self, reject: Reject, headers: tuple[tuple[str, str], ...] = ()
    ) -> UpstreamResponse:
        """FastAPI's shapes (ASSUMED): a ``detail`` list for validation, else a string."""
        if reject.status == 422:
            item = {"type": reject.code, "loc": ["body", reject.param], "msg": reject.message}
            return json_response(422, {"detail": [item]}, headers)
        return json_response(reject.status, {"detail": reject.message}, headers)

    def _side(self, body: dict[str, Any], name: str) -> int:
        value = body.get(name, 1024)
        low, high = _SIDES
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise Reject(422, "value_error", f"{name} must be an integer from {low} to {high}",
                         name)  # fmt: skip
        return value

    def _generate(self, body: dict[str, Any], *, filtered: bool) -> UpstreamResponse:
        missing = [name for name in ("model_name", "prompt") if name not in body]
        if missing:
            raise Reject(422, "missing", "Field required", missing[0])
        model = body["model_name"]
        if model not in self.spec.models:
            raise Reject(422, "value_error", f"Model {model} is not supported", "model_name")
        prompt = body["prompt"]
        if not isinstance(prompt, str) or not prompt:
            raise Reject(422, "string_type", "Input should be a valid string", "prompt")
        width, height = self._side(body, "width"), self._side(body, "height")
        if filtered or any(word in prompt.lower() for word in self._blocked):
            raise Reject(400, "content_policy", "The prompt was flagged by the safety filter.")
        seed = derive_seed(self._seed, "hyperbolic", model, prompt, width, height)
        image = render_png_b64(width, height, prompt=prompt, seed=seed)
        # inference_time: as in the facts' measured example (value ASSUMED).
        answer = {"images": [{"index": 0, "image": image}], "inference_time": 1.5}
        return json_response(200, answer, keep=True)
