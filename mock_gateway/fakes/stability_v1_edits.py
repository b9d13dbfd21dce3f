"""Stability v1's images-in endpoints: ``/v1/generation/{engine}/image-to-image``, its
``/masking`` and its ``/upscale`` (multipart; docs/facts/stability-edits.md §1).

Answers as v1 text-to-image does: ``Accept: image/png`` gives the raw PNG (one sample), else
JSON ``artifacts``; errors are v1's ``{id, name, message}`` (raised as ``StabilityReject``).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any

from PIL import Image, ImageOps

from mock_gateway.contract_tools.contracts import describe, first_error
from mock_gateway.fakes.images import derive_seed
from mock_gateway.fakes.stability_data import ERROR_NAMES, MESSAGES, SAMPLE_SEED_STEP
from mock_gateway.fakes.stability_edits_data import (
    EDIT_MESSAGES,
    V1_IMAGE_ENGINES,
    V1_MAX_FILE_BYTES,
    V1_UPSCALE_ENGINES,
    V1_UPSCALE_MAX_PIXELS,
    ImageRule,
)
from mock_gateway.fakes.stability_inputs import InputPicture, open_image
from mock_gateway.fakes.stability_render import derive_image, mask_from_alpha
from mock_gateway.fakes.stability_wire import (
    StabilityReject,
    accepts,
    authorize,
    form_fields,
    image_headers,
)
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse, json_response

__all__ = ["V1_EDIT_MODES", "v1_edit"]

CONTRACT = "stability/v1-image-to-image-request.json"
# The path after /v1/generation/{engine}/ -> the contract's $defs entry.
V1_EDIT_MODES = {
    "image-to-image": "image-to-image",
    "image-to-image/masking": "masking",
    "image-to-image/upscale": "upscale",
}
_PROMPT = re.compile(r"^text_prompts\[([^\]]*)\]\[(text|weight)\]$")
# ASSUMED: v1 publishes no side or pixel limits for its input images; any decodable image
# up to the 4,194,304 pixels v1 upscale may output is taken.
_ANY = ImageRule(min_side=1, min_pixels=1, max_pixels=V1_UPSCALE_MAX_PIXELS)
_MASK_IMAGES = ("MASK_IMAGE_WHITE", "MASK_IMAGE_BLACK")
_DEFAULTS = {"samples": 1, "seed": 0, "init_image_mode": "IMAGE_STRENGTH"}


def _reject(name: str, message: str) -> StabilityReject:
    return StabilityReject(400, name, message)


def _body(fields: dict[str, Any]) -> dict[str, Any]:
    """The form as the spec's body: ``text_prompts[i][text|weight]`` parts as an array."""
    prompts: dict[str, dict[str, Any]] = {}
    body: dict[str, Any] = {}
    for name, value in fields.items():
        match = _PROMPT.match(name)
        if match is None:
            body[name] = value
            continue
        index, key = match.groups()
        if key == "weight":
            value = _weight(value)
        # "index does not have to be sequential, duplicate entries will override" (spec)
        prompts.setdefault(index, {})[key] = value
    if prompts:
        body["text_prompts"] = [prompts[i] for i in sorted(prompts, key=_index_key)]
    return body


def _weight(text: Any) -> Any:
    try:
        return float(text)
    except ValueError:
        return text  # left as text: the contract names it


def _index_key(index: str) -> tuple[int, str]:
    return (int(index), "") if index.isdigit() else (1 << 31, index)


def _checked(request: UpstreamRequest, mode: str) -> dict[str, Any]:
    fields = form_fields(request)
    for name, value in fields.items():
        if isinstance(value, bytes) and len(value) > V1_MAX_FILE_BYTES:
            raise _reject("invalid_file_size", EDIT_MESSAGES["v1_file_size"].format(field=name))
    body = _body(fields)
    source = body.get("mask_source")
    if mode == "masking" and source in _MASK_IMAGES and "mask_image" not in body:
        raise _reject("invalid_mask_image", EDIT_MESSAGES["v1_no_mask"])
    if mode == "upscale" and "width" in body and "height" in body:
        raise _reject("bad_request", EDIT_MESSAGES["v1_one_side"])
    error = first_error(CONTRACT, body, mode)
    if error is not None:
        field = str(error.absolute_path[0]) if error.absolute_path else ""
        if error.validator == "required":
            field = next(key for key in error.validator_value if key not in error.instance)
        # 400FromUpscale names no width/height error: bad_request there (ASSUMED).
        names = {} if mode == "upscale" else ERROR_NAMES
        raise _reject(names.get(field, "bad_request"), describe(error))
    return {**_DEFAULTS, **body}


