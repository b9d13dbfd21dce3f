"""``is_valid_custom_host``: the gateway's ``isValidCustomHost`` (v1.15.2,
``src/middlewares/requestValidator/index.ts``; §0 and §1.1 check 4 of the reference).

The gateway reads the host with the WHATWG ``new URL(...)``, so:

* ``url.hostname`` keeps the brackets of an IPv6 literal: the ``^[a-z0-9.-]+$`` hostname
  pattern then rejects *every* IPv6 host, ``[::1]`` included, before the trusted-host check;
* an IPv4 host written in decimal, hex, octal or shortened form is canonicalised to dotted
  decimal *before* the checks run (``new URL('http://2130706433').hostname`` is
  ``'127.0.0.1'``), and non-ASCII or percent-encoded names are IDNA-encoded / decoded.

The expected values were checked by running the v1.15.2 function itself on Node v20.20.2,
the version the reference measured with.
"""

from __future__ import annotations

import pytest

from mock_gateway.gateway.custom_host import TRUSTED_CUSTOM_HOSTS, is_valid_custom_host


def test_default_trusted_hosts() -> None:
    assert frozenset({"localhost", "127.0.0.1", "::1", "host.docker.internal"}) == (
        TRUSTED_CUSTOM_HOSTS
    )


TRUSTED = [
    "http://localhost",
    "http://localhost:1234",
    "http://LOCALHOST:8080",
    "http://127.0.0.1:9921",
    "http://127.0.0.1:9921/v1",
    "http://sub.localhost",
    "http://sub.localhost:8080",
    "https://Sub.LocalHost",
    "http://a.b.localhost:1",
    "https://host.docker.internal",  # trusted, so the `.internal` TLD block does not apply
]


@pytest.mark.parametrize("host", TRUSTED)
def test_trusted_loopback_hosts(host: str) -> None:
    assert is_valid_custom_host(host) is True


@pytest.mark.parametrize(
    "host",
    [
        "http://localhost:0",
        "http://127.0.0.1:0",
        "http://localhost:65536",
        "http://127.0.0.1:70000",
    ],
)
def test_trusted_hosts_still_need_a_valid_port(host: str) -> None:
    assert is_valid_custom_host(host) is False


PUBLIC = [
    "https://api.stability.ai",
    "http://example.com:8080",
    "https://EXAMPLE.com/v1",
    "HTTP://example.com",
    "  https://example.com  ",  # trimmed before the checks, and by the URL parser
    "http://example.com:80",
    "https://example.com/path?x=1#f",
    "http://a.b.c.d.e.f.g.h.i.j",  # ten labels is the maximum
    "http://8.8.8.8",
    "http://1.1.1.1:443",
    "http://172.32.0.1",  # just past 172.16/12
    "http://xn--exmple-cua.com",
]


@pytest.mark.parametrize("host", PUBLIC)
def test_public_hosts_allowed(host: str) -> None:
    assert is_valid_custom_host(host) is True


