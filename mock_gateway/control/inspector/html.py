"""The inspector's HTML, written by hand: every value from a request goes through ``_e``.

Prompts, headers and bodies are user input, so they are an XSS vector: nothing from the
journal reaches the page unescaped, and the page's Content-Security-Policy allows no inline
script in the live view (the self-contained snapshot allows exactly its own, by hash).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from mock_gateway.control.inspector.assets import SCRIPT, STYLE
from mock_gateway.control.inspector.view import (
    FoundImage,
    attempt_model,
    call_model,
    call_provider,
    find_images,
    readable_body,
    status_class,
    url_states,
)
from mock_gateway.fakes.blobs import BlobStore
from mock_gateway.journal import Attempt, Call
from mock_gateway.wire.redact import redact_headers

__all__ = [
    "Filters",
    "ImageSource",
    "Page",
    "RowCache",
    "render_page",
    "render_rows",
    "row_options",
]

_EAGER_ROWS = 20
_EXACT_CAP = 8_192  # bodies up to this size are also shown byte for byte
# Where a thumbnail's bytes come from: a URL on the live mock, or a data: URI (snapshots).
ImageSource = Callable[[Call, int, FoundImage], str]


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


@dataclass(frozen=True)
class Filters:
    """The route, provider and status (``404``, ``4xx``, ``pending``) to show; ``""``: all."""

    route: str = ""
    provider: str = ""
    status: str = ""

    def matches(self, call: Call) -> bool:
        """Whether ``call`` passes every filter (the page's script applies the same rules)."""
        if self.route and call.path != self.route:
            return False
        if self.provider and call_provider(call) != self.provider:
            return False
        status = self.status
        return not status or status in (str(call.status), status_class(call.status))


@dataclass(frozen=True)
class Page:
    """What frames the rows: live (polling, clear button) or a snapshot; the heading."""

    title: str = "mock-portkey-gateway inspector"
    live: bool = True
    token: str = ""
    filters: Filters = field(default_factory=Filters)
    dropped: int = 0
    total: int = 0


def _headers_table(headers: Iterable[tuple[str, str]]) -> str:
    rows = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in headers)
    return f'<table class="headers">{rows}</table>'


def _headers_block(headers: list[tuple[str, str]]) -> str:
    return (
        f"<details><summary>headers ({len(headers)})</summary>{_headers_table(headers)}</details>"
    )


def _body_block(text: str, label: str = "body") -> str:
    if not text:
        return f'<p class="muted">no {_e(label)}</p>'
    return f'<pre class="body">{_e(text)}</pre>'


def _sent_block(data: bytes, shown: str) -> str:
    """The body byte for byte, when the readable view above reformatted it."""
    if not data or len(data) > _EXACT_CAP:
        return ""
    text = data.decode("utf-8", "replace")
    if text == shown:
        return ""
    return (
        f"<details><summary>exactly as sent ({len(data):,} bytes)</summary>"
        f'<pre class="body">{_e(text)}</pre></details>'
    )


def _portkey_headers(call: Call) -> str:
    sent = [(k, v) for k, v in call.headers.multi_items() if k.startswith("x-portkey-")]
    got = [(k, v) for k, v in call.response_headers if k.lower().startswith("x-portkey-")]
    chips = ['<span class="label">sent</span>'] if sent else []
    chips += [f'<span class="chip sent">{_e(k)}: {_e(v)}</span>' for k, v in sent]
    chips += ['<span class="label">answered</span>'] if got else []
    chips += [f'<span class="chip got">{_e(k)}: {_e(v)}</span>' for k, v in got]
    return f'<div class="portkey">{"".join(chips)}</div>' if chips else ""


def _figure(call: Call, number: int, image: FoundImage, source: ImageSource, loading: str) -> str:
    where = f'<span class="where">{_e(image.where)}</span>'
    if image.data is None or image.info is None:
        linkable = (image.url or "").startswith(("http://", "https://"))  # never javascript:
        link = f' <a href="{_e(image.url)}">URL</a>' if linkable else ""
        caption = f"{where} {_e(image.problem or 'no image')}{link}"
        return f'<figure class="noimage"><figcaption>{caption}</figcaption></figure>'
    info = image.info
    return (
        f'<figure><img class="thumb" loading="{loading}" src="{_e(source(call, number, image))}" '
        f'width="{info.width}" height="{info.height}" alt="{_e(image.where)}">'
        f"<figcaption>{_e(info.describe())} {where}</figcaption></figure>"
    )


def _images(call: Call, blobs: BlobStore | None, source: ImageSource, loading: str) -> str:
    found = find_images(call, blobs)
    if not found:
        return ""
    figures = "".join(_figure(call, n, image, source, loading) for n, image in enumerate(found))
    return f'<div class="images">{figures}</div>'


