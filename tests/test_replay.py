"""``serve --replay``: recorded requests get the recorded answers, the rest the mock's."""

from __future__ import annotations

import io
import json
from pathlib import Path

import httpx
import pytest

from mock_gateway import create_app
from mock_gateway.cli import parse_args, run
from mock_gateway.har import CassetteWriter, Exchange
from mock_gateway.replay import match_key
from mock_gateway.transport import InProcessTransport

URL = "http://127.0.0.1:9/v1/images/generations"
HEADERS = [("content-type", "application/json"), ("x-portkey-provider", "openai")]


def _exchange(body: bytes, answer: dict[str, object], status: int = 200) -> Exchange:
    return Exchange(
        method="POST",
        url=URL,
        path="/v1/images/generations",
        request_headers=HEADERS,
        request_body=body,
        status=status,
        response_headers=[("content-type", "application/json"), ("x-portkey-provider", "openai"),
                          ("content-length", "999"), ("x-portkey-trace-id", "real-trace")],
        response_body=json.dumps(answer).encode(),
    )  # fmt: skip


@pytest.fixture
def cassette(tmp_path: Path) -> Path:
    path = tmp_path / "pinned.har"
    writer = CassetteWriter(path, "http://127.0.0.1:9")
    body = b'{"prompt": "a cat", "model": "dall-e-3"}'
    writer.add(_exchange(body, {"error": {"message": "first"}}, status=429))
    writer.add(_exchange(body, {"created": 1, "data": [{"url": "https://real/1.png"}]}))
    writer.close()
    return path


def _client(cassette: Path) -> httpx.Client:
    app = create_app(profile="oss", replay=[cassette])
    return httpx.Client(transport=InProcessTransport(app), base_url="http://mock")


def test_a_recorded_request_gets_the_recorded_answers_in_order(cassette: Path) -> None:
    with _client(cassette) as client:
        sent = {"model": "dall-e-3", "prompt": "a cat"}  # other key order and spacing
        headers = {"x-portkey-provider": "openai", "authorization": "Bearer sk-x"}
        answers = [
            client.post("/v1/images/generations", json=sent, headers=headers) for _ in range(3)
        ]
        other = client.post(
            "/v1/images/generations",
            json={"model": "dall-e-3", "prompt": "a dog"},
            headers=headers,
        )
        calls = client.get("/_mock/requests").json()["calls"]
    assert [a.status_code for a in answers] == [429, 200, 200]  # the last one repeats
    assert answers[0].json() == {"error": {"message": "first"}}
    assert answers[1].json()["data"][0]["url"] == "https://real/1.png"
    assert answers[1].headers["x-mock-replayed"] == "pinned.har#1"
    assert answers[1].headers["content-length"] == str(len(answers[1].content))
    assert answers[1].headers["x-portkey-trace-id"] == "real-trace"
    # Anything else is the mock's own answer.
    assert other.status_code == 200 and "x-mock-replayed" not in other.headers
    assert "/_mock/openai-blobs/" in other.json()["data"][0]["url"]
    # Replayed calls are journaled like any other.
    assert len(calls) == 4 and calls[0]["response"]["status"] == 429


def test_matching_ignores_a_form_boundary_and_json_spacing() -> None:
    form = (
        b'--A\r\nContent-Disposition: form-data; name="prompt"\r\n\r\ncat\r\n--A--\r\n',
        b'--BB\r\nContent-Disposition: form-data; name="prompt"\r\n\r\ncat\r\n--BB--\r\n',
    )
    assert match_key("post", "/p", form[0], "multipart/form-data; boundary=A") == match_key(
        "POST", "/p", form[1], "multipart/form-data; boundary=BB"
    )
    assert match_key("POST", "/p", b'{"a":1,"b":2}', "") == match_key(
        "POST", "/p", b'{ "b": 2, "a": 1 }', ""
    )
    assert match_key("POST", "/p", b'{"a":1}', "") != match_key("POST", "/q", b'{"a":1}', "")
    assert match_key("POST", "/p", b"raw", "") != match_key("POST", "/p", b"raw2", "")


def test_serve_refuses_an_unreadable_cassette_before_binding(tmp_path: Path) -> None:
    bad = tmp_path / "bad.har"
    bad.write_text("not json")
    stderr = io.StringIO()
    code = run(parse_args(["serve", "--replay", str(bad)]), stdout=io.StringIO(), stderr=stderr)
    assert code == 1 and "not a readable HAR cassette" in stderr.getvalue()
    assert parse_args(["serve", "--replay", "a.har", "b.har"]).replay == ["a.har", "b.har"]
