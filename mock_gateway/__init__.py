"""mock-portkey-gateway: a faithful, fast, offline stand-in for the Portkey AI gateway.

The public names are loaded on first use, so ``import mock_gateway`` (which every pytest
run does once the plugin is installed) stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from mock_gateway import _moved
from mock_gateway._version import __version__

_moved.install()  # the module paths from before the package layout, for one release

if TYPE_CHECKING:
    from mock_gateway.app import create_app
    from mock_gateway.fakes.images import png_dimensions, render_png
    from mock_gateway.faults import Fault, FaultError
    from mock_gateway.gateway.profiles import PROFILES, Profile
    from mock_gateway.gateway.registry import Registry
    from mock_gateway.handle import PortkeyMock, ServerError
    from mock_gateway.journal import Attempt, Call, CallList
    from mock_gateway.serving.server import LiveServer, ServerStartError
    from mock_gateway.settings import Settings

__all__ = [
    "Attempt",
    "Call",
    "CallList",
    "Fault",
    "FaultError",
    "LiveServer",
    "PROFILES",
    "PortkeyMock",
    "Profile",
    "Registry",
    "ServerError",
    "ServerStartError",
    "Settings",
    "__version__",
    "create_app",
    "png_dimensions",
    "render_png",
]

_WHERE = {
    "Attempt": "mock_gateway.journal",
    "Call": "mock_gateway.journal",
    "CallList": "mock_gateway.journal",
    "Fault": "mock_gateway.faults",
    "FaultError": "mock_gateway.faults",
    "PortkeyMock": "mock_gateway.handle",
    "Registry": "mock_gateway.gateway.registry",
    "ServerError": "mock_gateway.handle",
    "PROFILES": "mock_gateway.gateway.profiles",
    "LiveServer": "mock_gateway.serving.server",
    "Profile": "mock_gateway.gateway.profiles",
    "ServerStartError": "mock_gateway.serving.server",
    "Settings": "mock_gateway.settings",
    "create_app": "mock_gateway.app",
    "png_dimensions": "mock_gateway.fakes.images",
    "render_png": "mock_gateway.fakes.images",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'mock_gateway' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
