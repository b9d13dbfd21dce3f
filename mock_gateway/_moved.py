"""Old module paths from before the package layout (0.1), kept importable for one release.

``import mock_gateway.images`` still works and gives the very module now at
``mock_gateway.fakes.images`` (the same object, so monkeypatching either name patches both),
with a ``DeprecationWarning`` naming the new path. CHANGELOG.md lists the moves.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings
from collections.abc import Sequence
from types import ModuleType

MOVED: dict[str, str] = {
    "mock_gateway.allowlist": "mock_gateway.recording.allowlist",
    "mock_gateway.blobs": "mock_gateway.fakes.blobs",
    "mock_gateway.browser": "mock_gateway.control.inspector.browser",
    "mock_gateway.call_headers": "mock_gateway.wire.call_headers",
    "mock_gateway.check": "mock_gateway.contract_tools.check",
    "mock_gateway.conformance": "mock_gateway.contract_tools.route_map",
    "mock_gateway.connections": "mock_gateway.serving.connections",
    "mock_gateway.control_guard": "mock_gateway.control.guard",
    "mock_gateway.control_openapi": "mock_gateway.control.openapi",
    "mock_gateway.drift": "mock_gateway.recording.drift",
    "mock_gateway.fastcheck": "mock_gateway.contract_tools.fastcheck",
    "mock_gateway.gateway.dispatch": "mock_gateway.gateway.config_runner",
    "mock_gateway.gateway.responses": "mock_gateway.gateway.request_context",
    "mock_gateway.gateway.routing": "mock_gateway.gateway.config_strategies",
    "mock_gateway.har": "mock_gateway.recording.har",
    "mock_gateway.images": "mock_gateway.fakes.images",
    "mock_gateway.inspector": "mock_gateway.control.inspector.routes",
    "mock_gateway.inspector_assets": "mock_gateway.control.inspector.assets",
    "mock_gateway.inspector_html": "mock_gateway.control.inspector.html",
    "mock_gateway.inspector_view": "mock_gateway.control.inspector.view",
    "mock_gateway.js": "mock_gateway.wire.js",
    "mock_gateway.limits": "mock_gateway.wire.limits",
    "mock_gateway.multipart": "mock_gateway.wire.multipart",
    "mock_gateway.normalise": "mock_gateway.recording.normalise",
    "mock_gateway.offload": "mock_gateway.serving.offload",
    "mock_gateway.openapi": "mock_gateway.contract_tools.openapi",
    "mock_gateway.provider_app": "mock_gateway.fakes.provider_app",
    "mock_gateway.record": "mock_gateway.recording.record",
    "mock_gateway.record_session": "mock_gateway.recording.session",
    "mock_gateway.redact": "mock_gateway.wire.redact",
    "mock_gateway.registry": "mock_gateway.gateway.registry",
    "mock_gateway.replay": "mock_gateway.recording.replay",
    "mock_gateway.safejson": "mock_gateway.wire.safejson",
    "mock_gateway.scrub": "mock_gateway.recording.scrub",
    "mock_gateway.server": "mock_gateway.serving.server",
    "mock_gateway.strict": "mock_gateway.contract_tools.strict",
}


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds an old name and loads it as the module at its new name."""

    def __init__(self) -> None:
        self._specs: dict[str, importlib.machinery.ModuleSpec | None] = {}

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in MOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        new = MOVED[spec.name]
        warnings.warn(
            f"{spec.name} moved to {new}; the old name goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        module = importlib.import_module(new)
        self._specs[spec.name] = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        # The import system set the alias's spec on the module; give it back its own.
        module.__spec__ = self._specs.pop(module.__spec__.name if module.__spec__ else "", None)


def install() -> None:
    """Put the alias finder on ``sys.meta_path`` (once)."""
    if not any(isinstance(finder, _Alias) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Alias())
