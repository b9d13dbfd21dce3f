"""``pytest --portkey-record DIR``: the suite runs against a real target through the recorder.

The pytest plugin stays thin: it imports this module only when recording was asked for.
The ``portkey_mock`` fixture then hands tests a ``RecordingHandle`` whose URLs point at the
recorder; each exchange is labelled in the cassette with the node id of the test that sent it.
The mock-only parts of the handle (journal, faults) do not exist against a real service, and
say so.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from mock_gateway.recording.har import CassetteWriter
from mock_gateway.recording.record import Recorder, check_target, create_recorder
from mock_gateway.serving.server import LiveServer

__all__ = ["RecordingHandle", "cassette_path", "record_target", "recording_server"]

TARGET_INI = "portkey_record_target"


def record_target(config: pytest.Config) -> str:
    """The explicit target (option, else ini); ``pytest.UsageError`` if there is none."""
    target = config.getoption("--portkey-record-target") or config.getini(TARGET_INI)
    if not target:
        raise pytest.UsageError(
            "--portkey-record needs the real gateway to record: pass --portkey-record-target URL "
            f"(e.g. https://api.portkey.ai) or set {TARGET_INI} in the ini file"
        )
    try:
        return check_target(str(target))
    except ValueError as error:
        raise pytest.UsageError(str(error)) from None


def cassette_path(config: pytest.Config) -> Path:
    """``DIR/portkey.har``, or ``DIR/portkey-gw0.har`` on an xdist worker."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    name = f"portkey-{worker}.har" if worker else "portkey.har"
    return Path(config.getoption("--portkey-record")) / name


@contextmanager
def recording_server(config: pytest.Config) -> Iterator[LiveServer]:
    """The recorder on a free loopback port, forwarding to the target, for the session."""
    target = record_target(config)
    writer = CassetteWriter(cassette_path(config), target)
    server = LiveServer(create_recorder(Recorder(target, writer)))
    server.start()
    try:
        yield server
    finally:
        server.stop()
        writer.close()


class RecordingHandle:
    """What ``portkey_mock`` gives a test while recording: where to send requests."""

    __test__ = False

    def __init__(self, server: LiveServer, label: str) -> None:
        self.server = server
        self.recorder: Recorder = server.app.state.recorder
        self.recorder.label = label
        self._errors = len(self.recorder.errors)

    @property
    def url(self) -> str:
        """The recorder's origin."""
        return self.server.url

    @property
    def base_url(self) -> str:
        """What SDKs take: the recorder's origin plus ``/v1``."""
        return f"{self.url}/v1"

    def url_for(self, path: str) -> str:
        """An absolute URL for ``path`` on the recorder."""
        return self.url + ("" if path.startswith("/") else "/") + path

    def env(self) -> dict[str, str]:
        """Environment variables that point the SDKs at the recorder."""
        return {"PORTKEY_PROXY": self.base_url, "OPENAI_BASE_URL": self.base_url}

    def reset(self, **options: Any) -> None:
        """Nothing to reset in a real service (profile and seed are the mock's)."""

    def check(self) -> None:
        """Fail the test if a request it sent could not reach the target."""
        self.recorder.label = ""
        errors = self.recorder.errors[self._errors :]
        if errors:
            raise AssertionError(errors[0])

    def __getattr__(self, name: str) -> Any:
        recorder = self.__dict__.get("recorder")
        target = recorder.target if recorder is not None else "a real target"
        raise AttributeError(
            f"portkey_mock.{name} is the mock's own; it does not exist while recording against "
            f"{target} (pytest --portkey-record)"
        )
