"""``mock-portkey serve --open``: open the inspector once the server answers, if there is a screen.

On a machine with no display, Python's ``webbrowser`` would fall back to a console browser
(lynx, w3m) that takes over the terminal the server is logging to; there we only say where
the page is. ``BROWSER`` set in the environment is always honoured, as ``webbrowser`` does.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
import webbrowser
from typing import TextIO

__all__ = ["can_open_browser", "open_when_ready"]


def can_open_browser() -> bool:
    """Whether a graphical browser can be started here (or ``BROWSER`` names one)."""
    if os.environ.get("BROWSER"):
        return True
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False


def _open(url: str, host: str, port: int, stderr: TextIO, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not _answers(host, port):
        if time.monotonic() > deadline:
            print(f"mock-portkey: not opening {url}: the server did not start", file=stderr)
            return
        time.sleep(0.05)
    try:
        opened = webbrowser.open(url)
    except (webbrowser.Error, OSError) as error:
        opened, reason = False, str(error)
    else:
        reason = "no browser found"
    if not opened:
        print(f"mock-portkey: could not open a browser ({reason}); visit {url}", file=stderr)


def open_when_ready(
    url: str, host: str, port: int, *, stderr: TextIO, timeout: float = 10.0
) -> threading.Thread | None:
    """Open ``url`` in a browser once ``host:port`` accepts connections (in a thread).

    Never fails: with no display, or no browser, it prints where the page is instead.
    """
    if not can_open_browser():
        print(f"mock-portkey: no display to open a browser on; visit {url}", file=stderr)
        return None
    connect = "127.0.0.1" if host in ("0.0.0.0", "") else "::1" if host == "::" else host
    thread = threading.Thread(
        target=_open, args=(url, connect, port, stderr, timeout), name="open-inspector", daemon=True
    )
    thread.start()
    return thread
