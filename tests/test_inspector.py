"""The inspector page (GET /_mock/), driven in-process: what it shows, escapes and serves."""

from __future__ import annotations

import base64
import html
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from mock_gateway import LiveServer, PortkeyMock, create_app
from mock_gateway.control.inspector.html import RowCache, render_rows
from mock_gateway.control.inspector.routes import failure_section, journal_token, snapshot_html
from mock_gateway.control.inspector.view import image_info
from mock_gateway.journal import Journal
from tests.conftest import PORTKEY_KEY, ClientFactory, MockClient, config
from tests.seed import SEED_CURL_DATA

STABILITY_KEY = "sk-stability-0123456789abcdef"
OPENAI_KEY = "sk-openai-0123456789abcdef"
PROMPT = "Harry potter using aeroplane for transport"


def seed_unified(client: MockClient) -> Any:
    """The forum thread's unified call (with a v1 engine, so it has a text_prompts body)."""
    header = config(
        provider="stability-ai",
        api_key=STABILITY_KEY,
        override_params={"model": "stable-diffusion-v1-6"},
    )
    body = json.dumps({"prompt": PROMPT, "response_format": "url"})
    headers = {"x-portkey-config": header, "Content-Type": "application/json"}
    return client.post("/v1/images/generations", headers=headers, content=body)


def seed_proxy(client: MockClient) -> Any:
    """The forum thread's curl: Stability's raw PNG through the proxy route."""
    headers = {
        "x-portkey-provider": "stability-ai",
        "Authorization": STABILITY_KEY,
        "Accept": "image/png",
        "Content-Type": "application/json",
    }
    path = "/v1/generation/stable-diffusion-xl-1024-v1-0/text-to-image"
    return client.post(path, headers=headers, content=SEED_CURL_DATA)


def openai(client: MockClient, key: str = OPENAI_KEY, **body: Any) -> Any:
    headers = {"x-portkey-provider": "openai", "Authorization": key}
    return client.post("/v1/images/generations", headers=headers, json=body)


def articles(page: str) -> list[str]:
    return re.findall(r"<article .*?</article>", page, re.S)


def thumbnails(page: str) -> list[dict[str, str]]:
    return [
        dict(re.findall(r'(\w+)="([^"]*)"', tag))
        for tag in re.findall(r'<img class="thumb"[^>]*>', page)
    ]


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


@pytest.fixture
def client(make_client: ClientFactory) -> MockClient:
    """DALL·E's URL images are shown here: the profile from before OpenAI retired it."""
    return make_client(profile="hosted-2025")


@pytest.fixture
def seeded(client: MockClient) -> MockClient:
    seed_unified(client)
    seed_proxy(client)
    return client


def test_the_seed_requests_newest_first_with_both_thumbnails(seeded: MockClient) -> None:
    answer = seeded.get("/_mock/")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    proxy, unified = articles(answer.text)  # newest first
    assert 'data-route="/v1/generation/stable-diffusion-xl-1024-v1-0/text-to-image"' in proxy
    assert 'data-route="/v1/images/generations"' in unified
    assert 'data-provider="stability-ai"' in proxy and 'data-provider="stability-ai"' in unified
    assert '<span class="model">stable-diffusion-v1-6</span>' in unified
    # The unified answer's b64_json, and the proxy's raw PNG, at their real sizes.
    (raw,) = thumbnails(proxy)
    (b64,) = thumbnails(unified)
    assert (raw["width"], raw["height"]) == ("1024", "1024")
    assert (b64["width"], b64["height"]) == ("512", "512")  # Stability v1's default
    assert "1024\u00d71024 PNG" in proxy and "data[0].b64_json" in unified
    png = seeded.get(raw["src"].replace("&amp;", "&"))
    assert png.headers["content-type"] == "image/png"
    assert png.content == seed_proxy(seeded).content  # the same bytes the client got
    # The upstream body the gateway would have sent, beside the client's.
    client_side, upstream = text_of(unified).split("Upstream (1 attempt)")
    assert '"prompt": "Harry potter using aeroplane for transport"' in client_side
    sent = '"text_prompts": [ { "text": "Harry potter using aeroplane for transport"'
    assert sent in " ".join(upstream.split())
    assert "https://api.stability.ai/v1/generation/stable-diffusion-v1-6/text-to-image" in upstream
    wire = '{"text_prompts":[{"text":"Harry potter using aeroplane for transport","weight":1}]}'
    assert f'exactly as sent (83 bytes)</summary><pre class="body">{html.escape(wire)}' in unified


