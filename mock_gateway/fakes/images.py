"""Deterministic, real PNG images of any size, cheap enough to make per request.

Every image is a palette PNG (colour type 3) of diagonal stripes. The pixel data (IDAT)
depends only on the width, height and stripe period, so it is compressed once per geometry
and cached; the colours live in the PLTE chunk and come from a hash of the prompt, seed and
index. A new prompt or seed therefore costs a few hundred bytes of hashing and CRCs, and two
different prompts still give visibly different pictures.
"""

from __future__ import annotations

import base64
import hashlib
import struct
import zlib
from functools import lru_cache

__all__ = [
    "IMAGE_FORMATS",
    "Base64Text",
    "derive_seed",
    "image_dimensions",
    "png_dimensions",
    "render_image",
    "render_png",
    "render_png_b64",
]

# Output formats the providers offer; PNG is written here, JPEG and WebP by Pillow.
IMAGE_FORMATS = ("png", "jpeg", "webp")

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_COLOURS = 4
# Stripe periods in pixels; which one an image uses is part of its hash.
_PERIODS = (8, 16, 24, 32, 48, 64)
_MAX_SEED = 4294967295


class Base64Text(str):
    """Text known to be base64 (``A-Z a-z 0-9 + / =``): its JSON is itself in quotes, so
    whoever writes it into JSON may skip scanning it for characters to escape."""

    __slots__ = ()


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


@lru_cache(maxsize=64)
def _idat(width: int, height: int, period: int) -> bytes:
    """The compressed scanlines for one geometry: index = ((x + y) // period) % 4."""
    cycle = period * _COLOURS
    ramp = bytes((i // period) % _COLOURS for i in range(cycle))
    line = ramp * ((width + cycle) // cycle + 1)
    rows = [b"\x00" + line[y % cycle : y % cycle + width] for y in range(cycle)]
    raw = b"".join(rows[y % cycle] for y in range(height))
    return _chunk(b"IDAT", zlib.compress(raw, 6))


def _digest(prompt: str, seed: int, index: int) -> bytes:
    # surrogatepass: a prompt with a lone surrogate (a JSON "\\ud800") still has its own image.
    return hashlib.sha256(
        f"{seed}\x00{index}\x00{prompt}".encode("utf-8", "surrogatepass")
    ).digest()


def derive_seed(*parts: object) -> int:
    """A stable seed in 1..4294967295 from any parts (what Stability's seed 0 means)."""
    digest = hashlib.sha256("\x00".join(map(str, parts)).encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:4], "big") % _MAX_SEED + 1


def _head(
    width: int, height: int, prompt: str, seed: int, index: int, blurred: bool
) -> tuple[bytes, int]:
    """Every chunk before IDAT (what a prompt and seed change), and the stripe period."""
    if not (1 <= width <= 16384 and 1 <= height <= 16384):
        raise ValueError(f"image size {width}x{height} is outside 1..16384")
    digest = _digest(prompt, seed, index)
    period = _PERIODS[digest[0] % len(_PERIODS)]
    header = struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)
    palette = digest[1 : 1 + 3 * _COLOURS]
    if blurred:  # every index maps to the palette's mean colour
        mean = bytes(sum(palette[c::3]) // _COLOURS for c in range(3))
        palette = mean * _COLOURS
    text = f"Software\x00mock-portkey-gateway seed={seed} index={index}".encode("latin-1")
    head = b"".join(
        (_PNG_SIGNATURE, _chunk(b"IHDR", header), _chunk(b"PLTE", palette), _chunk(b"tEXt", text))
    )
    return head, period


@lru_cache(maxsize=64)
def _tail(width: int, height: int, period: int) -> bytes:
    """IDAT and IEND: the same for every image of one geometry."""
    return _idat(width, height, period) + _chunk(b"IEND", b"")


@lru_cache(maxsize=192)
def _tail_b64(width: int, height: int, period: int, skip: int) -> str:
    """The base64 of the tail after its first ``skip`` bytes (0, 1 or 2)."""
    return base64.b64encode(_tail(width, height, period)[skip:]).decode("ascii")


@lru_cache(maxsize=256)
def render_png(
    width: int,
    height: int,
    *,
    prompt: str = "",
    seed: int = 0,
    index: int = 0,
    blurred: bool = False,
) -> bytes:
    """A PNG of exactly ``width`` x ``height`` pixels, the same bytes for the same arguments.

    ``blurred`` gives the picture a content filter returns: one flat colour, nothing to see.
    """
    head, period = _head(width, height, prompt, seed, index, blurred)
    return head + _tail(width, height, period)


@lru_cache(maxsize=256)
def render_png_b64(
    width: int,
    height: int,
    *,
    prompt: str = "",
    seed: int = 0,
    index: int = 0,
    blurred: bool = False,
) -> str:
    """``render_png`` as base64 text, cached separately because encoding costs as much.

    Only the head is encoded per image: with the tail's first bytes it makes a whole number
    of 3-byte groups, so its base64 followed by the (cached) base64 of the rest of the tail is
    the base64 of the whole PNG.
    """
    head, period = _head(width, height, prompt, seed, index, blurred)
    tail = _tail(width, height, period)
    skip = -len(head) % 3
    return base64.b64encode(head + tail[:skip]).decode("ascii") + _tail_b64(
        width, height, period, skip
    )


@lru_cache(maxsize=64)
def render_image(
    width: int,
    height: int,
    *,
    prompt: str = "",
    seed: int = 0,
    index: int = 0,
    fmt: str = "png",
    blurred: bool = False,
    quality: int | None = None,
) -> bytes:
    """The same picture as ``render_png``, encoded as ``png``, ``jpeg`` or ``webp``.

    ``quality`` (0-100) is the JPEG/WebP encoder's, e.g. OpenAI's ``output_compression``
    (``None``: 85 for JPEG, 80 for WebP); PNG ignores it.
    """
    png = render_png(width, height, prompt=prompt, seed=seed, index=index, blurred=blurred)
    if fmt == "png":
        return png
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"unknown image format {fmt!r}; choose one of: {', '.join(IMAGE_FORMATS)}")
    import io

    from PIL import Image  # only JPEG and WebP need Pillow; PNG stays on the fast path

    out = io.BytesIO()
    with Image.open(io.BytesIO(png)) as picture:
        rgb = picture.convert("RGB")
        if fmt == "jpeg":
            rgb.save(out, "JPEG", quality=85 if quality is None else max(1, quality))
        else:
            # method 0: the fastest encoder
            rgb.save(out, "WEBP", quality=80 if quality is None else quality, method=0)
    return out.getvalue()


def image_dimensions(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, JPEG or WebP (decoded with Pillow for the latter two)."""
    if data.startswith(_PNG_SIGNATURE):
        return png_dimensions(data)
    import io

    from PIL import Image

    with Image.open(io.BytesIO(data)) as picture:
        picture.load()  # decode it all: a truncated file fails here
        return picture.size


def png_dimensions(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk; ``ValueError`` if it is not a PNG."""
    if len(data) < 24 or not data.startswith(_PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)
