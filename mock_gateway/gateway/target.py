"""Which provider, key and options a request goes to (``constructConfigFromRequestHeaders``).

Source: src/handlers/handlerUtils.ts and services/requestContext.ts (v1.15.2); facts in
portkey-gateway-behavior.md §1.2 and §1.3.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mock_gateway.adapters import ADAPTERS
from mock_gateway.gateway.validator import parse_config_json
from mock_gateway.wire.js import js_number, json_parse_error, property_write_error, truthy

__all__ = ["Target", "header_settings", "root_config"]

# convertKeysToCamelCase leaves the contents of these keys alone.
_PRESERVE = frozenset({"override_params", "params", "checks", "conditions", "input_guardrails",
                       "output_guardrails", "vertex_service_account_json"})  # fmt: skip


@dataclass(frozen=True)
class Target:
    """One resolved provider target: what the upstream call is built from."""

    provider: str | None
    # None means the JS value `undefined`: the upstream then gets `Bearer undefined`.
    api_key: str | None
    override_params: Mapping[str, Any] = field(default_factory=dict)
    custom_host: str | None = None
    forward_headers: tuple[str, ...] = ()
    request_timeout: float | None = None
    retry: Mapping[str, Any] | None = None
    # The target's `cache` config ({mode, maxAge}): its own, else its parent's, whole.
    cache: Mapping[str, Any] | None = None
    strategy: Mapping[str, Any] | None = None
    targets: tuple[Mapping[str, Any], ...] = ()
    path: str = "config"
    # providerOptions: the target node's own keys, camelCased (Azure's resourceName, Bedrock's
    # awsRegion, ...), which the provider's adapter reads.
    options: Mapping[str, Any] = field(default_factory=dict)


def _camel(key: str) -> str:
    return re.sub(r"_\w", lambda match: match.group(0)[1].upper(), key)


def camel_case_keys(value: Any) -> Any:
    """``convertKeysToCamelCase``: snake_case keys become camelCase, recursively."""
    if isinstance(value, list):
        return [camel_case_keys(item) for item in value]
    if not isinstance(value, dict):
        return value
    return {
        _camel(key): item if key in _PRESERVE else camel_case_keys(item)
        for key, item in value.items()
    }


def _api_key(headers: Mapping[str, str]) -> str | None:
    authorization = headers.get("authorization")
    # JS `replace('Bearer ', '')` drops the first occurrence, wherever it is.
    return None if authorization is None else authorization.replace("Bearer ", "", 1)


def _number(text: str | None) -> float | None:
    value = js_number(text) if text is not None else 0.0
    return value if truthy(value) else None  # `Number(header) || ...`: 0 and NaN fall through


def _header_list(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    return tuple(name.strip().lower() for name in text.split(",") if name.strip())


def _header_options(provider: str | None, headers: Mapping[str, str]) -> dict[str, Any]:
    """The provider's own ``x-portkey-*`` options (Azure's resource name, AWS keys, ...): only
    the named provider's, and only those sent (constructConfigFromRequestHeaders)."""
    adapter = ADAPTERS.get(provider or "")
    if adapter is None:
        return {}
    found = ((option, headers.get(name)) for option, name in adapter.OPTION_HEADERS.items())
    return {option: value for option, value in found if value is not None}


def _config_from_headers(headers: Mapping[str, str]) -> dict[str, Any]:
    raw = headers.get("x-portkey-config")
    provider = headers.get("x-portkey-provider")
    if not raw:
        return {"provider": provider, "apiKey": _api_key(headers),
                **_header_options(provider, headers)}  # fmt: skip
    # The validator accepted it, except on /v1/proxy/*, where no validator runs: there JS
    # throws into the proxy handler's catch (bad JSON, or a property write on a non-object).
    try:
        config = parse_config_json(raw)
    except ValueError:
        raise ValueError(json_parse_error(raw)) from None
    if isinstance(config, list):
        return {}  # an array takes the writes, but camel-casing maps it to a bare array
    if not isinstance(config, dict):
        raise ValueError(property_write_error(config, "default_input_guardrails"))
    if not truthy(config.get("provider")) and not truthy(config.get("targets")):
        config["provider"] = provider
        config["api_key"] = _api_key(headers)
        config.update(_header_options(provider, headers))
    converted: dict[str, Any] = camel_case_keys(config)
    return converted


def root_config(headers: Mapping[str, str]) -> dict[str, Any]:
    """The config tree's root: the camelCased config, or a node built from the headers."""
    return _config_from_headers(headers)


def header_settings(headers: Mapping[str, str]) -> Target:
    """The ``x-portkey-*`` settings that win over every level of a config."""
    return Target(
        provider=None,
        api_key=None,
        custom_host=headers.get("x-portkey-custom-host") or None,
        forward_headers=_header_list(headers.get("x-portkey-forward-headers")) or (),
        request_timeout=_number(headers.get("x-portkey-request-timeout")),
    )
