"""Images derived from the images a client sent: the input, resized to the answer's size,
visibly carried into it (blended with the seeded stripes of fakes/images.py, or kept outside
a mask), so a test can see its own picture come back. Same inputs and seed, same bytes."""

from __future__ import annotations

import io
import math

from PIL import Image, ImageDraw, ImageOps

from mock_gateway.fakes.images import render_png

__all__ = ["Box", "derive_image", "encode", "fit_pixels", "mask_from_alpha"]

Box = tuple[int, int, int, int]
_WORK = 512


def fit_pixels(width: int, height: int, pixels: int) -> tuple[int, int]:
    """The input's aspect ratio at about ``pixels`` pixels (never more), sides at least 1."""
    scale = math.sqrt(pixels / (width * height))
    out_w, out_h = max(1, int(width * scale)), max(1, int(height * scale))
    return out_w, out_h


def mask_from_alpha(picture: Image.Image) -> Image.Image | None:
    """A mask that marks the transparent pixels (what Stability inpaints), or ``None`` if the
    image has no alpha channel."""
    if "A" not in picture.getbands() and "transparency" not in picture.info:
        return None
    return ImageOps.invert(picture.convert("RGBA").getchannel("A"))


def encode(picture: Image.Image, fmt: str) -> bytes:
    """``picture`` as png, jpeg or webp bytes (fast settings: the mock's images are big)."""
    out = io.BytesIO()
    if fmt == "jpeg":
        picture.convert("RGB").save(out, "JPEG", quality=85)
    elif fmt == "webp":
        picture.save(out, "WEBP", quality=80, method=0)
    else:
        picture.save(out, "PNG", compress_level=1)
    return out.getvalue()


def _generated(
    size: tuple[int, int], prompt: str, seed: int, index: int, blurred: bool
) -> Image.Image:
    png = render_png(*size, prompt=prompt, seed=seed, index=index, blurred=blurred)
    with Image.open(io.BytesIO(png)) as stripes:
        return stripes.convert("RGB")


def _cutout(size: tuple[int, int]) -> Image.Image:
    """remove-background's alpha: an opaque ellipse (the "subject"), transparent around it."""
    alpha = Image.new("L", size, 0)
    width, height = size
    ImageDraw.Draw(alpha).ellipse((width // 8, height // 8, width * 7 // 8, height * 7 // 8), 255)
    return alpha


def _work_size(size: tuple[int, int]) -> tuple[int, int]:
    """Where the picture is composed: at most _WORK pixels on its long side, then scaled up
    (nearest neighbour) to the answer's size, which keeps a 16 MP upscale fast."""
    scale = min(1.0, _WORK / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def derive_image(
    source: Image.Image,
    size: tuple[int, int],
    *,
    prompt: str = "",
    seed: int = 0,
    fmt: str = "png",
    change: float = 0.5,
    mask: Image.Image | None = None,
    box: Box | None = None,
    transparent: bool = False,
    blurred: bool = False,
    index: int = 0,
) -> bytes:
    """The answer's image, ``size`` pixels, encoded as ``fmt``.

    ``source`` is resized into ``box`` (default: the whole image) and blended with the
    generated picture by ``change`` (0 keeps the source, 1 replaces it); with a ``mask``
    its white pixels are replaced and its black ones kept. Outside ``box`` (outpaint) the
    picture is generated. ``transparent`` cuts the background out (alpha); ``blurred`` is
    the content filter's flat picture.
    """
    work = _work_size(size)
    picture = _generated(work, prompt, seed, index, blurred)
    if not blurred:
        fx, fy = work[0] / size[0], work[1] / size[1]
        full = box or (0, 0, *size)
        area = (round(full[0] * fx), round(full[1] * fy), round(full[2] * fx), round(full[3] * fy))
        inner = (max(1, area[2] - area[0]), max(1, area[3] - area[1]))
        placed = source.convert("RGB").resize(inner)
        region = picture.crop((area[0], area[1], area[0] + inner[0], area[1] + inner[1]))
        if mask is not None:
            mixed = Image.composite(region, placed, mask.convert("L").resize(inner))
        else:
            mixed = Image.blend(placed, region, max(0.0, min(1.0, change)))
        picture.paste(mixed, area[:2])
    if transparent:
        picture.putalpha(_cutout(work))
    if work != size:
        if fmt == "png" and not transparent:  # a palette PNG: a third of the bytes to write
            picture = picture.quantize(256, method=Image.Quantize.FASTOCTREE)
        picture = picture.resize(size, Image.Resampling.NEAREST)
    return encode(picture, fmt)
