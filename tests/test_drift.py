"""``mock-portkey drift``: a recording replayed against the mock, what differs, the allow-list."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_gateway import LiveServer, create_app, render_png
from mock_gateway.allowlist import load_allow_list
from mock_gateway.cli import parse_args, run
from mock_gateway.drift import compare, drift, observe
from mock_gateway.har import CassetteWriter, read_cassette
from mock_gateway.record import Recorder, create_recorder

STABILITY = {"x-portkey-provider": "stability-ai", "authorization": "Bearer sk-stab-0123456789"}
OPENAI = {"x-portkey-provider": "openai", "authorization": "Bearer sk-oai-0123456789"}


@pytest.fixture(scope="module")
def cassette(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("drift") / "oss.har"
    with LiveServer(create_app(profile="oss")) as target:
        writer = CassetteWriter(path, target.url)
        recorder = Recorder(target.url, writer)
        with LiveServer(create_recorder(recorder)) as proxy, httpx.Client(timeout=30) as client:
            url = proxy.url + "/v1/images/generations"
            for label, headers, body in (
                ("core", STABILITY, {"model": "core", "prompt": "a cat"}),
                ("dalle-url", OPENAI, {"model": "dall-e-2", "prompt": "a cat"}),
                ("no-prompt", OPENAI, {"model": "dall-e-3"}),
                ("traced", {**STABILITY, "x-portkey-trace-id": "t-1"}, {"prompt": "a"}),
            ):  # fmt: skip
                client.post(url, headers={**headers, "x-mock-record-label": label}, json=body)
        writer.close()
    yield path


def _cli(*argv: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    code = run(parse_args(["drift", *argv]), stdout=stdout, stderr=stderr)
    return code, stdout.getvalue(), stderr.getvalue()


def _changed(cassette: Path, tmp_path: Path, change: Any) -> Path:
    data = json.loads(cassette.read_text())
    change(data["log"]["entries"])
    out = tmp_path / "changed.har"
    out.write_text(json.dumps(data))
    return out


@pytest.mark.socket
def test_no_drift_against_the_profile_it_was_recorded_from(cassette: Path) -> None:
    code, out, _ = _cli(str(cassette), "--profile", "oss")
    assert code == 0, out
    assert out.strip() == "oss: 4 exchange(s) replayed, 0 differ, 0 differ only as allowed"


@pytest.mark.socket
def test_hosted_differs_and_says_where(cassette: Path) -> None:
    code, out, _ = _cli(str(cassette), "--profile", "hosted")
    assert code == 1
    # No x-portkey-api-key in the recording: hosted Portkey answers a bare 401.
    assert "hosted  #0 POST /v1/images/generations (core)" in out
    assert "    status       status" in out and "200 | 401" in out
    code, out, _ = _cli(str(cassette), "--profile", "hosted", "--format", "json")
    report = json.loads(out)
    assert code == 1 and not report["ok"] and report["checked"] == 4
    first = report["exchanges"][0]
    assert (first["label"], first["entry"], first["path"]) == ("core", 0, "/v1/images/generations")
    assert {"key": "status", "kind": "status", "recorded": 200, "mock": 401, "allowed": None} in (
        first["differences"]
    )


@pytest.mark.socket
def test_an_allow_list_with_reasons_keeps_differences(cassette: Path, tmp_path: Path) -> None:
    allow = tmp_path / "allow.yaml"
    allow.write_text(
        "allowed_differences:\n"
        "  hosted-key:\n"
        "    reason: the recording was made without a Portkey API key\n"
        "    ignore: [status, body, headers]\n"
        "    profiles: [hosted]\n"
        "  never-used:\n"
        "    reason: nothing like it happens\n"
        "    ignore: [headers.x-portkey-cache-status]\n"
        "    entries: [core]\n"
    )
    code, out, _ = _cli(str(cassette), "--profile", "hosted", "--allow", str(allow))
    assert code == 0, out
    assert "[allowed: hosted-key]" in out
    assert "hosted: 4 exchange(s) replayed, 0 differ, 4 differ only as allowed" in out
    assert "allow-list entry 'never-used' covered no difference" in out
    report = json.loads(_cli(str(cassette), "--profile", "hosted", "--allow", str(allow),
                             "--format", "json")[1])  # fmt: skip
    assert report["ok"] and report["unused_allowances"] == ["never-used"]
    assert report["allowances"]["hosted-key"].startswith("the recording was made without")
    # Limited to one entry, the others fail again.
    allow.write_text(allow.read_text().replace("profiles: [hosted]", "entries: ['#0', dalle*]"))
    code, out, _ = _cli(str(cassette), "--profile", "hosted", "--allow", str(allow))
    assert code == 1 and "2 differ, 2 differ only as allowed" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"allowed_differences": {"x": {"ignore": ["status"]}}}', "give a reason"),
        ('{"allowed_differences": {"x": {"reason": "r", "ignore": []}}}', "names no difference"),
        ('{"allowed_differences": {"x": {"reason": "r", "ignore": ["a"], "why": 1}}}', "unknown"),
        ('{"nothing": {}}', "expected an object with an 'allowed_differences'"),
        ("{", "cannot read the allow-list"),
    ],
)
def test_a_bad_allow_list_is_a_usage_error(tmp_path: Path, content: str, message: str) -> None:
    allow = tmp_path / "allow.json"
    allow.write_text(content)
    with pytest.raises(ValueError, match=message):
        load_allow_list([allow])
    har = tmp_path / "empty.har"
    har.write_text('{"log": {"entries": []}}')
    code, _, err = _cli(str(har), "--allow", str(allow))
    assert code == 2 and message in err


def test_the_conformance_list_is_read_as_it_is() -> None:
    entries = load_allow_list([Path(__file__).parent / "conformance" / "cases.json"])
    assert {entry.name for entry in entries} >= {"mock-controls", "no-sockets"}


def test_an_unreadable_cassette_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.har"
    bad.write_text('{"log": {}}')
    code, _, err = _cli(str(bad))
    assert code == 2 and "not a readable HAR cassette" in err


@pytest.mark.socket
def test_a_changed_header_status_and_image_are_each_named(cassette: Path, tmp_path: Path) -> None:
    def change(entries: list[dict[str, Any]]) -> None:
        headers = entries[0]["response"]["headers"]
        for header in headers:
            if header["name"] == "x-portkey-provider":
                header["value"] = "openai"
        entries[2]["response"]["status"] = 422
        body = json.loads(entries[0]["response"]["content"]["text"])
        body["data"][0]["b64_json"] = base64.b64encode(render_png(64, 48)).decode()
        entries[0]["response"]["content"]["text"] = json.dumps(body)

    report = drift(read_cassette(_changed(cassette, tmp_path, change)), ["oss"])
    found = {(r.exchange.comment, d.key, str(d.recorded), str(d.mock))
             for r in report.results for d in r.differences}  # fmt: skip
    assert found == {
        ("core", "headers.x-portkey-provider", "openai", "stability-ai"),
        ("core", "body/data/0/b64_json", "<PNG 64x48>", "<PNG 1216x1216>"),
        ("no-prompt", "status", "422", "400"),
    }


def test_ids_trace_ids_and_timestamps_are_normalised() -> None:
    def answer(trace: str, ident: str, created: int) -> bytes:
        return json.dumps({"id": ident, "created": created, "name": "x"}).encode()

    kinds = [("content-type", "application/json")]
    a = observe(
        200, [*kinds, ("x-portkey-trace-id", "abc")], answer("", "id-1", 1), trace_sent=False
    )
    b = observe(
        200, [*kinds, ("x-portkey-trace-id", "xyz")], answer("", "id-2", 2), trace_sent=False
    )
    assert compare(a, b) == []
    # A trace id the client sent must come back as it was.
    a = observe(200, [("x-portkey-trace-id", "mine")], b"", trace_sent=True)
    b = observe(200, [("x-portkey-trace-id", "other")], b"", trace_sent=True)
    assert [d.key for d in compare(a, b)] == ["headers.x-portkey-trace-id"]
    # An empty trace id (the open-source gateway's) is not a generated one.
    a = observe(200, [("x-portkey-trace-id", "")], b"", trace_sent=False)
    b = observe(200, [("x-portkey-trace-id", "made-up")], b"", trace_sent=False)
    assert [(d.recorded, d.mock) for d in compare(a, b)] == [("", "<generated>")]


def test_a_subtree_only_one_side_has_is_one_difference() -> None:
    kinds = [("content-type", "application/json")]
    a = observe(500, kinds, b'{"error": {"message": "m", "code": null}}', trace_sent=False)
    b = observe(200, kinds, b'{"data": [{"url": "u"}]}', trace_sent=False)
    found = [(d.key, d.kind, d.recorded, d.mock) for d in compare(a, b)]
    assert found == [
        ("body/data", "body", "<absent>", {"0/url": "u"}),
        ("body/error", "error text", {"message": "m", "code": None}, "<absent>"),
        ("status", "status", 500, 200),
    ]
