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

__all__ = ["default_options", "portkey_mock", "portkey_mock_options", "portkey_mock_server"]

_MARKER = (
    "portkey_mock(profile='hosted', seed=0, env=False, assert_faults_used=True): configure the "
    "portkey_mock fixture for this test (gateway profile, seed, whether to point PORTKEY_PROXY "
    "and OPENAI_BASE_URL at the mock, and whether its teardown fails on queued faults no "
    "request used)"
)
_MARKER_OPTIONS = frozenset({"profile", "seed", "env", "assert_faults_used"})
# The fixture's own options, besides Settings' (the app) and LiveServer's (the server).
_FIXTURE_OPTIONS = {"env": False, "assert_faults_used": True}
# Whether the test's own call failed (the teardown check then keeps quiet).
_CALL_FAILED = pytest.StashKey[bool]()


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
    if report.when == "call":  # a failed test (or an expected failure) says enough
        item.stash[_CALL_FAILED] = report.failed or hasattr(report, "wasxfail")
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


def default_options() -> dict[str, Any]:
    """Every key ``portkey_mock_options`` takes, with the fixture's default.

    The app's options are ``mock_gateway.Settings``' (``FIXTURE_SETTINGS``: ``time_scale``
    0.001, the rest as ``Settings()``); the server's are ``LiveServer``'s (``host``, ``port``,
    ``allow_remote``, ``max_connections``, ``header_timeout``); and the fixture's own ``env``
    and ``assert_faults_used``.
    """
    import inspect

    from mock_gateway.serving.server import LiveServer
    from mock_gateway.settings import FIXTURE_SETTINGS

    server = {
        name: parameter.default
        for name, parameter in inspect.signature(LiveServer).parameters.items()
        if parameter.default is not inspect.Parameter.empty
    }
    app = {name: getattr(FIXTURE_SETTINGS, name) for name in FIXTURE_SETTINGS.names()}
    return {**app, **server, **_FIXTURE_OPTIONS}


def _options(given: dict[str, Any]) -> dict[str, Any]:
    """``given`` over the defaults: a partial ``portkey_mock_options`` keeps the rest."""
    defaults = default_options()
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        raise pytest.UsageError(
            f"portkey_mock_options has unknown key(s) {unknown}; the keys are {sorted(defaults)}"
        )
    return {**defaults, **given}


@pytest.fixture(scope="session")
def portkey_mock_options() -> dict[str, Any]:
    """Session defaults for the mock; override this fixture in a conftest.py to change them.
    The keys an override leaves out keep their defaults (``default_options()``, all of them):

    - the app's (``mock_gateway.Settings``): ``profile`` (``hosted``), ``seed`` (0),
      ``time_scale`` (**0.001** here, 1.0 in ``Settings``: the gateway's retry waits,
      ``retry-after`` and a timeout fault's hold pass 1000 times faster; the journal counts
      them in full), ``strict_responses`` (False: when True the server refuses, and the test
      fails, on any answer that breaks its contract), ``journal_cap`` (10000 calls),
      ``journal_bytes`` (16 MiB), ``max_body_bytes`` (16 MiB), ``registry``, ...;
    - the server's (``LiveServer``): ``host`` (``127.0.0.1``), ``port`` (0: a free port; a
      fixed N under pytest-xdist is N plus the worker's number, so workers never collide),
      ``allow_remote`` (False; True for a ``host`` that is not loopback),
      ``max_connections`` (1000), ``header_timeout`` (10 s);
    - the fixture's: ``env`` (False: True points ``PORTKEY_PROXY`` and ``OPENAI_BASE_URL`` at
      the mock), ``assert_faults_used`` (True: a passing test's teardown fails while faults
      it queued are left unused).
    """
    return default_options()


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
    from mock_gateway.serving.server import LiveServer
    from mock_gateway.settings import Settings

    options = _options(portkey_mock_options)
    app = create_app(Settings.from_options({k: options[k] for k in Settings.names()}))
    server = LiveServer(
        app,
        host=options["host"],
        port=_port(int(options["port"])),
        allow_remote=bool(options["allow_remote"]),
        max_connections=int(options["max_connections"]),
        header_timeout=float(options["header_timeout"]),
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
    options = {**_options(portkey_mock_options), **overrides}
    handle: Any = PortkeyMock(portkey_mock_server.app, portkey_mock_server)
    if hasattr(portkey_mock_server.app.state, "recorder"):  # pytest --portkey-record
        from mock_gateway.recording.session import RecordingHandle

        handle = RecordingHandle(portkey_mock_server, request.node.nodeid)
    handle.reset(profile=options["profile"], seed=options["seed"])
    if options["env"]:
        for name, value in handle.env().items():
            monkeypatch.setenv(name, value)
    yield handle
    handle.check()
    # As respx's assert_all_called: a fault queued and never met means the test did not test
    # what it meant to. Not after a failed test (its own failure says more), nor recording.
    failed = request.node.stash.get(_CALL_FAILED, True)
    if options["assert_faults_used"] and not failed and hasattr(handle, "assert_faults_used"):
        handle.assert_faults_used()
