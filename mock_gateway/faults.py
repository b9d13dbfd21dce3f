"""What can go wrong at the upstream call, on demand.

A fault replaces (or delays) the provider's answer to one upstream attempt, so the gateway
layer wraps it exactly as the real gateway wraps a real upstream failure. Faults come from a
queue (``FaultQueue``: "the next N matching requests") or from ``x-mock-*`` request headers.
"""

from __future__ import annotations

import json
import re
import threading
import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from mock_gateway.hints import hint

__all__ = [
    "DEPRECATED_KINDS",
    "FAULT_KINDS",
    "MAX_RETRY_AFTER",
    "MAX_WAIT",
    "Fault",
    "FaultError",
    "FaultQueue",
    "fault_from_headers",
    "fault_problems",
    "kind_notes",
    "queued_from_json",
]

# One name per fault: the kind string (JSON, x-mock-fault, Fault.kind) is the constructor's
# name (Fault.fail), the handle's method less "_next" (fail_next) and the scenario step.
FaultKind = Literal["fail", "latency", "timeout", "drop", "respond", "filter"]
FAULT_KINDS: tuple[str, ...] = ("fail", "latency", "timeout", "drop", "respond", "filter")
# The names before that (deprecated; accepted until the next release): old kind -> new.
DEPRECATED_KINDS: dict[str, str] = {
    "status": "fail",
    "delay": "latency",
    "malformed": "respond",
    "content-filter": "filter",
}
_HTML_502 = "<html><body><h1>502 Bad Gateway</h1></body></html>"


def kind_notes(kind: Any) -> tuple[Any, list[str]]:
    """``kind`` under its current name, and a note if it was a deprecated one."""
    if isinstance(kind, str) and kind in DEPRECATED_KINDS:
        new = DEPRECATED_KINDS[kind]
        return new, [f"fault {kind!r} is deprecated (goes in the next release): use {new!r}"]
    return kind, []


def _deprecated(old: str, new: str, *, stacklevel: int = 3) -> None:
    """Warn the caller (``stacklevel`` frames up) that ``old`` is now ``new``."""
    warnings.warn(
        f"{old} is deprecated (goes in the next release); use {new}",
        DeprecationWarning,
        stacklevel=stacklevel,
    )


class FaultError(ValueError):
    """A fault description that cannot be carried out; the message says how to fix it.

    ``fields`` names every field found wrong (all of them, not only the first).
    """

    def __init__(self, message: str, *, fields: list[str] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or []


# The longest wait a fault may hold a request for (delay, hold): an hour, so a typo cannot
# park a connection for ever (asyncio cannot even sleep 1e300 seconds).
MAX_WAIT = 3600.0
# retry_after is only a header value the provider sends (the gateway honours at most 60 s):
# any number of seconds up to a year, which every formatting of it can write.
MAX_RETRY_AFTER = 365 * 86400.0


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _seconds_problem(
    name: str, value: Any, *, optional: bool = False, maximum: float = MAX_WAIT
) -> str | None:
    if value is None and optional:
        return None
    # No math.isfinite: it cannot take an int past a double; the range check covers both.
    if not _is_number(value) or not 0 <= value <= maximum:
        return f"{name} must be a number of seconds from 0 to {maximum:.0f}, got {_short(value)}"
    return None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:40]}... ({len(text)} characters)"


def fault_problems(fault: Fault) -> list[str]:
    """Every field of ``fault`` that cannot be carried out, each message starting with its name."""
    problems: list[str] = []
    if not (isinstance(fault.kind, str) and fault.kind in FAULT_KINDS):
        problems.append(
            f"fault {_short(fault.kind)} is unknown; choose one of: {', '.join(FAULT_KINDS)}"
        )
    status = fault.status
    low = 400 if fault.kind == "fail" else 200
    if (status is None and fault.kind == "fail") or (
        status is not None
        and not (isinstance(status, int) and not isinstance(status, bool) and low <= status <= 599)
    ):
        problems.append(
            f"status must be an integer HTTP status from {low} to 599, got {_short(status)}"
            + (" (e.g. Fault.fail(429))" if fault.kind == "fail" else "")
        )
    for name, value, optional, maximum in (
        ("retry_after", fault.retry_after, True, MAX_RETRY_AFTER),
        ("delay", fault.delay, False, MAX_WAIT),
        ("hold", fault.hold, False, MAX_WAIT),
    ):
        problem = _seconds_problem(name, value, optional=optional, maximum=maximum)
        if problem:
            problems.append(problem)
    if not isinstance(fault.body, str):
        problems.append(f"body must be a string, got {_short(fault.body)}")
    content_type = fault.content_type
    if not isinstance(content_type, str) or not _HEADER_VALUE.fullmatch(content_type):
        problems.append(
            f"content_type must be a header value (printable ASCII), got {_short(content_type)}"
        )
    return problems