def _client_side(call: Call) -> str:
    target = call.path + (f"?{call.query}" if call.query else "")
    body = readable_body(call.body, call.header("content-type"), call.form, exact=False)
    return (
        f'<section class="client"><h3>Client request</h3>'
        f'<p class="line">{_e(call.method)} {_e(target)}</p>'
        f"{_headers_block(call.headers.multi_items())}{_body_block(body)}"
        f"{_sent_block(call.body, body)}"
        "</section>"
    )


def _attempt(number: int, attempt: Attempt) -> str:
    request, response = attempt.request, attempt.response
    body = readable_body(request.body, request.header("content-type"), attempt.form, exact=False)
    answer = readable_body(
        response.body, response.header("content-type"), None, exact=response.status >= 400
    )
    fault = "" if attempt.fault is None else json.dumps(attempt.fault.to_json())
    model = attempt_model(attempt)
    facts = [f"#{number + 1}", attempt.target, f"at {attempt.at_ms:,.1f} ms"]
    facts += [f"model {model}"] if model else []
    facts += [f"fault {fault}"] if fault else []
    open_ = " open" if response.status >= 400 else ""
    return (
        f'<li class="attempt"><p class="facts">{_e(" · ".join(facts))}'
        f' <span class="status s{status_class(response.status)}">{response.status}</span></p>'
        f'<p class="line">{_e(request.method)} {_e(request.url)}</p>'
        f"{_headers_block(list(request.headers))}{_body_block(body)}"
        f"{_sent_block(request.body, body)}"
        f"<details{open_}><summary>provider answered {response.status}</summary>"
        f"{_headers_table(response.headers)}{_body_block(answer)}</details></li>"
    )


def _upstream_side(call: Call) -> str:
    attempts = call.attempts
    if not attempts and call.cache == "HIT":
        inner = '<p class="muted">nothing forwarded: answered from the cache (HIT)</p>'
    elif not attempts:
        inner = '<p class="muted">nothing forwarded: the gateway answered itself</p>'
    else:
        inner = "<ol>" + "".join(_attempt(n, a) for n, a in enumerate(attempts)) + "</ol>"
    count = f"{len(attempts)} attempt{'s' * (len(attempts) != 1)}"
    return f'<section class="upstream"><h3>Upstream ({count})</h3>{inner}</section>'


def _response(call: Call) -> str:
    error = call.status >= 400
    media = next((v for k, v in call.response_headers if k.lower() == "content-type"), "")
    body = readable_body(call.response_body, media, None, exact=error)
    size = f"{len(call.response_body):,} bytes"
    label = "error body, exactly as the client got it" if error else "response"
    return (
        f'<details class="response"{" open" if error else ""}>'
        f"<summary>{_e(label)}: {call.status or 'pending'} · {_e(media or 'no type')} · {size}"
        f"</summary>{_headers_table(redact_headers(call.response_headers))}"
        f"{_body_block(body)}</details>"
    )


def _when(seconds: float) -> tuple[str, str]:
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.strftime("%H:%M:%S.%f")[:-3], moment.isoformat(timespec="milliseconds")


def _cache_badge(call: Call) -> str:
    status = call.cache
    if status in (None, "DISABLED"):
        return ""
    return f'<span class="cache" title="x-portkey-cache-status">cache {_e(status or "")}</span>'


def _row(call: Call, blobs: BlobStore | None, source: ImageSource, loading: str) -> str:
    provider, model = call_provider(call), call_model(call)
    short, full = _when(call.time)
    kind = status_class(call.status)
    images = _images(call, blobs, source, loading)
    return (
        f'<article class="call{" error" if call.status >= 400 else ""}" '
        f'id="call-{call.index}" data-route="{_e(call.path)}" data-provider="{_e(provider)}" '
        f'data-status="{call.status}" data-class="{kind}">'
        f'<header class="summary"><span class="status s{kind}">{call.status or "…"}</span>'
        f'<span class="method">{_e(call.method)}</span><code class="route">{_e(call.path)}</code>'
        f'<span class="provider">{_e(provider or "no provider")}</span>'
        f'<span class="model">{_e(model)}</span>'
        f"{_cache_badge(call)}"
        f'<time datetime="{_e(full)}" title="{_e(full)}">{_e(short)} UTC</time>'
        f'<span class="index">#{call.index}</span></header>'
        f"{_portkey_headers(call)}{images}"
        f'<div class="sides">{_client_side(call)}{_upstream_side(call)}</div>'
        f"{_response(call)}</article>"
    )


