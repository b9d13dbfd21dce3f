"""Hosted Portkey's own records: API keys, virtual keys, Model Catalog providers, saved configs.

Hosted Portkey resolves these on its servers; here the user fills them in (from Python, over
``/_mock/registry``, or ``mock-portkey serve --registry FILE``). Under a profile without
``hosted_features`` nothing is resolved, so the open-source gateway's own errors answer
(a config id is "not valid json", a virtual key does not count, ``@slug`` is an invalid
provider).

File format (JSON)::

    {"api_keys": ["pk-..."],                        # omit to accept any non-empty key
     "virtual_keys": {"vk-stab": {"provider": "stability-ai", "api_key": "sk-..."}},
     "providers": {"@stability-prod": {"provider": "stability-ai", "api_key": "sk-..."}},
     "configs": {"pc-fallback-1": {"strategy": {"mode": "fallback"}, "targets": [...]}}}
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["HOSTED_ERRORS", "Registry", "RegistryError"]

# NOT VERIFIED: hosted Portkey's answers here are not published. The only evidence is a bare
# 401 with no body for a bad Portkey key (Portkey-AI/gateway issue #344); the texts for an
# unknown config id, virtual key or provider slug are assumptions, kept here, and only here.
HOSTED_ERRORS: dict[str, tuple[int, str | None]] = {
    "missing_api_key": (401, None),
    "unknown_api_key": (401, None),
    "unknown_config": (400, "Invalid config id passed: {name}"),
    "unknown_virtual_key": (400, "Invalid virtual key passed: {name}"),
    "unknown_provider": (400, "Invalid provider passed: {name}"),
}


class RegistryError(ValueError):
    """A registry document that is not of the documented shape."""


def _credentials(value: Any, where: str) -> dict[str, str]:
    if not (isinstance(value, Mapping) and isinstance(value.get("provider"), str)):
        raise RegistryError(f"{where} must be an object with a string 'provider' (and 'api_key')")
    return {"provider": value["provider"], "api_key": str(value.get("api_key", ""))}


def _records(data: Mapping[str, Any], section: str) -> dict[str, dict[str, str]]:
    records = data.get(section) or {}
    if not isinstance(records, Mapping):
        raise RegistryError(f"{section} must be an object")
    return {str(name): _credentials(value, f"{section}.{name}") for name, value in records.items()}


@dataclass
class Registry:
    """What hosted Portkey would know about this account."""

    api_keys: set[str] | None = None
    virtual_keys: dict[str, dict[str, str]] = field(default_factory=dict)
    providers: dict[str, dict[str, str]] = field(default_factory=dict)
    configs: dict[str, dict[str, Any]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> Registry:
        """Build from the documented JSON shape; ``RegistryError`` naming what is wrong."""
        if not isinstance(data, Mapping):
            raise RegistryError("a registry is a JSON object")
        unknown = set(data) - {"api_keys", "virtual_keys", "providers", "configs"}
        if unknown:
            raise RegistryError(f"unknown registry key(s): {', '.join(sorted(unknown))}")
        keys = data.get("api_keys")
        if keys is not None and not (
            isinstance(keys, list) and all(isinstance(k, str) for k in keys)
        ):
            raise RegistryError("api_keys must be a list of strings")
        configs = data.get("configs") or {}
        if not isinstance(configs, Mapping) or not all(
            isinstance(c, Mapping) for c in configs.values()
        ):
            raise RegistryError("configs must map config ids to config objects")
        return cls(
            api_keys=None if keys is None else set(keys),
            virtual_keys=_records(data, "virtual_keys"),
            providers=_records(data, "providers"),
            configs={str(k): dict(v) for k, v in configs.items()},
        )

    @classmethod
    def from_file(cls, path: str | Path) -> Registry:
        """Read a registry JSON file."""
        try:
            return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))
        except (OSError, ValueError) as error:
            raise RegistryError(f"cannot read registry {path}: {error}") from None

    def to_json(self) -> dict[str, Any]:
        """The registry in its file format (keys are shown: it is the user's own test data)."""
        return {
            "api_keys": None if self.api_keys is None else sorted(self.api_keys),
            "virtual_keys": self.virtual_keys,
            "providers": self.providers,
            "configs": self.configs,
        }

    def copy(self) -> Registry:
        """An independent copy (what ``reset`` goes back to)."""
        with self._lock:
            return Registry(
                api_keys=None if self.api_keys is None else set(self.api_keys),
                virtual_keys={name: dict(r) for name, r in self.virtual_keys.items()},
                providers={name: dict(r) for name, r in self.providers.items()},
                configs=json.loads(json.dumps(self.configs)),
            )

    def update(self, other: Registry) -> None:
        """Merge ``other`` in (its API key list, if given, replaces this one)."""
        with self._lock:
            if other.api_keys is not None:
                self.api_keys = set(other.api_keys)
            self.virtual_keys.update(other.virtual_keys)
            self.providers.update(other.providers)
            self.configs.update(other.configs)

    def accepts(self, api_key: str | None) -> bool:
        """Whether hosted Portkey would take this ``x-portkey-api-key``."""
        if not api_key:
            return False
        return self.api_keys is None or api_key in self.api_keys
