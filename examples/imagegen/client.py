"""Generate an image through Portkey and get PNG bytes back, whatever the gateway does.

The unified route (``POST /v1/images/generations``) answers OpenAI-shaped JSON with either
``b64_json`` or a ``url`` (Stability always ``b64_json``, even when ``url`` was asked); the
proxy route answers Stability's own raw bytes or JSON. Rate limits are retried, honouring
``retry-after``; everything else that goes wrong is one of this module's errors.
"""

from __future__ import annotations

import base64
import binascii
import struct
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

__all__ = [
    "BadResponse",
    "ContentFiltered",
    "GatewayTimeout",
    "ImageClient",
    "ImageError",
    "ProviderError",
    "RateLimited",
]

V1_ENGINES = ("stable-diffusion-xl-1024-v1-0", "stable-diffusion-xl-1024-v0-9",
              "stable-diffusion-v1-6")  # fmt: skip
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FILTER_CODES = {"content_moderation", "moderation_blocked", "content_policy_violation"}


class ImageError(Exception):
    """Anything that stops us returning an image; ``status`` is the HTTP status, if any."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class RateLimited(ImageError):
    """Still rate-limited after every attempt (or asked to wait longer than we would)."""

    def __init__(self, message: str, status: int | None, retry_after: float | None) -> None:
        super().__init__(message, status)
        self.retry_after = retry_after


class ProviderError(ImageError):
    """The gateway or the provider refused or failed the request."""


class ContentFiltered(ImageError):
    """The provider's content filter refused the prompt, or blurred the image."""


class GatewayTimeout(ImageError):
    """The provider did not answer in time."""


class BadResponse(ImageError):
    """An answer we cannot read, or bytes that are not a whole PNG."""