class RowCache:
    """Rows of finished calls, rendered once: a poll renders only what is new.

    Bounded by characters held (``budget``), oldest use evicted first.
    """

    def __init__(self, budget: int = 8_000_000) -> None:
        self._rows: OrderedDict[tuple[object, ...], str] = OrderedDict()
        self._budget = budget
        self.held = 0

    def row(self, call: Call, blobs: BlobStore | None, source: ImageSource, loading: str) -> str:
        """The row for ``call``, from the cache when nothing about it can have changed."""
        size, tries = len(call.response_body), len(call.attempts)
        key: tuple[object, ...] = (call.index, call.time, call.status, size, tries, loading)
        key += url_states(call, blobs)  # a DALL·E URL's row changes when the URL expires
        cached = self._rows.get(key)
        if cached is not None:
            self._rows.move_to_end(key)
            return cached
        row = _row(call, blobs, source, loading)
        if call.status and len(row) <= self._budget:  # answered: only the key can change
            self._rows[key] = row
            self.held += len(row)
            while self.held > self._budget:
                self.held -= len(self._rows.popitem(last=False)[1])
        return row

    def clear(self) -> None:
        """Forget every row."""
        self._rows.clear()
        self.held = 0


def render_rows(
    calls: Iterable[Call],
    blobs: BlobStore | None,
    source: ImageSource,
    cache: RowCache | None = None,
    *,
    first: int = 0,
) -> str:
    """The rows, in the order given (the caller puts the newest first); ``first``: how many
    rows come before these on the page."""
    cache = cache or RowCache(budget=0)
    # The first rows' images load at once; the rest as they scroll into view.
    rows = "".join(
        cache.row(call, blobs, source, "eager" if n < _EAGER_ROWS else "lazy")
        for n, call in enumerate(calls, first)
    )
    return rows or '<p class="empty muted">No requests yet.</p>'


def row_options(calls: list[Call]) -> dict[str, list[str]]:
    """The values each filter can take, from the calls themselves."""
    statuses = {str(c.status) for c in calls} | {status_class(c.status) for c in calls}
    return {
        "route": sorted({c.path for c in calls}),
        "provider": sorted({call_provider(c) for c in calls} - {""}),
        "status": sorted(statuses, key=lambda s: (s[0], s[1:] != "xx", s)),
    }


def _select(name: str, values: list[str], chosen: str) -> str:
    values = values if not chosen or chosen in values else [*values, chosen]
    options = "".join(
        f'<option value="{_e(v)}"{" selected" if v == chosen else ""}>{_e(v)}</option>'
        for v in values
    )
    return (
        f'<label>{name} <select name="{name}" data-filter="{name}">'
        f'<option value="">all</option>{options}</select></label>'
    )


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _head(page: Page) -> str:
    if page.live:
        assets = '<link rel="stylesheet" href="/_mock/inspector/inspector.css">'
    else:  # self-contained: no request leaves the file, and only its own script runs
        policy = (
            f"default-src 'none'; img-src data:; style-src {_csp_hash(STYLE)}; "
            f"script-src {_csp_hash(SCRIPT)}"
        )
        assets = (
            f'<meta http-equiv="Content-Security-Policy" content="{_e(policy)}">'
            f"<style>{STYLE}</style>"
        )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<link rel="icon" href="data:,"><title>{_e(page.title)}</title>{assets}</head>'
    )


def render_page(page: Page, calls: list[Call], rows: str) -> str:
    """The whole page around ``rows``; ``calls`` give the filters' choices."""
    options = row_options(calls)
    filters = "".join(
        _select(name, options[name], getattr(page.filters, name))
        for name in ("route", "provider", "status")
    )
    clear = (
        '<form method="post" action="/_mock/inspector/clear" id="clear">'
        '<button type="submit">Clear journal</button></form>'
        '<span id="live" class="muted">live</span>'
        if page.live
        else '<span class="muted">snapshot</span>'
    )
    dropped = f" ({page.dropped:,} older dropped)" if page.dropped else ""
    live_script = '<script src="/_mock/inspector/inspector.js"></script>'
    script = live_script if page.live else f"<script>{SCRIPT}</script>"  # after the rows
    return (
        f'{_head(page)}<body data-live="{str(page.live).lower()}" data-token="{_e(page.token)}" '
        f'data-total="{page.total}" data-dropped="{page.dropped}">'
        f'<header class="top"><h1>{_e(page.title)}</h1>'
        f'<form id="filters" method="get" action="/_mock/">{filters}</form>{clear}'
        f'<span id="count" class="muted">{page.total:,} request(s){dropped}</span></header>'
        f'<main id="rows">{rows}</main>{script}</body></html>'
    )
