"""A fake SiliconFlow image API: ``POST /v1/images/generations`` (``SILICONFLOW`` in
``fakes/openai_like_data.py``).

SiliconFlow takes ``model`` in the body and answers ``{"images":[{"url":...}],"timings":
{"inference":...},"seed":...}`` with URLs valid for an hour. The gateway calls the outdated
``/v1/{model}/text-to-image`` path, which the fake answers 404 (ASSUMED: the current
reference has no such path), in SiliconFlow's ``{code, message, data}`` shape, which the
gateway passes on raw.
"""

from __future__ import annotations

import re
from typing import Any

from mock_gateway.fakes.images import derive_seed, render_png
from mock_gateway.fakes.openai_like import FakeOpenAILike, Reject
from mock_gateway.upstream import UpstreamResponse, json_response

__all__ = ["FakeSiliconFlow"]

_SIZE = re.compile(r"(\d{1,5})x(\d{1,5})")
_SIDES = (64, 2048)  # ASSUMED
# SiliconFlow's error codes (ASSUMED but 20012, the facts' measured example).
_CODES = {"model_not_found": 20012, "invalid_api_key": 20001, "not_found": 20404,
          "rate_limit_exceeded": 50603, "server_error": 50500}  # fmt: skip


class FakeSiliconFlow(FakeOpenAILike):
    """SiliconFlow's image generation."""

    def reject_response(
        self, reject: Reject, headers: tuple[tuple[str, str], ...] = ()
    ) -> UpstreamResponse:
        """``{"code": <int>, "message": ..., "data": null}`` (ASSUMED)."""
        message = "Model does not exist." if reject.code == "model_not_found" else reject.message
        body = {"code": _CODES.get(reject.code, 20015), "message": message, "data": None}
        return json_response(reject.status, body, headers)

    def _size(self, body: dict[str, Any], model: str | None) -> tuple[int, int]:
        size = body.get("image_size", self.spec.default_size)
        match = _SIZE.fullmatch(size) if isinstance(size, str) else None
        low, high = _SIDES
        if match is None or not all(low <= int(side) <= high for side in match.groups()):
            raise Reject(400, "invalid_size", "image_size must be WxH, each side from "
                         f"{low} to {high}", "image_size")  # fmt: skip
        return int(match.group(1)), int(match.group(2))

    def _numbers(self, body: dict[str, Any], model: str) -> int:
        checks = (("batch_size", 1, 4), ("num_inference_steps", 1, 100),
                  ("guidance_scale", 0, 20), ("seed", 0, 9999999999))  # fmt: skip
        for name, low, high in checks:
            value = body.get(name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise Reject(400, "invalid_value", f"{name} must be a number", name)
            if not low <= value <= high:
                raise Reject(400, "invalid_value", f"{name} must be from {low} to {high}", name)
        batch = body.get("batch_size", 1)
        # batch_size applies to Kwai-Kolors/Kolors only (FROM DOCS): one image for the others.
        return int(batch) if model == "Kwai-Kolors/Kolors" else 1

    def _generate(self, body: dict[str, Any], *, filtered: bool) -> UpstreamResponse:
        model = self._model(body)
        assert model is not None  # `model` is required: _model refuses a missing one
        prompt = self._prompt(body, model)
        width, height = self._size(body, model)
        count = self._numbers(body, model)
        if filtered or any(word in prompt.lower() for word in self._blocked):
            raise Reject(400, "content_policy", "The prompt contains sensitive content.")
        drawn = body.get("seed")
        seed = drawn if isinstance(drawn, int) else self._rng.randrange(10**9)
        created = int(self._clock())
        pixels = derive_seed(self._seed, "siliconflow", model, prompt, width, height, seed)
        urls = []
        for index in range(count):
            image = render_png(width, height, prompt=prompt, seed=pixels, index=index)
            name = f"siliconflow-{self._rng.getrandbits(128):032x}.png"
            urls.append(self._blobs.put(image, name=name, content_type="image/png",
                                        created=created))  # fmt: skip
        answer = {"images": [{"url": url} for url in urls], "timings": {"inference": 1.2},
                  "seed": seed}  # fmt: skip
        return json_response(200, answer, keep=True)
