"""OpenAI's image streaming (``stream: true``): server-sent events of partial and final images.

Events, per docs/facts/openai-image-edits.md §4 ([S] ImageEditStreamEvent, ImageGenStreamEvent):
``<kind>.partial_image`` (``partial_images`` of them, 0-3, each a rougher draft of the image,
``partial_image_index`` from 0) and one ``<kind>.completed`` with ``usage``, where ``<kind>`` is
``image_edit`` or ``image_generation``. Each is ``event: <type>`` and ``data: <json>`` then a
blank line. The values echo the request (``size: auto`` stays ``auto``), as the spec allows.
ASSUMED (no source): with ``n`` > 1 each image has its own partials and ``completed`` event,
whose ``usage`` counts that image; no ``data: [DONE]`` line ends the stream.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Mapping
from typing import Any

from mock_gateway.upstream import UpstreamResponse

__all__ = ["SSE_CONTENT_TYPE", "sse_events", "stream_response"]

SSE_CONTENT_TYPE = "text/event-stream; charset=utf-8"
_DRAFT_BITS = (2, 3, 4)  # colour bits of each successive partial image: rough, then finer


def _draft(image: bytes, fmt: str, step: int) -> bytes:
    """The image as a partial draft: its colours posterised, in the same format and size."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(image)) as picture:
        rgb = ImageOps.posterize(picture.convert("RGB"), _DRAFT_BITS[min(step, 2)])
    out = io.BytesIO()
    rgb.save(out, {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}[fmt])
    return out.getvalue()


def _event(kind: str, payload: dict[str, Any]) -> bytes:
    data = json.dumps({"type": kind, **payload}, separators=(",", ":"), ensure_ascii=False)
    return f"event: {kind}\ndata: {data}\n\n".encode()


def stream_response(
    kind: str,
    fields: Mapping[str, Any],
    images: list[bytes],
    usage: list[dict[str, Any]],
    created: int,
    *,
    fmt: str,
    size: str,
) -> UpstreamResponse:
    """The SSE answer for ``images`` (``kind``: ``image_edit`` or ``image_generation``);
    ``usage`` holds one ``ImagesUsage`` per image."""
    common = {
        "created_at": created,
        "size": fields.get("size") or size,
        "quality": fields.get("quality") or "auto",
        "background": fields.get("background") or "auto",
        "output_format": fmt,
    }
    partials = fields.get("partial_images") or 0
    chunks = []
    for image, image_usage in zip(images, usage, strict=True):
        for index in range(partials):
            draft = base64.b64encode(_draft(image, fmt, index)).decode()
            payload = {"b64_json": draft, **common, "partial_image_index": index}
            chunks.append(_event(f"{kind}.partial_image", payload))
        final = {"b64_json": base64.b64encode(image).decode(), **common, "usage": image_usage}
        chunks.append(_event(f"{kind}.completed", final))
    headers = (("content-type", SSE_CONTENT_TYPE), ("cache-control", "no-cache"))
    return UpstreamResponse(200, headers, b"".join(chunks))


def sse_events(body: bytes) -> list[tuple[str, Any]]:
    """(event name, parsed data) for each event of an SSE body (for tests and the inspector)."""
    events = []
    for block in body.decode("utf-8", "replace").split("\n\n"):
        name, data = "", []
        for line in block.splitlines():
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
        if data:
            events.append((name, json.loads("\n".join(data))))
    return events
