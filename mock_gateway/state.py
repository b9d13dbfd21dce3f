"""Everything one mock gateway instance holds; ``create_app`` makes one per app."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from mock_gateway.fakes.stability import FakeStability
from mock_gateway.gateway.profiles import Profile
from mock_gateway.journal import Attempt, Journal
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse

__all__ = ["MockState"]


@dataclass
class MockState:
    """The profile, clock, seeded randomness, fake providers and journal of one app."""

    profile: Profile
    seed: int = 0
    clock: Callable[[], float] = time.time
    journal: Journal = field(default_factory=Journal)

    def __post_init__(self) -> None:
        self.stability = FakeStability(seed=self.seed)
        self._rng = random.Random(self.seed)

    def reset(self) -> None:
        """Forget the journal and restart every seeded sequence."""
        self.journal.reset()
        self.stability.reset()
        self._rng = random.Random(self.seed)

    def created(self) -> int | str:
        """The gateway's ``created`` for Stability responses, in the profile's format."""
        now = self.clock()
        if self.profile.created == "milliseconds-string":
            return str(int(now * 1000))
        return int(now)

    def trace_id(self, sent: str | None) -> str:
        """The response's ``x-portkey-trace-id``: the client's, or empty, or a new one."""
        if sent is not None:
            return sent
        if not self.profile.generate_trace_id:
            return ""
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def boundary(self) -> str:
        """A multipart boundary in undici's form, from the seeded sequence."""
        return f"----formdata-undici-0{self._rng.randrange(10**10, 10**11)}"

    def send(
        self, attempts: list[Attempt], target: str, request: UpstreamRequest
    ) -> UpstreamResponse:
        """Call the fake provider in-process and record the attempt."""
        response = self.stability.handle(request)
        attempts.append(Attempt(target, request, response))
        return response
