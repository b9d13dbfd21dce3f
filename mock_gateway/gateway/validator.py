"""The request validator, check for check in the real gateway's order (§1.1).

It runs on every ``/v1/*`` route except ``POST /v1/proxy/*``. The first failing check
answers; its response carries no ``x-portkey-*`` headers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mock_gateway.gateway.config_schema import config_errors
from mock_gateway.gateway.custom_host import is_valid_custom_host
from mock_gateway.gateway.errors import GatewayReply, gateway_failure
from mock_gateway.gateway.providers import VALID_PROVIDERS
from mock_gateway.wire import safejson
from mock_gateway.wire.js import truthy

__all__ = ["parse_config_json", "validate_request"]

_ALLOWED_MEDIA = ("application/json", "multipart/form-data")
_OLD_CONFIG = (
    "This version of config is not supported in this route. Please migrate to the latest version"
)
_NO_PROVIDER = (
    "Either x-portkey-provider needs to be passed. Or the x-portkey-config header should have "
    "a valid config with provider details in it."
)


def parse_config_json(text: str) -> Any:
    """``JSON.parse`` as the gateway calls it; ``ValueError`` for anything JS would refuse.

    The NaN and Infinity *tokens* are not JSON, but an overflowing number such as ``1e400`` is,
    and parses to Infinity in JS as in Python.
    """
    return safejson.loads(text)


def _content_type_ok(content_type: str | None) -> bool:
    # Compared case-sensitively and untrimmed, as `split(';')[0]` does in the gateway.
    if not content_type:
        return True
    media = content_type.split(";")[0]
    return media in _ALLOWED_MEDIA or media.startswith("audio")


def _config_reply(raw: str, provider_header: str | None) -> GatewayReply | None:
    try:
        config = parse_config_json(raw)
        # `!providerHeader && !(parsedConfig.provider || ...)`: without a provider header JS
        # reads `null.provider`, which throws into the same catch as bad JSON.
        if config is None and not provider_header:
            raise ValueError("null config")
    except ValueError:
        return gateway_failure("Invalid config passed. You need to pass a valid json")
    has_route = isinstance(config, dict) and (
        truthy(config.get("provider")) or truthy(config.get("targets"))
    )
    if not provider_header and not has_route:
        return gateway_failure(_NO_PROVIDER)
    errors = config_errors(config)
    if errors:
        return gateway_failure("Invalid config passed", errors=errors)
    if isinstance(config, dict) and truthy(config.get("options")):
        return gateway_failure(_OLD_CONFIG)
    return None


def validate_request(headers: Mapping[str, str]) -> GatewayReply | None:
    """The validator's answer for these request headers, or ``None`` when they pass."""
    if not _content_type_ok(headers.get("content-type")):
        return gateway_failure("Invalid content type passed")
    config = headers.get("x-portkey-config")
    provider = headers.get("x-portkey-provider")
    if not (config or provider):
        return gateway_failure("Either x-portkey-config or x-portkey-provider header is required")
    if provider and provider not in VALID_PROVIDERS:
        return gateway_failure("Invalid provider passed")
    custom_host = headers.get("x-portkey-custom-host")
    if custom_host and not is_valid_custom_host(custom_host):
        return gateway_failure("Invalid custom host")
    return _config_reply(config, provider) if config else None
