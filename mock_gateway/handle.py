"""``PortkeyMock``: the handle a test holds. Requests, journal, faults, assertions."""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Unpack

import httpx

from mock_gateway.faults import Fault
from mock_gateway.gateway.profiles import get_profile
from mock_gateway.gateway.registry import Registry
from mock_gateway.journal import Call, CallList
from mock_gateway.state import MockState
from mock_gateway.transport import InProcessTransport

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from mock_gateway.serving.server import LiveServer
    from mock_gateway.settings import Settings, SettingsOptions

__all__ = ["PortkeyMock", "ServerError"]


def _deprecated(old: str, new: str) -> None:
    warnings.warn(
        f"PortkeyMock.{old} is deprecated (goes in the next release); use {new}",
        DeprecationWarning,
        stacklevel=3,
    )


def _describe(entry: dict[str, Any]) -> str:
    """One queued fault, for a failure message: its kind, what is set, where it applies."""
    shown = {key: value for key, value in entry.items() if value is not None and key != "fault"}
    defaults = Fault("drop").to_json()
    parts = [f"{key}={value!r}" for key, value in shown.items() if defaults.get(key) != value]
    return " ".join([str(entry["fault"]), *parts])


class ServerError(AssertionError):
    """The mock's own code raised while serving a request of this test (a mock bug)."""


