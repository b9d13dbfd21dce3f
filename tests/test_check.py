"""`mock-portkey check`: real recordings pass, tampered ones fail with a clear report."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import vcr
import yaml

from mock_gateway import LiveServer, create_app
from mock_gateway.cli import parse_args, run

STAB = {
    "x-portkey-api-key": "pk-test",
    "x-portkey-provider": "stability-ai",
    "authorization": "sk-k",
}


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with LiveServer(create_app()) as live:
        yield live


def check(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = run(parse_args(["check", *args]), stdout=out, stderr=out)
    return code, out.getvalue()


def test_plain_json_payloads(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(
        json.dumps({"created": 1, "data": [{"b64_json": "iVBOR"}], "provider": "stability-ai"})
    )
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps({"created": 1, "data": [{"url": "https://x"}], "provider": "stability-ai"})
    )
    assert check(str(good)) == (0, "1 file(s) checked: no violations\n")
    code, report = check(str(bad))
    assert code == 1
    assert f"{bad}: payload: portkey/images-response-stability.json at /data/0:" in report
    assert "'b64_json' is a required property" in report


def test_a_named_contract_and_json_output(tmp_path: Path) -> None:
    payload = tmp_path / "req.json"
    payload.write_text(json.dumps({"text_prompts": [{"text": "x"}], "steps": 150}))
    code, report = check(
        str(payload), "--contract", "stability/v1-text-to-image-request.json", "--format", "json"
    )
    assert code == 1
    (finding,) = json.loads(report)
    assert (
        finding["pointer"] == "/steps"
        and finding["contract"] == "stability/v1-text-to-image-request.json"
    )


def test_an_unknown_contract_name_is_a_usage_error(tmp_path: Path) -> None:
    payload = tmp_path / "x.json"
    payload.write_text("{}")
    code, report = check(str(payload), "--contract", "nope.json")
    assert code == 2 and "mock-portkey contracts" in report


def _record(server: LiveServer, cassette: Path) -> None:
    with vcr.use_cassette(str(cassette), record_mode="all"):
        requests.post(
            server.base_url + "/images/generations",
            headers=STAB,
            json={"model": "stable-diffusion-v1-6", "prompt": "a cat", "size": "320x320"},
        )
        requests.post(
            server.base_url + "/images/generations",
            headers=STAB,
            json={"model": "stable-diffusion-xl-1024-v1-0", "prompt": "a cat", "size": "512x512"},
        )
        requests.post(server.base_url + "/generation/stable-diffusion-v1-6/text-to-image", headers=STAB,
                      json={"text_prompts": [{"text": "a cat"}]})  # fmt: skip


def test_a_recorded_vcr_cassette(server: LiveServer, tmp_path: Path) -> None:
    cassette = tmp_path / "cassette.yaml"
    _record(server, cassette)
    assert check(str(cassette))[0] == 0
    data: dict[str, Any] = yaml.safe_load(cassette.read_text())
    body = json.loads(data["interactions"][0]["response"]["body"]["string"])
    body["data"][0]["url"] = "https://example/x.png"  # what a client might wrongly expect
    data["interactions"][0]["response"]["body"]["string"] = json.dumps(body)
    data["interactions"][2]["request"]["body"] = json.dumps({"text_prompts": [], "steps": 5})
    tampered = tmp_path / "tampered.yaml"
    tampered.write_text(yaml.safe_dump(data))
    code, report = check(str(tampered))
    assert code == 1
    assert (
        "interaction 0 POST /v1/images/generations response 200: portkey/images-response-stability.json at /data/0"
        in report
    )
    assert (
        "interaction 2 POST /v1/generation/stable-diffusion-v1-6/text-to-image request: stability/v1-text-to-image-request.json at /steps"
        in report
    )
    assert "at /text_prompts" in report


def _har_entry(
    method: str, url: str, headers: dict[str, str], body: str, response: requests.Response
) -> dict[str, Any]:
    return {
        "request": {"method": method, "url": url, "headers": [{"name": k, "value": v} for k, v in headers.items()],
                    "postData": {"mimeType": "application/json", "text": body}},
        "response": {"status": response.status_code,
                     "headers": [{"name": k, "value": v} for k, v in response.headers.items()],
                     "content": {"mimeType": response.headers.get("content-type", ""), "text": response.text}},
    }  # fmt: skip


def test_a_har_recording(server: LiveServer, tmp_path: Path) -> None:
    url = server.base_url + "/images/generations"
    headers = {
        "x-portkey-api-key": "pk-test",
        "x-portkey-provider": "openai",
        "authorization": "Bearer sk-k",
        "content-type": "application/json",
    }
    body = json.dumps({"model": "gpt-image-1", "prompt": "a cat"})
    entry = _har_entry("POST", url, headers, body, requests.post(url, headers=headers, data=body))
    har = {"log": {"version": "1.2", "entries": [entry]}}
    good = tmp_path / "good.har"
    good.write_text(json.dumps(har))
    assert check(str(good))[0] == 0
    entry["request"]["postData"]["text"] = json.dumps(
        {"model": "gpt-image-1", "prompt": "a cat", "style": "vivid"}
    )
    answer = json.loads(entry["response"]["content"]["text"])
    answer["quality"] = "hd"
    entry["response"]["content"]["text"] = json.dumps(answer)
    bad = tmp_path / "bad.har"
    bad.write_text(json.dumps(har))
    code, report = check(str(bad))
    assert code == 1
    assert "entry 0 POST /v1/images/generations request: openai/images-request.json" in report
    assert (
        "entry 0 POST /v1/images/generations response 200: openai/images-response.json at /quality"
        in report
    )


def test_unreadable_files_are_reported(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    code, report = check(str(broken))
    assert code == 1 and "cannot read it" in report


def test_request_headers_are_checked_too(server: LiveServer, tmp_path: Path) -> None:
    url = server.base_url + "/images/generations"
    response = requests.post(url, headers={"content-type": "application/json"}, data="{}")
    entry = _har_entry("POST", url, {"content-type": "application/json"}, "{}", response)
    har = tmp_path / "no-provider.har"
    har.write_text(json.dumps({"log": {"version": "1.2", "entries": [entry]}}))
    code, report = check(str(har))
    assert code == 1
    assert (
        "entry 0 POST /v1/images/generations request headers: portkey/request-headers.json"
        in report
    )
