"""DALL·E's signed URLs: served by the mock at the client's own origin, expiring like Azure's."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from mock_gateway.fakes.blobs import BlobStore, current_origin, origin_of

NOW = 1_795_000_000.0


def store(now: list[float], ttl: float = 3600.0) -> BlobStore:
    return BlobStore(secret=b"k", clock=lambda: now[0], ttl=ttl)


def fetch(blobs: BlobStore, url: str) -> tuple[int, str, bytes]:
    parts = urlsplit(url)
    return blobs.get(parts.path, parts.query)


def test_url_shape_and_window() -> None:
    url = store([NOW]).put(b"PNG", name="img-1.png", content_type="image/png", created=NOW)
    parts = urlsplit(url)
    assert parts.path == "/_mock/openai-blobs/private/org-mock/user-mock/img-1.png"
    query = parse_qs(parts.query)
    assert list(query) == ["st", "se", "sp", "sv", "sr", "rscd", "rsct", "sig"]
    assert (query["st"][0], query["se"][0]) == ("2026-11-18T10:06:40Z", "2026-11-18T12:06:40Z")


def test_fetch_until_expiry_then_azures_error() -> None:
    now = [NOW]
    blobs = store(now, ttl=60)
    url = blobs.put(b"PNG", name="img-1.png", content_type="image/png", created=NOW)
    assert fetch(blobs, url) == (200, "image/png", b"PNG")
    now[0] += 61
    status, content_type, body = fetch(blobs, url)
    assert (status, content_type) == (403, "application/xml")
    assert body == (
        b'<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code>'
        b"<Message>Server failed to authenticate the request. Make sure the value of Authorization "
        b"header is formed correctly including the signature.</Message><AuthenticationErrorDetail>"
        b"Signature not valid in the specified time frame: Start [Wed, 18 Nov 2026 10:06:40 GMT] - "
        b"Expiry [Wed, 18 Nov 2026 11:07:40 GMT] - Current [Wed, 18 Nov 2026 11:07:41 GMT]"
        b"</AuthenticationErrorDetail></Error>"
    )


def test_a_tampered_signature_is_refused() -> None:
    blobs = store([NOW])
    url = blobs.put(b"PNG", name="img-1.png", content_type="image/png", created=NOW)
    status, _, body = fetch(blobs, url.replace("se=2026-11-18T12", "se=2026-11-19T12"))
    assert status == 403 and b"Signature did not match." in body


def test_evicted_blobs_are_not_found() -> None:
    blobs = BlobStore(secret=b"k", clock=lambda: NOW, cap=1)
    first = blobs.put(b"1", name="img-1.png", content_type="image/png", created=NOW)
    blobs.put(b"2", name="img-2.png", content_type="image/png", created=NOW)
    status, _, body = fetch(blobs, first)
    assert status == 404 and b"<Code>BlobNotFound</Code>" in body


@pytest.mark.parametrize(
    ("headers", "scheme", "origin"),
    [
        ({"host": "127.0.0.1:8787"}, "http", "http://127.0.0.1:8787"),
        ({"host": "10.0.0.5", "x-forwarded-host": "mock.example:443", "x-forwarded-proto": "https"},
         "http", "https://mock.example:443"),
    ],
)  # fmt: skip
def test_origin_follows_the_client_and_proxy_headers(
    headers: dict[str, str], scheme: str, origin: str
) -> None:
    assert origin_of(headers, scheme) == origin
    token = current_origin.set(origin)
    try:
        assert (
            store([NOW])
            .put(b"x", name="a.png", content_type="image/png", created=NOW)
            .startswith(origin + "/")
        )
    finally:
        current_origin.reset(token)
