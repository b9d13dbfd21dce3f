"""Everything one mock gateway instance holds; ``create_app`` makes one per app."""

from __future__ import annotations

import asyncio
import math
import random
import secrets
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from mock_gateway.fakes.blobs import BlobStore
from mock_gateway.fakes.registry import FAKES, FakeProvider
from mock_gateway.faults import Fault, FaultQueue
from mock_gateway.gateway.cache import ResponseCache
from mock_gateway.gateway.profiles import Profile, get_profile
from mock_gateway.gateway.registry import Registry
from mock_gateway.journal import Attempt, Journal
from mock_gateway.settings import Settings
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse
from mock_gateway.wire.redact import redact_headers
from mock_gateway.wire.safejson import encode_text

if TYPE_CHECKING:
    from mock_gateway.fakes.openai import FakeOpenAI
    from mock_gateway.fakes.stability import FakeStability

__all__ = ["FakeProvider", "MockState", "Timeline", "provider_answer", "uuid4_text"]

# What undici's fetch failure looks like once the gateway has caught it: a 500 whose text
# body the provider transform then wraps (portkey-gateway-behavior.md §5.1, measured for a
# refused connection). The cause text for a connection closed before any answer is measured
# by the conformance suite (fault-*-connection-dropped: the real gateway 1.15.2, a fake
# upstream that closes the socket).
_DROPPED = "Message: fetch failed Cause: SocketError: other side closed Name: TypeError"


_MAX_ADVANCE = 100 * 365.25 * 86400
_DEFAULTS = Settings()  # the option defaults, written once in mock_gateway.settings


def uuid4_text(bits: int) -> str:
    """``str(uuid.UUID(int=bits, version=4))``, without building the UUID object."""
    # The variant bits 10 and the version nibble 4, as UUID(version=4) sets them.
    bits = (bits & ~(0xC000 << 48) | (0x8000 << 48)) & ~(0xF000 << 64) | (4 << 76)
    hexed = f"{bits:032x}"
    return f"{hexed[:8]}-{hexed[8:12]}-{hexed[12:16]}-{hexed[16:20]}-{hexed[20:]}"


class Timeline:
    """One request's faithful clock: real elapsed time plus the scaled-away part of waits."""

    def __init__(self, scale: float) -> None:
        self.scale = scale
        self._start = time.perf_counter()
        self._skipped_ms = 0.0

    def now_ms(self) -> float:
        """Milliseconds since the request began, as the real gateway would have spent them."""
        return (time.perf_counter() - self._start) * 1000 + self._skipped_ms

    async def wait(self, ms: float) -> None:
        """A gateway wait of ``ms`` (faithful), slept for ``ms * scale``."""
        self._skipped_ms += ms * (1 - self.scale)
        await asyncio.sleep(ms * self.scale / 1000)


