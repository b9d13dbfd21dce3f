"""What two answers may differ in and still agree: the normalisation shared by the conformance
suite (real gateway vs mock) and ``mock-portkey drift`` (a recording vs the mock).

Normalised away: ``created`` (and stream events' ``created_at``) timestamps, image bytes
(kept as their decoded format and size), multipart boundaries, the host:port of loopback
URLs and the query strings of ``url`` values (signed URLs). Everything else counts.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
from typing import Any

from mock_gateway.wire.multipart import MultipartError, decode_form

__all__ = ["IMAGE_KEYS", "ORIGIN", "b64_image", "image_summary", "normal", "normal_body"]

ORIGIN = re.compile(r"http://127\.0\.0\.1:\d+")
# JSON keys whose string values are base64 images: OpenAI's b64_json, Stability v1's base64,
# Stability v2beta's image.
IMAGE_KEYS = frozenset({"b64_json", "base64", "image"})
# Timestamps: `created` of answers, `created_at` of OpenAI's image stream events.
_TIMESTAMPS = frozenset({"created", "created_at"})


def image_summary(data: bytes) -> str | None:
    """``<PNG 1024x1024>`` for image bytes; ``None`` if they are not an image Pillow reads."""
    from PIL import Image  # only answers with images need it

    try:
        with Image.open(io.BytesIO(data)) as image:
            return f"<{image.format} {image.width}x{image.height}>"
    except (OSError, ValueError):
        return None


def b64_image(value: str) -> str:
    """A base64 image as its summary; any other string as it is."""
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return value
    return image_summary(data) or value


def normal(value: Any, key: str = "") -> Any:
    """A decoded JSON value with timestamps, images and loopback origins normalised."""
    if isinstance(value, dict):
        return {k: normal(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [normal(item, key) for item in value]
    if key in _TIMESTAMPS and isinstance(value, int | float):
        return "<created>"
    if key in IMAGE_KEYS and isinstance(value, str):
        return b64_image(value)
    if key == "url" and isinstance(value, str):
        return ORIGIN.sub("<origin>", value).split("?")[0]
    if isinstance(value, str):
        return ORIGIN.sub("<origin>", value)
    return value


def normal_body(data: bytes, content_type: str) -> Any:
    """A body, normalised: JSON decoded, a form as its fields, server-sent events as
    ``[event, data]`` pairs, an image as its summary."""
    if content_type.startswith("text/event-stream"):
        from mock_gateway.fakes.openai_stream import sse_events

        try:
            return [[name, normal(data)] for name, data in sse_events(data)]
        except ValueError:
            pass  # not JSON events: compared as text below
    if content_type.startswith("multipart/form-data"):
        try:
            fields = decode_form(data, content_type)
        except MultipartError:
            return {"unreadable-form": len(data)}
        return [[f.name, f"<file {len(f.value)}>" if f.filename else f.text] for f in fields]
    try:
        return normal(json.loads(data))
    except ValueError:
        pass
    image = image_summary(data)
    if image is not None:
        return image
    return ORIGIN.sub("<origin>", data.decode("utf-8", "replace"))
