"""A fake Stability AI: its own v1 and v2beta APIs, answered in-process.

It sees exactly the request the gateway would put on the wire (path, headers, body bytes),
so gateway quirks such as the missing ``/v1`` or the ``[object Object]`` body meet the same
404 or 400 that real Stability would give them.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Callable
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
from mock_gateway.fakes.stability_edits import StabilityImages
from mock_gateway.fakes.stability_edits_data import V2_EDITS
from mock_gateway.fakes.stability_v1_edits import V1_EDIT_MODES, v1_edit
from mock_gateway.fakes.stability_wire import (
    StabilityReject as _Reject,
)
from mock_gateway.fakes.stability_wire import (
    accepts,
    authorize,
    form_fields,
    image_headers,
    missing_field,
    v2_image_answer,
)
from mock_gateway.upstream import (
    UpstreamRequest,
    UpstreamResponse,
    json_response,
)
from mock_gateway.wire import safejson
from mock_gateway.wire.js import js_string

__all__ = ["STABILITY_BASE_URL", "FakeStability"]

STABILITY_BASE_URL = "https://api.stability.ai"
_V1_CONTRACT = "stability/v1-text-to-image-request.json"
_V2_CONTRACT = "stability/v2beta-generate-request.json"
_V2_MAX_BODY = 10 * 1024 * 1024  # v2beta: 413 payload_too_large over 10 MiB (spec)
_ENGINE_IDS = frozenset(entry["id"] for entry in ENGINES)
_CREATIVE_RESULT = "upscale/creative/result/"
_V1_DEFAULTS = {"height": 512, "width": 512, "samples": 1, "seed": 0}


class FakeStability:
    """Stability's v1 text-to-image, image-to-image, masking, upscale and engines list, and its
    v2beta generate, edit, upscale, control and results endpoints; deterministic per seed."""

    def __init__(
        self,
        *,
        seed: int = 0,
        blocked_words: tuple[str, ...] = (),
        filtered_words: tuple[str, ...] = (),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._seed, self._clock = seed, clock
        self._blocked, self._filtered = blocked_words, filtered_words
        self.reset()

    def _flagged(self, prompt: str, words: tuple[str, ...]) -> bool:
        lowered = prompt.lower()
        return any(word in lowered for word in words)

    def reset(self) -> None:
        """Restart the id sequence and forget the asynchronous results, as a fresh instance
        with the same seed would."""
        self._rng = random.Random(self._seed)
        self._images = StabilityImages(
            seed=self._seed,
            rng=self._rng,
            clock=self._clock,
            request_id=self.request_id,
            blocked=lambda prompt: self._flagged(prompt, self._blocked),
            filtered=lambda prompt: self._flagged(prompt, self._filtered),
        )

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
            authorize(request)
            return json_response(200, list(ENGINES))
        is_v2 = parts[:3] == ["v2beta", "stable-image", "generate"] and len(parts) == 4
        if method == "POST" and is_v2 and parts[3] in V2_ENDPOINTS:
            return self._generate_v2(request, parts[3], filtered)
        answer = self._route_images(request, parts, filtered)
        if answer is not None:
            return answer
        raise _Reject(404, "not_found", MESSAGES["route_not_found"].format(path=request.path))

    def _route_images(
        self, request: UpstreamRequest, parts: list[str], filtered: bool
    ) -> UpstreamResponse | None:
        """The images-in endpoints (fakes/stability_v1_edits.py, fakes/stability_edits.py)."""
        rest = "/".join(parts[3:])
        if request.method == "POST" and parts[:2] == ["v1", "generation"] and rest in V1_EDIT_MODES:

            def blurred(prompt: str) -> bool:  # v1 filters per artifact, with a 200
                return filtered or self._flagged(prompt, self._blocked + self._filtered)

            return v1_edit(request, parts[2], rest, seed=self._seed, blurred=blurred)
        if parts[:2] != ["v2beta", "stable-image"] and parts[:2] != ["v2beta", "results"]:
            return None
        endpoint = "/".join(parts[2:])
        if request.method == "POST" and endpoint in V2_EDITS and parts[2] != "generate":
            return self._images.post(request, endpoint, filtered=filtered)
        if request.method == "GET" and len(parts) == 3 and parts[1] == "results":
            return self._images.result(request, parts[2])
        if request.method == "GET" and endpoint.startswith(_CREATIVE_RESULT) and len(parts) == 6:
            return self._images.result(request, parts[5])  # the spec's own polling path (§4)
        return None

    def request_id(self) -> str:
        """The next ``x-request-id`` of an image answer, from the seeded sequence."""
        return uuid.UUID(int=self._rng.getrandbits(128), version=4).hex

    def _error(self, reject: _Reject, *, v2: bool) -> UpstreamResponse:
        error_id = str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
        if v2:  # v2beta errors carry a list of messages
            return json_response(
                reject.status, {"id": error_id, "name": reject.name, "errors": [reject.message]}
            )
        return json_response(
            reject.status, {"id": error_id, "name": reject.name, "message": reject.message}
        )

    # -- v1 ---------------------------------------------------------------------------------

    def _text_to_image(
        self, request: UpstreamRequest, engine: str, filtered: bool
    ) -> UpstreamResponse:
        authorize(request)
        if engine not in _ENGINE_IDS:
            raise _Reject(404, "not_found", MESSAGES["engine_not_found"].format(engine=engine))
        body = self._v1_body(request.body)
        wants_png = accepts(request, "image/png")
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
            return UpstreamResponse(200, image_headers("png", finish, seed, len(png)), png)
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
        authorize(request)
        if len(request.body) > _V2_MAX_BODY:
            _, _, name, message = FAULT_ERRORS[413]
            raise _Reject(413, name, message)
        fields = form_fields(request)
        error = first_error(_V2_CONTRACT, fields, endpoint)
        if error is not None:
            missing = missing_field(error)
            if missing is not None:
                raise _Reject(400, "bad_request", MESSAGES["v2_missing"].format(field=missing))
            raise _Reject(400, "bad_request", describe(error))
        if "image" in fields and (endpoint == "ultra" or fields.get("mode") == "image-to-image"):
            # Image-to-image: the image is checked and carried into the answer (§3).
            return self._images.post(
                request, f"generate/{endpoint}", filtered=filtered, fields=fields
            )
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
        return v2_image_answer(request, image, fmt, finish, seed, self.request_id)


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
