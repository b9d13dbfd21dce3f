"""``mock-portkey record``: the proxy forwards faithfully and writes a redacted HAR 1.2 file."""

from __future__ import annotations

import base64
import json
import os
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from mock_gateway import LiveServer, create_app, png_dimensions
from mock_gateway.contract_tools.check import check_paths
from mock_gateway.recording.drift import drift
from mock_gateway.recording.har import CassetteWriter, read_cassette
from mock_gateway.recording.record import Recorder, check_target, create_recorder
from mock_gateway.recording.scrub import is_secret_name, redact_text_urls

pytestmark = pytest.mark.socket

OPENAI_KEY = "sk-proj-QwErTy0123456789zXcVbNm"
PORTKEY_KEY = "pk-live-AbCdEf9876543210"
CONFIG_KEY = "sk-stab-ConfigKey0123456789"
VIRTUAL_KEY = "vk-openai-7a6b5c4d3e2f"
SECRETS = (OPENAI_KEY, PORTKEY_KEY, CONFIG_KEY, VIRTUAL_KEY)


@pytest.fixture(scope="module")
def target() -> Iterator[LiveServer]:
    with LiveServer(create_app(profile="oss")) as server:
        yield server


def _recorder(target_url: str, path: Path, **options: int) -> tuple[Recorder, CassetteWriter]:
    writer = CassetteWriter(path, target_url)
    return Recorder(target_url, writer, **options), writer


def _session(proxy: str) -> list[httpx.Response]:
    config = {
        "strategy": {"mode": "fallback"},
        "targets": [
            {"provider": "stability-ai", "api_key": CONFIG_KEY},
            {"provider": "openai", "api_key": OPENAI_KEY},
        ],
    }
    with httpx.Client(base_url=proxy, timeout=30) as client:
        answers = [
            client.post(
                "/v1/images/generations",
                headers={
                    "x-portkey-provider": "openai",
                    "authorization": f"Bearer {OPENAI_KEY}",
                    "x-portkey-api-key": PORTKEY_KEY,
                    "x-portkey-virtual-key": VIRTUAL_KEY,
                    "x-mock-record-label": "dalle-url",
                },
                json={"model": "dall-e-2", "prompt": "a cat", "response_format": "url"},
            ),
            client.post(
                "/v1/images/generations",
                headers={"x-portkey-config": json.dumps(config)},
                json={"model": "core", "prompt": "a cat"},
            ),
        ]
        url = answers[0].json()["data"][0]["url"]
        answers.append(client.get(url.replace(url.split("/_mock/")[0], proxy)))
        answers.append(client.get(f"/v1/engines/list?api_key={OPENAI_KEY}&sig=SiGnAtUrE1234567"))
    return answers


def test_a_session_is_forwarded_and_recorded_without_a_key(
    target: LiveServer, tmp_path: Path
) -> None:
    path = tmp_path / "out" / "session.har"
    recorder, writer = _recorder(target.url, path)
    with LiveServer(create_recorder(recorder)) as proxy:
        answers = _session(proxy.url)
    writer.close()
    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    # The client got the real answer: the signed URL whole, the image itself.
    assert "sig=" in answers[0].json()["data"][0]["url"]
    assert answers[2].headers["content-type"] == "image/png"
    har = json.loads(path.read_text())
    assert har["log"]["version"] == "1.2" and har["log"]["_target"] == target.url
    entries = har["log"]["entries"]
    assert len(entries) == 4 and entries[0]["comment"] == "dalle-url"
    for entry in entries:
        assert set(entry["timings"]) >= {"send", "wait", "receive"} and entry["time"] >= 0
        assert entry["request"]["url"].startswith(target.url)
    assert not any(h["name"] == "x-mock-record-label" for h in entries[0]["request"]["headers"])
    image = entries[2]["response"]["content"]
    assert image["encoding"] == "base64" and base64.b64decode(image["text"])[:4] == b"\x89PNG"
    # Every byte written, anywhere under the directory: no key, no signature.
    signature = answers[0].json()["data"][0]["url"].split("sig=")[1]
    for written in tmp_path.rglob("*"):
        if written.is_file():
            data = written.read_bytes()
            for secret in (*SECRETS, signature, "SiGnAtUrE1234567"):
                assert secret.encode() not in data, (secret, written)
    text = path.read_text()
    assert "Bearer sk-p...zXcV" not in text and "Bearer sk-p...VbNm" in text
    config = next(
        h["value"] for h in entries[1]["request"]["headers"] if h["name"] == "x-portkey-config"
    )
    assert json.loads(config)["targets"][0]["api_key"] == "sk-s...6789"


