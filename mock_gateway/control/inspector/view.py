"""What the inspector shows of a journaled call: provider, model, images, readable bodies.

Everything here reads the journal as it already is (it keeps every body it saw); nothing is
copied. Images are found in the client's answer (``b64_json``, a signed DALL·E ``url`` that
resolves on the mock's own blob store, Stability's ``artifacts[].base64`` and v2beta
``image``, or raw bytes) and decoded only when asked for.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from mock_gateway.adapters import ADAPTERS
from mock_gateway.fakes.blobs import BLOB_PREFIX, BlobStore
from mock_gateway.journal import Attempt, Call
from mock_gateway.wire import safejson
from mock_gateway.wire.multipart import MultipartError, decode_form

__all__ = [
    "FoundImage",
    "ImageInfo",
    "call_model",
    "call_provider",
    "find_images",
    "find_inputs",
    "image_info",
    "readable_body",
    "status_class",
    "url_states",
]

# JSON keys under which providers and the gateway put base64 images.
_B64_KEYS = frozenset({"b64_json", "base64", "image"})
_BASE64ISH = re.compile(r"[A-Za-z0-9+/=\r\n]+")
_LONG = 160  # a base64 string longer than this is shortened in the bodies shown
_SHOWN_CAP = 16_384  # characters of a body shown (errors: _ERROR_CAP)
_ERROR_CAP = 65_536


@dataclass(frozen=True)
class ImageInfo:
    """An image's format (``png``, ``jpeg``, ``webp``, ``gif``), pixel size and byte size."""

    fmt: str
    width: int
    height: int
    size: int

    @property
    def media_type(self) -> str:
        """The image's MIME type."""
        return f"image/{self.fmt}"

    def describe(self) -> str:
        """``1024x1024 PNG, 6.5 kB``."""
        return f"{self.width}\u00d7{self.height} {self.fmt.upper()}, {_kilobytes(self.size)}"


@dataclass(frozen=True)
class FoundImage:
    """One image in an answer: where it was, its bytes and info, or why it cannot be shown."""

    where: str
    data: bytes | None
    info: ImageInfo | None
    problem: str | None = None
    url: str | None = None


def _kilobytes(size: int) -> str:
    return f"{size} B" if size < 1000 else f"{size / 1000:,.1f} kB"


