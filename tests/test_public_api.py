"""The public surface is deliberate: sorted, complete, importable, and cheap to import."""

from __future__ import annotations

import subprocess
import sys

import pytest

import mock_gateway


def test_all_is_sorted_and_resolves() -> None:
    assert mock_gateway.__all__ == sorted(mock_gateway.__all__)
    for name in mock_gateway.__all__:
        assert getattr(mock_gateway, name) is not None


def test_expected_names() -> None:
    assert set(mock_gateway.__all__) == {
        "Attempt",
        "Call",
        "CallList",
        "Fault",
        "FaultError",
        "LiveServer",
        "PortkeyMock",
        "Registry",
        "ServerError",
        "PROFILES",
        "Profile",
        "ServerStartError",
        "Settings",
        "__version__",
        "create_app",
        "png_dimensions",
        "render_png",
    }


def test_unknown_names_raise_attribute_error() -> None:
    try:
        mock_gateway.no_such_name  # noqa: B018
    except AttributeError as error:
        assert "no_such_name" in str(error)
    else:
        raise AssertionError("expected AttributeError")


@pytest.mark.parametrize("module", ["mock_gateway", "mock_gateway.pytest_plugin"])
def test_importing_imports_nothing_heavy(module: str) -> None:
    # Every pytest run in a user's environment imports the plugin (and so the package).
    heavy = "('starlette', 'uvicorn', 'jsonschema', 'httpx')"
    code = f"import sys, {module}; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_profiles_are_data() -> None:
    assert {"hosted", "hosted-2024", "oss", "oss-npm"} <= set(mock_gateway.PROFILES)
    assert mock_gateway.PROFILES["hosted"].generate_trace_id is True