@dataclass
class ImageClient:
    """``ImageClient(base_url, portkey_key, provider_key).generate("a cat") -> PNG bytes``."""

    base_url: str  # Portkey's, e.g. https://api.portkey.ai/v1
    portkey_key: str
    provider_key: str
    provider: str = "stability-ai"
    model: str | None = None
    route: Literal["unified", "proxy"] = "unified"
    response_format: str | None = None  # unified route only: "url" or "b64_json"
    max_attempts: int = 3
    max_wait: float = 30.0  # never sleep longer than this for one retry
    request_timeout_ms: int | None = None
    sleep: Callable[[float], None] = time.sleep
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30.0))

    def __enter__(self) -> ImageClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.http.close()

    def generate(self, prompt: str, *, size: str | None = None) -> bytes:
        """A PNG for ``prompt``; raises an ``ImageError`` subclass when there is none."""
        for attempt in range(1, self.max_attempts + 1):
            try:
                return self._attempt(prompt, size)
            except (RateLimited, GatewayTimeout, BadResponse, ProviderError) as error:
                if attempt == self.max_attempts or not self._retryable(error):
                    raise
                self._wait(error, attempt)
        raise AssertionError("unreachable")  # the loop returns or raises

    # -- one attempt ----------------------------------------------------------------------

    def _attempt(self, prompt: str, size: str | None) -> bytes:
        try:
            response = self._send(prompt, size)
        except httpx.TimeoutException:
            raise GatewayTimeout("no answer from the gateway in time") from None
        except httpx.HTTPError as error:
            raise ProviderError(self._redact(f"could not reach the gateway: {error}")) from None
        if response.status_code != 200:
            raise self._error(response)
        if self.route == "proxy":
            return self._check_png(self._proxy_image(response))
        return self._check_png(self._unified_image(response))

    def _headers(self) -> dict[str, str]:
        headers = {"x-portkey-api-key": self.portkey_key, "x-portkey-provider": self.provider,
                   "authorization": f"Bearer {self.provider_key}"}  # fmt: skip
        if self.request_timeout_ms is not None:
            headers["x-portkey-request-timeout"] = str(self.request_timeout_ms)
        return headers

    def _send(self, prompt: str, size: str | None) -> httpx.Response:
        if self.route == "unified":
            body: dict[str, Any] = {"prompt": prompt}
            body |= {"model": self.model} if self.model else {}
            body |= {"size": size} if size else {}
            body |= {"response_format": self.response_format} if self.response_format else {}
            url = f"{self.base_url}/images/generations"
            return self.http.post(url, json=body, headers=self._headers())
        headers = {**self._headers(), "accept": "image/png"}
        model = self.model or "stable-diffusion-v1-6"
        if model in V1_ENGINES:
            v1: dict[str, Any] = {"text_prompts": [{"text": prompt}]}
            if size:
                width, height = size.lower().split("x")
                v1 |= {"width": int(width), "height": int(height)}
            url = f"{self.base_url}/generation/{model}/text-to-image"
            return self.http.post(url, json=v1, headers=headers)
        headers["accept"] = "image/*"
        form = {"prompt": prompt, "output_format": "png"}
        url = f"{self.base_url}/v2beta/stable-image/generate/{model}"
        return self.http.post(url, files={k: (None, v) for k, v in form.items()}, headers=headers)

    # -- reading answers -------------------------------------------------------------------

    def _unified_image(self, response: httpx.Response) -> bytes:
        body = self._json(response)
        if "error" in body or "html-message" in body:  # an unreadable upstream, with a 200
            raise BadResponse(self._redact(f"the gateway could not read the provider: {body}"))
        items = body.get("data")
        if not isinstance(items, list) or not items or not isinstance(items[0], dict):
            raise BadResponse("no image in the answer")
        item = items[0]
        if isinstance(item.get("b64_json"), str):  # Stability always answers this
            try:
                return base64.b64decode(item["b64_json"], validate=True)
            except binascii.Error:
                raise BadResponse("b64_json is not base64") from None
        if isinstance(item.get("url"), str):  # DALL·E, when url was asked (its default)
            image = self.http.get(item["url"])
            if image.status_code != 200:
                raise BadResponse(f"the image URL answered {image.status_code}", image.status_code)
            return image.content
        raise BadResponse("the answer has neither b64_json nor url")

    def _proxy_image(self, response: httpx.Response) -> bytes:
        if response.headers.get("finish-reason") == "CONTENT_FILTERED":
            raise ContentFiltered("Stability blurred the image", 200)
        if response.headers.get("content-type", "").startswith("image/"):
            return response.content
        raise BadResponse(f"expected image bytes, got {response.headers.get('content-type')}")

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            raise BadResponse("the answer is not JSON", response.status_code) from None
        if not isinstance(body, dict):
            raise BadResponse("the answer is not a JSON object", response.status_code)
        return body

    def _error(self, response: httpx.Response) -> ImageError:
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = {}
        error = body.get("error") if isinstance(body, dict) else None
        error = error if isinstance(error, dict) else {}
        message = str(error.get("message") or body.get("message") or body.get("errors") or
                      body.get("name") or f"HTTP {status}")  # fmt: skip
        message = self._redact(f"{status}: {message}")
        codes = {error.get("type"), error.get("code"), body.get("name")}
        if status == 429:
            return RateLimited(message, status, _seconds(response.headers.get("retry-after")))
        if status == 408:
            return GatewayTimeout(message, status)
        if codes & FILTER_CODES:
            return ContentFiltered(message, status)
        return ProviderError(message, status)

    def _check_png(self, data: bytes) -> bytes:
        """Return ``data`` if it is one whole PNG (every chunk's CRC right, IHDR to IEND)."""
        if not data.startswith(PNG_SIGNATURE):
            raise BadResponse("the image is not a PNG")
        position, kinds = len(PNG_SIGNATURE), []
        while position < len(data):
            if position + 12 > len(data):
                raise BadResponse("the PNG is truncated")
            (length,) = struct.unpack(">I", data[position : position + 4])
            kind = data[position + 4 : position + 8]
            chunk = data[position + 4 : position + 8 + length]
            crc = data[position + 8 + length : position + 12 + length]
            if len(crc) != 4 or zlib.crc32(chunk) & 0xFFFFFFFF != struct.unpack(">I", crc)[0]:
                raise BadResponse("the PNG is corrupted")
            kinds.append(kind)
            position += 12 + length
        if not kinds or kinds[0] != b"IHDR" or kinds[-1] != b"IEND":
            raise BadResponse("the PNG is incomplete")
        return data

    # -- retrying --------------------------------------------------------------------------

    @staticmethod
    def _retryable(error: ImageError) -> bool:
        if isinstance(error, RateLimited | GatewayTimeout | BadResponse):
            return True
        return error.status is not None and error.status >= 500

    def _wait(self, error: ImageError, attempt: int) -> None:
        delay = 0.5 * 2 ** (attempt - 1)
        if isinstance(error, RateLimited) and error.retry_after is not None:
            if error.retry_after > self.max_wait:
                raise error
            delay = max(delay, error.retry_after)  # the server knows best
        self.sleep(min(delay, self.max_wait))

    def _redact(self, text: str) -> str:
        for secret in (self.provider_key, self.portkey_key):
            if secret:
                text = text.replace(secret, "***")
        return text


def _seconds(value: str | None) -> float | None:
    try:
        return None if value is None else max(0.0, float(value))
    except ValueError:
        return None
