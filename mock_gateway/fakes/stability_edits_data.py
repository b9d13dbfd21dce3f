"""Stability's images-in, images-out endpoints: the facts the fake answers from, in one table.

Source: docs/facts/stability-edits.md (Stability's v1 spec [C] and v2beta OpenAPI [A]). Lines
marked ASSUMED are not published by Stability; they live here, and only here.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ASYNC_POLLS",
    "ASYNC_SECONDS",
    "EDIT_MESSAGES",
    "IMAGE_FORMATS_IN",
    "ImageRule",
    "Output",
    "V1_IMAGE_ENGINES",
    "V1_MAX_FILE_BYTES",
    "V1_UPSCALE_ENGINES",
    "V1_UPSCALE_MAX_PIXELS",
    "V2_EDITS",
    "V2Endpoint",
]

# Input formats on every endpoint (§2: "jpeg, png, webp"), sniffed from the bytes.
IMAGE_FORMATS_IN = ("jpeg", "png", "webp")

_AR = (1 / 2.5, 2.5)  # aspect ratio 1:2.5 to 2.5:1 (§3)
_9MP = 9_437_184
_1MP = 1_048_576


@dataclass(frozen=True)
class ImageRule:
    """What one image field accepts (§3 "input image rules")."""

    min_side: int = 64
    max_side: int | None = None
    min_pixels: int = 4_096
    max_pixels: int | None = _9MP
    aspect: tuple[float, float] | None = None


@dataclass(frozen=True)
class Output:
    """How the answer's size follows from the input (§3 "output size").

    ``kind``: ``input`` (the first image's size), ``scale`` (times ``value`` per side),
    ``pixels`` (about ``value`` pixels, the input's aspect kept), ``ratio`` (the
    ``aspect_ratio`` field's 1 MP size), ``outpaint`` (grown by the margins).
    """

    kind: str
    value: float = 0


@dataclass(frozen=True)
class V2Endpoint:
    """One v2beta images-in endpoint: its image fields, required fields, output, async."""

    images: dict[str, ImageRule]
    required: tuple[str, ...]
    output: Output
    asynchronous: bool = False
    formats: tuple[str, ...] = ("png", "jpeg", "webp")


_SIDE = ImageRule()
_SIDE_AR = ImageRule(aspect=_AR)
# ASSUMED: "will be 4 megapixels" (erase, inpaint, search-and-replace, conservative) read as
# the input's aspect ratio at 2048x2048's pixel count (§5).
_4MP = Output("pixels", 4_194_304)

# Keyed by the path after /v2beta/stable-image/ (§3).
V2_EDITS: dict[str, V2Endpoint] = {
    # Erase's schema also lists `prompt` as required; its text does not (§3): not required.
    "edit/erase": V2Endpoint({"image": _SIDE, "mask": _SIDE}, ("image",), _4MP),
    "edit/inpaint": V2Endpoint({"image": _SIDE, "mask": _SIDE}, ("image", "prompt"), _4MP),
    # ASSUMED: outpaint's size is the input grown by the margins (not stated).
    "edit/outpaint": V2Endpoint({"image": _SIDE_AR}, ("image",), Output("outpaint")),
    "edit/search-and-replace": V2Endpoint(
        {"image": _SIDE_AR}, ("image", "prompt", "search_prompt"), _4MP
    ),
    "edit/search-and-recolor": V2Endpoint(
        {"image": _SIDE_AR}, ("image", "prompt", "select_prompt"), Output("input")
    ),
    # ASSUMED: remove-background keeps the size (not stated); png or webp only (spec).
    "edit/remove-background": V2Endpoint(
        {"image": ImageRule(max_pixels=4_194_304)},
        ("image",),
        Output("input"),
        formats=("png", "webp"),
    ),
    # ASSUMED: the subject's size (not stated).
    "edit/replace-background-and-relight": V2Endpoint(
        {"subject_image": _SIDE_AR, "background_reference": _SIDE, "light_reference": _SIDE},
        ("subject_image",),
        Output("input"),
        asynchronous=True,
    ),
    # "4 times that of the input image" per side, 16 MP at most (§3).
    "upscale/fast": V2Endpoint(
        {"image": ImageRule(min_side=32, max_side=1536, min_pixels=1_024, max_pixels=_1MP)},
        ("image",),
        Output("scale", 4),
    ),
    "upscale/conservative": V2Endpoint({"image": _SIDE_AR}, ("image", "prompt"), _4MP),
    # ASSUMED: creative's size as conservative's (the spec says "up to 4K").
    "upscale/creative": V2Endpoint(
        {"image": ImageRule(max_pixels=_1MP)}, ("image", "prompt"), _4MP, asynchronous=True
    ),
    "control/sketch": V2Endpoint(
        {"image": ImageRule(min_pixels=0, aspect=_AR)}, ("prompt", "image"), Output("input")
    ),
    "control/structure": V2Endpoint({"image": _SIDE_AR}, ("prompt", "image"), Output("input")),
    "control/style": V2Endpoint({"image": _SIDE_AR}, ("prompt", "image"), Output("ratio")),
    # "1MP, with the same aspect ratio as the init_image" (§3).
    "control/style-transfer": V2Endpoint(
        {
            "init_image": ImageRule(max_side=16_383, aspect=_AR),
            "style_image": ImageRule(max_side=16_383),
        },
        ("init_image", "style_image"),
        Output("pixels", _1MP),
    ),
    # generate/* in image-to-image mode: only when an image is sent (§3). ASSUMED: the
    # output keeps the input's aspect at 1 MP (not stated).
    "generate/ultra": V2Endpoint(
        {"image": ImageRule(max_side=16_384, max_pixels=None)},
        ("prompt", "image", "strength"),
        Output("pixels", _1MP),
    ),
    "generate/sd3": V2Endpoint(
        {"image": ImageRule(min_pixels=0, max_pixels=None)},
        ("prompt", "image", "strength"),
        Output("pixels", _1MP),
    ),
}

# v1 upscale: "a maximum pixel count of 4,194,304" (§1.3).
V1_UPSCALE_MAX_PIXELS = 4_194_304
# ASSUMED: v1 names invalid_file_size but publishes no limit; v2beta's 10 MiB is used.
V1_MAX_FILE_BYTES = 10 * 1024 * 1024

# ASSUMED: how many polls answer 202 in-progress before the result is ready (a real
# creative upscale takes tens of seconds; the mock's wait is its own, seeded, and short).
# Also ready once the mock's clock has moved on ASYNC_SECONDS (advance_clock).
ASYNC_POLLS = (1, 3)
ASYNC_SECONDS = 30.0

EDIT_MESSAGES: dict[str, str] = {
    # From the spec: confirmed.
    "v1_missing": "{field}: is required",
    "v1_dimensions": "The dimensions of the provided `init_image` and `mask_image` do not match",
    "v1_no_mask": (
        "`mask_source` was set to `MASK_IMAGE_WHITE` or `MASK_IMAGE_BLACK` but no `mask_image` "
        "was provided"
    ),
    "v1_pixels": "The requested image would exceed the maximum pixel count of 4,194,304",
    "not_found": "id: the generation either does not exist or has expired.",
    # ASSUMED: Stability publishes no text for these; they follow its "<field>: <problem>".
    "v2_missing": "{field}: required",
    "format": "{field}: unsupported image format; supported formats are jpeg, png and webp",
    "broken": "{field}: the image could not be decoded",
    "too_small": "{field}: each side must be at least {low} pixels, but the image is {w}x{h}",
    "too_large": "{field}: each side must be at most {high} pixels, but the image is {w}x{h}",
    "few_pixels": "{field}: the image must have at least {low} pixels, but it has {px}",
    "many_pixels": "{field}: the image must have at most {high} pixels, but it has {px}",
    "aspect": "{field}: the aspect ratio must be between 1:2.5 and 2.5:1, but the image is {w}x{h}",
    "v1_file_size": "{field}: the file must be at most 10MiB",
    "v1_one_side": "width, height: only one of width or height may be specified",
    "outpaint_margin": "left, right, up, down: at least one must be greater than 0",
    "background": "background_reference, background_prompt: one of them is required",
    "light": (
        "light_source_strength: requires light_reference or light_source_direction to be set"
    ),
    "output_format": "output_format: must be one of: {formats}",
}

# v1 engines each images-in path takes. ASSUMED: image-to-image and masking take the text
# engines (stability_data.ENGINES) and the spec's inpainting example; upscale the spec's
# example engine only. Any other answers v1's 404 not_found.
V1_IMAGE_ENGINES = frozenset({
    "stable-diffusion-xl-1024-v1-0", "stable-diffusion-xl-1024-v0-9", "stable-diffusion-v1-6",
    "stable-inpainting-512-v2-0",
})  # fmt: skip
V1_UPSCALE_ENGINES = frozenset({"esrgan-v1-x2plus"})