class PortkeyMock:
    """A running mock gateway, as a test sees it.

    ``url`` and ``base_url`` point at the live server; ``transport()`` reaches the same app
    in-process. ``calls`` is the journal; the ``*_next`` methods queue upstream faults, one
    per ``Fault`` constructor of the same name (``fail_next`` queues ``Fault.fail``).
    """

    __test__ = False  # not a test class, whatever pytest's collection rules say

    def __init__(self, app: Starlette, server: LiveServer | None = None) -> None:
        self.app = app
        self.server = server

    @classmethod
    @contextmanager
    def serve(
        cls, settings: Settings | None = None, **options: Unpack[SettingsOptions]
    ) -> Iterator[PortkeyMock]:
        """A live mock gateway for the ``with`` block, for use outside pytest:
        ``create_app(settings, **options)`` under uvicorn on a free loopback port, stopped
        after it.

        ``with PortkeyMock.serve(profile="oss") as mock: ...`` (``mock.base_url`` for SDKs).
        """
        from mock_gateway.app import create_app
        from mock_gateway.serving.server import LiveServer

        with LiveServer(create_app(settings, **options)) as server:
            yield cls(server.app, server)

    @property
    def state(self) -> MockState:
        """The app's mock state (journal, faults, profile)."""
        state: MockState = self.app.state.mock
        return state

    # -- where it is ----------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The origin, e.g. ``http://127.0.0.1:41234`` (in-process: ``http://portkey-mock``)."""
        return self.server.url if self.server is not None else "http://portkey-mock"

    @property
    def base_url(self) -> str:
        """What SDKs take: the origin plus ``/v1``."""
        return f"{self.url}/v1"

    def url_for(self, path: str) -> str:
        """An absolute URL for ``path`` on the mock."""
        return self.url + ("" if path.startswith("/") else "/") + path

    @property
    def inspector_url(self) -> str:
        """The inspector page (``GET /_mock/``): the journal, upstream requests and images."""
        return self.url_for("/_mock/")

    def write_snapshot(self, path: str | Path, *, title: str = "") -> Path:
        """Write the journal as one self-contained HTML page (images inlined); its path."""
        from mock_gateway.control.inspector.routes import write_snapshot

        state = self.state
        return write_snapshot(path, state.journal.calls(), blobs=state.blobs, title=title)

    def env(self) -> dict[str, str]:
        """Environment variables that point the SDKs at the mock (see the ``env`` marker option).

        ``PORTKEY_PROXY`` is what portkey-ai reads for its base URL; ``OPENAI_BASE_URL`` is
        the openai SDK's.
        """
        return {"PORTKEY_PROXY": self.base_url, "OPENAI_BASE_URL": self.base_url}

    def transport(self) -> httpx.BaseTransport:
        """A sync httpx transport to the same app, in-process: ``httpx.Client(transport=...)``."""
        return InProcessTransport(self.app)

    def async_transport(self) -> httpx.AsyncBaseTransport:
        """An async httpx transport to the same app, in-process."""
        return httpx.ASGITransport(app=self.app)

    # -- state ----------------------------------------------------------------------------

    @property
    def calls(self) -> CallList:
        """Every request received since the last reset, oldest first."""
        return self.state.journal.calls()

    def reset(self, *, profile: str | None = None, seed: int | None = None) -> None:
        """Back to the state the app was created in: calls, faults, errors and the cache
        forgotten, the clock put back, seeded sequences restarted, the configured registry
        restored; optionally switch profile or seed."""
        self.state.reset(profile=None if profile is None else get_profile(profile), seed=seed)

    def check(self) -> None:
        """Raise ``ServerError`` if the mock's own code failed while serving."""
        errors = list(self.state.errors)
        if errors:
            self.state.errors.clear()
            raise ServerError(f"the mock gateway failed while serving: {errors[0]!r}") from errors[
                0
            ]

    def register(self, registry: Registry | Mapping[str, Any]) -> None:
        """Add hosted Portkey records: API keys, virtual keys, ``@slug`` providers, configs."""
        if not isinstance(registry, Registry):
            registry = Registry.from_json(registry)
        self.state.registry.update(registry)

    def advance_clock(self, seconds: float) -> float:
        """Move the mock's time forward: cache entries past ``max_age`` expire, DALL·E URLs
        too, without waiting. The new time (``reset`` puts the clock back)."""
        return self.state.advance_clock(seconds)

    # -- faults ---------------------------------------------------------------------------

    def queue(
        self,
        fault: Fault,
        *,
        times: int = 1,
        path: str | None = None,
        provider: str | None = None,
        target: str | None = None,
        required: bool = True,
    ) -> None:
        """Apply ``fault`` to the next ``times`` upstream attempts that match.

        ``path``: a prefix of the client request's path; ``provider``: the provider called
        (``"stability-ai"``); ``target``: the config path (``"config.targets[0]"``).
        ``required=False``: ``assert_faults_used`` (and the fixture's teardown) lets it go
        unused, as for a scenario's steps a client may never reach.
        """
        self.state.faults.add(
            fault, times=times, path=path, provider=provider, target=target, required=required
        )

    def fail_next(
        self,
        status: int,
        *,
        retry_after: float | None = None,
        times: int = 1,
        path: str | None = None,
        provider: str | None = None,
        target: str | None = None,
    ) -> None:
        """``Fault.fail``: the provider answers ``status`` with its own error body (429, 500,
        503, ...). ``times``, ``path``, ``provider``, ``target``: as for ``queue``."""
        fault = Fault.fail(status, retry_after=retry_after)
        self.queue(fault, times=times, path=path, provider=provider, target=target)

    def latency_next(
        self,
        seconds: float,
        *,
        times: int = 1,
        path: str | None = None,
        provider: str | None = None,
        target: str | None = None,
    ) -> None:
        """``Fault.latency``: the provider answers ``seconds`` late (real seconds, so the
        client's own timeouts fire)."""
        fault = Fault.latency(seconds)
        self.queue(fault, times=times, path=path, provider=provider, target=target)

    def timeout_next(
        self,
        *,
        hold: float = 30.0,
        times: int = 1,
        path: str | None = None,
        provider: str | None = None,
        target: str | None = None,
    ) -> None:
        """``Fault.timeout``: the provider never answers: 408 once a request timeout passes;
        without one, the gateway waits ``hold`` seconds on the app's ``time_scale`` clock
        (30 ms under the fixture's 0.001), then the upstream connection drops (a 500)."""
        fault = Fault.timeout(hold=hold)
        self.queue(fault, times=times, path=path, provider=provider, target=target)

    def drop_next(
        self,
        *,
        times: int = 1,
        path: str | None = None,
        provider: str | None = None,
        target: str | None = None,
    ) -> None:
        """``Fault.drop``: the upstream connection drops before an answer."""
        self.queue(Fault.drop(), times=times, path=path, provider=provider, target=target)

    def respond_next(
        self,
        status: int,
        body: str | Mapping[str, Any] | list[Any],
        content_type: str | None = None,
        *,
        times: int = 1,
        path: str | None = None,
        provider: str | None = None,
        target: str | None = None,
    ) -> None:
        """``Fault.respond``: the provider answers ``status`` with this ``body`` (a dict or
        list as JSON), readable by the gateway or not."""
        fault = Fault.respond(status, body, content_type)
        self.queue(fault, times=times, path=path, provider=provider, target=target)

    def filter_next(
        self,
        *,
        times: int = 1,
        path: str | None = None,
        provider: str | None = None,
        target: str | None = None,
    ) -> None:
        """``Fault.filter``: the provider's content filter fires."""
        self.queue(Fault.filter(), times=times, path=path, provider=provider, target=target)

    def delay_next(
        self,
        seconds: float,
        *,
        times: int = 1,
        path: str | None = None,
        provider: str | None = None,
        target: str | None = None,
    ) -> None:
        """Deprecated (goes in the next release): ``latency_next``."""
        _deprecated("delay_next()", "latency_next()")
        self.latency_next(seconds, times=times, path=path, provider=provider, target=target)

    def malformed_next(
        self,
        body: str | None = None,
        *,
        status: int = 200,
        times: int = 1,
        path: str | None = None,
        provider: str | None = None,
        target: str | None = None,
    ) -> None:
        """Deprecated (goes in the next release): ``respond_next(status, body)``."""
        _deprecated("malformed_next()", "respond_next(status, body)")
        fault = Fault.respond(status, body or Fault.body)
        self.queue(fault, times=times, path=path, provider=provider, target=target)

    @property
    def faults(self) -> list[dict[str, Any]]:
        """The faults still queued, as ``GET /_mock/faults`` shows them."""
        return self.state.faults.pending()

    def clear_faults(self) -> None:
        """Forget every queued fault."""
        self.state.faults.clear()

    def assert_faults_used(self) -> None:
        """Assert every queued fault was used up (those queued ``required=False`` aside).

        The pytest fixture calls it at teardown of a test that passed (as respx's
        ``assert_all_called``): a fault a test queued and no request met usually means the
        test did not test what it meant to.
        """
        unused = self.state.faults.unused()
        if not unused:
            return
        lines = "\n".join(f"  {_describe(entry)}" for entry in unused)
        raise AssertionError(
            f"{len(unused)} queued fault(s) never used:\n{lines}\n"
            "(no upstream attempt matched them; drop them with portkey_mock.clear_faults(), "
            "queue them with required=False, or turn the check off with "
            "@pytest.mark.portkey_mock(assert_faults_used=False))"
        )

    # -- assertions -----------------------------------------------------------------------

    def assert_called(
        self, path: str | None = None, *, method: str | None = None, count: int | None = None
    ) -> list[Call]:
        """Assert requests to ``path`` (and ``method``) arrived: ``count`` of them, or any.

        The failure message lists the requests that did arrive, nearest first.
        """
        calls = self.calls
        verb = None if method is None else method.upper()
        matching = [
            call
            for call in calls
            if (path is None or call.path == path) and (verb is None or call.method == verb)
        ]
        if (count is None and matching) or (count is not None and len(matching) == count):
            return matching
        how_many = "at least one" if count is None else str(count)
        wanted = f"{how_many} {verb or 'any method'} {path or ''}"
        seen = sorted(calls, key=lambda call: (call.path != path, -call.index))
        lines = "\n".join(f"  {call.describe()}" for call in seen[:10]) or "  (none)"
        raise AssertionError(
            f"expected {wanted.strip()} request(s), got {len(matching)}; received:\n{lines}"
        )

    def assert_not_called(self, path: str | None = None) -> None:
        """Assert no request (to ``path``) arrived."""
        self.assert_called(path, count=0)
