"""``scenarios()``: sequences of upstream faults that the fixture replays.

Each step is what the provider does on one upstream attempt, as a ``Fault``: answer normally
(``success``: no delay), ``fail`` (429, with or without ``retry-after``, or a 5xx),
``timeout``, ``filter`` (the content filter), or ``respond`` with a body the gateway cannot
read. After the last step it answers normally again. The step names are the fault kinds.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from mock_gateway.faults import Fault

if TYPE_CHECKING:
    from mock_gateway.handle import PortkeyMock

__all__ = ["BEHAVIOURS", "Behaviour", "Scenario", "scenarios"]

BEHAVIOURS = ("success", "fail", "timeout", "filter", "respond")
# The names before the fault vocabulary was one (deprecated): old name -> (new, statuses).
_RATE_LIMIT, _SERVER_ERRORS = (429,), (500, 502, 503, 504)
_OLD_NAMES: dict[str, tuple[str, tuple[int, ...]]] = {
    "rate-limit": ("fail", _RATE_LIMIT),
    "server-error": ("fail", _SERVER_ERRORS),
    "content-filter": ("filter", ()),
    "malformed": ("respond", ()),
}
_STATUSES = _RATE_LIMIT + _SERVER_ERRORS
_MALFORMED = ("<html><body><h1>502 Bad Gateway</h1></body></html>", '{"artifacts": [')
_SUCCESS = Fault.latency(0.0)  # queued all the same, so that the step uses up an attempt


def describe(step: Fault) -> str:
    """A step as a scenario prints it: ``success``, ``429 retry-after=2``, ``503``, ``timeout``."""
    if step == _SUCCESS:
        return "success"
    if step.kind == "fail":
        wait = "" if step.retry_after is None else f" retry-after={step.retry_after:g}"
        return f"{step.status}{wait}"
    return step.kind


@dataclass(frozen=True)
class Scenario:
    """Faults for consecutive upstream attempts; the provider is fine after the last.

    ``apply(portkey_mock)`` queues them as the fixture's faults. A gateway retry (a config's
    ``retry``) or a fallback target consumes a step just as a client's own retry does.
    """

    steps: tuple[Fault, ...]

    def faults(self, *, timeout_hold: float = 0.05) -> list[Fault]:
        """One fault per step, in order (for ``POST /_mock/faults``: ``fault.to_json()``)."""
        return [
            replace(step, hold=timeout_hold) if step.kind == "timeout" else step
            for step in self.steps
        ]

    def apply(
        self,
        mock: PortkeyMock,
        *,
        timeout_hold: float = 0.05,
        path: str | None = None,
        provider: str | None = None,
        target: str | None = None,
    ) -> None:
        """Queue the steps on ``mock``, for requests matching ``path``, ``provider``, ``target``.

        A ``timeout`` never answers: the gateway answers 408 once the request's timeout
        passes; without one the attempt is held ``timeout_hold`` seconds (on the app's
        ``time_scale`` clock), then the upstream connection drops. The steps are queued with
        ``required=False``: a client that gives up early leaves the rest unused, rightly.
        """
        for fault in self.faults(timeout_hold=timeout_hold):
            mock.queue(fault, path=path, provider=provider, target=target, required=False)

    @property
    def retry_afters(self) -> list[float]:
        """The ``retry-after`` seconds of its 429 steps, in order."""
        return [s.retry_after for s in self.steps if s.retry_after is not None]

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # how Hypothesis prints a falsifying example

    def __repr__(self) -> str:
        return (
            "Scenario("
            + " -> ".join(map(describe, self.steps))
            + (" -> fine)" if self.steps else "fine)")
        )


@dataclass(frozen=True)
class Behaviour:
    """Deprecated (goes in the next release): a scenario's steps are ``Fault`` values."""

    kind: str
    status: int | None = None
    retry_after: int | None = None
    body: str | None = None

    def __post_init__(self) -> None:
        warnings.warn(
            "Behaviour is deprecated (goes in the next release); a Scenario's steps are Faults",
            DeprecationWarning,
            stacklevel=4,  # past __post_init__ and __init__: the caller's line
        )

    def fault(self, *, timeout_hold: float = 0.05) -> Fault:
        """The fault that replays this behaviour (``success`` is a zero-second latency)."""
        kind = _OLD_NAMES.get(self.kind, (self.kind, ()))[0]
        if kind == "fail":
            assert self.status is not None
            return Fault.fail(self.status, retry_after=self.retry_after)
        if kind == "timeout":
            return Fault.timeout(hold=timeout_hold)
        if kind == "filter":
            return Fault.filter()
        if kind == "respond":
            return Fault.respond(200, self.body or _MALFORMED[0])
        return _SUCCESS


