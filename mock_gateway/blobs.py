"""Signed, expiring image URLs, as OpenAI's DALL·E answers with ``response_format: "url"``.

OpenAI returns an Azure blob SAS URL (``.../private/org-…/user-…/img-….png?st=…&se=…&sp=r…&sig=…``)
that is valid from about ``created`` - 1 h until ``created`` + 1 h, then answers Azure's
``AuthenticationFailed`` XML (upstream-apis.md; openai-claims.md row 27). Here the URL points
at the running mock itself, at the host and port the client used, so a test can fetch it.
"""

from __future__ import annotations

import base64
import contextvars
import hashlib
import hmac
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import parse_qs, quote

__all__ = ["BLOB_PREFIX", "BlobStore", "current_origin", "origin_of"]

BLOB_PREFIX = "/_mock/openai-blobs"
# The origin (scheme://host[:port]) the current client request came to; set per request.
current_origin: contextvars.ContextVar[str] = contextvars.ContextVar(
    "current_origin", default="http://127.0.0.1:8787"
)
_XML = "application/xml"
_AUTH_FAILED = (
    "Server failed to authenticate the request. Make sure the value of Authorization header is "
    "formed correctly including the signature."
)


def origin_of(headers: dict[str, str], scheme: str) -> str:
    """The client-facing origin, honouring ``X-Forwarded-Proto`` and ``X-Forwarded-Host``."""
    proto = headers.get("x-forwarded-proto", scheme).split(",")[0].strip()
    host = headers.get("x-forwarded-host") or headers.get("host") or "127.0.0.1"
    return f"{proto}://{host.split(',')[0].strip()}"


@lru_cache(maxsize=64)  # one clock second gives the same stamps to every request in it
def _stamp(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@lru_cache(maxsize=64)
def _quoted(text: str) -> str:
    return quote(text, safe="")


def _quoted_b64(text: str) -> str:
    """``quote(text, safe="")`` for base64 text: only ``+``, ``/`` and ``=`` need escaping."""
    return text.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")


def _http_date(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")


def _azure_error(code: str, message: str, detail: str | None = None) -> bytes:
    # Azure Storage's error body (as captured in the public threads openai-claims.md cites).
    extra = f"<AuthenticationErrorDetail>{detail}</AuthenticationErrorDetail>" if detail else ""
    return (
        f'<?xml version="1.0" encoding="utf-8"?><Error><Code>{code}</Code>'
        f"<Message>{message}</Message>{extra}</Error>"
    ).encode()


class BlobStore:
    """Generated images behind signed URLs, with a validity window and a bounded size."""

    def __init__(
        self,
        *,
        secret: bytes,
        clock: Callable[[], float] = time.time,
        ttl: float = 3600.0,
        cap: int = 512,
    ) -> None:
        self._secret, self._clock, self.ttl, self._cap = secret, clock, ttl, cap
        self._blobs: OrderedDict[str, tuple[bytes, str]] = OrderedDict()
        self._lock = threading.Lock()

    def _sign(self, path: str, start: str, expiry: str) -> str:
        mac = hmac.new(self._secret, f"{path}\n{start}\n{expiry}".encode(), hashlib.sha256)
        return base64.b64encode(mac.digest()).decode()

    def put(self, data: bytes, *, name: str, content_type: str, created: float) -> str:
        """Store ``data``; the absolute signed URL for it, at the current request's origin."""
        path = f"{BLOB_PREFIX}/private/org-mock/user-mock/{name}"
        with self._lock:
            self._blobs[path] = (data, content_type)
            self._blobs.move_to_end(path)
            while len(self._blobs) > self._cap:
                self._blobs.popitem(last=False)
        start, expiry = _stamp(created - 3600), _stamp(created + self.ttl)
        # What urlencode(..., quote_via=quote) gives, written out: it costs a tenth as much.
        query = (
            f"st={_quoted(start)}&se={_quoted(expiry)}&sp=r&sv=2021-08-06&sr=b"
            f"&rscd=inline&rsct={_quoted(content_type)}"
            f"&sig={_quoted_b64(self._sign(path, start, expiry))}"
        )
        return f"{current_origin.get()}{path}?{query}"

    def get(self, path: str, query: str) -> tuple[int, str, bytes]:
        """(status, content type, body) for a GET on a signed URL, as Azure answers it."""
        params = {key: values[0] for key, values in parse_qs(query).items()}
        start, expiry, signature = params.get("st", ""), params.get("se", ""), params.get("sig", "")
        expected = self._sign(path, start, expiry).encode()
        # As bytes: compare_digest refuses a str with non-ASCII characters (?sig=%C3%A9).
        if not hmac.compare_digest(signature.encode("utf-8", "surrogatepass"), expected):
            detail = "Signature did not match."
            return 403, _XML, _azure_error("AuthenticationFailed", _AUTH_FAILED, detail)
        now = self._clock()
        begin = datetime.strptime(start, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
        end = datetime.strptime(expiry, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
        if not begin <= now <= end:
            window = (
                f"Signature not valid in the specified time frame: Start [{_http_date(begin)}] - "
                f"Expiry [{_http_date(end)}] - Current [{_http_date(now)}]"
            )
            return 403, _XML, _azure_error("AuthenticationFailed", _AUTH_FAILED, window)
        with self._lock:
            found = self._blobs.get(path)
        if found is None:
            return 404, _XML, _azure_error("BlobNotFound", "The specified blob does not exist.")
        data, content_type = found
        return 200, content_type, data