BLOCKED = {
    "metadata": [
        "http://169.254.169.254",
        "http://169.254.169.254/latest/meta-data",
        "http://169.254.169.1",
        "http://metadata.google.internal",
        "http://metadata",
        "http://metadata.azure.com",
        "http://instance-data",
    ],
    "private": [
        "http://10.0.0.1",
        "http://10.255.255.255",
        "http://172.16.0.1",
        "http://172.31.255.255",
        "http://192.168.1.1",
        "http://192.168.1.1:8080",
    ],
    "reserved": [
        "http://0.0.0.0",
        "http://0.1.2.3",
        "http://127.0.0.2",  # loopback, but only 127.0.0.1 itself is trusted
        "http://100.64.0.1",
        "http://224.0.0.1",
        "http://240.0.0.1",
        "http://255.255.255.255",
    ],
    # Alternative spellings that canonicalise to a private or reserved address.
    "alternative-ip": [
        "http://167772161",  # 10.0.0.1
        "http://0x0a000001",  # 10.0.0.1
        "http://012.0.0.1",  # 10.0.0.1
        "http://10.1",  # 10.0.0.1
        "http://0xa9fea9fe",  # 169.254.169.254
    ],
    "userinfo": [
        "http://user:pw@example.com",
        "http://user@example.com",
        "http://example.com/@x",  # any `@` at all
        "http://localhost@example.com",
    ],
    "scheme": [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "ftp://example.com",
        "ftps://example.com",
        "gopher://example.com",
        "data:text/plain,hi",
        "ws://example.com",
    ],
    "ipv6": [
        "http://[::1]:80",
        "http://[::1]",
        "http://[2001:db8::1]",
        "http://[2606:4700::1111]",
        "http://[::ffff:127.0.0.1]",
        "http://[fd00:ec2::254]",
    ],
    "portkey": [
        "https://api.portkey.ai",
        "https://API.PORTKEY.AI/v1",
        "http://example.com/?x=api.portkey",
    ],
    "tld": [
        "http://foo.internal",
        "http://printer.local",
        "http://a.test",
        "http://a.corp",
        "http://a.lan",
        "http://a.home",
        "http://a.onion",
        "http://a.invalid",
        "http://a.intranet",
        "http://a.localdomain",
        "http://localhost.localdomain",
    ],
    "trailing-dot": ["http://example.com.", "http://localhost.", "http://sub.localhost."],
    "malformed": [
        "",
        "   ",
        "example.com",
        "169.254.169.254",
        "http://",
        "http://exa mple.com",
        "http://exa\tmple.com",  # a control character
        "http://under_score.com",
        "http://a.b.c.d.e.f.g.h.i.j.k.com",  # more than ten labels
        "http://example.com:0",
        "http://example.com:65536",
    ],
}


@pytest.mark.parametrize(
    "host",
    [pytest.param(host, id=f"{kind}:{host}") for kind, hosts in BLOCKED.items() for host in hosts],
)
def test_blocked_hosts(host: str) -> None:
    assert is_valid_custom_host(host) is False


# WHATWG URL canonicalisation, which the Python URL parser does not do. Each of these reaches
# the gateway's checks as the host in the comment (Node v20.20.2, gateway v1.15.2).
CANONICALISED_TO_TRUSTED = [
    "http://2130706433",  # decimal  -> 127.0.0.1 (trusted)
    "http://0x7f000001",  # hex      -> 127.0.0.1
    "http://0177.0.0.1",  # octal    -> 127.0.0.1
    "http://127.1",  # shortened -> 127.0.0.1
    "http://127.0.0.1.",  # an IPv4 address loses its trailing dot -> 127.0.0.1
]
CANONICALISED_TO_PUBLIC = [
    "http://134744072",  # -> 8.8.8.8
    "http://0x08080808",  # -> 8.8.8.8
    "http://010.8.8.8",  # -> 8.8.8.8
    "http://8.8",  # -> 8.0.0.8
    "http://exämple.com",  # -> xn--exmple-cua.com
    "http://exa%6dple.com",  # -> example.com
]


@pytest.mark.parametrize("host", CANONICALISED_TO_TRUSTED)
def test_alternative_loopback_spellings_are_canonicalised_to_127_0_0_1(host: str) -> None:
    assert is_valid_custom_host(host) is True


@pytest.mark.parametrize("host", CANONICALISED_TO_PUBLIC)
def test_alternative_public_spellings_are_canonicalised(host: str) -> None:
    assert is_valid_custom_host(host) is True


# The gateway blocks exactly 10/8, 172.16/12, 192.168/16, 127/8, 169.254/16, 100.64/10, 0/8
# and 224/3. Documentation and benchmarking ranges are none of these, so they pass.
@pytest.mark.parametrize(
    "host",
    [
        "http://192.0.2.1",  # TEST-NET-1
        "http://198.51.100.7",  # TEST-NET-2
        "http://203.0.113.5",  # TEST-NET-3
        "http://198.18.0.1",  # benchmarking
    ],
)
def test_only_the_gateways_ip_ranges_are_blocked(host: str) -> None:
    assert is_valid_custom_host(host) is True
