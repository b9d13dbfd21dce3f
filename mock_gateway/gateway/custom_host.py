"""The gateway's custom-host check (``isValidCustomHost``, requestValidator/index.ts, v1.15.2).

It blocks SSRF targets (metadata endpoints, private and reserved IPs, odd IP spellings) but
trusts ``localhost``, ``127.0.0.1``, ``::1`` and ``host.docker.internal`` by default, which
is why loopback custom hosts work in tests.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import unquote, urlsplit

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


# Exactly the gateway's IPV4_RANGES (PRIVATE + RESERVED); Python's `is_private` is wider.
_BLOCKED_NETWORKS = tuple(
    ipaddress.IPv4Network(net)
    for net in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8",
                "169.254.0.0/16", "100.64.0.0/10", "0.0.0.0/8", "224.0.0.0/3")
)  # fmt: skip


def _blocked_ipv4(text: str) -> bool:
    try:
        address = ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return any(address in network for network in _BLOCKED_NETWORKS)


def _ipv4_part(part: str) -> int | None:
    if part[:2].lower() == "0x":
        digits, base = part[2:] or "0", 16
    elif len(part) > 1 and part.startswith("0"):
        digits, base = part[1:], 8
    else:
        digits, base = part, 10
    try:
        return int(digits, base) if digits.isalnum() else None
    except ValueError:
        return None


def _whatwg_ipv4(parts: list[str]) -> str | None:
    """WHATWG's IPv4 parser: 1-4 parts, decimal, octal or hex; ``None`` for a failure."""
    numbers = [_ipv4_part(part) for part in parts]
    if len(parts) > 4 or None in numbers:
        return None
    values = [number for number in numbers if number is not None]
    if any(value > 255 for value in values[:-1]) or values[-1] >= 256 ** (5 - len(values)):
        return None
    address = values[-1] + sum(value << (8 * (3 - i)) for i, value in enumerate(values[:-1]))
    return str(ipaddress.IPv4Address(address))


def _canonical_host(raw: str) -> str | None:
    """``new URL(...).hostname``: percent-decoded, IDNA-encoded, numeric IPv4 normalised."""
    host = unquote(raw).lower()
    if any(ord(char) > 127 for char in host):
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    parts = host.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts = parts[:-1]
    last = parts[-1]
    ends_in_number = last.isdigit() or (
        last[:2].lower() == "0x" and all(c in "0123456789abcdef" for c in last[2:].lower())
    )
    return _whatwg_ipv4(parts) if ends_in_number else host


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
    if url.scheme.lower() not in ("http", "https") or not url.hostname:
        return False
    # Node canonicalises the host before the gateway looks at it: `http://2130706433` is
    # 127.0.0.1 (trusted), `http://exa%6dple.com` is example.com. A host it cannot parse
    # makes `new URL` throw, which the gateway treats as invalid.
    host = _canonical_host(url.hostname)
    if host is None or "%" in host:
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
