"""The upstream exchange: what the gateway would send a provider, and what came back.

The gateway layer builds an :class:`UpstreamRequest` exactly as the real gateway would put
it on the wire; a fake provider answers it in-process with an :class:`UpstreamResponse`.
No socket is involved, but the journal shows the request as it would have travelled.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from mock_gateway import safejson

__all__ = [
    "Headers",
    "UpstreamRequest",
    "UpstreamResponse",
    "json_response",
    "parsed_json",
    "unsupported_response",
]

Headers = tuple[tuple[str, str], ...]
_UNPARSED: Any = object()
# The providers' and the gateway's compact JSON (one encoder, built once).
_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def _lower(headers: Iterable[tuple[str, str]]) -> Headers:
    return tuple((name.lower(), value) for name, value in headers)


@dataclass(frozen=True)
class UpstreamRequest:
    """One request to a provider: method, absolute URL, lower-cased headers, raw body."""

    method: str
    url: str
    headers: Headers = ()
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or ``None``."""
        wanted = name.lower()
        for key, value in self.headers:  # a loop: cheaper than next() over a generator
            if key == wanted:
                return value
        return None

    @property
    def path(self) -> str:
        """The URL's path, without the query string."""
        return urlsplit(self.url).path or "/"

    @classmethod
    def build(
        cls,
        method: str,
        url: str,
        headers: Mapping[str, str] | Iterable[tuple[str, str]],
        body: bytes,
    ) -> UpstreamRequest:
        """Build from any header mapping or pairs; names are lower-cased."""
        pairs = headers.items() if isinstance(headers, Mapping) else headers
        return cls(method.upper(), url, _lower(pairs), body)


@dataclass(frozen=True)
class UpstreamResponse:
    """A provider's answer: status, lower-cased headers and the body bytes."""

    status: int
    headers: Headers = ()
    body: bytes = b""
    # Set when the mock produced this answer itself (a fault, a timeout), not a provider.
    meta: Mapping[str, Any] = field(default_factory=dict)
    # The object ``body`` is the JSON of, when a fake made both in process: the adapters read
    # it instead of parsing the bytes back (``safejson.loads(body)`` gives an equal object).
    parsed: Any = field(default=_UNPARSED, compare=False, repr=False)

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or ``None``."""
        wanted = name.lower()
        for key, value in self.headers:  # a loop: cheaper than next() over a generator
            if key == wanted:
                return value
        return None

    @property
    def media_type(self) -> str:
        """The media type of the body, lower-cased, without parameters ('' if absent)."""
        return (self.header("content-type") or "").split(";")[0].strip().lower()

    def json(self) -> Any:
        """The body parsed as JSON; raises ``ValueError`` when it is not JSON."""
        return safejson.loads(self.body)


def parsed_json(response: UpstreamResponse) -> Any:
    """``response.json()``, without parsing when the fake kept the object it serialised.

    The object is shared, not copied: callers read it and build new values, never mutate it.
    """
    if response.parsed is not _UNPARSED:
        return response.parsed
    return response.json()


def json_response(
    status: int,
    body: Any,
    headers: Iterable[tuple[str, str]] = (),
    *,
    keep: bool = False,
    data: bytes | None = None,
) -> UpstreamResponse:
    """A JSON answer, serialised compactly as the providers and the gateway do.

    ``keep``: ``body`` holds only dicts, lists, strings, ints and bools (what parsing its JSON
    gives back), so the response keeps it for ``parsed_json``. ``data``: its JSON, already made.
    """
    if data is None:
        try:
            data = _COMPACT.encode(body).encode()
        except UnicodeEncodeError:  # a lone surrogate echoed back: escaped, as JSON allows
            data = safejson.dumps(body)
    typed = (("content-type", "application/json"), *_lower(headers))
    return UpstreamResponse(status, typed, data, parsed=body if keep else _UNPARSED)


def unsupported_response(what: str) -> UpstreamResponse:
    """A fake provider's "this mock does not model that" (passed to the client as is)."""
    body = {"status": "failure", "message": f"mock-portkey-gateway does not model {what}"}
    response = json_response(501, body, (("x-mock-unsupported", "true"),))
    return UpstreamResponse(
        response.status, response.headers, response.body, {"mock_unsupported": True}
    )
