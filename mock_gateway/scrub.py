"""What a recording may keep: every credential redacted, images optionally shrunk.

Runs on each exchange before it is written, so no key ever reaches the disk:
- headers whose name says secret (``authorization``, ``cookie``, ``*-key``, ``*-token``,
  ``*secret*``, ``*password*``, ``*credential*``), whatever the provider;
- ``api_key``-like fields at any depth of ``x-portkey-config`` (a JSON config), and of a
  JSON body;
- URL query parameters that sign or authorise (``sig``, ``X-Amz-Signature``, ``token``, ...),
  in the request URL and in every URL inside a text answer (DALL·E's signed blob URLs);
- and then every occurrence of those secret values anywhere else (bodies, other headers), in
  case an answer echoes one.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from mock_gateway import safejson
from mock_gateway.har import Exchange, Headers
from mock_gateway.normalise import IMAGE_KEYS
from mock_gateway.redact import is_secret_name as _is_secret_name
from mock_gateway.redact import redact_key

__all__ = ["is_secret_name", "redact_text_urls", "redact_value", "scrub", "shrink_image"]

# URL query parameters that sign a URL without saying so in a longer name (OpenAI's blob
# URLs: ``sig=``); every other name is judged by the one rule in redact.is_secret_name.
_SIGNING_PARAMS = frozenset({"sig"})
_QUERY = re.compile(r"([?&])([A-Za-z0-9_.\-]+)=([^&\"'\s<>\\#]*)")
_MIN_SWEPT = 8  # shorter values are too likely to occur innocently in a body


def is_secret_name(name: str) -> bool:
    """Whether a header, config field or query parameter of this name carries a credential."""
    return name.lower() in _SIGNING_PARAMS or _is_secret_name(name)


def redact_value(value: str) -> str:
    """A credential shortened: ``Bearer sk-a...wxyz``; with no one-word scheme before it, the
    whole value is the secret (a service-account JSON is not ``scheme secret``).
    """
    scheme, _, secret = value.partition(" ")
    if not secret or (scheme.isalpha() and " " not in secret):
        return redact_key(value)
    if len(value) <= 8:
        return "*" * len(value)
    return f"{value[:4]}...{value[-4:]}"


def _config(value: Any, found: set[str]) -> Any:
    if isinstance(value, list):
        return [_config(item, found) for item in value]
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if is_secret_name(key) and isinstance(item, str):
                found.add(item)
                item = redact_value(item)
            out[key] = _config(item, found)
        return out
    return value


def _config_header(text: str, found: set[str]) -> str:
    try:
        config = safejson.loads(text)
    except ValueError:
        return text  # a saved config's id, not a secret
    return json.dumps(_config(config, found), separators=(",", ":"))


def _query_value(match: re.Match[str], found: set[str]) -> str:
    mark, name, value = match.groups()
    if not value or not is_secret_name(name):
        return match.group(0)
    found.add(value)
    return f"{mark}{name}={redact_value(value)}"


def redact_text_urls(text: str, found: set[str] | None = None) -> str:
    """``text`` with every secret query parameter of every URL in it redacted."""
    seen = found if found is not None else set()
    return _QUERY.sub(lambda m: _query_value(m, seen), text)


def _headers(headers: Headers, found: set[str]) -> Headers:
    out = []
    for name, value in headers:
        if is_secret_name(name):
            found.add(value)
            found.add(value.rpartition(" ")[2])  # the key without its "Bearer " scheme
            value = redact_value(value)
        elif name.lower() == "x-portkey-config":
            value = _config_header(value, found)
        else:
            value = redact_text_urls(value, found)
        out.append((name, value))
    return out


def _url(url: str, found: set[str]) -> str:
    parts = urlsplit(url)
    query = redact_text_urls("?" + parts.query, found)[1:] if parts.query else ""
    return urlunsplit(parts._replace(query=query))


def _sweep(data: bytes, secrets: list[str]) -> bytes:
    for secret in secrets:
        data = data.replace(secret.encode(), redact_value(secret).encode())
    return data


def _body(data: bytes, found: set[str]) -> bytes:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data  # binary (an image): no URLs to sign
    if text[:1] in ("{", "["):  # a JSON body with key-like fields: redacted as a config is
        try:
            decoded = json.loads(text)
        except ValueError:
            pass
        else:
            before = len(found)
            clean = _config(decoded, found)
            if len(found) > before:
                text = json.dumps(clean, ensure_ascii=False, separators=(",", ":"))
    return redact_text_urls(text, found).encode()


def shrink_image(data: bytes, largest: int) -> tuple[bytes, dict[str, Any]] | None:
    """A thumbnail no larger than ``largest`` px a side, in the same format, and what the
    original was (format, width, height, bytes); ``None`` if ``data`` is no image or small.
    """
    from PIL import Image  # only recordings with --thumbnail need it

    try:
        with Image.open(io.BytesIO(data)) as image:
            original = {
                "format": image.format,
                "width": image.width,
                "height": image.height,
                "bytes": len(data),
            }
            if max(image.size) <= largest:
                return None
            fmt = image.format or "PNG"
            small = image.convert("RGBA" if fmt in ("PNG", "WEBP") else "RGB")
            small.thumbnail((largest, largest))
            out = io.BytesIO()
            small.save(out, format=fmt)
    except (OSError, ValueError):
        return None
    return out.getvalue(), original


def _shrink_json(value: Any, pointer: str, largest: int, found: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        return {
            k: _shrink_json(v, f"{pointer}/{k}", largest, found)
            if not (k in IMAGE_KEYS and isinstance(v, str))
            else _shrink_b64(v, f"{pointer}/{k}", largest, found)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_shrink_json(v, f"{pointer}/{i}", largest, found) for i, v in enumerate(value)]
    return value


def _shrink_b64(value: str, pointer: str, largest: int, found: dict[str, Any]) -> str:
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return value
    shrunk = shrink_image(data, largest)
    if shrunk is None:
        return value
    found[pointer] = shrunk[1]
    return base64.b64encode(shrunk[0]).decode()


def _thumbnails(exchange: Exchange, largest: int) -> Exchange:
    media = exchange.header("content-type")
    if media.startswith("image/"):
        shrunk = shrink_image(exchange.response_body, largest)
        if shrunk is None:
            return exchange
        return replace(exchange, response_body=shrunk[0], image=shrunk[1])
    if "json" not in media:
        return exchange
    try:
        body = json.loads(exchange.response_body)
    except ValueError:
        return exchange
    pointers: dict[str, Any] = {}
    small = _shrink_json(body, "", largest, pointers)
    if not pointers:
        return exchange
    data = json.dumps(small, ensure_ascii=False, separators=(",", ":")).encode()
    return replace(exchange, response_body=data, thumbnails=pointers)


def scrub(exchange: Exchange, *, thumbnail: int | None = None) -> Exchange:
    """``exchange`` with every credential redacted (and its images shrunk, if asked)."""
    found: set[str] = set()
    request_headers = _headers(exchange.request_headers, found)
    url = _url(exchange.url, found)
    response_headers = _headers(exchange.response_headers, found)
    request_body = _body(exchange.request_body, found)
    response_body = _body(exchange.response_body, found)
    # Longest first, so a key is never half-replaced by a shorter secret inside it.
    secrets = sorted((s for s in found if len(s) >= _MIN_SWEPT), key=len, reverse=True)
    clean = replace(
        exchange,
        url=_sweep(url.encode(), secrets).decode(),
        request_headers=[
            (k, _sweep(v.encode(), secrets).decode(errors="replace")) for k, v in request_headers
        ],
        request_body=_sweep(request_body, secrets),
        response_headers=[
            (k, _sweep(v.encode(), secrets).decode(errors="replace")) for k, v in response_headers
        ],
        response_body=_sweep(response_body, secrets),
    )
    return clean if thumbnail is None else _thumbnails(clean, thumbnail)
