"""Input images for Stability's images-in endpoints: small real files the fake accepts, and
files it refuses (a GIF, text, a truncated PNG, a side too short or too long, an aspect ratio
beyond 2.5:1), each knowing why. Facts: ``fakes/stability_edits_data.py`` (``V2_EDITS``)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache

from hypothesis import strategies as st

from mock_gateway._strategies.common import check_bool, check_choice
from mock_gateway.fakes.stability_edits_data import IMAGE_FORMATS_IN, V2_EDITS, ImageRule

__all__ = ["InputImage", "stability_input_images"]

ENDPOINTS = tuple(sorted(V2_EDITS))
_PIL = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP", "gif": "GIF"}
_SPAN = 48  # how far above the minimum a valid side may go: small images stay fast


@dataclass(frozen=True)
class InputImage:
    """An image file to upload: its bytes, format and size, and why Stability refuses it
    (``None``: it accepts it). ``filename`` suits a multipart file part."""

    data: bytes
    format: str
    width: int
    height: int
    reason: str | None = None

    @property
    def valid(self) -> bool:
        """Whether the endpoint accepts it."""
        return self.reason is None

    @property
    def filename(self) -> str:
        """``image.<format>``."""
        return f"image.{self.format}"

    def __repr__(self) -> str:
        verdict = "valid" if self.reason is None else f"invalid: {self.reason}"
        size = f"{self.width}x{self.height}, {len(self.data)} bytes"
        return f"InputImage({self.format} {size}, {verdict})"


def _encode(width: int, height: int, fmt: str, colour: tuple[int, int, int]) -> bytes:
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (width, height), colour)
    ImageDraw.Draw(picture).rectangle((0, 0, width // 2, height // 2), (255 - colour[0], 90, 40))
    out = io.BytesIO()
    picture.save(out, _PIL[fmt])
    return out.getvalue()


def _image(
    width: int, height: int, fmt: str, colour: tuple[int, int, int], reason: str | None = None
) -> InputImage:
    return InputImage(_encode(width, height, fmt, colour), fmt, width, height, reason)


_COLOURS = st.tuples(*(st.integers(0, 255),) * 3)


def _rule(endpoint: str | None) -> ImageRule:
    if endpoint is None:  # valid: small enough for all; invalid: refused by all
        return ImageRule(min_side=64)
    return next(iter(V2_EDITS[endpoint].images.values()))


def _low(rule: ImageRule) -> int:
    side = rule.min_side
    while side * side < rule.min_pixels:
        side += 1
    return side


@cache
def _valid(endpoint: str | None) -> st.SearchStrategy[InputImage]:
    rule = _rule(endpoint)
    low = _low(rule)
    sides = st.integers(low, low + _SPAN)
    return st.builds(_image, sides, sides, st.sampled_from(IMAGE_FORMATS_IN), _COLOURS)


@cache
def _invalid(endpoint: str | None) -> st.SearchStrategy[InputImage]:
    rule = _rule(endpoint)
    low = _low(rule)
    png = _encode(low, low, "png", (10, 20, 30))
    refused = [
        st.builds(_image, st.just(low), st.just(low), st.just("gif"), _COLOURS,
                  st.just("a GIF: Stability takes jpeg, png and webp")),
        st.just(InputImage(b"abc", "txt", 0, 0, "text, not an image")),
        st.just(InputImage(png[: len(png) // 2], "png", low, low, "a truncated PNG")),
        st.builds(_image, st.integers(max(1, rule.min_side - 32), rule.min_side - 1), st.just(low),
                  st.sampled_from(IMAGE_FORMATS_IN), _COLOURS,
                  st.just(f"a side shorter than {rule.min_side} pixels")),
    ]  # fmt: skip
    if rule.max_side is not None and rule.max_side < 4096:
        refused.append(
            st.builds(_image, st.just(rule.max_side + 1), st.just(low), st.just("png"), _COLOURS,
                      st.just(f"a side longer than {rule.max_side} pixels"))
        )  # fmt: skip
    if rule.aspect is not None:
        wide = int(low * rule.aspect[1]) + 8
        refused.append(
            st.builds(_image, st.just(wide), st.just(low), st.just("png"), _COLOURS,
                      st.just("an aspect ratio wider than 2.5:1"))
        )  # fmt: skip
    return st.one_of(refused)


def stability_input_images(
    *, endpoint: str | None = None, valid: bool = True
) -> st.SearchStrategy[InputImage]:
    """Small, real image files for a Stability images-in endpoint, as ``InputImage`` values.

    ``endpoint``: the path after ``/v2beta/stable-image/`` (``"edit/inpaint"``,
    ``"upscale/fast"``, ...; default: a file every endpoint's first image field takes).
    ``valid=False``: files Stability refuses there (400), with ``reason``. Shrinks to the
    smallest accepted PNG.
    """
    check_choice("stability_input_images", "endpoint", endpoint, ENDPOINTS)
    check_bool("stability_input_images", "valid", valid)
    return _valid(endpoint) if valid else _invalid(endpoint)
