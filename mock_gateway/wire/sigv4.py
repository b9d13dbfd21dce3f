"""AWS Signature Version 4, as the gateway's ``@smithy/signature-v4`` makes it, and its parsing.

Signing: ``generateAWSHeaders`` (src/providers/bedrock/utils.ts, v1.15.2) gives the signer the
provider config's headers plus ``host`` (the URL's hostname, no port), the path, the query and
the body; Smithy adds ``x-amz-date``, ``x-amz-security-token`` (with a session token) and
``x-amz-content-sha256``, signs every header it was given, and escapes the path a second
time (``uriEscapePath``), so ``%3A`` is signed as ``%253A``. Checked against the signatures
measured from the real gateway (docs/facts/providers/sources/measured-transcripts.md, br-*).

Parsing: what a fake Bedrock reads back from ``Authorization`` (``parse_authorization``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote, urlsplit

__all__ = [
    "ALGORITHM",
    "Authorization",
    "amz_date",
    "canonical_path",
    "parse_authorization",
    "payload_hash",
    "signature_headers",
]

ALGORITHM = "AWS4-HMAC-SHA256"
# encodeURIComponent's unreserved set, less the characters Smithy's escapeUri hex-encodes too.
_UNRESERVED = "-_.~"
_AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<credential>[^,\s]+),\s*"
    r"SignedHeaders=(?P<signed>[^,\s]+),\s*Signature=(?P<signature>[0-9a-f]{64})$"
)


def amz_date(now: datetime) -> str:
    """``x-amz-date``: the UTC time as ``YYYYMMDDTHHMMSSZ``."""
    return now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def payload_hash(body: bytes) -> str:
    """``x-amz-content-sha256``: the hex SHA-256 of the exact body bytes."""
    return hashlib.sha256(body).hexdigest()


def _escape(text: str) -> str:
    return quote(text, safe=_UNRESERVED)


def canonical_path(path: str) -> str:
    """Smithy's ``getCanonicalPath``: empty and ``.`` segments dropped, ``..`` applied, then the
    whole path escaped again with its slashes kept."""
    segments: list[str] = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if segments:
                segments.pop()
        else:
            segments.append(segment)
    trailing = "/" if segments and path.endswith("/") else ""
    normalised = ("/" if path.startswith("/") else "") + "/".join(segments) + trailing
    return _escape(normalised).replace("%2F", "/")


def _canonical_query(query: str) -> str:
    # Object.fromEntries(searchParams): a repeated key keeps its last value.
    pairs = dict(parse_qsl(query, keep_blank_values=True))
    return "&".join(f"{_escape(key)}={_escape(pairs[key])}" for key in sorted(pairs))


def _key(secret: str, date: str, region: str, service: str) -> bytes:
    key = f"AWS4{secret}".encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def signature_headers(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    access_key: str,
    secret_key: str,
    session_token: str,
    region: str,
    service: str,
    now: datetime,
) -> list[tuple[str, str]]:
    """The headers the signer adds, in the order the gateway sends them (x-amz-date,
    x-amz-security-token, x-amz-content-sha256, authorization), for ``headers`` (the provider
    config's own, e.g. ``content-type``; ``host`` is added here from the URL)."""
    parts = urlsplit(url)
    stamp = amz_date(now)
    digest = payload_hash(body)
    added = [("x-amz-date", stamp)]
    if session_token:
        added.append(("x-amz-security-token", session_token))
    added.append(("x-amz-content-sha256", digest))
    signed = {name.lower(): value for name, value in headers.items()}
    signed["host"] = parts.hostname or ""
    signed.update(added)
    names = sorted(signed)
    canonical_headers = "".join(f"{name}:{' '.join(str(signed[name]).split())}\n" for name in names)
    signed_names = ";".join(names)
    request = "\n".join((method.upper(), canonical_path(parts.path or "/"),
                         _canonical_query(parts.query), canonical_headers, signed_names,
                         digest))  # fmt: skip
    scope = f"{stamp[:8]}/{region}/{service}/aws4_request"
    to_sign = "\n".join((ALGORITHM, stamp, scope, hashlib.sha256(request.encode()).hexdigest()))
    signature = hmac.new(
        _key(secret_key, stamp[:8], region, service), to_sign.encode(), hashlib.sha256
    ).hexdigest()
    value = f"{ALGORITHM} Credential={access_key}/{scope}, SignedHeaders={signed_names}, "
    return [*added, ("authorization", value + f"Signature={signature}")]


@dataclass(frozen=True)
class Authorization:
    """A SigV4 ``Authorization`` header, read back: its credential scope and signed headers."""

    access_key: str
    date: str
    region: str
    service: str
    terminator: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_authorization(value: str) -> Authorization | None:
    """The parts of an ``AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...``
    header (botocore's and Smithy's spacing both), or ``None`` when it has another shape."""
    match = _AUTHORIZATION.match(value.strip())
    if match is None:
        return None
    credential = match["credential"].split("/")
    if len(credential) != 5:
        return None
    access_key, date, region, service, terminator = credential
    return Authorization(access_key, date, region, service, terminator,
                         tuple(match["signed"].split(";")), match["signature"])  # fmt: skip


def header_names(headers: Iterable[tuple[str, str]]) -> frozenset[str]:
    """The lower-cased names of ``headers``."""
    return frozenset(name.lower() for name, _ in headers)