def test_portkey_headers_and_every_attempt_in_order(client: MockClient) -> None:
    header = config(
        strategy={"mode": "fallback"},
        targets=[
            {"provider": "openai", "api_key": "sk-invalid-0123456789"},
            {"provider": "stability-ai", "api_key": STABILITY_KEY},
        ],
    )
    body = {"prompt": "a fox", "model": "stable-diffusion-v1-6"}
    answer = client.post("/v1/images/generations", headers={"x-portkey-config": header}, json=body)
    assert answer.status_code == 200
    (row,) = articles(client.get("/_mock/").text)
    text = text_of(row)
    assert "Upstream (2 attempts)" in text
    first, second = text.index("#1 · config.targets[0]"), text.index("#2 · config.targets[1]")
    assert first < second
    assert "https://api.openai.com/v1/images/generations" in text[first:second]
    assert "x-portkey-last-used-option-index: config.targets[1]" in text
    assert "x-portkey-retry-attempt-count: 0" in text
    assert "x-portkey-provider: stability-ai" in text


def test_errors_show_the_exact_body_the_client_got(client: MockClient) -> None:
    answer = openai(client, key="sk-invalid-0123456789", prompt="a dog", model="dall-e-3")
    assert answer.status_code == 401
    (row,) = articles(client.get("/_mock/").text)
    assert 'class="call error"' in row and 'data-status="401"' in row
    assert html.escape(answer.text, quote=True) in row  # byte for byte, escaped
    assert '<details class="response" open>' in row


def test_dall_e_urls_resolve_on_the_blob_store_and_expiry_is_shown(
    make_client: ClientFactory,
) -> None:
    now = [1_795_000_000.0]
    client = make_client(clock=lambda: now[0], url_ttl=60, profile="hosted-2025")
    answer = openai(client, prompt="a dog", model="dall-e-2", size="256x256")
    (thumb,) = thumbnails(client.get("/_mock/").text)
    assert (thumb["width"], thumb["height"]) == ("256", "256")
    image = client.get(thumb["src"].replace("&amp;", "&")).content
    url = answer.json()["data"][0]["url"]
    assert image == client.get(url.removeprefix("http://portkey-mock")).content
    now[0] += 120  # past the URL's lifetime: the page says so, as the URL would
    page = client.get("/_mock/").text
    assert thumbnails(page) == [] and "the URL answers 403" in page


def test_v2beta_webp_and_jpeg_get_their_format_and_size(client: MockClient) -> None:
    headers = {"x-portkey-provider": "stability-ai", "Authorization": STABILITY_KEY}
    form = {"prompt": (None, "a boat"), "output_format": (None, "webp")}
    path = "/v1/v2beta/stable-image/generate/core"
    raw = client.post(path, headers={**headers, "Accept": "image/*"}, files=form)
    form = {"prompt": (None, "a boat"), "output_format": (None, "jpeg")}
    client.post(path, headers={**headers, "Accept": "application/json"}, files=form)
    page = client.get("/_mock/").text
    jpeg, webp = thumbnails(page)
    with Image.open(io.BytesIO(raw.content)) as picture:  # decoded independently
        assert (picture.format, picture.size) == ("WEBP", (int(webp["width"]), int(webp["height"])))
    assert client.get(webp["src"].replace("&amp;", "&")).content == raw.content
    fetched = client.get(jpeg["src"].replace("&amp;", "&"))
    assert fetched.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(fetched.content)) as picture:
        assert picture.format == "JPEG"
        assert picture.size == (int(jpeg["width"]), int(jpeg["height"]))
    size = f"{len(raw.content) / 1000:,.1f} kB"
    assert f"{webp['width']}\u00d7{webp['height']} WEBP, {size}" in page


