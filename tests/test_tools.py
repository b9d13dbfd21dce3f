"""The suite's own set-up: the pinned gateway installed on first use, one failure per missing tool.

These run npm for real on a fresh copy of conformance/gateway/ (the npm registry, or npm's
cache, once per run), and simulate a missing tool with a PATH that lacks it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conformance.gateway import FLAVOURS, GatewayMissing, provision_gateway

ROOT = Path(__file__).resolve().parent.parent
FLAVOUR = FLAVOURS["oss"]


def fresh_copy(tmp_path: Path) -> Path:
    """conformance/gateway/ as a fresh clone has it: the manifest and lockfile, no node_modules."""
    target = tmp_path / "gateway"
    target.mkdir()
    for name in ("package.json", "package-lock.json"):
        shutil.copy(FLAVOUR.directory / name, target / name)
    return target


def path_with(tmp_path: Path, *tools: str) -> str:
    """A PATH holding only these tools (and this Python)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for tool in tools:
        found = shutil.which(tool)
        assert found, f"this test needs {tool} on PATH"
        (bin_dir / tool).symlink_to(found)
    return f"{bin_dir}{os.pathsep}{Path(sys.executable).parent}"


def test_a_fresh_copy_is_installed_once_then_found(tmp_path: Path) -> None:
    directory = fresh_copy(tmp_path)
    lines: list[str] = []
    node, script = provision_gateway(directory, FLAVOUR.pinned, say=lines.append)
    assert script == directory / "node_modules/@portkey-ai/gateway/build/start-server.js"
    assert script.is_file() and Path(node).name == "node"
    assert lines == [
        "installing the pinned Portkey gateway: npm ci --ignore-scripts --no-audit --no-fund "
        f"--loglevel=error in {directory}"
    ]
    provision_gateway(directory, FLAVOUR.pinned, say=lines.append)  # cached: no second install
    assert len(lines) == 1


def test_concurrent_sessions_install_once(tmp_path: Path) -> None:
    # What pytest-xdist's workers do at collection: all at once, on the same directory.
    directory = fresh_copy(tmp_path)
    code = (
        "from pathlib import Path; from tests.conformance.gateway import FLAVOURS, "
        f"provision_gateway; provision_gateway(Path({str(directory)!r}), "
        "FLAVOURS['oss'].pinned, say=lambda line: print('SAID', line))"
    )
    runs = [
        subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], outputs
    assert sum(output.count("SAID installing") for output in outputs) == 1, outputs


def test_without_npm_it_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = fresh_copy(tmp_path)
    monkeypatch.setenv("PATH", path_with(tmp_path, "node"))
    with pytest.raises(GatewayMissing, match=r"npm is not installed .*apt-get install -y nodejs"):
        provision_gateway(directory, FLAVOUR.pinned)


def test_without_node_it_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = fresh_copy(tmp_path)
    monkeypatch.setenv("PATH", path_with(tmp_path))
    with pytest.raises(GatewayMissing, match=r"Node.js is not installed .*apt-get install"):
        provision_gateway(directory, FLAVOUR.pinned)


def test_a_failing_npm_ci_says_so(tmp_path: Path) -> None:
    directory = fresh_copy(tmp_path)
    (directory / "package-lock.json").write_text("{not json")
    with pytest.raises(GatewayMissing, match=r"`npm ci --ignore-scripts.*` failed in .*exit"):
        provision_gateway(directory, FLAVOUR.pinned, say=lambda line: None)


def test_without_node_the_conformance_suite_is_one_failure(tmp_path: Path) -> None:
    # Even with the gateway installed, no node means it cannot run: one failure says so.
    env = {**os.environ, "PATH": path_with(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/conformance/test_real_gateway.py"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )  # fmt: skip
    assert run.returncode == 1, run.stdout
    tail = run.stdout.strip().splitlines()[-1]
    # The corpus checks pass; of the hundreds that need the gateway, one fails, the rest wait.
    assert re.fullmatch(r"\d+ passed, \d{3} deselected, 1 error in .*", tail), tail
    assert "Node.js is not installed (no `node` on PATH)" in run.stdout
    assert "more test(s) that need it were deselected" in run.stdout
