"""Small, real input images for image-edit tests (Pillow), and a mask with a hole."""

from __future__ import annotations

import io

from PIL import Image

__all__ = ["holed_mask", "image_bytes", "pixel"]


def image_bytes(
    width: int = 64,
    height: int = 64,
    *,
    fmt: str = "PNG",
    mode: str = "RGBA",
    colour: tuple[int, ...] = (200, 30, 30, 255),
) -> bytes:
    """A flat image of ``colour`` in ``fmt`` (PNG, JPEG, WEBP, GIF)."""
    out = io.BytesIO()
    Image.new(mode, (width, height), colour[: len(mode)]).save(out, fmt)
    return out.getvalue()


def holed_mask(width: int = 64, height: int = 64) -> bytes:
    """An opaque PNG mask whose left half is fully transparent: the region to edit."""
    mask = Image.new("RGBA", (width, height), (0, 0, 0, 255))
    mask.paste((0, 0, 0, 0), (0, 0, width // 2, height))
    out = io.BytesIO()
    mask.save(out, "PNG")
    return out.getvalue()


def pixel(data: bytes, x: float, y: float) -> tuple[int, ...]:
    """The RGB colour at (x, y), given as fractions of the width and height."""
    with Image.open(io.BytesIO(data)) as picture:
        rgb = picture.convert("RGB")
        found: tuple[int, ...] = rgb.getpixel((int(x * rgb.width), int(y * rgb.height)))  # type: ignore[assignment]
        return found
