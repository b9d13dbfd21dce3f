"""What can go wrong at the upstream call, on demand.

A fault replaces (or delays) the provider's answer to one upstream attempt, so the gateway
layer wraps it exactly as the real gateway wraps a real upstream failure. Faults come from a
queue (``FaultQueue``: "the next N matching requests") or from ``x-mock-*`` request headers.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = ["FAULT_KINDS", "Fault", "FaultError", "FaultQueue", "fault_from_headers"]

FaultKind = Literal["status", "delay", "timeout", "drop", "malformed", "content-filter"]
FAULT_KINDS: tuple[str, ...] = ("status", "delay", "timeout", "drop", "malformed", "content-filter")


class FaultError(ValueError):
    """A fault description that cannot be carried out; the message says how to fix it."""


@dataclass(frozen=True)
class Fault:
    """One upstream misbehaviour.

    - ``status``: the provider answers ``status`` with its own error body (plus ``retry-after``).
    - ``delay``: the provider answers normally, ``delay`` seconds late.
    - ``timeout``: the provider never answers. With a request timeout the gateway answers 408;
      without one it waits ``hold`` seconds (times the app's ``time_scale``, as retry waits),
      then the connection drops.
    - ``drop``: the upstream connection closes before any answer.
    - ``malformed``: the provider answers ``status`` with ``body`` (text/html by default).
    - ``content-filter``: the provider's content filter fires (Stability: ``CONTENT_FILTERED``).

    ``delay`` applies to every kind.
    """

    kind: FaultKind
    status: int | None = None
    retry_after: float | None = None
    delay: float = 0.0
    body: str = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    content_type: str = "text/html"
    hold: float = 30.0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise FaultError(
                f"unknown fault {self.kind!r}; choose one of: {', '.join(FAULT_KINDS)}"
            )
        if self.kind == "status" and not (self.status and 400 <= self.status <= 599):
            raise FaultError("a status fault needs a status from 400 to 599, e.g. Fault.error(429)")
        if self.delay < 0 or not math.isfinite(self.delay) or self.hold < 0:
            raise FaultError("delay and hold are seconds, 0 or more")

    @classmethod
    def error(cls, status: int, *, retry_after: float | None = None, delay: float = 0.0) -> Fault:
        """The provider answers ``status`` with its own error body."""
        return cls("status", status=status, retry_after=retry_after, delay=delay)

    @classmethod
    def latency(cls, seconds: float) -> Fault:
        """The provider answers normally, ``seconds`` late."""
        return cls("delay", delay=seconds)

    @classmethod
    def timeout(cls, *, hold: float = 30.0) -> Fault:
        """The provider never answers."""
        return cls("timeout", hold=hold)

    @classmethod
    def dropped(cls) -> Fault:
        """The upstream connection closes before an answer."""
        return cls("drop")

    @classmethod
    def malformed(
        cls, body: str | None = None, *, status: int = 200, content_type: str = "text/html"
    ) -> Fault:
        """The provider answers a body the gateway cannot read."""
        return cls("malformed", status=status, body=body or cls.body, content_type=content_type)

    @classmethod
    def content_filtered(cls) -> Fault:
        """The provider's content filter fires."""
        return cls("content-filter")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Fault:
        """From ``{"fault": "status", "status": 429, ...}`` as ``POST /_mock/faults`` takes it."""
        fields = {
            key: value
            for key, value in data.items()
            if key not in ("fault", "times", "path", "provider", "target")
        }
        unknown = set(fields) - {"status", "retry_after", "delay", "body", "content_type", "hold"}
        if unknown:
            raise FaultError(f"unknown fault field(s): {', '.join(sorted(unknown))}")
        try:
            return cls(data.get("fault", ""), **fields)
        except TypeError as error:
            raise FaultError(str(error)) from None

    def to_json(self) -> dict[str, Any]:
        """The fault as ``GET /_mock/faults`` shows it."""
        data = asdict(self)
        data["fault"] = data.pop("kind")
        return data


@dataclass
class _Queued:
    fault: Fault
    path: str | None
    remaining: int = field(default=1)
    provider: str | None = None
    target: str | None = None

    def matches(self, path: str, provider: str | None, target: str | None) -> bool:
        return (
            (self.path is None or path.startswith(self.path))
            and (self.provider is None or self.provider == provider)
            and (self.target is None or self.target == target)
        )


class FaultQueue:
    """Faults for the next N upstream attempts of matching requests, first queued first used."""

    def __init__(self) -> None:
        self._queue: list[_Queued] = []
        self._lock = threading.Lock()

    def add(
        self,
        fault: Fault,
        *,
        times: int = 1,
        path: str | None = None,
        provider: str | None = None,
        target: str | None = None,
    ) -> None:
        """Queue ``fault`` for the next ``times`` upstream attempts that match.

        ``path`` is a prefix of the client request's path; ``provider`` the provider called;
        ``target`` the config path of the target (``config.targets[0]``). None matches all.
        """
        if times < 1:
            raise FaultError("times must be 1 or more")
        with self._lock:
            self._queue.append(_Queued(fault, path, times, provider, target))

    def take(
        self, path: str, provider: str | None = None, target: str | None = None
    ) -> Fault | None:
        """The fault for one upstream attempt, if one is queued for it."""
        with self._lock:
            for entry in self._queue:
                if entry.matches(path, provider, target):
                    entry.remaining -= 1
                    if entry.remaining == 0:
                        self._queue.remove(entry)
                    return entry.fault
        return None

    def pending(self) -> list[dict[str, Any]]:
        """What is still queued."""
        with self._lock:
            return [
                {
                    **e.fault.to_json(),
                    "times": e.remaining,
                    "path": e.path,
                    "provider": e.provider,
                    "target": e.target,
                }
                for e in self._queue
            ]

    def clear(self) -> None:
        """Forget every queued fault."""
        with self._lock:
            self._queue.clear()


def _seconds(headers: Mapping[str, str], name: str) -> float | None:
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        return float(raw)
    except ValueError:
        raise FaultError(f"{name} must be a number of seconds, got {raw!r}") from None


def fault_from_headers(headers: Mapping[str, str]) -> Fault | None:
    """A fault for every attempt of this request, from ``x-mock-*`` headers (or ``None``).

    ``x-mock-status: 429`` (with ``x-mock-retry-after: 2``), ``x-mock-delay: 0.25`` (seconds),
    ``x-mock-fault: timeout | drop | malformed | content-filter``.
    """
    kind, status = headers.get("x-mock-fault"), headers.get("x-mock-status")
    delay = _seconds(headers, "x-mock-delay") or 0.0
    if status is not None:
        if not status.isdigit():
            raise FaultError(f"x-mock-status must be an HTTP status, got {status!r}")
        return Fault.error(
            int(status), retry_after=_seconds(headers, "x-mock-retry-after"), delay=delay
        )
    if kind is not None:
        return Fault(kind, delay=delay)  # type: ignore[arg-type]  # checked in __post_init__
    return Fault.latency(delay) if delay else None
