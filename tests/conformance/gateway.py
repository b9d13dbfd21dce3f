"""The real open-source Portkey gateway, from the pinned npm install in conformance/gateway/."""

from __future__ import annotations

import fcntl
import json
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

__all__ = [
    "FLAVOURS",
    "GATEWAY_DIR",
    "NPM_CI",
    "Flavour",
    "GatewayMissing",
    "RealGateway",
    "locate_gateway",
    "provision_gateway",
]

_ROOT = Path(__file__).resolve().parents[2] / "conformance"
GATEWAY_DIR = _ROOT / "gateway"


@dataclass(frozen=True)
class Flavour:
    """One pinned install of the real gateway, and the mock profile that should match it."""

    profile: str
    directory: Path
    pinned: Mapping[str, str]  # the versions its package-lock.json pins


FLAVOURS = {
    # The gateway with its own lockfile's @hono/node-server (npm overrides): the intended
    # proxy behaviour.
    "oss": Flavour(
        "oss", GATEWAY_DIR, {"@portkey-ai/gateway": "1.15.2", "@hono/node-server": "1.13.5"}
    ),
    # `npm install @portkey-ai/gateway@1.15.2` as npm resolves it: the immutable-headers bug.
    "oss-npm": Flavour(
        "oss-npm",
        _ROOT / "gateway-npm",
        {"@portkey-ai/gateway": "1.15.2", "@hono/node-server": "1.19.19"},
    ),
}
PINNED = FLAVOURS["oss"].pinned
_START = Path("node_modules/@portkey-ai/gateway/build/start-server.js")
_INSTALL = (
    "install Node.js 18 or newer with npm (Debian: `apt-get install -y nodejs npm`), then run "
    "`npm ci --ignore-scripts` in {dir} (the suite runs it by itself when npm is there)"
)
# The pinned install, exactly as the lockfile says; no install scripts, nothing but the registry.
NPM_CI = ("ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error")


class GatewayMissing(RuntimeError):
    """Node, npm's install of the gateway, or the pinned versions are missing."""


def _version(directory: Path, package: str) -> str | None:
    manifest = directory / "node_modules" / package / "package.json"
    try:
        return str(json.loads(manifest.read_text())["version"])
    except (OSError, ValueError, KeyError):
        return None


def locate_gateway(
    directory: Path = GATEWAY_DIR, node: str | None = None, pinned: Mapping[str, str] = PINNED
) -> tuple[str, Path]:
    """(node executable, start-server.js) of the pinned install; GatewayMissing says what to do."""
    node = node or shutil.which("node")
    how = _INSTALL.format(dir=directory)
    if node is None:
        raise GatewayMissing(f"Node.js is not installed (no `node` on PATH): {how}")
    for package, wanted in pinned.items():
        found = _version(directory, package)
        if found != wanted:
            state = "is not installed" if found is None else f"is {found}, not {wanted}"
            raise GatewayMissing(f"npm package {package} {state} in {directory}: {how}")
    return node, directory / _START


def provision_gateway(
    directory: Path = GATEWAY_DIR,
    pinned: Mapping[str, str] = PINNED,
    *,
    say: Callable[[str], None] = print,
    timeout: float = 600.0,
) -> tuple[str, Path]:
    """``locate_gateway``, after running the pinned ``npm ci`` in ``directory`` if it is needed.

    Done once: the install stays in ``node_modules`` and is found by its pinned versions next
    time. A file lock makes concurrent sessions (pytest-xdist workers) wait for the one that
    installs. ``say`` gets one line of progress before npm runs; GatewayMissing says what to do.
    """
    try:
        return locate_gateway(directory, pinned=pinned)
    except GatewayMissing:
        if shutil.which("node") is None:
            raise
    npm = shutil.which("npm")
    if npm is None:
        how = _INSTALL.format(dir=directory)
        raise GatewayMissing(f"npm is not installed (no `npm` on PATH): {how}")
    with (directory / ".npm-ci.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        try:  # another session may have installed it while this one waited
            return locate_gateway(directory, pinned=pinned)
        except GatewayMissing:
            pass
        say(f"installing the pinned Portkey gateway: npm {' '.join(NPM_CI)} in {directory}")
        try:
            done = subprocess.run(
                [npm, *NPM_CI], cwd=directory, capture_output=True, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            raise GatewayMissing(f"npm ci in {directory} took over {timeout:g}s") from None
        if done.returncode != 0:
            output = (done.stdout + done.stderr).strip()[-2000:]
            raise GatewayMissing(
                f"`npm {' '.join(NPM_CI)}` failed in {directory} (exit {done.returncode}); "
                f"it needs the npm registry once:\n{output}"
            )
    return locate_gateway(directory, pinned=pinned)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RealGateway:
    """``node start-server.js --port=N --headless`` on a free loopback port, until stop()."""

    def __init__(self, flavour: Flavour = FLAVOURS["oss"]) -> None:
        self.node, self.script = locate_gateway(flavour.directory, pinned=flavour.pinned)
        self.flavour = flavour
        self.directory = flavour.directory
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._log = tempfile.TemporaryFile()  # noqa: SIM115  # closed by stop()

    @property
    def url(self) -> str:
        """The gateway's origin."""
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        """What the gateway printed so far (for failure messages)."""
        if self._log.closed:
            return ""
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")[-4000:]

    def start(self, timeout: float = 30.0) -> None:
        """Start node and wait, with a deadline, until ``GET /`` answers."""
        self.port = _free_port()
        # --port=N with "=": start-server.ts ignores "--port N" (reference §0).
        command = [self.node, str(self.script), f"--port={self.port}", "--headless"]
        self._process = subprocess.Popen(
            command, cwd=self.directory, stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                message = f"the gateway exited at start:\n{self.log()}"
                self.stop()
                raise GatewayMissing(message)
            try:
                if httpx.get(self.url + "/", timeout=0.5).text == "AI Gateway says hey!":
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        message = f"the gateway did not answer on {self.url} in {timeout}s:\n{self.log()}"
        self.stop()
        raise GatewayMissing(message)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not exited after 5 s."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=5)
        self._process = None
        self._log.close()
