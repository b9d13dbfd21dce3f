"""The sdist and wheel are ready to publish (``twine check``, LICENSE, metadata), and the
wheel carries the contracts and py.typed, which load from the installed package."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and the wheel, built as `python -m build` builds them for PyPI."""
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--sdist",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(out),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, (
        f"building failed (pip install build hatchling):\n{result.stderr}"
    )
    return out


@pytest.fixture(scope="module")
def wheel(dist: Path) -> Path:
    (built,) = dist.glob("*.whl")
    return built


def test_twine_check_passes_on_the_sdist_and_wheel(dist: Path) -> None:
    built = sorted(str(path) for path in dist.iterdir())
    assert sorted(Path(path).suffix for path in built) == [".gz", ".whl"]
    result = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *built],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2


def test_the_license_ships_in_both_and_the_metadata_says_mit(dist: Path, wheel: Path) -> None:
    license_text = (ROOT / "LICENSE").read_text()
    assert license_text.startswith("MIT License")
    names = zipfile.ZipFile(wheel).namelist()
    (in_wheel,) = [name for name in names if name.endswith("licenses/LICENSE")]
    assert zipfile.ZipFile(wheel).read(in_wheel).decode() == license_text
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        members = {member.name.split("/", 1)[1]: member for member in archive.getmembers()}
        handle = archive.extractfile(members["LICENSE"])
        assert handle is not None and handle.read().decode() == license_text
        # A test run from the sdist has what it needs.
        assert {"run-tests", "examples/imagegen/client.py", "conftest.py"} <= set(members)
    metadata = next(n for n in names if n.endswith("METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "License-Expression: MIT" in text and "License-File: LICENSE" in text
    assert "Classifier: Framework :: Pytest" in text
    assert "Classifier: Typing :: Typed" in text
    assert "Requires-Python: >=3.11" in text
    # No Project-URL until the repository has a public address (pyproject.toml says so).
    assert "Project-URL" not in text


def test_wheel_contains_contracts_and_py_typed(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {p.relative_to(ROOT).as_posix() for p in (ROOT / "contracts").rglob("*.json")}
    assert shipped, "no contracts in the checkout"
    assert {f"mock_gateway/{name}" for name in shipped} <= names
    assert "mock_gateway/py.typed" in names
    assert not [name for name in names if name.startswith("tests/")]


def test_contracts_load_from_the_installed_wheel(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import mock_gateway, mock_gateway.contracts as c; "
        "print(mock_gateway.__file__); print(len(c.contract_names())); "
        "print(c.first_error('stability/v1-text-to-image-request.json', {}) is not None)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": ""},
        timeout=60,
        check=True,
    )
    location, count, rejects = result.stdout.split()
    assert location.startswith(str(site))
    assert int(count) == len(list((ROOT / "contracts").rglob("*.json")))
    assert rejects == "True"


def test_strategies_import_and_draw_from_the_installed_wheel(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = """
from hypothesis import given, settings
from mock_gateway import strategies
from mock_gateway.contracts import validate

@settings(max_examples=10, database=None)
@given(strategies.image_requests(), strategies.gateway_responses(kind="error"))
def check(request, response):
    validate(request.contract, request.body, request.definition)
    validate(response.contract, response.json())

check()
print(strategies.__file__)
"""
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": ""},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith(str(site))
    metadata = next(n for n in zipfile.ZipFile(wheel).namelist() if n.endswith("METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "Provides-Extra: hypothesis" in text  # pip install 'mock-portkey-gateway[hypothesis]'