def test_thumbnails_keep_format_and_size_and_still_pass_check_and_drift(
    target: LiveServer, tmp_path: Path
) -> None:
    path = tmp_path / "small.har"
    recorder, writer = _recorder(target.url, path, thumbnail=32)
    with LiveServer(create_recorder(recorder)) as proxy, httpx.Client(timeout=30) as client:
        headers = {"x-portkey-provider": "openai", "authorization": f"Bearer {OPENAI_KEY}"}
        body = {"model": "dall-e-2", "prompt": "a cat", "size": "512x512"}
        for response_format in ("b64_json", "url"):
            answer = client.post(
                proxy.url + "/v1/images/generations",
                headers=headers,
                json={**body, "response_format": response_format},
            )
        url = answer.json()["data"][0]["url"]
        client.get(proxy.url + "/_mock/" + url.split("/_mock/")[1])
    writer.close()
    exchanges = read_cassette(path)
    original = exchanges[0].thumbnails["/data/0/b64_json"]
    assert {k: original[k] for k in ("format", "width", "height")} == {
        "format": "PNG",
        "width": 512,
        "height": 512,
    }
    small = base64.b64decode(json.loads(exchanges[0].response_body)["data"][0]["b64_json"])
    assert len(small) < original["bytes"] and png_dimensions(small) == (32, 32)
    assert exchanges[2].image is not None and exchanges[2].image["width"] == 512
    assert check_paths([str(path)]) == []
    # Compared by the original's format and size: no drift against the mock they came from.
    report = drift(exchanges[:1], ["oss"])
    assert not report.failed, report.to_json()


def test_the_ca_bundle_is_loaded_once_per_recorder_not_per_request(
    target: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Loading it takes tens of milliseconds: per request, it was most of a long recording.
    loads: list[object] = []
    load = ssl.SSLContext.load_verify_locations

    def counted(context: ssl.SSLContext, *args: Any, **kwargs: Any) -> None:
        loads.append(args or kwargs)
        load(context, *args, **kwargs)

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counted)
    recorder, writer = _recorder(target.url, tmp_path / "three.har")
    with LiveServer(create_recorder(recorder)) as proxy, httpx.Client(timeout=30) as client:
        loads.clear()  # the client's own
        headers = {"x-portkey-provider": "openai", "authorization": f"Bearer {OPENAI_KEY}"}
        body = {"model": "dall-e-2", "prompt": "a cat", "size": "256x256"}
        url = proxy.url + "/v1/images/generations"
        answers = [client.post(url, headers=headers, json=body) for _ in range(3)]
    writer.close()
    assert [a.status_code for a in answers] == [200] * 3 and len(writer) == 3
    assert len(loads) == 1


def test_an_unreachable_target_is_a_502_that_is_not_recorded(tmp_path: Path) -> None:
    recorder, writer = _recorder("http://127.0.0.1:9", tmp_path / "none.har")
    with LiveServer(create_recorder(recorder)) as proxy:
        answer = httpx.get(proxy.url + "/v1/engines/list")
    assert answer.status_code == 502 and answer.headers["x-mock-record-error"] == "true"
    assert "cannot reach http://127.0.0.1:9" in answer.json()["message"]
    assert len(writer) == 0 and recorder.errors


def test_any_target_gets_what_the_client_sent_and_the_client_what_it_answered(
    tmp_path: Path,
) -> None:
    async def echo(request: Request) -> JSONResponse:
        return JSONResponse(
            {"path": request.scope["raw_path"].decode(), "query": request.url.query,
             "headers": dict(request.headers), "body": (await request.body()).decode()},
            status_code=418, headers={"x-portkey-trace-id": "abc"},
        )  # fmt: skip

    app = Starlette(routes=[Route("/{p:path}", echo, methods=["POST", "PUT"])])
    with LiveServer(app) as upstream:
        recorder, writer = _recorder(upstream.url + "/base/", tmp_path / "echo.har")
        with LiveServer(create_recorder(recorder)) as proxy:
            answer = httpx.put(
                proxy.url + "/v1/x%2Fy?q=1", content=b"raw", headers={"x-custom": "kept"}
            )
    writer.close()
    seen = answer.json()
    assert answer.status_code == 418 and answer.headers["x-portkey-trace-id"] == "abc"
    assert (seen["path"], seen["query"], seen["body"]) == ("/base/v1/x%2Fy", "q=1", "raw")
    assert seen["headers"]["x-custom"] == "kept"
    assert not {"x-mock-record-label"} & set(seen["headers"])
    (exchange,) = read_cassette(tmp_path / "echo.har")
    assert (exchange.method, exchange.path, exchange.status) == ("PUT", "/v1/x%2Fy", 418)


