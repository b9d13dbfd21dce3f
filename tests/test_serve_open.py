"""``mock-portkey serve --open``: opens the inspector when it can, never fails when it cannot."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mock_gateway.control.inspector.browser import can_open_browser

pytestmark = pytest.mark.socket

SCRIPT = os.path.join(os.path.dirname(sys.executable), "mock-portkey")


def _env(**extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER")
    }
    return {**env, **extra}


def _serve_until(env: dict[str, str], done: Path | None) -> tuple[str, str]:
    """Run ``serve --port 0 --open``; stop it once ``done`` exists (or at once); its output."""
    process = subprocess.Popen(
        [SCRIPT, "serve", "--port", "0", "--open"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(3)]
        assert lines[2].startswith("inspector: http://127.0.0.1:") and lines[2].endswith(
            "/_mock/\n"
        )
        deadline = time.monotonic() + 10
        while done is not None and not done.exists():
            assert time.monotonic() < deadline, "the browser was not started"
            time.sleep(0.05)
        time.sleep(0.2)  # let a headless refusal reach stderr
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    return "".join(lines) + out, err


def test_headless_it_says_where_the_page_is_and_keeps_serving() -> None:
    out, err = _serve_until(_env(), None)
    url = out.splitlines()[2].removeprefix("inspector: ")
    assert f"no display to open a browser on; visit {url}" in err
    assert "Traceback" not in err


def test_it_opens_the_inspector_once_the_server_answers(tmp_path: Path) -> None:
    seen = tmp_path / "seen"
    browser = tmp_path / "browser"
    browser.write_text(
        f"#!{sys.executable}\n"
        "import sys, urllib.request\n"
        "status = urllib.request.urlopen(sys.argv[1]).status\n"
        f"open({str(seen)!r}, 'w').write(f'{{sys.argv[1]}} {{status}}')\n"
    )
    browser.chmod(0o755)
    out, err = _serve_until(_env(BROWSER=str(browser)), seen)
    url = out.splitlines()[2].removeprefix("inspector: ")
    assert seen.read_text() == f"{url} 200"  # the page, and it was up when the browser came
    assert "Traceback" not in err


def test_can_open_browser_needs_a_display_or_a_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    assert can_open_browser() is False
    monkeypatch.setenv("DISPLAY", ":0")
    assert can_open_browser() is True
