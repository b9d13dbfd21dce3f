"""``scenarios()``: sequences of upstream behaviours that the fixture replays as faults.

Each step is what the provider does on one upstream attempt: answer normally, rate-limit
(429, with or without ``retry-after``), fail with a 5xx, time out, filter the content, or
answer a body the gateway cannot read. After the last step it answers normally again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from mock_gateway.faults import Fault

if TYPE_CHECKING:
    from mock_gateway.handle import PortkeyMock

__all__ = ["BEHAVIOURS", "Behaviour", "Scenario", "scenarios"]

BEHAVIOURS = ("success", "rate-limit", "server-error", "timeout", "content-filter", "malformed")
_SERVER_ERRORS = (500, 502, 503, 504)
_MALFORMED = ("<html><body><h1>502 Bad Gateway</h1></body></html>", '{"artifacts": [')


@dataclass(frozen=True)
class Behaviour:
    """What the provider does on one upstream attempt.

    ``status`` for ``rate-limit`` (429) and ``server-error``; ``retry_after`` (seconds) for
    a 429 that sends the header; ``body`` for ``malformed``.
    """

    kind: str
    status: int | None = None
    retry_after: int | None = None
    body: str | None = None

    def fault(self, *, timeout_hold: float = 0.05) -> Fault:
        """The fault that replays this behaviour (``success`` is a zero-second latency)."""
        if self.kind == "success":
            return Fault.latency(0.0)
        if self.kind in ("rate-limit", "server-error"):
            assert self.status is not None
            return Fault.error(self.status, retry_after=self.retry_after)
        if self.kind == "timeout":
            return Fault.timeout(hold=timeout_hold)
        if self.kind == "content-filter":
            return Fault.content_filtered()
        return Fault.malformed(self.body)

    def __str__(self) -> str:
        if self.kind == "rate-limit":
            wait = "" if self.retry_after is None else f" retry-after={self.retry_after}"
            return f"429{wait}"
        if self.kind == "server-error":
            return str(self.status)
        return self.kind


@dataclass(frozen=True)
class Scenario:
    """Behaviours for consecutive upstream attempts; the provider is fine after the last.

    ``apply(portkey_mock)`` queues them as the fixture's faults. A gateway retry (a config's
    ``retry``) or a fallback target consumes a step just as a client's own retry does.
    """

    steps: tuple[Behaviour, ...]

    def faults(self, *, timeout_hold: float = 0.05) -> list[Fault]:
        """One fault per step, in order (for ``POST /_mock/faults``: ``fault.to_json()``)."""
        return [step.fault(timeout_hold=timeout_hold) for step in self.steps]

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
        ``time_scale`` clock), then the upstream connection drops.
        """
        for fault in self.faults(timeout_hold=timeout_hold):
            mock.queue(fault, path=path, provider=provider, target=target)

    @property
    def retry_afters(self) -> list[int]:
        """The ``retry-after`` seconds of its 429 steps, in order."""
        return [s.retry_after for s in self.steps if s.retry_after is not None]

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # how Hypothesis prints a falsifying example

    def __repr__(self) -> str:
        return (
            "Scenario("
            + " -> ".join(map(str, self.steps))
            + (" -> fine)" if self.steps else "fine)")
        )


def _behaviours(kind: str) -> st.SearchStrategy[Behaviour]:
    if kind == "rate-limit":
        return st.builds(Behaviour, st.just(kind), st.just(429), st.none() | st.integers(0, 3))
    if kind == "server-error":
        return st.builds(Behaviour, st.just(kind), st.sampled_from(_SERVER_ERRORS))
    if kind == "malformed":
        return st.builds(Behaviour, st.just(kind), body=st.sampled_from(_MALFORMED))
    return st.just(Behaviour(kind))


def scenarios(
    *, behaviours: Sequence[str] = BEHAVIOURS, min_steps: int = 0, max_steps: int = 4
) -> st.SearchStrategy[Scenario]:
    """Sequences of ``min_steps`` to ``max_steps`` upstream behaviours, as ``Scenario`` values.

    ``behaviours`` narrows the kinds: ``success``, ``rate-limit`` (429, ``retry-after`` 0-3 s
    or none), ``server-error`` (500, 502, 503, 504), ``timeout``, ``content-filter``,
    ``malformed``. Examples shrink to fewer steps and then to ``success``.
    """
    unknown = (
        [kind for kind in behaviours if kind not in BEHAVIOURS]
        if not isinstance(behaviours, str)
        else [behaviours]
    )
    if unknown or not behaviours:
        raise InvalidArgument(
            f"scenarios() got behaviours={behaviours!r}; pass a list drawn from {BEHAVIOURS}, "
            "e.g. scenarios(behaviours=['success', 'rate-limit'])"
        )
    if not (isinstance(min_steps, int) and isinstance(max_steps, int)) or not (
        0 <= min_steps <= max_steps <= 50
    ):
        raise InvalidArgument(
            f"scenarios() needs 0 <= min_steps <= max_steps <= 50, got min_steps={min_steps!r}, "
            f"max_steps={max_steps!r}; try scenarios(max_steps=4)"
        )
    ordered = sorted(set(behaviours), key=BEHAVIOURS.index)  # success first: it shrinks there
    step = st.one_of([_behaviours(kind) for kind in ordered])
    steps = st.lists(step, min_size=min_steps, max_size=max_steps)
    return steps.map(lambda drawn: Scenario(tuple(drawn)))
