"""Behaviour the conformance suite measured on the real gateway 1.15.2, fixed in the mock.

Each test names the corpus case (tests/conformance/cases.json) that measured it; these run
in-process, without Node, so the fix stays guarded wherever the suite cannot run.
"""

from __future__ import annotations

import pytest

from mock_gateway import PortkeyMock
from tests.conftest import ClientFactory, InProcessClient

STABILITY = {
    "x-portkey-provider": "stability-ai",
    "authorization": "Bearer sk-stab-0123456789abcdef",
}


@pytest.fixture
def oss(make_client: ClientFactory) -> InProcessClient:
    return make_client(profile="oss")


def _upstream_headers(client: InProcessClient) -> dict[str, str]:
    return dict(client.calls()[-1]["upstream"][0]["request"]["headers"])


def test_unified_keeps_stability_v2_json_content_type_whole(oss: InProcessClient) -> None:
    # unified-stability-core: the upstream's `application/json; type=image/png` passes through.
    response = oss.post(
        "/v1/images/generations", headers=STABILITY, json={"model": "core", "prompt": "a cat"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; type=image/png"


def test_unified_answer_without_upstream_content_type_is_text_plain(
    oss: InProcessClient,
) -> None:
    # fault-stability-no-content-type-200 (and portkey-gateway-behavior.md §3.4).
    PortkeyMock(oss.app).respond_next(200, '{"artifacts":[]}', "")
    body = {"model": "stable-diffusion-v1-6", "prompt": "a cat"}
    response = oss.post("/v1/images/generations", headers=STABILITY, json=body)
    assert response.headers["content-type"] == "text/plain;charset=UTF-8"
    assert response.json()["data"] == []


def test_a_get_proxy_call_sends_no_content_type(oss: InProcessClient) -> None:
    # proxy-stability-engines-list-get: no v2 multipart type on a GET.
    oss.get("/v1/v1/engines/list", headers=STABILITY)
    assert "content-type" not in _upstream_headers(oss)


def test_a_delete_proxy_call_sends_no_content_type_and_no_body(oss: InProcessClient) -> None:
    # proxy-stability-delete-no-body: the multipart type goes when there is no body.
    oss.request(
        "DELETE",
        "/v1/v1/engines/list",
        headers={**STABILITY, "content-type": "application/json"},
        content=b'{"a": 1}',
    )
    request = oss.calls()[-1]["upstream"][0]["request"]
    assert request["body"] == {"text": ""}
    assert "content-length" not in dict(request["headers"])


OPENAI = {"x-portkey-provider": "openai", "authorization": "Bearer sk-oai-0123456789abcdef"}


def test_an_empty_fallback_crashes_reading_entries(oss: InProcessClient) -> None:
    # validation-config-empty-targets: the global error handler's message.
    headers = {"x-portkey-config": '{"strategy":{"mode":"fallback"},"targets":[]}'}
    response = oss.post("/v1/images/generations", headers=headers, json={"prompt": "a cat"})
    assert response.status_code == 500
    assert response.json()["message"] == "Cannot read properties of undefined (reading 'entries')"


def test_a_json_array_proxy_body_is_spread_into_an_object(oss: InProcessClient) -> None:
    # proxy-openai-json-array-body-spread: {...[1, 2]} is {"0": 1, "1": 2}.
    headers = {**OPENAI, "content-type": "application/json"}
    oss.post("/v1/proxy/images/generations", headers=headers, content=b"[1, 2]")
    assert oss.calls()[-1]["upstream"][0]["request"]["body"]["json"] == {"0": 1, "1": 2}


def test_a_stability_proxy_body_without_content_type_becomes_object_object(
    oss: InProcessClient,
) -> None:
    # proxy-stability-body-array, proxy-stability-no-content-type-v1-override.
    path = "/v1/v1/generation/stable-diffusion-xl-1024-v1-0/text-to-image"
    oss.post(path, headers=STABILITY, content=b'{"model": "stable-diffusion-xl-1024-v1-0"}')
    request = oss.calls()[-1]["upstream"][0]["request"]
    assert request["body"]["text"] == "[object Object]"
    assert dict(request["headers"])["content-type"] == "text/plain;charset=UTF-8"


def test_an_openai_proxy_body_without_content_type_is_not_sent(oss: InProcessClient) -> None:
    # proxy-openai-no-content-type: the base JSON content type, and undici's content-length 0.
    oss.post("/v1/proxy/images/generations", headers=OPENAI, content=b'{"prompt": "a cat"}')
    request = oss.calls()[-1]["upstream"][0]["request"]
    assert request["body"] == {"text": ""}
    headers = dict(request["headers"])
    assert (headers["content-type"], headers["content-length"]) == ("application/json", "0")


def test_a_negative_request_timeout_expires_at_once(oss: InProcessClient) -> None:
    # Measured against the real gateway with request_timeout -5: 408 in 44 of 60 runs, and 200
    # only when the local fake answered within setTimeout's 1 ms (too racy for the corpus);
    # a real provider never answers that fast.
    headers = {**STABILITY, "x-portkey-request-timeout": "-5"}
    body = {"model": "stable-diffusion-v1-6", "prompt": "a cat"}
    response = oss.post("/v1/images/generations", headers=headers, json=body)
    assert response.status_code == 408
    assert response.json()["error"]["message"] == (
        "Request exceeded the timeout sent in the request: -5ms"
    )
    assert len(oss.calls()[-1]["upstream"]) == 1  # sent, then abandoned
