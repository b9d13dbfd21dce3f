"""``Settings``: every option of one mock app, and its default, written once.

``create_app``, the upstream app (``fakes/provider_app.py``), ``mock-portkey serve`` and the
pytest fixture all take their options and defaults from here; ``MockState.reset`` goes back
to them. The server's own options (host, port, connection guards) are ``LiveServer``'s.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from mock_gateway.gateway.profiles import DEFAULT_PROFILE
from mock_gateway.journal import DEFAULT_JOURNAL_BYTES, DEFAULT_JOURNAL_CAP
from mock_gateway.wire.limits import DEFAULT_MAX_BODY

if TYPE_CHECKING:
    from mock_gateway.gateway.registry import Registry

__all__ = ["FIXTURE_SETTINGS", "ROLES", "Settings", "SettingsOptions"]

ROLES = ("gateway", "upstream")


@dataclass(frozen=True)
class Settings:
    """The options of one mock app (``create_app(settings)``, or ``create_app(**options)``).

    Attributes:
        profile: which gateway flavour to imitate (``hosted``: today's, ``hosted-2025``,
            ``hosted-2024``, ``oss``, ``oss-npm``); see ``mock_gateway.PROFILES``.
        seed: seeds every generated id, trace id and Stability "random" seed.
        clock: the gateway's clock, for ``created``, the cache's ``max_age`` and DALL·E URL
            lifetimes (inject a fixed one for snapshots; ``POST /_mock/clock`` advances it).
        journal_cap: how many calls the journal keeps before dropping the oldest.
        journal_bytes: how many bytes the journal keeps (each call's head, bodies, answer
            and upstream attempts) before dropping the oldest calls; ``GET /_mock/requests``
            counts the dropped.
        max_body_bytes: a request body over this gets the mock's 413 before it is read whole.
        blocked_words: a prompt containing one is refused by the provider's content filter
            (OpenAI's moderation error, Stability v2beta's 403; v1 answers CONTENT_FILTERED).
        filtered_words: Stability answers 200 with a blurred image marked CONTENT_FILTERED
            (OpenAI, which has no such answer, refuses these too).
        url_ttl: seconds a DALL·E image URL stays valid (OpenAI: 60 minutes).
        strict_responses: check every JSON answer against its contract before sending it,
            and answer a loud 500 instead of one that breaks it (a debug switch).
        time_scale: multiplies the gateway's own waits (retry backoff, retry-after, a timeout
            fault's hold): 1.0 is faithful; the journal records faithful times whatever the
            scale. The pytest fixture uses 0.001 (``FIXTURE_SETTINGS``).
        registry: hosted Portkey's records (API keys, virtual keys, @slug providers, saved
            configs), used by the hosted profiles; see ``mock_gateway.Registry``. ``None``:
            no records.
        role: ``gateway`` (the default), or ``upstream``: the fake Stability and OpenAI APIs
            at their native paths, for a real gateway's ``custom_host``
            (``mock_gateway.fakes.provider_app``; the gateway-only options are ignored).
        replay: HAR cassettes (``mock-portkey record``): a request recorded there (same
            method, path and body) gets its recorded answer; see ``mock_gateway.recording.replay``.
        allowed_hosts: names besides loopback and the bound address that may reach the
            ``/_mock/`` controls in a ``Host`` header (``mock_gateway.control.guard``).
    """

    profile: str = DEFAULT_PROFILE
    seed: int = 0
    clock: Callable[[], float] = field(default=time.time, compare=False)
    journal_cap: int = DEFAULT_JOURNAL_CAP
    journal_bytes: int = DEFAULT_JOURNAL_BYTES
    max_body_bytes: int = DEFAULT_MAX_BODY
    blocked_words: tuple[str, ...] = ("mock-blocked",)
    filtered_words: tuple[str, ...] = ("mock-filtered",)
    url_ttl: float = 3600.0
    strict_responses: bool = False
    time_scale: float = 1.0
    registry: Registry | None = None
    role: str = "gateway"
    replay: Sequence[str | Path] = ()
    allowed_hosts: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}; choose gateway or upstream")
        # Tuples, whatever sequence was given: a frozen value is not changed behind its back.
        for name in ("blocked_words", "filtered_words", "replay", "allowed_hosts"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """Every option's name, in order."""
        return tuple(option.name for option in fields(cls))

    @classmethod
    def from_options(cls, options: dict[str, Any], *, base: Settings | None = None) -> Settings:
        """``base`` (default: ``Settings()``) with ``options`` replaced; a ``TypeError``
        naming any key that is not an option."""
        unknown = sorted(set(options) - set(cls.names()))
        if unknown:
            raise TypeError(
                f"unknown mock option(s) {', '.join(map(repr, unknown))}; "
                f"the options are: {', '.join(cls.names())}"
            )
        return replace(base or cls(), **options)

    def replace(self, **options: Any) -> Settings:
        """A copy with ``options`` changed (``TypeError`` for an unknown one)."""
        return self.from_options(options, base=self)


class SettingsOptions(TypedDict, total=False):
    """``Settings``'s fields as keyword arguments (``create_app(**options)``), for type
    checkers; a test keeps the two in step."""

    profile: str
    seed: int
    clock: Callable[[], float]
    journal_cap: int
    journal_bytes: int
    max_body_bytes: int
    blocked_words: tuple[str, ...]
    filtered_words: tuple[str, ...]
    url_ttl: float
    strict_responses: bool
    time_scale: float
    registry: Registry | None
    role: str
    replay: Sequence[str | Path]
    allowed_hosts: tuple[str, ...]


# The pytest fixture's defaults: the gateway's own waits (retry backoff, retry-after, a
# timeout fault's hold) pass 1000 times faster, so a test of retries takes milliseconds; the
# journal still records the faithful times. Override with portkey_mock_options.
FIXTURE_SETTINGS = Settings(time_scale=0.001)
