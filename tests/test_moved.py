"""The module paths from before the package layout still import, for one release, with a warning."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from mock_gateway._moved import MOVED

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("old", sorted(MOVED))
def test_an_old_path_is_the_new_module_with_a_deprecation_warning(old: str) -> None:
    new = importlib.import_module(MOVED[old])
    sys.modules.pop(old, None)
    with pytest.warns(DeprecationWarning, match=f"{old} moved to {MOVED[old]}"):
        module = importlib.import_module(old)
    assert module is new
    assert module.__spec__ is not None and module.__spec__.name == MOVED[old]
    sys.modules.pop(old, None)


def test_the_changelog_lists_every_move() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text()
    for old, new in MOVED.items():
        assert f"| `{old}` | `{new}` |" in changelog


def test_the_public_paths_stay_without_a_warning() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        contracts = importlib.import_module("mock_gateway.contracts")
        importlib.import_module("mock_gateway.strategies")
        importlib.import_module("mock_gateway.pytest_plugin")
    assert contracts is importlib.import_module("mock_gateway.contract_tools.contracts")


def test_the_state_s_fake_attributes_warn_and_still_work() -> None:
    from mock_gateway import PortkeyMock, create_app

    state = PortkeyMock(create_app()).state
    with pytest.warns(DeprecationWarning, match="fakes"):
        assert state.stability is state.fakes["stability-ai"]
    with pytest.warns(DeprecationWarning, match="fakes"):
        assert state.openai is state.fakes["openai"]
