"""A strict PNG decoder for tests: chunk CRCs, IHDR, and the inflated scanlines' geometry."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


@dataclass(frozen=True)
class DecodedPng:
    width: int
    height: int
    colour_type: int
    palette: bytes
    rows: tuple[bytes, ...]


def decode_png(data: bytes) -> DecodedPng:
    """Decode ``data`` enough to prove it is a PNG of its stated size (AssertionError if not)."""
    assert data.startswith(SIGNATURE), "missing PNG signature"
    pos, chunks = len(SIGNATURE), []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc, f"bad CRC in {kind!r}"
        chunks.append((kind, body))
        pos += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert depth == 8 and interlace == 0
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    stride = 1 + width * _CHANNELS[colour]
    assert len(raw) == stride * height, "scanlines do not match the stated size"
    rows = tuple(raw[i * stride : (i + 1) * stride] for i in range(height))
    assert all(row[0] == 0 for row in rows), "unexpected filter type"
    palette = next((body for kind, body in chunks if kind == b"PLTE"), b"")
    if colour == 3:
        assert palette and max(max(row[1:]) for row in rows) < len(palette) // 3
    return DecodedPng(width, height, colour, palette, rows)