def v1_edit(
    request: UpstreamRequest,
    engine: str,
    path: str,
    *,
    seed: int,
    blurred: Callable[[str], bool],
) -> UpstreamResponse:
    """Answer one v1 images-in call (``path``: a key of ``V1_EDIT_MODES``)."""
    authorize(request)
    mode = V1_EDIT_MODES[path]
    engines = V1_UPSCALE_ENGINES if mode == "upscale" else V1_IMAGE_ENGINES
    if engine not in engines:
        raise StabilityReject(404, "not_found", MESSAGES["engine_not_found"].format(engine=engine))
    body = _checked(request, mode)
    wants_png = accepts(request, "image/png")
    if mode == "upscale":
        return _upscale(engine, body, seed, wants_png)
    if wants_png and body["samples"] > 1:
        raise _reject("invalid_samples", MESSAGES["png_samples"])
    init = open_image("init_image", body["init_image"], _ANY, v1=True)
    mask = _mask(body, init) if mode == "masking" else None
    prompt = " ".join(str(item.get("text", "")) for item in body["text_prompts"])
    base = body["seed"] or derive_seed(seed, engine, mode, prompt, *init.size)
    source = init.image
    flagged = blurred(prompt)
    # step_schedule_start = 1 - image_strength (spec); 0 returns the init image unchanged.
    if body["init_image_mode"] == "STEP_SCHEDULE":
        change = body.get("step_schedule_start", 0.65)
    else:
        change = 1 - body.get("image_strength", 0.35)
    images = [
        derive_image(source, init.size, prompt=prompt, seed=base, change=change, mask=mask,
                     blurred=flagged, index=i)
        for i in range(1 if wants_png else body["samples"])
    ]  # fmt: skip
    finish = "CONTENT_FILTERED" if flagged else "SUCCESS"
    return _answer(images, base, finish, wants_png)


def _mask(body: dict[str, Any], init: InputPicture) -> Image.Image:
    source = body["mask_source"]
    if source == "INIT_IMAGE_ALPHA":
        # "fully transparent pixels are completely replaced" (spec); no alpha: nothing is.
        alpha = mask_from_alpha(init.image)
        return alpha if alpha is not None else Image.new("L", init.image.size, 0)
    mask = open_image("mask_image", body["mask_image"], _ANY, v1=True)
    if mask.size != init.size:  # "Must be the same dimensions as the init_image" (spec)
        raise _reject("invalid_image_dimensions", EDIT_MESSAGES["v1_dimensions"])
    gray = mask.image.convert("L")
    return gray if source == "MASK_IMAGE_WHITE" else ImageOps.invert(gray)


def _upscale(engine: str, body: dict[str, Any], seed: int, wants_png: bool) -> UpstreamResponse:
    image = open_image("image", body["image"], _ANY, v1=True)
    width, height = image.size
    # "By default, the input image will be upscaled by a factor of 2"; one side given, the
    # other follows the aspect ratio (rounding ASSUMED).
    if "width" in body:
        size = (body["width"], max(1, round(height * body["width"] / width)))
    elif "height" in body:
        size = (max(1, round(width * body["height"] / height)), body["height"])
    else:
        size = (width * 2, height * 2)
    if size[0] * size[1] > V1_UPSCALE_MAX_PIXELS:
        raise _reject("invalid_pixel_count", EDIT_MESSAGES["v1_pixels"])
    base = derive_seed(seed, engine, "upscale", *size)
    png = derive_image(image.image, size, seed=base, change=0.0)
    return _answer([png], base, "SUCCESS", wants_png)


def _answer(images: list[bytes], seed: int, finish: str, wants_png: bool) -> UpstreamResponse:
    if wants_png:
        return UpstreamResponse(200, image_headers("png", finish, seed, len(images[0])), images[0])
    artifacts = [
        {
            "base64": base64.b64encode(png).decode(),
            "seed": (seed + i * SAMPLE_SEED_STEP) % 4294967296,
            "finishReason": finish,
        }
        for i, png in enumerate(images)
    ]
    return json_response(200, {"artifacts": artifacts}, keep=True)
