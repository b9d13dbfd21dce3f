"""Stability v2beta's images-in endpoints: ``stable-image/edit/*``, ``upscale/*``,
``control/*`` and ``generate/{ultra,sd3}`` with an image, and the asynchronous results of
creative upscale and replace-background-and-relight (docs/facts/stability-edits.md §2-4).

Asynchronous: the POST answers 200 ``{"id"}``; ``GET /v2beta/results/{id}`` (and the spec's
``/v2beta/stable-image/upscale/creative/result/{id}``) answers 202 in-progress for a seeded
number of polls (``ASYNC_POLLS``; ``x-mock-async-polls: N`` on the POST sets it), or until
the mock's clock has moved on ``ASYNC_SECONDS``, then the image.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw, ImageOps

from mock_gateway.contract_tools.contracts import describe, first_error
from mock_gateway.fakes.images import derive_seed
from mock_gateway.fakes.stability_data import FAULT_ERRORS, MESSAGES, ONE_MP_SIZES
from mock_gateway.fakes.stability_edits_data import (
    ASYNC_POLLS,
    ASYNC_SECONDS,
    EDIT_MESSAGES,
    V2_EDITS,
    V2Endpoint,
)
from mock_gateway.fakes.stability_inputs import InputPicture, open_image
from mock_gateway.fakes.stability_render import Box, derive_image, fit_pixels, mask_from_alpha
from mock_gateway.fakes.stability_wire import (
    StabilityReject,
    api_key,
    authorize,
    form_fields,
    missing_field,
    v2_image_answer,
)
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse, json_response

__all__ = ["StabilityImages"]

_MAX_BODY = 10 * 1024 * 1024  # 413 payload_too_large over 10 MiB (§2)
_KEPT = 24 * 3600.0  # "Results are stored for 24 hours after generation." (§4)
_MAX_POLLS = 1000
_MAX_JOBS = 256  # results kept at once (each holds its image); an older id answers 404
# The prompt-like fields the content filter reads.
_PROMPTS = ("prompt", "search_prompt", "select_prompt", "background_prompt", "foreground_prompt")


@dataclass
class _Job:
    key: str
    created: float
    polls_left: int
    image: bytes
    fmt: str
    finish: str
    seed: int


def _reject(message: str, status: int = 400, name: str = "bad_request") -> StabilityReject:
    return StabilityReject(status, name, message)


class StabilityImages:
    """The v2beta images-in endpoints of one fake Stability (its seed, clock and words)."""

    def __init__(
        self,
        *,
        seed: int,
        rng: random.Random,
        clock: Callable[[], float],
        request_id: Callable[[], str],
        blocked: Callable[[str], bool],
        filtered: Callable[[str], bool],
    ) -> None:
        self._seed, self._rng, self._clock, self._request_id = seed, rng, clock, request_id
        self._blocked, self._filtered = blocked, filtered
        self._jobs: dict[str, _Job] = {}

    def post(
        self,
        request: UpstreamRequest,
        endpoint: str,
        *,
        filtered: bool = False,
        fields: dict[str, Any] | None = None,
    ) -> UpstreamResponse:
        """Answer ``POST /v2beta/stable-image/<endpoint>`` (a key of ``V2_EDITS``).

        ``fields``: the form already read and checked (generate/* in image-to-image mode).
        """
        spec = V2_EDITS[endpoint]
        if fields is None:
            authorize(request)
            if len(request.body) > _MAX_BODY:
                _, _, name, message = FAULT_ERRORS[413]
                raise _reject(message, 413, name)
            fields = form_fields(request)
            _check_form(endpoint, fields)
        images = {
            name: open_image(name, fields[name], rule)
            for name, rule in spec.images.items()
            if name in fields
        }
        prompt = " ".join(str(fields[name]) for name in _PROMPTS if name in fields)
        if filtered or self._blocked(prompt):
            # v2beta refuses a flagged request outright: 403 content_moderation (spec).
            _, _, name, message = FAULT_ERRORS[403]
            raise _reject(message, 403, name)
        blurred = self._filtered(prompt)
        fmt = str(fields.get("output_format", "png"))
        source = next(iter(images.values()))
        seed = fields.get("seed") or derive_seed(self._seed, endpoint, prompt, *source.size)
        image = _render(endpoint, spec, fields, images, prompt, seed, fmt, blurred)
        finish = "CONTENT_FILTERED" if blurred else "SUCCESS"
        if spec.asynchronous:
            polls = _polls(request, self._rng)
            job = _Job(api_key(request), self._clock(), polls, image, fmt, finish, seed)
            return self._start(job)
        return v2_image_answer(request, image, fmt, finish, seed, self._request_id)

    def _start(self, job: _Job) -> UpstreamResponse:
        job_id = f"{self._rng.getrandbits(256):064x}"  # a GenerationID: 64 characters (§4)
        if len(self._jobs) >= _MAX_JOBS:  # a long-lived server keeps the newest only
            del self._jobs[next(iter(self._jobs))]
        self._jobs[job_id] = job
        return json_response(200, {"id": job_id})

    def result(self, request: UpstreamRequest, job_id: str) -> UpstreamResponse:
        """Answer ``GET /v2beta/results/{id}``: 202 while running, then the image; 404 for an
        unknown or expired id, or another key's ("use the same API key", §4)."""
        authorize(request)
        job = self._jobs.get(job_id)
        now = self._clock()
        if job is None or job.key != api_key(request) or now - job.created > _KEPT:
            raise _reject(EDIT_MESSAGES["not_found"], 404, "generation_not_found")
        if job.polls_left > 0 and now - job.created < ASYNC_SECONDS:
            job.polls_left -= 1
            return json_response(202, {"id": job_id, "status": "in-progress"})
        # ASSUMED: a finished result can be fetched again while it is kept (not stated).
        return v2_image_answer(request, job.image, job.fmt, job.finish, job.seed, self._request_id)


def _polls(request: UpstreamRequest, rng: random.Random) -> int:
    sent = (request.header("x-mock-async-polls") or "").strip()
    if sent.isdigit():
        return min(int(sent), _MAX_POLLS)
    return rng.randint(*ASYNC_POLLS)


def _contract(endpoint: str) -> tuple[str, str]:
    family, _, name = endpoint.partition("/")
    return f"stability/v2beta-{family}-request.json", name


def _check_form(endpoint: str, fields: dict[str, Any]) -> None:
    name, definition = _contract(endpoint)
    error = first_error(name, fields, definition)
    if error is not None:
        missing = missing_field(error)
        if missing is not None:
            raise _reject(MESSAGES["v2_missing"].format(field=missing))
        raise _reject(describe(error))
    if endpoint == "edit/outpaint" and not any(
        fields.get(side) for side in ("left", "right", "up", "down")
    ):
        raise _reject(EDIT_MESSAGES["outpaint_margin"])
    if endpoint == "edit/replace-background-and-relight":
        if "background_reference" not in fields and "background_prompt" not in fields:
            raise _reject(EDIT_MESSAGES["background"])
        # light_source_strength "requires light_reference or light_source_direction" (§3)
        lit = "light_reference" in fields or "light_source_direction" in fields
        if "light_source_strength" in fields and not lit:
            raise _reject(EDIT_MESSAGES["light"])


def _size(spec: V2Endpoint, fields: dict[str, Any], source: InputPicture) -> tuple[int, int]:
    width, height = source.size
    kind, value = spec.output.kind, spec.output.value
    if kind == "scale":
        return int(width * value), int(height * value)
    if kind == "pixels":
        return fit_pixels(width, height, int(value))
    if kind == "ratio":
        return ONE_MP_SIZES[str(fields.get("aspect_ratio", "1:1"))]
    if kind == "outpaint":
        return (width + fields.get("left", 0) + fields.get("right", 0),
                height + fields.get("up", 0) + fields.get("down", 0))  # fmt: skip
    return width, height


def _centre(size: tuple[int, int], *, ellipse: bool = False, invert: bool = False) -> Image.Image:
    """ASSUMED: what search-and-replace "finds", and the subject relight keeps: the centre."""
    mask = Image.new("L", size, 0)
    width, height = size
    box = (width // 4, height // 4, width * 3 // 4, height * 3 // 4)
    draw = ImageDraw.Draw(mask)
    if ellipse:
        draw.ellipse((width // 8, height // 8, width * 7 // 8, height * 7 // 8), 255)
    else:
        draw.rectangle(box, 255)
    return ImageOps.invert(mask) if invert else mask


def _half(fields: dict[str, Any]) -> float:
    return 0.5


# How much of the input each endpoint changes (0 keeps it, 1 replaces it), from its fields.
_CHANGE: dict[str, Callable[[dict[str, Any]], float]] = {
    "edit/outpaint": lambda f: 0.0,
    "edit/remove-background": lambda f: 0.0,
    "upscale/fast": lambda f: 0.0,
    "upscale/conservative": lambda f: float(f.get("creativity", 0.35)),
    "upscale/creative": lambda f: float(f.get("creativity", 0.3)),
    "control/sketch": lambda f: 1 - float(f.get("control_strength", 0.7)),
    "control/structure": lambda f: 1 - float(f.get("control_strength", 0.7)),
    "control/style": lambda f: 1 - float(f.get("fidelity", 0.5)),
    "control/style-transfer": lambda f: float(f.get("change_strength", 0.9)),
    "generate/ultra": lambda f: float(f.get("strength", 0.5)),
    "generate/sd3": lambda f: float(f.get("strength", 0.5)),
}


def _mask(
    endpoint: str, images: dict[str, InputPicture], size: tuple[int, int]
) -> Image.Image | None:
    source = next(iter(images.values()))
    if endpoint in ("edit/erase", "edit/inpaint"):
        # The mask wins over the image's alpha; it is resized to the image (§3). ASSUMED:
        # with neither, nothing is changed (not stated).
        mask = (
            images["mask"].image.convert("L") if "mask" in images else mask_from_alpha(source.image)
        )
        return mask if mask is not None else Image.new("L", size, 0)
    if endpoint in ("edit/search-and-replace", "edit/search-and-recolor"):
        return _centre(size)
    if endpoint == "edit/replace-background-and-relight":
        return _centre(size, ellipse=True, invert=True)  # the background is replaced
    return None


def _render(
    endpoint: str,
    spec: V2Endpoint,
    fields: dict[str, Any],
    images: dict[str, InputPicture],
    prompt: str,
    seed: int,
    fmt: str,
    blurred: bool,
) -> bytes:
    source = next(iter(images.values()))
    size = _size(spec, fields, source)
    box: Box | None = None
    if spec.output.kind == "outpaint":
        left, up = fields.get("left", 0), fields.get("up", 0)
        box = (left, up, left + source.width, up + source.height)
    change = _CHANGE.get(endpoint, _half)(fields)
    return derive_image(
        source.image,
        size,
        prompt=prompt,
        seed=seed,
        fmt=fmt,
        change=change,
        mask=_mask(endpoint, images, size),
        box=box,
        transparent=endpoint == "edit/remove-background",
        blurred=blurred,
    )