def test_secret_names_and_signed_urls() -> None:
    for name in (
        "Authorization",
        "x-portkey-api-key",
        "x-portkey-virtual-key",
        "X-Api-Key",
        "x-amz-security-token",
        "aws_secret_access_key",
        "apiKey",
        "cookie",
        "sig",
    ):
        assert is_secret_name(name), name  # fmt: skip
    for name in ("x-portkey-config", "x-portkey-trace-id", "content-type", "max_tokens", "st"):
        assert not is_secret_name(name), name
    url = "https://blob.example/img.png?st=2026&sig=abcdefghijkl%2B&X-Amz-Signature=0123456789"
    assert (
        redact_text_urls(url)
        == "https://blob.example/img.png?st=2026&sig=abcd...l%2B&X-Amz-Signature=0123...6789"
    )


def test_a_target_must_be_an_http_base_url() -> None:
    assert check_target("https://api.portkey.ai/") == "https://api.portkey.ai"
    for bad in ("api.portkey.ai", "ftp://x", "http://x/?a=1", ""):
        with pytest.raises(ValueError, match="--target must be an http"):
            check_target(bad)


def test_the_record_command_records_until_interrupted(target: LiveServer, tmp_path: Path) -> None:
    out = tmp_path / "cli.har"
    command = [sys.executable, "-m", "mock_gateway", "record", "--target", target.url,
               "--port", "0", "--out", str(out)]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=os.environ.copy())
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith(f"mock-portkey recording {target.url} through http://127.0.0.1:")
        proxy = first.rsplit(" ", 1)[1].strip()
        deadline = time.monotonic() + 10
        headers = {
            "x-portkey-provider": "stability-ai",
            "authorization": "Bearer sk-cli-0123456789",
        }
        while True:
            try:
                answer = httpx.get(proxy + "/v1/engines/list", headers=headers)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0
    assert f"recorded 1 exchange(s) to {out}" in rest
    assert b"sk-cli-0123456789" not in out.read_bytes()
    (exchange,) = read_cassette(out)
    assert (exchange.path, exchange.status) == ("/v1/engines/list", answer.status_code)


def test_the_record_command_refuses_a_non_loopback_host(tmp_path: Path) -> None:
    import io

    from mock_gateway.cli import parse_args, run

    stderr = io.StringIO()
    args = parse_args(["record", "--target", "http://x", "--host", "0.0.0.0"])
    assert run(args, stdout=io.StringIO(), stderr=stderr) == 2
    assert "not loopback" in stderr.getvalue()


def test_key_fields_of_json_bodies_and_their_echoes_are_redacted() -> None:
    from mock_gateway.recording.har import Exchange
    from mock_gateway.recording.scrub import scrub

    account = '{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----xyz"}'
    exchange = Exchange(
        method="POST",
        url="http://x/v1/a?token=tok-0123456789",
        path="/v1/a",
        request_headers=[("x-portkey-vertex-service-account-json", account)],
        request_body=b'{"api_key": "sk-body-0123456789", "n": 1}',
        status=401,
        response_headers=[("x-echo", "sk-body-0123456789")],
        response_body=b'{"error": "bad key sk-body-0123456789", "token": "tok-0123456789"}',
    )
    clean = scrub(exchange)
    written = json.dumps([clean.url, clean.request_headers, clean.response_headers]).encode()
    written += clean.request_body + clean.response_body
    for secret in (b"sk-body-0123456789", b"tok-0123456789", b"BEGIN PRIVATE KEY"):
        assert secret not in written
    assert json.loads(clean.request_body) == {"api_key": "sk-b...6789", "n": 1}
    assert clean.url == "http://x/v1/a?token=tok-...6789"


def test_a_recorded_answer_that_breaks_its_contract_is_named_by_check(tmp_path: Path) -> None:
    async def drifted(request: Request) -> JSONResponse:
        # The real service changed: `created` became a string.
        body = {"created": "2026-12-02", "data": [{"url": "https://blob/1.png?sig=s3cr3t-0123"}]}
        return JSONResponse(body, headers={"x-portkey-provider": "openai"})

    app = Starlette(routes=[Route("/v1/images/generations", drifted, methods=["POST"])])
    with LiveServer(app) as upstream:
        recorder, writer = _recorder(upstream.url, tmp_path / "drifted.har", thumbnail=16)
        with LiveServer(create_recorder(recorder)) as proxy:
            httpx.post(
                proxy.url + "/v1/images/generations",
                headers={"x-portkey-provider": "openai", "authorization": f"Bearer {OPENAI_KEY}"},
                json={"model": "dall-e-3", "prompt": "a cat"},
            )
    writer.close()
    assert b"s3cr3t-0123" not in (tmp_path / "drifted.har").read_bytes()
    findings = check_paths([str(tmp_path / "drifted.har")])
    assert [(f.where, f.contract, f.pointer) for f in findings] == [
        ("entry 0 POST /v1/images/generations response 200", "openai/images-response.json",
         "/created"),
    ]  # fmt: skip
