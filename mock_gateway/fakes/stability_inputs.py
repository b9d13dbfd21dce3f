"""Input images as Stability checks them: the format sniffed from the bytes (jpeg, png, webp),
then each side, the pixel count and the aspect ratio against the field's rule
(docs/facts/stability-edits.md §2-3). The error texts are ASSUMED (stability_edits_data)."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image, UnidentifiedImageError

from mock_gateway.fakes.stability_edits_data import EDIT_MESSAGES, ImageRule
from mock_gateway.fakes.stability_wire import StabilityReject

__all__ = ["open_image", "sniff_format"]

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
)
_FORMATS = frozenset({"png", "jpeg", "webp"})
# A decompression bomb is refused as too many pixels, not decoded (Pillow's own guard).
_MAX_DECODE = 16_384 * 16_384


def sniff_format(data: bytes) -> str | None:
    """``png``, ``jpeg``, ``webp``, ``gif`` from the first bytes; ``None`` for anything else."""
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def _reject(v1: bool, kind: str, v1_name: str, **values: Any) -> StabilityReject:
    # v1 names each failure (400FromGeneration); v2beta calls them all bad_request (§5).
    return StabilityReject(
        400, v1_name if v1 else "bad_request", EDIT_MESSAGES[kind].format(**values)
    )


def open_image(field: str, value: Any, rule: ImageRule, *, v1: bool = False) -> Image.Image:
    """The decoded image in form field ``field``, or Stability's 400 naming the field."""
    data = value if isinstance(value, bytes) else str(value).encode()
    if sniff_format(data) not in _FORMATS:
        raise _reject(v1, "format", "invalid_mime_type", field=field)
    try:
        picture = Image.open(io.BytesIO(data))
        width, height = picture.size
        if width * height <= _MAX_DECODE:
            picture.load()  # a truncated or corrupt file fails here
    except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError):
        raise _reject(v1, "broken", "invalid_mime_type", field=field) from None
    _check_size(field, width, height, rule, v1)
    return picture


def _check_size(field: str, width: int, height: int, rule: ImageRule, v1: bool) -> None:
    size = {"field": field, "w": width, "h": height}
    if min(width, height) < rule.min_side:
        raise _reject(v1, "too_small", "invalid_image_dimensions", low=rule.min_side, **size)
    if rule.max_side is not None and max(width, height) > rule.max_side:
        raise _reject(v1, "too_large", "invalid_image_dimensions", high=rule.max_side, **size)
    pixels = width * height
    if pixels < rule.min_pixels:
        raise _reject(v1, "few_pixels", "invalid_pixel_count", field=field, low=rule.min_pixels,
                      px=pixels)  # fmt: skip
    if rule.max_pixels is not None and pixels > rule.max_pixels:
        raise _reject(v1, "many_pixels", "invalid_pixel_count", field=field,
                      high=rule.max_pixels, px=pixels)  # fmt: skip
    if rule.aspect is not None and not rule.aspect[0] <= width / height <= rule.aspect[1]:
        raise _reject(v1, "aspect", "invalid_image_dimensions", **size)
