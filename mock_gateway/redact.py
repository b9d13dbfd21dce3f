"""Keys never leave the mock in full: not in the journal, not in logs."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from mock_gateway import safejson

__all__ = ["SECRET_HEADERS", "redact_config", "redact_headers", "redact_key"]

SECRET_HEADERS = frozenset({"authorization", "x-portkey-api-key", "x-api-key", "api-key", "cookie"})
_SECRET_CONFIG_KEYS = frozenset({"api_key", "apiKey", "aws_secret_access_key", "aws_session_token"})


# Placeholders that are not secrets, and that a user debugging their client needs to see:
# what the OSS gateway sends with no key, and what the portkey-ai SDK sends with none.
_PLACEHOLDERS = frozenset({"undefined", "OPENAI_API_KEY"})


@lru_cache(maxsize=256)  # a test suite sends the same few keys again and again
def redact_key(value: str) -> str:
    """Keep a scheme word and at most four characters at each end: ``Bearer sk-a...wxyz``."""
    scheme, _, secret = value.rpartition(" ")
    prefix = f"{scheme} " if scheme else ""
    if secret in _PLACEHOLDERS:
        return value
    if len(secret) <= 8:
        return prefix + "*" * len(secret)
    return f"{prefix}{secret[:4]}...{secret[-4:]}"


def redact_config(value: Any) -> Any:
    """A JSON value with every ``api_key``-like string shortened, at any depth."""
    if isinstance(value, list):
        return [redact_config(item) for item in value]
    if isinstance(value, dict):
        return {
            key: redact_key(item)
            if key in _SECRET_CONFIG_KEYS and isinstance(item, str)
            else redact_config(item)
            for key, item in value.items()
        }
    return value


@lru_cache(maxsize=64)
def _redact_config_header(text: str) -> str:
    try:
        config = safejson.loads(text)
    except ValueError:
        return text if len(text) < 64 else redact_key(text)  # a config id is not a secret
    return json.dumps(redact_config(config), separators=(",", ":"))


def redact_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Headers with every secret shortened; the config header's keys too."""
    safe = []
    for name, value in headers:
        lower = name.lower()
        if lower in SECRET_HEADERS:
            value = redact_key(value)
        elif lower == "x-portkey-config":
            value = _redact_config_header(value)
        safe.append((lower, value))
    return safe
