"""The gateway's custom-host check (``isValidCustomHost``, requestValidator/index.ts, v1.15.2).

It blocks SSRF targets (metadata endpoints, private and reserved IPs, odd IP spellings) but
trusts ``localhost``, ``127.0.0.1``, ``::1`` and ``host.docker.internal`` by default, which
is why loopback custom hosts work in tests.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

__all__ = ["TRUSTED_CUSTOM_HOSTS", "is_valid_custom_host"]

TRUSTED_CUSTOM_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "host.docker.internal"})
_BLOCKED_HOSTS = frozenset(
    {"0.0.0.0", "169.254.169.254", "metadata.google.internal", "metadata",
     "metadata.azure.com", "instance-data"}
)  # fmt: skip
_BLOCKED_TLDS = (
    ".local", ".localdomain", ".internal", ".intranet", ".lan", ".home", ".corp", ".test",
    ".invalid", ".onion", ".localhost",
)  # fmt: skip
_DISALLOWED_SCHEMES = ("file://", "data:", "gopher:", "ftp://", "ftps://")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SUSPICIOUS = re.compile(r"[\s<>{}|\\^`]")
_HOSTNAME = re.compile(r"^[a-z0-9.\-]+$")
_ALT_IP_PART = re.compile(r"^0[0-9a-fx]", re.IGNORECASE)


def _port_ok(port: int | None) -> bool:
    return port is None or 0 < port <= 65535


def _blocked_ipv4(text: str) -> bool:
    try:
        address = ipaddress.IPv4Address(text)
    except ValueError:
        return False
    # Private (10/8, 172.16/12, 192.168/16) and the reserved ranges the gateway lists.
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or (
            address in ipaddress.IPv4Network("100.64.0.0/10")
            or address in ipaddress.IPv4Network("0.0.0.0/8")
            or address >= ipaddress.IPv4Address("224.0.0.0")
        )
    )


def _alternative_ip(host: str, parts: list[str]) -> bool:
    if re.fullmatch(r"\d{1,10}", host) and int(host) <= 0xFFFFFFFF:
        return True  # decimal form, blocked whatever it points at
    if re.fullmatch(r"0x[0-9a-f]{1,8}", host, re.IGNORECASE):
        return True
    if len(parts) == 4 and any(_ALT_IP_PART.match(part) for part in parts):
        return True
    return 2 <= len(parts) < 4 and all(part.isdigit() and int(part) <= 255 for part in parts)


def _host_allowed(host: str, port: int | None) -> bool:
    if host in TRUSTED_CUSTOM_HOSTS or host.endswith(".localhost"):
        return _port_ok(port)
    if host in _BLOCKED_HOSTS or host.startswith("169.254.169."):
        return False
    if any(host.endswith(tld) for tld in _BLOCKED_TLDS):
        return False
    parts = host.split(".")
    if _blocked_ipv4(host) or _alternative_ip(host, parts):
        return False
    return _port_ok(port)


def is_valid_custom_host(custom_host: str) -> bool:
    """Whether the gateway would accept ``custom_host`` as a provider base URL."""
    value = custom_host.strip().lower()
    if not value or _CONTROL.search(custom_host) or "api.portkey" in value:
        return False
    if value.startswith(_DISALLOWED_SCHEMES) or "@" in custom_host:
        return False
    try:
        url = urlsplit(custom_host.strip())
        port = url.port
    except ValueError:
        return False
    host = (url.hostname or "").lower()
    if url.scheme.lower() not in ("http", "https") or not host or "%" in host:
        return False
    if _SUSPICIOUS.search(host) or host.endswith("."):
        return False
    # WHATWG keeps the brackets of an IPv6 literal in `hostname`, so the gateway's hostname
    # pattern rejects every IPv6 host, [::1] included, before the trusted-host check.
    if not _HOSTNAME.match(host):
        return False
    if len(host.split(".")) > 10:
        return False
    return _host_allowed(host, port)
