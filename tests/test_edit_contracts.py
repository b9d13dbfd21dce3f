"""The image-edit contracts: the edit request (the multipart form read as an object), stream
events, and their wiring into route_map (strict responses, ``mock-portkey check``, OpenAPI)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_gateway import create_app
from mock_gateway.contract_tools.check import check_paths
from mock_gateway.contract_tools.contracts import iter_errors
from mock_gateway.contract_tools.openapi import openapi_document
from mock_gateway.contract_tools.route_map import check_sse_bytes, response_contracts
from mock_gateway.transport import InProcessTransport
from tests.edit_inputs import holed_mask, image_bytes

OPENAI = {"x-portkey-provider": "openai", "authorization": "Bearer sk-test-0123456789abcdef"}
FILE = {"filename": "a.png", "content_type": "image/png", "size": 209}


@pytest.mark.parametrize(
    ("model", "form", "valid"),
    [
        ("gpt-image-1", {"prompt": "x", "image[]": [FILE] * 16, "mask": FILE, "n": 2}, True),
        ("gpt-image-1", {"prompt": "x", "image[]": [FILE] * 17}, False),
        ("gpt-image-1", {"prompt": "x", "image": FILE, "response_format": "url"}, False),
        ("gpt-image-2", {"prompt": "x", "image": FILE, "input_fidelity": "low"}, False),
        ("gpt-image-2", {"prompt": "x", "image": FILE, "size": "2048x1152"}, True),
        ("dall-e-2", {"prompt": "x", "image": FILE, "response_format": "url"}, True),
        ("dall-e-2", {"prompt": "x", "image": FILE, "output_format": "png"}, False),
        ("dall-e-2", {"prompt": "x" * 1001, "image": FILE}, False),
        ("gpt-image-1", {"prompt": "x", "image": FILE, "n": "2"}, False),  # not typed
    ],
)
def test_the_edit_request_contract_states_the_per_model_rules(
    model: str, form: dict[str, Any], valid: bool
) -> None:
    problems = iter_errors("openai/images-edit-request.json", form, model)
    assert (not problems) == valid, problems


def test_stream_events_are_checked_one_by_one() -> None:
    event = {"type": "image_edit.completed", "b64_json": "iVBOR", "created_at": 1,
             "size": "auto", "quality": "auto", "background": "auto", "output_format": "png",
             "usage": {"total_tokens": 3, "input_tokens": 1, "output_tokens": 2,
                       "input_tokens_details": {"text_tokens": 1, "image_tokens": 0}}}  # fmt: skip
    good = f"event: image_edit.completed\ndata: {json.dumps(event)}\n\n".encode()
    assert check_sse_bytes(good) is None
    no_usage = {k: v for k, v in event.items() if k != "usage"}
    bad = f"event: image_edit.completed\ndata: {json.dumps(no_usage)}\n\n".encode()
    violation = check_sse_bytes(bad)
    assert violation is not None and violation.pointer.startswith("/events/0")


def test_the_edits_route_has_openais_contracts() -> None:
    contracts = response_contracts("/v1/images/edits", 400, "openai")
    assert "openai/error.json" in contracts and "portkey/provider-error.json" not in contracts
    assert "openai/images-response.json" in response_contracts("/v1/images/edits", 200)
    assert "/v1/images/edits" in openapi_document()["paths"]


def test_strict_responses_accept_the_edit_answers_and_streams() -> None:
    app = create_app(strict_responses=True, profile="oss")
    with httpx.Client(transport=InProcessTransport(app), base_url="http://mock") as client:
        files = {"image": ("a.png", image_bytes(), "image/png"),
                 "mask": ("m.png", holed_mask(), "image/png")}  # fmt: skip
        for extra in ({}, {"stream": "true", "partial_images": "2"}, {"n": "99"}):
            data = {"prompt": "a hat", "model": "gpt-image-1", **extra}
            answer = client.post("/v1/images/edits", headers=OPENAI, files=files, data=data)
            assert "x-mock-contract-violation" not in answer.headers, answer.text
            assert answer.status_code in (200, 400)
    assert not app.state.mock.errors


def test_check_reads_a_recorded_multipart_edit(tmp_path: Path) -> None:
    request = httpx.Request(
        "POST",
        "http://mock/v1/images/edits",
        headers=OPENAI,
        files={"image": ("a.png", image_bytes(), "image/png")},
        data={"prompt": "a hat", "model": "gpt-image-1", "response_format": "url"},
    )
    body = request.read().decode("latin-1")
    headers = [{"name": k, "value": v} for k, v in request.headers.items()]
    entry = {
        "request": {"method": "POST", "url": str(request.url), "headers": headers,
                    "postData": {"mimeType": request.headers["content-type"], "text": body}},
        "response": {"status": 200, "headers": [], "content": {"mimeType": "", "text": ""}},
    }  # fmt: skip
    har = tmp_path / "edit.har"
    har.write_text(json.dumps({"log": {"version": "1.2", "entries": [entry]}}))
    findings = check_paths([str(har)])
    assert [(f.contract, f.pointer) for f in findings] == [("openai/images-edit-request.json", "")]
    assert "response_format" in findings[0].message