def test_user_input_is_escaped_and_the_page_forbids_inline_script(
    client: MockClient,
) -> None:
    attack = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>"
    headers = {"x-portkey-provider": "stability-ai", "Authorization": STABILITY_KEY}
    client.post(
        f"/v1/images/generations?q={attack}",
        headers={**headers, "x-portkey-trace-id": attack},
        json={"prompt": attack, "model": "stable-diffusion-v1-6"},
    )
    answer = client.get("/_mock/")
    page = answer.text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#x27;&gt;&lt;img src=x" in page
    assert page.count("<script") == 1  # ours, from /_mock/inspector/inspector.js
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    rows = client.get("/_mock/inspector/rows").json()["rows"]
    assert "<script>alert" not in rows and "&lt;script&gt;" in rows


def test_keys_are_redacted_everywhere_on_the_page(seeded: MockClient) -> None:
    openai(seeded, prompt="a dog", model="dall-e-2")
    for path in ("/_mock/", "/_mock/inspector/rows"):
        text = seeded.get(path).text
        for secret in (STABILITY_KEY, OPENAI_KEY, PORTKEY_KEY):
            assert secret not in text and secret[4:] not in text
        assert "sk-s...cdef" in text


def test_filters_by_route_provider_and_status(seeded: MockClient) -> None:
    openai(seeded, prompt="a dog", model="dall-e-2", size="256x256")
    openai(seeded, key="sk-invalid-0123456789", prompt="a dog", model="dall-e-3")

    def shown(**params: str) -> list[str]:
        page = seeded.get("/_mock/", params=params).text
        return re.findall(r'<article class="[^"]*" id="call-(\d+)"', page)

    assert shown() == ["3", "2", "1", "0"]
    assert shown(provider="openai") == ["3", "2"]
    assert shown(route="/v1/images/generations") == ["3", "2", "0"]
    assert shown(status="4xx") == ["3"] and shown(status="401") == ["3"]
    assert shown(status="2xx", provider="stability-ai") == ["1", "0"]
    assert shown(limit="1") == ["3"]
    page = seeded.get("/_mock/", params={"provider": "openai"}).text
    assert '<option value="openai" selected>openai</option>' in page
    assert '<option value="stability-ai">' in page  # every choice stays offered
    assert seeded.get("/_mock/", params={"limit": "many"}).status_code == 400


def test_rows_poll_answers_204_until_something_changes(seeded: MockClient) -> None:
    first = seeded.get("/_mock/inspector/rows").json()
    assert first["total"] == 2 and first["options"]["provider"] == ["stability-ai"]
    unchanged = seeded.get("/_mock/inspector/rows", params={"since": first["token"]})
    assert unchanged.status_code == 204
    openai(seeded, prompt="a dog", model="dall-e-2")
    changed = seeded.get("/_mock/inspector/rows", params={"since": first["token"]})
    assert changed.status_code == 200 and changed.json()["total"] == 3
    assert changed.json()["options"]["provider"] == ["openai", "stability-ai"]


def test_the_inspector_is_not_journaled_and_clear_empties_the_journal(
    seeded: MockClient,
) -> None:
    seeded.get("/_mock/")
    seeded.get("/_mock/inspector/rows")
    assert len(seeded.calls()) == 2
    answer = seeded.post(
        "/_mock/inspector/clear", headers={"Accept": "text/html", "Origin": seeded.mock.url}
    )  # the page's own form
    assert answer.status_code == 303 and answer.headers["location"] == "/_mock/"
    assert seeded.calls() == []
    assert "No requests yet." in seeded.get("/_mock/").text
    assert seeded.post(
        "/_mock/inspector/clear", headers={"content-type": "application/json"}
    ).json() == {"status": "ok"}


def test_image_urls_belong_to_one_call(seeded: MockClient) -> None:
    (thumb, _) = thumbnails(seeded.get("/_mock/").text)
    src = thumb["src"].replace("&amp;", "&")
    assert seeded.get(src).status_code == 200
    assert seeded.get(src.replace("/images/0", "/images/1")).status_code == 404
    assert seeded.get(src.split("?")[0] + "?t=1.0").status_code == 404
    seeded.post("/_mock/inspector/clear", headers={"content-type": "application/json"})
    seed_unified(seeded)  # index 0 again, but another call: the old URL is gone
    assert seeded.get(src.replace("/calls/1/", "/calls/0/")).status_code == 404


