"""Input images as Stability checks them: the format sniffed from the bytes (jpeg, png, webp),
then each side, the pixel count and the aspect ratio against the field's rule
(docs/facts/stability-edits.md §2-3). The error texts are ASSUMED (stability_edits_data)."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Any

from PIL import Image, UnidentifiedImageError

from mock_gateway.fakes.images import png_dimensions
from mock_gateway.fakes.stability_edits_data import EDIT_MESSAGES, ImageRule
from mock_gateway.fakes.stability_wire import StabilityReject

__all__ = ["InputPicture", "open_image", "sniff_format"]

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
)
_FORMATS = frozenset({"png", "jpeg", "webp"})
# Bigger images are not decoded whole: a 16384x16384 PNG (ultra takes one) fits in a few
# hundred KiB but decodes to 800 MB. JPEG decodes reduced (draft); others get a stand-in.
_MAX_DECODE = 4096 * 4096
# The copy an answer is drawn from: the answer is composed at 512 pixels at most anyway.
_THUMBNAIL = (1024, 1024)


@dataclass(frozen=True)
class InputPicture:
    """An uploaded image: its real size and format, and a small decoded copy to draw from."""

    width: int
    height: int
    format: str
    image: Image.Image

    @property
    def size(self) -> tuple[int, int]:
        """``(width, height)`` of the file as sent."""
        return self.width, self.height


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


def open_image(field: str, value: Any, rule: ImageRule, *, v1: bool = False) -> InputPicture:
    """The image in form field ``field``, checked against ``rule``, or Stability's 400 naming
    the field. Sides are checked from the header, before anything is decoded."""
    data = value if isinstance(value, bytes) else str(value).encode()
    fmt = sniff_format(data)
    if fmt not in _FORMATS:
        raise _reject(v1, "format", "invalid_mime_type", field=field)
    try:
        with warnings.catch_warnings():  # big is not a bomb here: nothing big is decoded
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            picture: Image.Image | None = Image.open(io.BytesIO(data))
        assert picture is not None
        width, height = picture.size
    except Image.DecompressionBombError:  # over Pillow's limit: only a PNG's size is read
        if fmt != "png":
            raise _reject(v1, "broken", "invalid_mime_type", field=field) from None
        (width, height), picture = png_dimensions(data), None
    except (OSError, ValueError, UnidentifiedImageError):
        raise _reject(v1, "broken", "invalid_mime_type", field=field) from None
    _check_size(field, width, height, rule, v1)
    return InputPicture(width, height, fmt, _decoded(field, picture, (width, height), v1))


def _decoded(
    field: str, picture: Image.Image | None, size: tuple[int, int], v1: bool
) -> Image.Image:
    if picture is not None and picture.format == "JPEG":
        picture.draft("RGB", _THUMBNAIL)  # decodes at 1/2, 1/4 or 1/8 scale: cheap
    elif picture is None or size[0] * size[1] > _MAX_DECODE:
        # A mock's shortcut, not Stability's: a grey picture of the same shape stands in.
        scale = min(_THUMBNAIL[0] / size[0], _THUMBNAIL[1] / size[1])
        small = (max(1, int(size[0] * scale)), max(1, int(size[1] * scale)))
        return Image.new("RGB", small, (128, 128, 128))
    try:
        picture.load()  # a truncated or corrupt file fails here
        picture.thumbnail(_THUMBNAIL)
    except (OSError, ValueError, Image.DecompressionBombError):
        raise _reject(v1, "broken", "invalid_mime_type", field=field) from None
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