def _raise(problems: list[str]) -> None:
    """One ``FaultError`` for every problem found (each message starts with its field)."""
    if problems:
        message = "; ".join(problems)
        raise FaultError(message, fields=[part.split(" ")[0] for part in message.split("; ")])


def _placement_problems(times: Any, path: Any, provider: Any, target: Any) -> list[str]:
    problems = [
        f"{name} must be a string or null, got {_short(value)}"
        for name, value in (("path", path), ("provider", provider), ("target", target))
        if value is not None and not isinstance(value, str)
    ]
    if not (isinstance(times, int) and not isinstance(times, bool) and times >= 1):
        problems.insert(0, f"times must be an integer, 1 or more, got {_short(times)}")
    return problems


def queued_from_json(data: Any) -> tuple[Fault, dict[str, Any]]:
    """``POST /_mock/faults``'s body: the fault, and where it applies (``FaultQueue.add``'s
    keywords); one ``FaultError`` naming every wrong field."""
    if not isinstance(data, Mapping):
        raise FaultError('send a JSON object such as {"fault": "fail", "status": 429}')
    where = {name: data.get(name) for name in ("path", "provider", "target")}
    where["times"] = data.get("times", 1)
    problems = _placement_problems(**where)
    try:
        fault = Fault.from_json(data)
    except FaultError as error:
        problems.append(str(error))
    _raise(problems)
    return fault, where


_HEADER_VALUE = re.compile(r"[\x20-\x7e]*")


@dataclass(frozen=True)
class Fault:
    """One upstream misbehaviour; each kind has a constructor of the same name.

    - ``fail``: the provider answers ``status`` with its own error body (plus ``retry-after``).
    - ``latency``: the provider answers normally, ``delay`` seconds late.
    - ``timeout``: the provider never answers. With a request timeout the gateway answers 408;
      without one it waits ``hold`` seconds (times the app's ``time_scale``, as retry waits),
      then the connection drops.
    - ``drop``: the upstream connection closes before any answer.
    - ``respond``: the provider answers ``status`` (200 if none) with ``body`` as
      ``content_type`` (an empty one sends no content type): any answer, a malformed one too.
    - ``filter``: the provider's content filter fires (Stability: ``CONTENT_FILTERED``).

    ``delay`` applies to every kind. The kinds' earlier names (``status``, ``delay``,
    ``malformed``, ``content-filter``) still work, with a ``DeprecationWarning``.
    """

    kind: FaultKind
    status: int | None = None
    retry_after: float | None = None
    delay: float = 0.0
    body: str = _HTML_502
    content_type: str = "text/html"
    hold: float = 30.0

    def __post_init__(self) -> None:
        kind, notes = kind_notes(self.kind)
        if notes:
            # Past __post_init__ and the dataclass's __init__: the caller's line.
            _deprecated(f"Fault({self.kind!r})", f"Fault({kind!r})", stacklevel=4)
            object.__setattr__(self, "kind", kind)
        _raise(fault_problems(self))

    @classmethod
    def fail(cls, status: int, *, retry_after: float | None = None, delay: float = 0.0) -> Fault:
        """The provider answers ``status`` with its own error body (429, 500, 503, ...)."""
        return cls("fail", status=status, retry_after=retry_after, delay=delay)

    @classmethod
    def latency(cls, seconds: float) -> Fault:
        """The provider answers normally, ``seconds`` late."""
        return cls("latency", delay=seconds)

    @classmethod
    def timeout(cls, *, hold: float = 30.0) -> Fault:
        """The provider never answers."""
        return cls("timeout", hold=hold)

    @classmethod
    def drop(cls) -> Fault:
        """The upstream connection closes before an answer."""
        return cls("drop")

    @classmethod
    def respond(
        cls,
        status: int,
        body: str | Mapping[str, Any] | list[Any],
        content_type: str | None = None,
        *,
        delay: float = 0.0,
    ) -> Fault:
        """The provider answers ``status`` with this ``body``, whatever it is.

        A dict or list is sent as JSON (``application/json`` unless ``content_type`` says
        otherwise); a string as it is (``text/html`` unless said otherwise).
        """
        text, content_type = _body(body, content_type)
        return cls("respond", status=status, body=text, content_type=content_type, delay=delay)

    @classmethod
    def filter(cls) -> Fault:
        """The provider's content filter fires."""
        return cls("filter")

    # -- the earlier names, until the next release ------------------------------------------

    @classmethod
    def error(cls, status: int, *, retry_after: float | None = None, delay: float = 0.0) -> Fault:
        """Deprecated: ``Fault.fail``."""
        _deprecated("Fault.error()", "Fault.fail()")
        return cls.fail(status, retry_after=retry_after, delay=delay)

    @classmethod
    def dropped(cls) -> Fault:
        """Deprecated: ``Fault.drop``."""
        _deprecated("Fault.dropped()", "Fault.drop()")
        return cls.drop()

    @classmethod
    def malformed(
        cls, body: str | None = None, *, status: int = 200, content_type: str = "text/html"
    ) -> Fault:
        """Deprecated: ``Fault.respond(status, body, content_type)``."""
        _deprecated("Fault.malformed()", "Fault.respond(status, body, content_type)")
        return cls.respond(status, body or _HTML_502, content_type)

    @classmethod
    def content_filtered(cls) -> Fault:
        """Deprecated: ``Fault.filter``."""
        _deprecated("Fault.content_filtered()", "Fault.filter()")
        return cls.filter()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Fault:
        """From ``{"fault": "fail", "status": 429, ...}`` as ``POST /_mock/faults`` takes it.

        A deprecated kind name is taken as its new one, without a warning (``kind_notes``
        says so); ``FaultError`` names every wrong field at once. A JSON object or array
        ``body`` (for ``respond``) is sent as JSON.
        """
        fields = {key: value for key, value in data.items() if key not in _PLACEMENT}
        unknown = sorted(set(fields) - set(_FIELDS))
        problems = [f"{name} is not a fault field" for name in unknown]
        kind, _ = kind_notes(data.get("fault", ""))
        known = {k: fields[k] for k in fields if k in _FIELDS}
        if isinstance(known.get("body"), Mapping | list):
            known["body"], known["content_type"] = _body(known["body"], known.get("content_type"))
        try:
            fault = cls(kind, **known)
        except FaultError as error:
            problems.append(str(error))
        _raise(problems)
        return fault

    def to_json(self) -> dict[str, Any]:
        """The fault as ``GET /_mock/faults`` shows it."""
        data = asdict(self)
        data["fault"] = data.pop("kind")
        return data