@dataclass
class MockState:
    """The profile, clock, seeded randomness, fake providers, faults and journal of one app."""

    profile: Profile
    seed: int = 0
    clock: Callable[[], float] = time.time
    journal: Journal = field(default_factory=Journal)
    faults: FaultQueue = field(default_factory=FaultQueue)
    # A prompt containing one of these is refused by the provider's content filter.
    blocked_words: tuple[str, ...] = _DEFAULTS.blocked_words
    # Stability only: the image comes back blurred, marked CONTENT_FILTERED, with a 200.
    filtered_words: tuple[str, ...] = _DEFAULTS.filtered_words
    url_ttl: float = _DEFAULTS.url_ttl
    # Multiplies the gateway's own waits (retry backoff, retry-after, and a timeout fault's
    # hold when no request timeout is set): 1.0 is faithful, 0.01 makes a 1 s + 2 s + 4 s
    # backoff take 70 ms. Provider latency (latency faults) and request timeouts stay real, as
    # client code perceives them. The journal records the faithful times.
    time_scale: float = _DEFAULTS.time_scale
    # Hosted Portkey's records (API keys, virtual keys, @slug providers, saved configs).
    registry: Registry = field(default_factory=Registry)
    # Exceptions raised by our own code while serving; the pytest fixture re-raises them.
    errors: list[BaseException] = field(default_factory=list)
    # A request body over this many bytes gets the mock's 413 (mock_gateway.wire.limits).
    max_body_bytes: int = _DEFAULTS.max_body_bytes
    # Seconds a client may take to send its body before a 408 (mock_gateway.wire.limits).
    body_timeout: float = 30.0

    # Seconds added to ``clock`` by ``advance_clock``: the mock's time control for what it
    # keeps over time (the cache's max_age, DALL·E URLs' lifetime, ``created``).
    clock_offset: float = 0.0
    # The options the app was built with (``create_app``); ``reset`` goes back to them.
    settings: Settings = field(default=_DEFAULTS, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> MockState:
        """One app's state, as ``settings`` describe it (``create_app``, the upstream app)."""
        return cls(
            get_profile(settings.profile),
            seed=settings.seed,
            clock=settings.clock,
            journal=Journal(cap=settings.journal_cap, max_bytes=settings.journal_bytes),
            blocked_words=tuple(word.lower() for word in settings.blocked_words),
            filtered_words=tuple(word.lower() for word in settings.filtered_words),
            url_ttl=settings.url_ttl,
            time_scale=settings.time_scale,
            registry=settings.registry or Registry(),
            max_body_bytes=settings.max_body_bytes,
            settings=settings,
        )

    def __post_init__(self) -> None:
        # Random per instance, not derived from the seed: another server with the same seed
        # must not honour this one's URLs, nor can anyone forge one. Images stay seeded.
        self._blob_secret = secrets.token_bytes(32)
        # What reset goes back to: the records the server was started with.
        self._configured_registry = self.registry.copy()
        self._build()

    def now(self) -> float:
        """The mock's time: ``clock()`` plus whatever ``advance_clock`` added."""
        return self.clock() + self.clock_offset

    def advance_clock(self, seconds: float) -> float:
        """Move the mock's time forward (cache entries and URLs expire); the new time."""
        # At most a century: datetime (and so every URL stamp) ends at the year 9999.
        if not (seconds >= 0 and math.isfinite(seconds) and seconds <= _MAX_ADVANCE):
            raise ValueError(
                "the clock only moves forward: give a number of seconds from 0 to "
                f"{_MAX_ADVANCE:.0f} (a century)"
            )
        self.clock_offset += seconds
        return self.now()

    def _build(self) -> None:
        self.blobs = BlobStore(secret=self._blob_secret, clock=self.now, ttl=self.url_ttl)
        # Hosted Portkey's cache (mock_gateway.gateway.cache); a reset empties it.
        self.cache = ResponseCache()
        # One fake per registered provider (mock_gateway.fakes.registry), fresh on each reset.
        self.fakes: dict[str, FakeProvider] = {
            provider: make(self) for provider, make in FAKES.items()
        }
        # Loadbalance draws: seeded and separate, so one test's picks repeat exactly.
        self.route_rng = random.Random(f"route-{self.seed}")
        self._rng = random.Random(self.seed)

    @property
    def stability(self) -> FakeStability:
        """Deprecated (goes in the next release): ``fakes["stability-ai"]``."""
        warnings.warn(
            'MockState.stability is deprecated; use state.fakes["stability-ai"]',
            DeprecationWarning,
            stacklevel=2,
        )
        return cast("FakeStability", self.fakes["stability-ai"])

    @property
    def openai(self) -> FakeOpenAI:
        """Deprecated (goes in the next release): ``fakes["openai"]``."""
        warnings.warn(
            'MockState.openai is deprecated; use state.fakes["openai"]',
            DeprecationWarning,
            stacklevel=2,
        )
        return cast("FakeOpenAI", self.fakes["openai"])

    def reset(self, *, profile: Profile | None = None, seed: int | None = None) -> None:
        """Back to the state the app was built in (``settings``): the journal, faults, errors,
        cache and URLs forgotten, the clock put back, the fakes rebuilt and every seeded
        sequence restarted, the configured registry restored, the options kept; optionally
        switch ``profile`` or ``seed`` (kept by later resets)."""
        if profile is not None:
            self.profile = profile
        if seed is not None:
            self.seed = seed
        self.journal.reset()
        self.faults.clear()
        self.clock_offset = 0.0
        self.registry = self._configured_registry.copy()
        self.errors.clear()
        self._build()

    def created(self) -> int | str:
        """The gateway's ``created`` for Stability responses, in the profile's format."""
        now = self.now()
        if self.profile.created == "milliseconds-string":
            return str(int(now * 1000))
        return int(now)

    def trace_id(self, sent: str | None) -> str:
        """The response's ``x-portkey-trace-id``: the client's, or empty, or a new one."""
        if sent is not None:
            return sent
        if not self.profile.generate_trace_id:
            return ""
        return uuid4_text(self._rng.getrandbits(128))

    def boundary(self) -> str:
        """A multipart boundary in undici's form, from the seeded sequence."""
        return f"----formdata-undici-0{self._rng.randrange(10**10, 10**11)}"

    def timeline(self) -> Timeline:
        """A new request's clock: real time, plus the waits the time scale skipped."""
        return Timeline(self.time_scale)

    async def send(
        self,
        attempts: list[Attempt],
        target: str,
        request: UpstreamRequest,
        *,
        provider: str,
        client_path: str,
        fault: Fault | None = None,
        timeout_ms: float | None = None,
        timeline: Timeline | None = None,
    ) -> UpstreamResponse:
        """One upstream attempt: a queued or per-request fault, else the fake provider."""
        at_ms = timeline.now_ms() if timeline is not None else 0.0
        fault = fault or self.faults.take(client_path, provider, target)
        response = await self._answer(
            self.fakes[provider], request, fault, timeout_ms, timeline or self.timeline()
        )
        # The fake saw the real key; the journal keeps only a redacted copy of the request.
        headers = tuple(redact_headers(request.headers))
        journaled = UpstreamRequest(request.method, request.url, headers, request.body)
        attempts.append(Attempt(target, journaled, response, fault, at_ms))
        return response

    @staticmethod
    async def _answer(
        fake: FakeProvider,
        request: UpstreamRequest,
        fault: Fault | None,
        timeout_ms: float | None,
        timeline: Timeline,
    ) -> UpstreamResponse:
        if timeout_ms is not None and timeout_ms < 1:
            # setTimeout fires after 1 ms for anything less, before any real provider answers
            # (measured on the real gateway: 408 unless a local fake answered within 1 ms).
            return UpstreamResponse(408, meta={"timeout_ms": timeout_ms})
        if fault is None:
            return fake.handle(request)
        wait = math.inf if fault.kind == "timeout" else fault.delay
        if timeout_ms is not None and wait * 1000 > timeout_ms:
            await asyncio.sleep(timeout_ms / 1000)
            return UpstreamResponse(408, meta={"timeout_ms": timeout_ms})
        if fault.kind == "timeout":
            # No request timeout: the gateway itself waits on the silent provider until the
            # mock drops it; that wait is the gateway's, so it follows time_scale as retry
            # waits do (the journal counts it in full). latency_next() stays real time.
            await timeline.wait(fault.hold * 1000)
        else:
            await asyncio.sleep(wait)
        if fault.kind in ("timeout", "drop"):
            headers = (("content-type", "text/plain;charset=UTF-8"),)
            return UpstreamResponse(500, headers, _DROPPED.encode(), {"network": True})
        return provider_answer(fake, request, fault)


def provider_answer(
    fake: FakeProvider, request: UpstreamRequest, fault: Fault | None
) -> UpstreamResponse:
    """What the provider answers under ``fault`` once any wait is over (not timeout or drop)."""
    if fault is None:
        return fake.handle(request)
    if fault.kind == "fail" and fault.status is not None:
        return fake.error_response(request, fault.status, retry_after=fault.retry_after)
    if fault.kind == "respond":
        # An empty content type sends none at all.
        typed: tuple[tuple[str, str], ...] = (("content-type", fault.content_type),)
        return UpstreamResponse(
            fault.status or 200, typed if fault.content_type else (), encode_text(fault.body)
        )
    return fake.handle(request, filtered=fault.kind == "filter")
