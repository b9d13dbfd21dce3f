"""Cassettes: recorded exchanges as HAR 1.2 files (so browsers' and proxies' tools read them).

Our own fields follow HAR's rule for custom fields (a leading underscore): ``log._target`` is
the base URL the recorder forwarded to; ``content._image`` the format, size and byte count of
an image answer that was shrunk to a thumbnail; ``response._thumbnails`` the same for base64
images inside a JSON answer, by JSON pointer.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from mock_gateway._version import __version__

__all__ = ["CassetteWriter", "Exchange", "read_cassette", "to_entry"]

Headers = list[tuple[str, str]]


@dataclass
class Exchange:
    """One recorded request and its answer, as the client saw them (secrets already redacted)."""

    method: str
    url: str  # the URL forwarded to
    path: str  # the path the client asked for (the URL's path without the target's prefix)
    request_headers: Headers
    request_body: bytes
    status: int
    response_headers: Headers
    response_body: bytes
    started: float = 0.0  # epoch seconds
    timings: Mapping[str, float] = field(default_factory=dict)  # send, wait, receive (ms)
    comment: str = ""  # a label, e.g. the test that sent it
    image: Mapping[str, Any] | None = None  # a thumbnailed image answer: its original
    thumbnails: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # pointer: original
    index: int = 0  # its place in the cassette

    @property
    def query(self) -> str:
        """The request's query string."""
        return urlsplit(self.url).query

    def header(self, name: str, *, response: bool = True) -> str:
        """A header's value (``""`` when absent); names are compared lower-cased."""
        pairs = self.response_headers if response else self.request_headers
        return next((v for k, v in pairs if k.lower() == name), "")

    def describe(self) -> str:
        """``#3 POST /v1/images/generations (label)``."""
        label = f" ({self.comment})" if self.comment else ""
        return f"#{self.index} {self.method} {self.path}{label}"


def _text_or_base64(data: bytes) -> dict[str, Any]:
    try:
        return {"text": data.decode("utf-8")}
    except UnicodeDecodeError:
        return {"text": base64.b64encode(data).decode(), "encoding": "base64"}


def _pairs(headers: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in headers]


def to_entry(exchange: Exchange) -> dict[str, Any]:
    """The HAR 1.2 entry for ``exchange``."""
    request_type = exchange.header("content-type", response=False)
    response_type = exchange.header("content-type")
    request: dict[str, Any] = {
        "method": exchange.method,
        "url": exchange.url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": _pairs(exchange.request_headers),
        "queryString": [{"name": k, "value": v} for k, v in parse_qsl(exchange.query, True)],
        "headersSize": -1,
        "bodySize": len(exchange.request_body),
    }
    if exchange.request_body:
        request["postData"] = {"mimeType": request_type, **_text_or_base64(exchange.request_body)}
    content: dict[str, Any] = {"size": len(exchange.response_body), "mimeType": response_type}
    content.update(_text_or_base64(exchange.response_body))
    if exchange.image is not None:
        content["_image"] = dict(exchange.image)
    response: dict[str, Any] = {
        "status": exchange.status,
        "statusText": "",
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": _pairs(exchange.response_headers),
        "content": content,
        "redirectURL": exchange.header("location"),
        "headersSize": -1,
        "bodySize": len(exchange.response_body),
    }
    if exchange.thumbnails:
        response["_thumbnails"] = {k: dict(v) for k, v in exchange.thumbnails.items()}
    timings: dict[str, float] = {"blocked": -1, "dns": -1, "connect": -1, "ssl": -1}
    timings |= {
        key: round(exchange.timings.get(key, 0.0), 3) for key in ("send", "wait", "receive")
    }
    entry: dict[str, Any] = {
        "startedDateTime": datetime.fromtimestamp(exchange.started, UTC).isoformat(),
        "time": round(sum(timings[k] for k in ("send", "wait", "receive")), 3),
        "request": request,
        "response": response,
        "cache": {},
        "timings": timings,
    }
    if exchange.comment:
        entry["comment"] = exchange.comment
    return entry


def _decode(holder: Mapping[str, Any]) -> bytes:
    text = holder.get("text") or ""
    if holder.get("encoding") == "base64":
        return base64.b64decode(text)
    return str(text).encode()


def _from_entry(entry: Mapping[str, Any], prefix: str, index: int) -> Exchange:
    request, response = entry["request"], entry["response"]
    url = str(request["url"])
    path = urlsplit(url).path
    if prefix and path.startswith(prefix):
        path = path[len(prefix) :] or "/"
    content = response.get("content", {})
    started = entry.get("startedDateTime")
    return Exchange(
        method=str(request["method"]).upper(),
        url=url,
        path=path,
        request_headers=[(h["name"].lower(), h["value"]) for h in request.get("headers", [])],
        request_body=_decode(request.get("postData") or {}),
        status=int(response["status"]),
        response_headers=[(h["name"].lower(), h["value"]) for h in response.get("headers", [])],
        response_body=_decode(content),
        started=datetime.fromisoformat(started).timestamp() if started else 0.0,
        timings=dict(entry.get("timings", {})),
        comment=str(entry.get("comment", "")),
        image=content.get("_image"),
        thumbnails=dict(response.get("_thumbnails", {})),
        index=index,
    )


def read_cassette(path: str | Path) -> list[Exchange]:
    """The exchanges of a HAR file, in order; ``ValueError`` says what is wrong with it."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        entries = data["log"]["entries"]
        prefix = urlsplit(str(data["log"].get("_target", ""))).path.rstrip("/")
        return [_from_entry(entry, prefix, i) for i, entry in enumerate(entries)]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ValueError(f"{path}: not a readable HAR cassette ({error!r})") from error


class CassetteWriter:
    """Appends exchanges to a HAR file, rewritten whole (atomically) at most every ``every``
    seconds and on ``close()``: a recording cut short still leaves a valid file behind.
    """

    def __init__(self, path: str | Path, target: str, *, every: float = 1.0) -> None:
        self.path = Path(path)
        self.target = target
        self.every = every
        self._entries: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._flushed = 0.0
        self._flush()

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, exchange: Exchange) -> None:
        """Append ``exchange`` and write the file."""
        entry = to_entry(exchange)
        with self._lock:
            self._entries.append(entry)
            if time.monotonic() - self._flushed >= self.every:
                self._flush()

    def close(self) -> None:
        """Write the file with every exchange added so far."""
        with self._lock:
            self._flush()

    def _flush(self) -> None:
        self._flushed = time.monotonic()
        log = {
            "version": "1.2",
            "creator": {"name": "mock-portkey record", "version": __version__},
            "_target": self.target,
            "entries": self._entries,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"log": log}, out, indent=1, ensure_ascii=False)
        os.replace(temporary, self.path)