def image_info(data: bytes) -> ImageInfo | None:
    """Format and size from the image's header (PNG by hand, others by Pillow); None if not one."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return ImageInfo("png", width, height, len(data))
    if not (data[:3] == b"\xff\xd8\xff" or data[8:12] == b"WEBP" or data[:4] == b"GIF8"):
        return None
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as picture:  # reads the header only
            width, height = picture.size
            fmt = (picture.format or "").lower()
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    return ImageInfo(fmt, width, height, len(data)) if fmt else None


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((value for key, value in headers if key.lower() == name), None)


def _walk(value: Any, where: str, depth: int = 0) -> Iterator[tuple[str, str, str]]:
    """(JSON path, key, string) for every string under an image key or a ``url`` key."""
    if depth > 6:
        return
    items: Any = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        path = f"{where}[{key}]" if isinstance(key, int) else f"{where}.{key}".lstrip(".")
        if isinstance(item, str) and (key in _B64_KEYS or key == "url"):
            yield path, str(key), item
        elif isinstance(item, dict | list):
            yield from _walk(item, path, depth + 1)


def _from_b64(where: str, text: str) -> FoundImage | None:
    if len(text) < 16 or not _BASE64ISH.fullmatch(text[:256]):
        return None
    try:
        data = base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError):
        return FoundImage(where, None, None, "not valid base64")
    info = image_info(data)
    return FoundImage(where, data, info, None if info else "not an image")


def _from_url(where: str, url: str, blobs: BlobStore | None) -> FoundImage:
    parts = urlsplit(url)
    if blobs is None or not parts.path.startswith(BLOB_PREFIX):
        return FoundImage(where, None, None, "not served by this mock", url)
    status, _, body = blobs.get(parts.path, parts.query)
    if status != 200:
        return FoundImage(where, None, None, f"the URL answers {status}", url)
    info = image_info(body)
    return FoundImage(where, body, info, None if info else "not an image", url)


def find_inputs(call: Call) -> list[FoundImage]:
    """The images the client sent as file parts of a multipart form (an image edit's
    ``image``, ``image[]`` and ``mask``), in order; ``where`` says ``input`` and the part."""
    content_type = call.header("content-type") or ""
    if not call.body or not content_type.lower().startswith("multipart/form-data"):
        return []
    try:
        parts = decode_form(call.body, content_type)
    except MultipartError:
        return []
    found = []
    for part in parts:
        if part.filename is None:
            continue
        info = image_info(part.value)
        where = f"input {part.name} ({part.filename})"
        found.append(FoundImage(where, part.value, info, None if info else "not an image"))
    return found


def find_images(call: Call, blobs: BlobStore | None) -> list[FoundImage]:
    """The images the client sent (``find_inputs``), then every image in its answer."""
    return find_inputs(call) + _answer_images(call, blobs)


def _answer_images(call: Call, blobs: BlobStore | None) -> list[FoundImage]:
    """Every image in the answer the client got, in order."""
    body = call.response_body
    if not body:
        return []
    media = (_header(call.response_headers, "content-type") or "").split(";")[0].strip().lower()
    if media.startswith("image/"):
        info = image_info(body)
        return [FoundImage("body", body, info, None if info else "not an image")]
    if media == "text/event-stream":  # an image stream: each event's data (OpenAI's)
        from mock_gateway.fakes.openai_stream import sse_events

        try:
            parsed: Any = [data for _, data in sse_events(body)]
        except ValueError:
            return []
    elif "json" not in media:
        return []
    else:
        try:
            parsed = safejson.loads(body)
        except ValueError:
            return []
    if not isinstance(parsed, dict | list):
        return []
    found: list[FoundImage] = []
    for where, key, text in _walk(parsed, ""):
        image = _from_url(where, text, blobs) if key == "url" else _from_b64(where, text)
        if image is not None:
            found.append(image)
    return found


def url_states(call: Call, blobs: BlobStore | None) -> tuple[int, ...]:
    """What each image URL in the answer answers now (a URL expires; nothing else changes)."""
    if blobs is None or b'"url"' not in call.response_body:
        return ()
    try:
        parsed = safejson.loads(call.response_body)
    except ValueError:
        return ()
    if not isinstance(parsed, dict | list):
        return ()
    urls = (urlsplit(text) for _, key, text in _walk(parsed, "") if key == "url")
    return tuple(blobs.get(url.path, url.query)[0] for url in urls)


def _host_provider(attempt: Attempt) -> str:
    # Upstream hosts the fakes stand in for (each adapter's base URL); any other host (a
    # custom_host) is shown as is.
    host = urlsplit(attempt.url).hostname or ""
    for provider, adapter in ADAPTERS.items():
        if urlsplit(adapter.BASE_URL).hostname == host:
            return provider
    return host


def _config_provider(call: Call) -> str | None:
    try:
        config = safejson.loads(call.header("x-portkey-config") or "")
    except ValueError:
        return None
    provider = config.get("provider") if isinstance(config, dict) else None
    return provider if isinstance(provider, str) else None


def call_provider(call: Call) -> str:
    """The provider that answered (``x-portkey-provider``), else the one asked for; ``""``."""
    answered = _header(call.response_headers, "x-portkey-provider")
    if answered:
        return answered
    if call.attempts:
        return _host_provider(call.attempts[-1])
    return call.header("x-portkey-provider") or _config_provider(call) or ""


def attempt_model(attempt: Attempt) -> str:
    """The model an upstream attempt asked for: OpenAI's ``model``, Stability's engine."""
    body = attempt.json
    if isinstance(body, dict) and isinstance(body.get("model"), str):
        return str(body["model"])
    for field in attempt.form or ():
        if field.get("name") == "model" and isinstance(field.get("value"), str):
            return str(field["value"])
    segments = urlsplit(attempt.url).path.split("/")
    if "generation" in segments:  # Stability v1: /v1/generation/{engine}/text-to-image
        index = segments.index("generation") + 1
        return segments[index] if index < len(segments) else ""
    if "stable-image" in segments:  # v2beta: /v2beta/stable-image/generate/{core|ultra|sd3}
        return segments[-1]
    if len(segments) >= 3 and segments[-3] == "model":  # Bedrock: /model/{modelId}/invoke
        return unquote(segments[-2])
    return ""


def call_model(call: Call) -> str:
    """The model of the last upstream attempt, else the client's ``model``; ``""``."""
    if call.attempts:
        model = attempt_model(call.attempts[-1])
        if model:
            return model
    body = call.json
    wanted = body.get("model") if isinstance(body, dict) else None
    return wanted if isinstance(wanted, str) else ""


def status_class(status: int) -> str:
    """``2xx``, ``4xx``, ...; ``pending`` while the answer has not started."""
    return "pending" if status == 0 else f"{status // 100}xx"


def _shorten(value: Any) -> Any:
    if isinstance(value, str) and len(value) > _LONG and _BASE64ISH.fullmatch(value[:256]):
        return f"{value[:24]}\u2026 ({len(value):,} characters of base64)"
    if isinstance(value, dict):
        return {key: _shorten(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shorten(item) for item in value]
    return value


def _capped(text: str, cap: int) -> str:
    if len(text) <= cap:
        return text
    return f"{text[:cap]}\n\u2026 ({len(text) - cap:,} more characters)"


def readable_body(
    data: bytes, content_type: str | None, form: list[dict[str, Any]] | None, *, exact: bool
) -> str:
    """A body for people: JSON indented with base64 shortened, form fields, or a byte count.

    ``exact``: the text as it was sent (error bodies), only capped in length.
    """
    if not data:
        return ""
    media = (content_type or "").split(";")[0].strip().lower()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return f"({len(data):,} bytes of {media or 'binary data'})"
    if exact:
        return _capped(text, _ERROR_CAP)
    if form is not None:
        lines = (
            f"{f['name']}: {f['filename']} ({f['size']:,} bytes)"
            if "filename" in f
            else f"{f['name']}: {f['value']}"
            for f in form
        )
        return _capped("\n".join(lines), _SHOWN_CAP)
    if text.count(",") > _SHOWN_CAP // 2:
        # More items than the cap could show once indented: indenting them all (seconds for
        # a hostile body of 100,000 keys) would be wasted, so the text is shown as sent.
        return _capped(text, _SHOWN_CAP)
    try:
        parsed = safejson.loads(text)
    except ValueError:
        return _capped(text, _SHOWN_CAP)
    shown = safejson.visible(json.dumps(_shorten(parsed), indent=2, ensure_ascii=False))
    return _capped(shown, _SHOWN_CAP)
