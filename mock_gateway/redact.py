"""Keys never leave the mock in full: not in the journal, not in logs."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from mock_gateway import safejson

__all__ = ["SECRET_HEADERS", "is_secret_name", "redact_config", "redact_headers", "redact_key"]

# Headers and config fields are secret by name, not by a fixed list: a name holding one of
# these (case, "-" and "_" ignored), e.g. authorization, proxy-authorization, x-portkey-api-key,
# api_key, apiKey, aws_session_token, aws_secret_access_key, azure_ad_token, set-cookie; or
# "key" or "auth" as a word of its own (x-portkey-virtual-key, X-Auth-Token, but not portkey).
# "token" counts as a word (x-amz-security-token, bearerToken) or inside one word
# (accesstoken), never as "tokens": max_tokens is a count, not a credential.
_SECRET_PARTS = ("secret", "passw", "credential", "cookie", "apikey", "accesskey", "privatekey",
                 "serviceaccount", "signature", "authorization", "accesstoken", "authtoken",
                 "sessiontoken", "idtoken", "refreshtoken", "bearertoken")  # fmt: skip
_SECRET_WORDS = frozenset({"key", "keys", "auth", "token"})
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
# The headers known to carry one (kept for the public name; the pattern decides).
SECRET_HEADERS = frozenset({"authorization", "x-portkey-api-key", "x-api-key", "api-key", "cookie"})


@lru_cache(maxsize=512)  # a handful of header and field names, asked again and again
def is_secret_name(name: str) -> bool:
    """Whether a header or field called ``name`` carries a credential."""
    words = [word.lower() for word in _WORD.findall(name)]
    joined = "".join(words)
    return any(word in _SECRET_WORDS for word in words) or any(
        part in joined for part in _SECRET_PARTS
    )


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


def _redact_secret(value: Any) -> Any:
    # A secret field's string, or each string of its list (the registry's api_keys).
    if isinstance(value, str):
        return redact_key(value)
    if isinstance(value, list):
        return [_redact_secret(item) for item in value]
    return redact_config(value)


def redact_config(value: Any) -> Any:
    """A JSON value with every string under a secret-looking name shortened, at any depth."""
    if isinstance(value, list):
        return [redact_config(item) for item in value]
    if isinstance(value, dict):
        return {
            key: _redact_secret(item) if is_secret_name(key) else redact_config(item)
            for key, item in value.items()
        }
    return value


# In text that is not JSON: a secret-looking name, a colon or equals sign, and its value.
_SECRET_IN_TEXT = re.compile(
    # Possessive, and from a word's start only: linear time on any text (a 200 KB header).
    r"""(?<![\w-])(?P<name>[\w-]++)(?P<sep>["']?\s*+[:=]\s*+["']?)(?P<value>[^"',}\s]++)"""
)


def _redact_text(text: str) -> str:
    def shorten(match: re.Match[str]) -> str:
        if not is_secret_name(match.group("name")):
            return match.group(0)
        return match.group("name") + match.group("sep") + redact_key(match.group("value"))

    return _SECRET_IN_TEXT.sub(shorten, text)


@lru_cache(maxsize=64)
def _redact_config_header(text: str) -> str:
    try:
        config = safejson.loads(text)
    except ValueError:
        # Not JSON (a typo, a cut-off config, a saved config id): any key in it is shortened
        # wherever it stands; a long text with none is shortened whole (a config id is not a
        # secret, and is short).
        redacted = _redact_text(text)
        return redacted if redacted != text or len(text) < 64 else redact_key(text)
    return json.dumps(redact_config(config), separators=(",", ":"))


def redact_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Headers with every secret shortened; the config header's keys too."""
    safe = []
    for name, value in headers:
        lower = name.lower()
        if lower == "x-portkey-config":
            value = _redact_config_header(value)
        elif is_secret_name(lower):
            value = redact_key(value)
        safe.append((lower, value))
    return safe