def _body(body: Any, content_type: str | None) -> tuple[Any, str]:
    """A ``respond`` body as text, and its content type (JSON for a dict or list)."""
    if isinstance(body, Mapping | list):
        return json.dumps(body), "application/json" if content_type is None else content_type
    return body, "text/html" if content_type is None else content_type


_PLACEMENT = ("fault", "times", "path", "provider", "target")
_FIELDS = ("status", "retry_after", "delay", "body", "content_type", "hold")


@dataclass
class _Queued:
    fault: Fault
    path: str | None
    remaining: int = field(default=1)
    provider: str | None = None
    target: str | None = None
    required: bool = True

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
        required: bool = True,
    ) -> None:
        """Queue ``fault`` for the next ``times`` upstream attempts that match.

        ``path`` is a prefix of the client request's path; ``provider`` the provider called;
        ``target`` the config path of the target (``config.targets[0]``). None matches all.
        ``required``: whether ``unused`` reports it if it is never used up.
        """
        _raise(_placement_problems(times, path, provider, target))
        with self._lock:
            self._queue.append(_Queued(fault, path, times, provider, target, required))

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

    def unused(self) -> list[dict[str, Any]]:
        """What is still queued and was required to be used (as ``pending`` shows it)."""
        with self._lock:
            required = [entry.required for entry in self._queue]
        return [entry for entry, needed in zip(self.pending(), required, strict=False) if needed]

    def clear(self) -> None:
        """Forget every queued fault."""
        with self._lock:
            self._queue.clear()


def _shown(raw: str) -> str:
    """A header value for an error message: quoted, and cut short if it is long."""
    return repr(raw) if len(raw) <= 40 else f"{raw[:40]!r}... ({len(raw)} characters)"


def _seconds(headers: Mapping[str, str], name: str) -> float | None:
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        return float(raw)
    except ValueError:
        raise FaultError(f"{name} must be a number of seconds, got {_shown(raw)}") from None


def fault_from_headers(headers: Mapping[str, str]) -> Fault | None:
    """A fault for every attempt of this request, from ``x-mock-*`` headers (or ``None``).

    ``x-mock-status: 429`` (with ``x-mock-retry-after: 2``), ``x-mock-delay: 0.25`` (seconds),
    ``x-mock-fault: timeout | drop | respond | filter``. A deprecated kind name
    (``malformed``, ``content-filter``) is taken as its new one, with an ``x-mock-hint``.
    """
    kind, status = headers.get("x-mock-fault"), headers.get("x-mock-status")
    delay = _seconds(headers, "x-mock-delay") or 0.0
    if status is not None:
        if not (status.isascii() and status.isdigit() and len(status) <= 3):
            raise FaultError(f"x-mock-status must be an HTTP status, got {_shown(status)}")
        return Fault.fail(
            int(status), retry_after=_seconds(headers, "x-mock-retry-after"), delay=delay
        )
    if kind is not None:
        kind, notes = kind_notes(kind)
        for note in notes:  # a server has no caller to warn: the answer says it
            hint(f"x-mock-fault: {note}")
        return Fault(kind, delay=delay)  # checked in __post_init__
    return Fault.latency(delay) if delay else None
