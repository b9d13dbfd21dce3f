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
from dataclasses import replace
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


def test_a_fresh_copy_is_installed_once_by_concurrent_sessions_then_found(tmp_path: Path) -> None:
    # What pytest-xdist's workers do at collection: all at once, on the same fresh directory.
    # (One npm ci serves both points: sessions racing install once, and it is found after.)
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
    said = [line for output in outputs for line in output.splitlines() if line.startswith("SAID")]
    assert said == [
        "SAID installing the pinned Portkey gateway: npm ci --ignore-scripts --no-audit "
        f"--no-fund --loglevel=error in {directory}"
    ], outputs
    lines: list[str] = []
    node, script = provision_gateway(directory, FLAVOUR.pinned, say=lines.append)
    assert script == directory / "node_modules/@portkey-ai/gateway/build/start-server.js"
    assert script.is_file() and Path(node).name == "node"
    assert lines == []  # found: no second install


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


def test_without_node_the_conformance_suite_is_one_failure(
    tmp_path: Path, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Even with the gateway installed, no node means it cannot run: one failure says so.
    # In-process (the repository's own conftests and ini, as `pytest` there loads them): a
    # subprocess would add seconds of interpreter and plugin start-up and prove nothing more.
    monkeypatch.setenv("PATH", path_with(tmp_path))
    run = pytester.runpytest_inprocess(
        "-q", "-p", "no:cacheprovider", f"--rootdir={ROOT}", "-c", str(ROOT / "pyproject.toml"),
        str(ROOT / "tests/conformance/test_real_gateway.py"),
    )  # fmt: skip
    stdout = run.stdout.str()
    assert run.ret == 1, stdout
    tail = run.outlines[-1]
    # The corpus checks pass; of the hundreds that need the gateway, one fails, the rest wait.
    assert re.fullmatch(r"\d+ passed, \d+ deselected, 1 error in .*", tail), tail
    assert int(tail.split()[2]) >= 100  # hundreds: the corpus, on both flavours
    assert "Node.js is not installed (no `node` on PATH)" in stdout
    assert "more test(s) that need it were deselected" in stdout


SHELL_TOOLS = ("bash", "dirname", "cat", "cksum", "id", "env")


def run_tests_script(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``./run-tests`` from a copy of the checkout's top level (no .venv), with ``env``."""
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    for name in ("run-tests", "pyproject.toml"):
        shutil.copy(ROOT / name, checkout / name)
    clean = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    return subprocess.run(
        [str(checkout / "run-tests")],
        capture_output=True,
        text=True,
        env={**clean, **env},
        cwd=checkout,
        timeout=60,
    )


def test_run_tests_names_every_missing_package_in_one_line_and_runs_nothing(
    tmp_path: Path,
) -> None:
    env = {
        "MOCK_PORTKEY_NO_APT": "1",  # as if not root: on this machine it would apt-get
        "MOCK_PORTKEY_CHROMIUM": "/nonexistent/chromium",
        "PATH": path_with(tmp_path, *SHELL_TOOLS),  # no curl, node or npm
    }
    run = run_tests_script(tmp_path, env)
    assert run.returncode == 1
    assert run.stdout == ""  # pytest never started
    assert run.stderr.splitlines() == [
        "run-tests: missing chromium curl nodejs npm: run `sudo apt-get install -y chromium "
        "curl nodejs npm` (or run ./run-tests as root), then ./run-tests again"
    ]


def test_run_tests_refuses_an_old_python_in_one_line(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    path = path_with(tmp_path, *SHELL_TOOLS, "curl", "node", "npm")
    (bin_dir / "python3").write_text(  # has ensurepip, says 3.10, fails the version check
        '#!/bin/sh\ncase "$*" in *ensurepip*) exit 0;; -V) echo "Python 3.10.2";; *) exit 1;; esac'
    )
    (bin_dir / "python3").chmod(0o755)
    run = run_tests_script(tmp_path, {"MOCK_PORTKEY_CHROMIUM": "/bin/sh", "PATH": path})
    assert (run.returncode, run.stdout) == (1, "")
    assert run.stderr.splitlines() == [
        "run-tests: Python 3.11 or newer is needed (python3 is Python 3.10.2)"
    ]


def test_the_suite_installs_both_gateways_with_one_line_of_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conformance import gateway
    from tests.tools import gateway_problem

    for name, flavour in gateway.FLAVOURS.items():
        fresh = tmp_path / name
        fresh.mkdir()
        for file in ("package.json", "package-lock.json"):
            shutil.copy(flavour.directory / file, fresh / file)
        monkeypatch.setitem(gateway.FLAVOURS, name, replace(flavour, directory=fresh))
    lines: list[str] = []
    assert gateway_problem(say=lines.append) is None
    assert lines == [
        "installing the pinned real gateways for the conformance suite: "
        "npm ci --ignore-scripts in conformance/gateway*/ (once)"
    ]
    assert gateway_problem(say=lines.append) is None and len(lines) == 1  # cached