def test_assets_are_served_locally() -> None:
    client = MockClient(PortkeyMock(create_app()))
    page = client.get("/_mock/").text
    assert "http://" not in page and "https://" not in page
    assert (
        client.get("/_mock/inspector/inspector.js")
        .headers["content-type"]
        .startswith("text/javascript")
    )
    assert "sticky" in client.get("/_mock/inspector/inspector.css").text


def test_a_pending_call_and_a_broken_image_are_shown_as_such() -> None:
    journal = Journal()
    journal.open(time=1.0, method="POST", path="/v1/images/generations", query="", headers=[],
                 body=b"{}")  # fmt: skip
    broken = journal.open(time=2.0, method="POST", path="/v1/images/generations", query="",
                          headers=[], body=b"{}")  # fmt: skip
    broken.status = 200
    broken.response_headers = [("content-type", "application/json")]
    garbage = base64.b64encode(b"not a picture at all, sorry").decode()
    broken.response_body = json.dumps({"data": [{"b64_json": garbage}]}).encode()
    page = snapshot_html(journal.calls())
    done, pending = articles(page)
    assert 'data-class="pending"' in pending and "\u2026</span>" in pending
    assert "not an image" in done and "<img" not in done


def test_snapshots_inline_big_images_as_small_thumbnails() -> None:
    noise = Image.frombytes("RGB", (700, 500), bytes(range(256)) * (700 * 500 * 3 // 256 + 1))
    out = io.BytesIO()
    noise.save(out, "PNG", compress_level=0)
    journal = Journal()
    call = journal.open(time=1.0, method="POST", path="/v1/x", query="", headers=[], body=b"")
    call.status, call.response_headers = 200, [("content-type", "image/png")]
    call.response_body = out.getvalue()
    assert len(call.response_body) > 1_000_000
    page = snapshot_html(journal.calls())
    (thumb,) = thumbnails(page)
    assert (thumb["width"], thumb["height"]) == ("700", "500")  # the real size, as a caption
    inlined = base64.b64decode(thumb["src"].split(",", 1)[1])
    info = image_info(inlined)
    assert info is not None and (info.width, info.height) == (320, 229)  # same aspect ratio
    assert len(page) < 400_000


@pytest.mark.socket
def test_failure_section_without_a_live_server_only_writes_the_snapshot(tmp_path: Path) -> None:
    app = create_app()
    with LiveServer(app) as server:
        live = PortkeyMock(app, server)
        text, _ = failure_section("t.py::test", live, tmp_path)
        assert text.startswith(f"inspector: {server.url}/_mock/ (live until")
    for handle in (PortkeyMock(app), live):  # in-process, or the server has stopped
        text, path = failure_section("tests/test_x.py::test_y[a/b]", handle, tmp_path)
        assert path.parent == tmp_path and path.name.startswith("tests_test_x.py_test_y_a_b-")
        assert text == f"journal snapshot (0 request(s)): {path}"
        assert "No requests yet." in path.read_text()


def test_the_token_changes_when_a_call_is_answered() -> None:
    journal = Journal()
    call = journal.open(time=1.0, method="GET", path="/", query="", headers=[], body=b"")
    before = journal_token(journal.calls(), 0)
    call.status = 200
    assert journal_token(journal.calls(), 0) != before


def test_the_row_cache_is_bounded_by_the_characters_it_holds() -> None:
    journal = Journal()
    for n in range(50):
        call = journal.open(time=float(n), method="POST", path="/v1/x", query="", headers=[],
                            body=b"x" * 2000)  # fmt: skip
        call.status = 200
    cache = RowCache(budget=20_000)
    rows = render_rows(journal.calls(), None, lambda *_: "", cache)
    assert rows.count("<article") == 50
    assert 0 < cache.held <= 20_000
    assert render_rows(journal.calls(), None, lambda *_: "", cache) == rows  # same rows


def test_the_page_without_its_slash_is_not_journaled() -> None:
    app = create_app()
    client = MockClient(PortkeyMock(app))
    response = client.get("/_mock")
    assert response.status_code in (301, 302, 307, 308)
    assert client.calls() == []
