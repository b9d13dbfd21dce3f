"""The pytest plugin: the ``portkey_mock`` fixture, installed through ``pytest11``.

Every pytest run in an environment with this package imports this module, so it imports
nothing heavy at module level: the server and app are imported inside the fixtures.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from mock_gateway.handle import PortkeyMock
    from mock_gateway.server import LiveServer

__all__ = ["portkey_mock", "portkey_mock_options", "portkey_mock_server"]

_MARKER = (
    "portkey_mock(profile='hosted', seed=0, env=False): configure the portkey_mock fixture "
    "for this test (gateway profile, seed, and whether to point PORTKEY_PROXY and "
    "OPENAI_BASE_URL at the mock)"
)
_MARKER_OPTIONS = frozenset({"profile", "seed", "env"})


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", _MARKER)


@pytest.fixture(scope="session")
def portkey_mock_options() -> dict[str, Any]:
    """Session defaults for the mock; override this fixture in a conftest.py to change them.

    Keys: ``profile`` (default ``hosted``), ``seed`` (0), ``env`` (False), ``host``
    (``127.0.0.1``), ``strict_responses`` (False: when True the server refuses, and the test
    fails, on any answer that breaks its contract), ``journal_cap`` (10000 calls) and
    ``journal_bytes`` (16 MiB of bodies) bound the journal, ``max_body_bytes`` (16 MiB) the
    request body, ``allow_remote`` (False) must be True for a ``host`` that is not loopback.
    """
    return {
        "profile": "hosted",
        "seed": 0,
        "env": False,
        "host": "127.0.0.1",
        "strict_responses": False,
    }


@pytest.fixture(scope="session")
def portkey_mock_server(portkey_mock_options: dict[str, Any]) -> Iterator[LiveServer]:
    """One live mock gateway per session (per xdist worker), on a free loopback port."""
    from mock_gateway.app import create_app
    from mock_gateway.journal import DEFAULT_JOURNAL_BYTES, DEFAULT_JOURNAL_CAP
    from mock_gateway.limits import DEFAULT_MAX_BODY
    from mock_gateway.server import LiveServer

    app = create_app(
        profile=portkey_mock_options.get("profile", "hosted"),
        strict_responses=bool(portkey_mock_options.get("strict_responses", False)),
        time_scale=float(portkey_mock_options.get("time_scale", 0.001)),
        journal_cap=int(portkey_mock_options.get("journal_cap", DEFAULT_JOURNAL_CAP)),
        journal_bytes=int(portkey_mock_options.get("journal_bytes", DEFAULT_JOURNAL_BYTES)),
        max_body_bytes=int(portkey_mock_options.get("max_body_bytes", DEFAULT_MAX_BODY)),
    )
    server = LiveServer(
        app,
        host=portkey_mock_options.get("host", "127.0.0.1"),
        allow_remote=bool(portkey_mock_options.get("allow_remote", False)),
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def portkey_mock(
    portkey_mock_server: LiveServer,
    portkey_mock_options: dict[str, Any],
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[PortkeyMock]:
    """The mock gateway, reset for this test: ``.base_url``, ``.calls``, faults, assertions."""
    from mock_gateway.handle import PortkeyMock

    marker = request.node.get_closest_marker("portkey_mock")
    overrides = dict(marker.kwargs) if marker is not None else {}
    unknown = set(overrides) - _MARKER_OPTIONS
    if unknown or (marker is not None and marker.args):
        raise pytest.UsageError(
            f"@pytest.mark.portkey_mock takes keyword options {sorted(_MARKER_OPTIONS)}, "
            f"got {sorted(unknown) or list(marker.args if marker else ())}"
        )
    options = {**portkey_mock_options, **overrides}
    handle = PortkeyMock(portkey_mock_server.app, portkey_mock_server)
    handle.reset(profile=options["profile"], seed=options["seed"])
    if options.get("env"):
        for name, value in handle.env().items():
            monkeypatch.setenv(name, value)
    yield handle
    handle.check()
