"""The journal and the inspector cannot be poisoned (issue 15): whatever a client sent, the
journal keeps it as it arrived, and every view of it (JSON, page, live rows, snapshot) renders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mock_gateway import PortkeyMock, create_app
from tests.hostile import OPENAI, STABILITY, assert_no_bug, send

UNIFIED = "/v1/images/generations"
POISON = [
    b'{"prompt":"ok","model":"core","user":"\\ud800"}',  # answered 200
    b'{"prompt":"ok \\udfff","model":"core"}',
    b'{"prompt":"ok","model":"core","\\ud800":1}',  # in a key
    b"[" * 500,
    b"[" * 500 + b"]" * 500,  # 1 KB of valid JSON, 500 deep
    b'{"prompt":"ok","model":"core","user":' + b"[" * 500 + b"]" * 500 + b"}",
    b'{"a":' * 500 + b"1" + b"}" * 500,
    b"[" * 50_000,
    b'{"a":' * 400 + b"1" + b"}" * 400,
    b'{"prompt":"ok","model":"core","n":' + b"9" * 5000 + b"}",
    b'{"prompt":"ok","model":"core","n":1e400}',
    b"\xed\xa0\x80",  # a surrogate encoded as UTF-8: not UTF-8 at all
    b"\xff\xfe\x00",
]
POISONED_HEADERS = [
    {"x-portkey-config": '{"provider":"\\ud800"}'},
    {"x-portkey-config": "[" * 500},
    {"x-portkey-metadata": '{"user":"\\ud800"}'},
    {"x-portkey-provider": "stability-ai\\ud800"},
]


def _views_work(app: Any, tmp_path: Path) -> dict[str, Any]:
    journal = send(app, "GET", "/_mock/requests")
    assert journal.status_code == 200, journal.text[:300]
    for path in ("/_mock/", "/_mock/inspector/rows"):
        view = send(app, "GET", path)
        assert_no_bug(app, view)
        assert view.status_code == 200, (path, view.text[:300])
    handle = PortkeyMock(app)
    written = handle.write_snapshot(tmp_path / "snapshot.html")
    assert written.read_text(encoding="utf-8").startswith("<!doctype html>")
    data: dict[str, Any] = json.loads(journal.content)
    return data


@pytest.mark.parametrize("body", POISON, ids=lambda b: repr(b[:24]))
@pytest.mark.parametrize("headers", [STABILITY, OPENAI])
def test_no_body_poisons_the_journal_or_the_inspector(
    body: bytes, headers: dict[str, str], tmp_path: Path
) -> None:
    app = create_app()
    answer = send(
        app, "POST", UNIFIED, content=body, headers={**headers, "content-type": "application/json"}
    )
    assert_no_bug(app, answer)
    data = _views_work(app, tmp_path)
    (call,) = app.state.mock.journal.calls()
    assert call.body == body  # kept exactly as it arrived
    shown = data["calls"][0]["request"]["body"]
    kept = shown["text"].encode("utf-8", "surrogatepass") if "text" in shown else None
    assert kept == body or shown.get("base64") is not None
    # Healthy requests after the poison are served and shown as ever.
    good = b'{"prompt":"a cat","model":"core"}'
    later = send(
        app,
        "POST",
        UNIFIED,
        content=good,
        headers={**STABILITY, "content-type": "application/json"},
    )
    assert later.status_code == 200
    assert len(_views_work(app, tmp_path)["calls"]) == 2


@pytest.mark.parametrize("headers", POISONED_HEADERS)
def test_no_header_poisons_the_journal_or_the_inspector(
    headers: dict[str, str], tmp_path: Path
) -> None:
    app = create_app()
    body = b'{"prompt":"ok","model":"core"}'
    all_headers = {**STABILITY, "content-type": "application/json", **headers}
    answer = send(app, "POST", UNIFIED, content=body, headers=all_headers)
    assert_no_bug(app, answer)
    _views_work(app, tmp_path)


def test_the_page_shows_a_lone_surrogate_as_its_escape(tmp_path: Path) -> None:
    app = create_app()
    body = b'{"prompt":"ok","model":"core","user":"zz\\ud800zz"}'
    send(
        app,
        "POST",
        UNIFIED,
        content=body,
        headers={**STABILITY, "content-type": "application/json"},
    )
    page = send(app, "GET", "/_mock/").text
    assert "zz\\ud800zz" in page
    rows = json.loads(send(app, "GET", "/_mock/inspector/rows").content)["rows"]
    assert "zz\\ud800zz" in rows
    data = _views_work(app, tmp_path)
    assert data["calls"][0]["request"]["body"]["json"]["user"] == "zz\ud800zz"


def test_a_provider_name_with_a_lone_surrogate_lists_in_the_filters() -> None:
    app = create_app()
    config = '{"provider":"\\ud800"}'  # /v1/proxy/* does not validate it
    headers = {"content-type": "application/json", "x-portkey-config": config}
    answer = send(app, "POST", "/v1/proxy/nowhere", content=b"{}", headers=headers)
    assert_no_bug(app, answer)
    rows = send(app, "GET", "/_mock/inspector/rows")
    assert rows.status_code == 200
    assert json.loads(rows.content)["options"]["provider"] == ["\ud800"]
