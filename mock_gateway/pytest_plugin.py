"""The pytest plugin: the ``portkey_mock`` fixture, installed through ``pytest11``.

Every pytest run in an environment with this package imports this module, so it imports
nothing heavy at module level: the server and app are imported inside the fixtures.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from pluggy import Result

    from mock_gateway.handle import PortkeyMock
    from mock_gateway.serving.server import LiveServer

__all__ = ["portkey_mock", "portkey_mock_options", "portkey_mock_server"]

_MARKER = (
    "portkey_mock(profile='hosted', seed=0, env=False): configure the portkey_mock fixture "
    "for this test (gateway profile, seed, and whether to point PORTKEY_PROXY and "
    "OPENAI_BASE_URL at the mock)"
)
_MARKER_OPTIONS = frozenset({"profile", "seed", "env"})


_SNAPSHOTS = "portkey_mock_snapshots"
_SNAPSHOTS_HELP = (
    "directory for the HTML journal snapshot of each failing test that used portkey_mock "
    "(default: portkey-mock/ next to --junitxml's file, else under pytest's basetemp)"
)


_RECORD_HELP = (
    "run the tests against a real gateway through a recorder instead of the mock, and write "
    "a HAR cassette (keys redacted) to DIR; needs --portkey-record-target"
)
_TARGET_HELP = "the real gateway --portkey-record forwards to, e.g. https://api.portkey.ai"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("portkey_mock")
    group.addoption("--portkey-mock-snapshots", metavar="DIR", help=_SNAPSHOTS_HELP)
    group.addoption("--portkey-record", metavar="DIR", help=_RECORD_HELP)
    group.addoption("--portkey-record-target", metavar="URL", help=_TARGET_HELP)
    parser.addini(_SNAPSHOTS, _SNAPSHOTS_HELP)
    parser.addini("portkey_record_target", _TARGET_HELP)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", _MARKER)
    if config.getoption("--portkey-record"):  # never without an explicit target
        from mock_gateway.recording.session import record_target

        record_target(config)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Result[pytest.TestReport], None]:
    """On a failing test that used the fixture: where to look at its journal."""
    outcome = yield
    report = outcome.get_result()
    handle = getattr(item, "funcargs", {}).get("portkey_mock") if report.failed else None
    if handle is None or not hasattr(handle, "write_snapshot"):
        return
    from mock_gateway.control.inspector.routes import failure_section

    try:
        section, path = failure_section(item.nodeid, handle, _snapshot_dir(item.config))
    except OSError as error:  # a read-only directory must not hide the test's own failure
        report.sections.append(("portkey_mock inspector", f"no journal snapshot: {error}"))
        return
    report.sections.append(("portkey_mock inspector", section))
    # junitxml writes the properties of the teardown report, which copies the item's.
    where = report.user_properties if report.when == "teardown" else item.user_properties
    where.append(("portkey_mock_snapshot", str(path)))


def _snapshot_dir(config: pytest.Config) -> Path:
    chosen = config.getoption("--portkey-mock-snapshots")
    if chosen:
        return Path(chosen)
    if config.getini(_SNAPSHOTS):
        return config.rootpath / str(config.getini(_SNAPSHOTS))
    junit = config.getoption("--junitxml", None)
    if junit:  # next to the test report, so CI keeps them together
        return Path(junit).parent / "portkey-mock"
    factory = getattr(config, "_tmp_path_factory", None)  # pytest's basetemp, if there is one
    base = factory.getbasetemp() if factory is not None else Path(tempfile.gettempdir())
    return base / "portkey-mock"


@pytest.fixture(scope="session")
def portkey_mock_options() -> dict[str, Any]:
    """Session defaults for the mock; override this fixture in a conftest.py to change them.

    Keys: ``profile`` (default ``hosted``), ``seed`` (0), ``env`` (False), ``host``
    (``127.0.0.1``), ``port`` (0: a free port; a fixed N under pytest-xdist is N plus the
    worker's number, so workers never collide), ``time_scale`` (0.001: the gateway's retry
    waits and a timeout fault's hold pass 1000 times faster; 1.0 is real time; the journal
    counts them in full), ``strict_responses`` (False: when True the server refuses, and the test
    fails, on any answer that breaks its contract), ``journal_cap`` (10000 calls) and
    ``journal_bytes`` (16 MiB of heads and bodies) bound the journal, ``max_body_bytes``
    (16 MiB) the request body, ``allow_remote`` (False) must be True for a ``host`` that is
    not loopback, ``max_connections`` (1000) and ``header_timeout`` (10 s) guard the server's
    connections.
    """
    return {
        "profile": "hosted",
        "seed": 0,
        "env": False,
        "host": "127.0.0.1",
        "strict_responses": False,
    }


def _port(port: int) -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", ... under xdist
    return port + int(worker[2:]) if port and worker.startswith("gw") else port


@pytest.fixture(scope="session")
def portkey_mock_server(
    portkey_mock_options: dict[str, Any], pytestconfig: pytest.Config
) -> Iterator[LiveServer]:
    """One live mock gateway per session (per xdist worker), on a free loopback port.

    With ``--portkey-record DIR``: the recorder in front of the real target instead.
    """
    if pytestconfig.getoption("--portkey-record"):
        from mock_gateway.recording.session import recording_server

        with recording_server(pytestconfig) as recorder:
            yield recorder
        return
    from mock_gateway.app import create_app
    from mock_gateway.journal import DEFAULT_JOURNAL_BYTES, DEFAULT_JOURNAL_CAP
    from mock_gateway.serving.connections import DEFAULT_HEADER_TIMEOUT, DEFAULT_MAX_CONNECTIONS
    from mock_gateway.serving.server import LiveServer
    from mock_gateway.wire.limits import DEFAULT_MAX_BODY

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
        port=_port(int(portkey_mock_options.get("port", 0))),
        allow_remote=bool(portkey_mock_options.get("allow_remote", False)),
        max_connections=int(portkey_mock_options.get("max_connections", DEFAULT_MAX_CONNECTIONS)),
        header_timeout=float(portkey_mock_options.get("header_timeout", DEFAULT_HEADER_TIMEOUT)),
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
    handle: Any = PortkeyMock(portkey_mock_server.app, portkey_mock_server)
    if hasattr(portkey_mock_server.app.state, "recorder"):  # pytest --portkey-record
        from mock_gateway.recording.session import RecordingHandle

        handle = RecordingHandle(portkey_mock_server, request.node.nodeid)
    # A partial override of portkey_mock_options keeps the defaults of the keys it leaves out.
    handle.reset(profile=options.get("profile", "hosted"), seed=options.get("seed", 0))
    if options.get("env"):
        for name, value in handle.env().items():
            monkeypatch.setenv(name, value)
    yield handle
    handle.check()
