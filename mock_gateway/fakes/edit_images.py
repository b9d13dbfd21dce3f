"""Images in, image out: reading uploaded images and drawing an edit from them (Pillow).

An edit visibly carries its input: the first image, scaled to the output size, is the base;
where the mask (or, for DALL·E 2 without one, the image itself) is fully transparent, the
prompt's own picture (``images.render_png``) replaces it; without any mask the whole image is
lightly tinted with it; further input images are inset along the bottom as thumbnails.
Deterministic: the same inputs, prompt, seed and index give the same bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mock_gateway.fakes.images import render_png

if TYPE_CHECKING:
    from PIL.Image import Image

__all__ = ["Upload", "encode", "open_upload", "render_edit"]

_FORMATS = {"PNG": "png", "JPEG": "jpeg", "WEBP": "webp", "GIF": "gif", "BMP": "bmp"}
_TINT = 0.3  # how much of the prompt's picture shows through an edit without a mask
_THUMBS_PER_ROW = 8


@dataclass(frozen=True)
class Upload:
    """A decoded uploaded image: its format (``png``, ``jpeg``, ...), size and mode."""

    fmt: str
    width: int
    height: int
    mode: str
    has_alpha: bool
    data: bytes


def open_upload(data: bytes) -> Upload | None:
    """``data`` decoded as an image (fully, so a truncated file fails); ``None`` if it is not."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as picture:
            picture.load()
            fmt = _FORMATS.get(picture.format or "", (picture.format or "").lower())
            mode = picture.mode
            alpha = mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
            if mode == "P":  # a palette is read as the mode it stands for
                mode = "RGBA" if alpha else "RGB"
            return Upload(fmt, picture.width, picture.height, mode, alpha, data)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None


def _rgba(upload: Upload, size: tuple[int, int]) -> Image:
    from PIL import Image

    with Image.open(io.BytesIO(upload.data)) as picture:
        return picture.convert("RGBA").resize(size, Image.Resampling.BILINEAR)


def _region(source: Upload, size: tuple[int, int]) -> Image:
    """Where to edit: 255 where ``source`` is fully transparent (alpha 0), else 0."""
    from PIL import Image

    alpha = _rgba(source, size).getchannel("A").resize(size, Image.Resampling.NEAREST)
    return alpha.point(lambda value: 255 if value == 0 else 0)


def render_edit(
    images: list[Upload],
    mask: Upload | None,
    size: tuple[int, int],
    *,
    prompt: str,
    seed: int,
    index: int,
    alpha_mask: bool,
) -> Image:
    """The edited picture (RGBA) at ``size``. ``alpha_mask``: with no ``mask``, the first
    image's own transparent areas are the region to edit (DALL·E 2)."""
    from PIL import Image

    width, height = size
    base = _rgba(images[0], size)
    pattern = render_png(width, height, prompt=prompt, seed=seed, index=index)
    with Image.open(io.BytesIO(pattern)) as picture:
        drawn = picture.convert("RGBA")
    source = mask or (images[0] if alpha_mask else None)
    if source is not None:
        out = Image.composite(drawn, base, _region(source, size))
    else:
        out = Image.blend(base, drawn, _TINT)
    thumb = (max(1, width // _THUMBS_PER_ROW), max(1, height // _THUMBS_PER_ROW))
    for number, extra in enumerate(images[1:]):
        row, column = divmod(number, _THUMBS_PER_ROW)
        out.paste(_rgba(extra, thumb), (column * thumb[0], height - (row + 1) * thumb[1]))
    return out


def encode(picture: Image, fmt: str, *, compression: int = 100, transparent: bool = False) -> bytes:
    """``picture`` as ``png``, ``jpeg`` or ``webp``; ``compression`` (0-100, OpenAI's
    ``output_compression``) is the JPEG/WebP quality, so a lower value gives fewer bytes."""
    out = io.BytesIO()
    if fmt == "png":
        (picture if transparent else picture.convert("RGB")).save(out, "PNG", compress_level=1)
    elif fmt == "jpeg":
        picture.convert("RGB").save(out, "JPEG", quality=max(1, compression))
    else:
        shown = picture if transparent else picture.convert("RGB")
        shown.save(out, "WEBP", quality=compression, method=0)
    return out.getvalue()