def _steps(kind: str, statuses: Sequence[int]) -> st.SearchStrategy[Fault]:
    if kind == "fail":
        drawn: list[st.SearchStrategy[Fault]] = []
        if 429 in statuses:  # a rate limit, with a retry-after or none
            wait = st.none() | st.integers(0, 3)
            drawn.append(st.builds(Fault.fail, st.just(429), retry_after=wait))
        errors = [status for status in statuses if status != 429]
        if errors:
            drawn.append(st.builds(Fault.fail, st.sampled_from(errors)))
        return st.one_of(drawn)
    if kind == "respond":
        return st.builds(Fault.respond, st.just(200), st.sampled_from(_MALFORMED))
    if kind == "timeout":
        return st.just(Fault.timeout())
    if kind == "filter":
        return st.just(Fault.filter())
    return st.just(_SUCCESS)


def _kinds(behaviours: Sequence[str]) -> tuple[list[str], tuple[int, ...]]:
    """The step kinds asked for, and the statuses the old names narrowed ``fail`` to."""
    unknown = (
        [kind for kind in behaviours if kind not in BEHAVIOURS and kind not in _OLD_NAMES]
        if not isinstance(behaviours, str)
        else [behaviours]
    )
    if unknown or not behaviours:
        raise InvalidArgument(
            f"scenarios() got behaviours={behaviours!r}; pass a list drawn from {BEHAVIOURS}, "
            "e.g. scenarios(behaviours=['success', 'fail'])"
        )
    kinds: list[str] = []
    statuses: set[int] = set()
    for kind in behaviours:
        if kind in _OLD_NAMES:
            new, narrowed = _OLD_NAMES[kind]
            warnings.warn(
                f"scenarios(behaviours=[{kind!r}]) is deprecated (goes in the next release); "
                f"use {new!r}" + (f" with statuses={list(narrowed)}" if narrowed else ""),
                DeprecationWarning,
                stacklevel=3,
            )
            kind = new
            statuses.update(narrowed)
        elif kind == "fail":
            statuses.update(_STATUSES)
        kinds.append(kind)
    return kinds, tuple(sorted(statuses))


def scenarios(
    *,
    behaviours: Sequence[str] = BEHAVIOURS,
    statuses: Sequence[int] | None = None,
    min_steps: int = 0,
    max_steps: int = 4,
) -> st.SearchStrategy[Scenario]:
    """Sequences of ``min_steps`` to ``max_steps`` upstream faults, as ``Scenario`` values.

    ``behaviours`` narrows the step kinds: ``success``, ``fail`` (429 with ``retry-after``
    0-3 s or none, 500, 502, 503, 504; ``statuses`` narrows these), ``timeout``, ``filter``,
    ``respond`` (a body the gateway cannot read). Examples shrink to fewer steps and then to
    ``success``. The earlier names ``rate-limit`` (``fail`` with ``statuses=[429]``),
    ``server-error`` (the 5xx), ``content-filter`` and ``malformed`` still work, deprecated.
    """
    kinds, narrowed = _kinds(behaviours)
    chosen = tuple(statuses) if statuses is not None else narrowed
    if statuses is not None and (not chosen or not set(chosen) <= set(_STATUSES)):
        raise InvalidArgument(
            f"scenarios() got statuses={statuses!r}; pass some of {list(_STATUSES)}"
        )
    if not (isinstance(min_steps, int) and isinstance(max_steps, int)) or not (
        0 <= min_steps <= max_steps <= 50
    ):
        raise InvalidArgument(
            f"scenarios() needs 0 <= min_steps <= max_steps <= 50, got min_steps={min_steps!r}, "
            f"max_steps={max_steps!r}; try scenarios(max_steps=4)"
        )
    ordered = sorted(set(kinds), key=BEHAVIOURS.index)  # success first: it shrinks there
    step = st.one_of([_steps(kind, chosen) for kind in ordered])
    steps = st.lists(step, min_size=min_steps, max_size=max_steps)
    return steps.map(lambda drawn: Scenario(tuple(drawn)))
