"""Shared by the Stability images-in tests: input files and the proxy call."""

from __future__ import annotations

import io
from typing import Any

import httpx
from PIL import Image

from tests.conftest import MockClient

KEY = "Bearer sk-stab-0123456789abcdef"
RED = (200, 30, 30)


def picture(
    width: int, height: int, fmt: str = "PNG", colour: Any = RED, mode: str = "RGB"
) -> bytes:
    """A flat image file of the given size (``mode`` RGBA for one with alpha)."""
    out = io.BytesIO()
    Image.new(mode, (width, height), colour).save(out, fmt)
    return out.getvalue()


def half_mask(width: int, height: int) -> bytes:
    """A mask whose left half is white (replaced) and right half black (kept)."""
    mask = Image.new("L", (width, height), 0)
    mask.paste(255, (0, 0, width // 2, height))
    out = io.BytesIO()
    mask.save(out, "PNG")
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def send(
    client: MockClient,
    path: str,
    files: dict[str, bytes] | None = None,
    data: dict[str, str] | None = None,
    *,
    accept: str | None = None,
    key: str = KEY,
    proxy: bool = True,
    method: str = "POST",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """``path`` through the gateway's proxy route (or to the fake itself, ``proxy=False``)."""
    sent = {"authorization": key, **(headers or {})}
    if proxy:
        sent["x-portkey-provider"] = "stability-ai"
    if accept is not None:
        sent["accept"] = accept
    if method == "GET":
        return client.get(path, headers=sent)
    parts: list[tuple[str, tuple[str | None, bytes | str]]] = [
        (name, (f"{name}.bin", value)) for name, value in (files or {}).items()
    ]
    # A text-only form is still multipart, as every Stability client sends it.
    parts += [(name, (None, value)) for name, value in (data or {}).items()]
    return client.post(path, headers=sent, files=parts)


def near(pixel: Any, colour: tuple[int, int, int] = RED, tolerance: int = 12) -> bool:
    """Whether ``pixel`` is ``colour`` give or take a palette's or a lossy codec's rounding."""
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


def blank_png(width: int, height: int) -> bytes:
    """A black 1-bit PNG, written by hand: a huge one costs no Pillow encoding."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    row = bytes(1 + (width + 7) // 8)
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )
