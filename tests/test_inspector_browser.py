"""The inspector in a real headless browser: Debian's Chromium, driven by Playwright.

Needs ``/usr/bin/chromium`` (``apt-get install -y chromium``; ``.ci/run`` installs it) and the
``playwright`` package (in the test extra). Playwright's own browser download is not used.
The screenshots are kept under ``test-artifacts/`` (or ``$MOCK_PORTKEY_ARTIFACTS``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests

from mock_gateway import LiveServer, PortkeyMock, create_app
from tests.seed import SEED_CURL_DATA
from tests.tools import CHROMIUM, fail_if_missing

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.socket

ARTIFACTS = Path(
    os.environ.get("MOCK_PORTKEY_ARTIFACTS", Path(__file__).parent.parent / "test-artifacts")
)
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
KEY = "sk-stability-0123456789abcdef"
ATTACK = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


@pytest.fixture(scope="module")
def browser(request: pytest.FixtureRequest) -> Iterator[Browser]:
    fail_if_missing(request, "browser")  # one failure, not one per test (tests/tools.py)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is missing: pip install '.[test]' (or pip install playwright)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def server() -> Iterator[LiveServer]:
    # DALL·E URL thumbnails: OpenAI served DALL·E until 2026-05-12, so the dated profile.
    with LiveServer(create_app(time_scale=0.001, profile="hosted-2025")) as live:
        yield live


class Watched:
    """A page with every console error, page error, dialog and request it made recorded."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("dialog", lambda dialog: self.errors.append(f"dialog: {dialog.message}"))
        page.on("request", lambda request: self.requests.append(request.url))


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    yield Watched(context.new_page())
    context.close()


def scripted_requests(base: str) -> list[int]:
    """The seed's two requests, then OpenAI (url, b64, an error), v2beta and an XSS prompt."""
    stability = {"x-portkey-api-key": "pk-1", "x-portkey-provider": "stability-ai"}
    openai = {"x-portkey-api-key": "pk-1", "x-portkey-provider": "openai"}
    header = {"provider": "stability-ai", "api_key": KEY}
    config = {**header, "override_params": {"model": "stable-diffusion-v1-6"}}
    seed = {"prompt": "Harry potter using aeroplane for transport", "response_format": "url"}
    sent = [
        requests.post(
            f"{base}/images/generations",
            headers={
                "Content-Type": "application/json",
                "x-portkey-api-key": "pk-1",
                "x-portkey-config": json.dumps(config),
            },
            data=json.dumps(seed),
        ),
        requests.post(
            f"{base}/generation/stable-diffusion-xl-1024-v1-0/text-to-image",
            headers={
                **stability,
                "Authorization": KEY,
                "Accept": "image/png",
                "Content-Type": "application/json",
            },
            data=SEED_CURL_DATA,
        ),
        requests.post(
            f"{base}/images/generations",
            headers={**openai, "Authorization": "sk-openai-0123456789"},
            json={"prompt": "a dog", "model": "dall-e-2", "size": "256x256"},
        ),
        requests.post(
            f"{base}/images/generations",
            headers={**openai, "Authorization": "sk-openai-0123456789"},
            json={"prompt": "a wide fox", "model": "gpt-image-1", "size": "1536x1024"},
        ),
        requests.post(
            f"{base}/images/generations",
            headers={**openai, "Authorization": "sk-invalid-0123456789"},
            json={"prompt": "a dog", "model": "dall-e-3"},
        ),
        requests.post(
            f"{base}/v2beta/stable-image/generate/core",
            headers={**stability, "Authorization": KEY, "Accept": "image/*"},
            files={
                "prompt": (None, "a boat"),
                "aspect_ratio": (None, "16:9"),
                "output_format": (None, "webp"),
            },
        ),
        requests.post(
            f"{base}/images/generations",
            headers={**stability, "Authorization": KEY},
            json={"prompt": ATTACK, "model": "stable-diffusion-v1-6"},
        ),
    ]
    return [answer.status_code for answer in sent]


def visible_rows(page: Page) -> list[str]:
    ids: list[str] = page.eval_on_selector_all(
        "article.call:not([hidden])", "rows => rows.map(row => row.id)"
    )
    return ids


def choose(page: Page, name: str, value: str) -> None:
    """Pick a filter value, and wait for the rows the server chose by the new filters."""
    page.select_option(f"select[name={name}]", value)
    if page.evaluate("document.body.dataset.live") == "true":
        wanted = page.evaluate("location.search.slice(1)")
        page.wait_for_function("q => document.body.dataset.rows === q", arg=wanted)


def shot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    print(f"\nscreenshot: {path}", file=sys.stderr)
    return path


def thumbnails_loaded(page: Page, count: int) -> list[dict[str, Any]]:
    page.wait_for_function(
        "n => document.images.length === n && "
        "Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)",
        arg=count,
        timeout=10_000,
    )
    boxes: list[dict[str, Any]] = page.eval_on_selector_all(
        "img.thumb",
        """images => images.map(i => ({natural: [i.naturalWidth, i.naturalHeight],
            declared: [i.width && +i.getAttribute('width'), +i.getAttribute('height')],
            shown: [i.getBoundingClientRect().width, i.getBoundingClientRect().height],
            caption: i.closest('figure').textContent}))""",
    )
    return boxes


def assert_real_aspect_ratios(boxes: list[dict[str, Any]]) -> None:
    for box in boxes:
        (width, height), (shown_w, shown_h) = box["natural"], box["shown"]
        assert box["declared"] == [width, height], box
        assert f"{width}\u00d7{height}" in box["caption"], box
        assert abs(shown_w / shown_h - width / height) < 0.02, box


def test_the_page_shows_every_request_its_images_and_filters(
    server: LiveServer, watched: Watched
) -> None:
    statuses = scripted_requests(server.base_url)
    assert statuses == [200, 200, 200, 200, 401, 200, 200]
    page = watched.page
    page.goto(server.url + "/_mock/")
    assert visible_rows(page) == [f"call-{n}" for n in range(6, -1, -1)]  # newest first
    boxes = thumbnails_loaded(page, 6)  # the 401 has none
    assert_real_aspect_ratios(boxes)
    sizes = [tuple(box["natural"]) for box in boxes]  # newest first
    assert sizes[0] == (512, 512) and sizes[2:5] == [(1536, 1024), (256, 256), (1024, 1024)]
    assert sizes[-1] == (512, 512) and 1.7 < sizes[1][0] / sizes[1][1] < 1.9  # 16:9-ish
    # The seed's unified call: its b64_json image and the text_prompts body sent upstream.
    unified = page.locator("#call-0")
    assert "data[0].b64_json" in unified.locator("figure").inner_text()
    upstream = unified.locator("section.upstream").inner_text()
    assert '"text_prompts": [' in upstream and "Harry potter using aeroplane" in upstream
    assert "1024\u00d71024 PNG" in page.locator("#call-1 figure").inner_text()  # raw bytes
    assert "error body, exactly as the client got it" in page.locator("#call-4").inner_text()
    # The attack prompt is shown as text and never runs.
    assert json.dumps(ATTACK) in page.locator("#call-6 section.client pre.body").first.inner_text()
    assert page.evaluate("window.__xss") is None
    shot(page, "inspector.png")

    choose(page, "provider", "openai")
    assert visible_rows(page) == ["call-4", "call-3", "call-2"]
    assert page.url.endswith("/_mock/?provider=openai")
    choose(page, "status", "4xx")
    assert visible_rows(page) == ["call-4"]
    choose(page, "provider", "")
    choose(page, "status", "")
    choose(page, "route", "/v1/v2beta/stable-image/generate/core")
    assert visible_rows(page) == ["call-5"]
    assert page.locator("#count").inner_text() == "1 shown of 7 request(s)"
    choose(page, "route", "")
    assert len(visible_rows(page)) == 7
    assert watched.errors == []
    assert all(url.startswith((server.url, "data:")) for url in watched.requests)


def test_the_page_updates_by_itself_and_clears(server: LiveServer, watched: Watched) -> None:
    page = watched.page
    page.goto(server.url + "/_mock/")
    assert page.locator("main").inner_text() == "No requests yet."
    scripted_requests(server.base_url)
    page.wait_for_function("() => document.querySelectorAll('article.call').length === 7")
    page.locator("#call-4 details.response").evaluate("d => { d.open = false; }")
    page.locator("#call-0 details").first.evaluate("d => { d.open = true; }")
    requests.post(f"{server.base_url}/images/generations", json={})  # one more, while open
    page.wait_for_function("() => document.querySelectorAll('article.call').length === 8")
    # The swap kept what the reader opened and closed.
    assert page.locator("#call-4 details.response").evaluate("d => d.open") is False
    assert page.locator("#call-0 details").first.evaluate("d => d.open") is True
    assert len(thumbnails_loaded(page, 6)) == 6
    page.click("text=Clear journal")
    page.wait_for_selector("text=No requests yet.")
    assert requests.get(f"{server.url}/_mock/requests").json()["calls"] == []
    assert watched.errors == []


def test_a_snapshot_opens_from_disk_with_its_images(
    server: LiveServer, watched: Watched, tmp_path: Path
) -> None:
    scripted_requests(server.base_url)
    handle = PortkeyMock(server.app, server)
    path = handle.write_snapshot(tmp_path / "journal.html", title="a failing test")
    server.stop()  # nothing left to ask: the file must stand alone
    page = watched.page
    page.goto(path.as_uri())
    assert_real_aspect_ratios(thumbnails_loaded(page, 6))
    assert page.locator("h1").inner_text() == "a failing test"
    choose(page, "status", "401")
    assert visible_rows(page) == ["call-4"]
    choose(page, "status", "")
    shot(page, "inspector-snapshot.png")
    assert watched.errors == []  # its inline style and script pass its own CSP
    assert all(url.startswith(("file://", "data:")) for url in watched.requests)


def test_without_chromium_one_test_fails_saying_what_to_install() -> None:
    env = {**os.environ, "MOCK_PORTKEY_CHROMIUM": "/nonexistent/chromium"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__,
         "-k", "not without_chromium"],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).parent.parent,
        timeout=60,
    )  # fmt: skip
    assert run.returncode == 1, run.stdout  # failed, not skipped
    assert "Chromium is not installed at /nonexistent/chromium: run ./run-tests" in run.stdout
    assert "1 error" in run.stdout and "3 deselected" in run.stdout, run.stdout
