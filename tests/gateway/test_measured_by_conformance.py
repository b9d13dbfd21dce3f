"""Behaviour the conformance suite measured on the real gateway 1.15.2, fixed in the mock.

Each test names the corpus case (tests/conformance/cases.json) that measured it; these run
in-process, without Node, so the fix stays guarded wherever the suite cannot run.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from mock_gateway import PortkeyMock, create_app
from mock_gateway.upstream import UpstreamRequest
from tests.conftest import FIXED_NOW

STABILITY = {
    "x-portkey-provider": "stability-ai",
    "authorization": "Bearer sk-stab-0123456789abcdef",
}


@pytest.fixture
def oss() -> PortkeyMock:
    """The mock under the open-source gateway's profile (the conformance suite's)."""
    return PortkeyMock(create_app(profile="oss", clock=lambda: FIXED_NOW))


@pytest.fixture
def http(oss: PortkeyMock) -> Iterator[httpx.Client]:
    """A client for ``oss``, in-process."""
    with httpx.Client(transport=oss.transport(), base_url=oss.url) as client:
        yield client


def _upstream(mock: PortkeyMock) -> UpstreamRequest:
    """The first upstream request of the last call (its headers as the gateway sent them)."""
    return mock.calls.last.upstream[0].request


def test_unified_keeps_stability_v2_json_content_type_whole(http: httpx.Client) -> None:
    # unified-stability-core: the upstream's `application/json; type=image/png` passes through.
    response = http.post(
        "/v1/images/generations", headers=STABILITY, json={"model": "core", "prompt": "a cat"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; type=image/png"


def test_unified_answer_without_upstream_content_type_is_text_plain(
    oss: PortkeyMock, http: httpx.Client
) -> None:
    # fault-stability-no-content-type-200 (and portkey-gateway-behavior.md §3.4).
    oss.respond_next(200, '{"artifacts":[]}', "")
    body = {"model": "stable-diffusion-v1-6", "prompt": "a cat"}
    response = http.post("/v1/images/generations", headers=STABILITY, json=body)
    assert response.headers["content-type"] == "text/plain;charset=UTF-8"
    assert response.json()["data"] == []


def test_a_get_proxy_call_sends_no_content_type(oss: PortkeyMock, http: httpx.Client) -> None:
    # proxy-stability-engines-list-get: no v2 multipart type on a GET.
    http.get("/v1/v1/engines/list", headers=STABILITY)
    assert _upstream(oss).header("content-type") is None


def test_a_delete_proxy_call_sends_no_content_type_and_no_body(
    oss: PortkeyMock, http: httpx.Client
) -> None:
    # proxy-stability-delete-no-body: the multipart type goes when there is no body.
    http.request(
        "DELETE",
        "/v1/v1/engines/list",
        headers={**STABILITY, "content-type": "application/json"},
        content=b'{"a": 1}',
    )
    request = _upstream(oss)
    assert request.body == b""
    assert request.header("content-length") is None


OPENAI = {"x-portkey-provider": "openai", "authorization": "Bearer sk-oai-0123456789abcdef"}


def test_an_empty_fallback_crashes_reading_entries(http: httpx.Client) -> None:
    # validation-config-empty-targets: the global error handler's message.
    headers = {"x-portkey-config": '{"strategy":{"mode":"fallback"},"targets":[]}'}
    response = http.post("/v1/images/generations", headers=headers, json={"prompt": "a cat"})
    assert response.status_code == 500
    assert response.json()["message"] == "Cannot read properties of undefined (reading 'entries')"


def test_a_json_array_proxy_body_is_spread_into_an_object(
    oss: PortkeyMock, http: httpx.Client
) -> None:
    # proxy-openai-json-array-body-spread: {...[1, 2]} is {"0": 1, "1": 2}.
    headers = {**OPENAI, "content-type": "application/json"}
    http.post("/v1/proxy/images/generations", headers=headers, content=b"[1, 2]")
    assert oss.calls.last.upstream[0].json == {"0": 1, "1": 2}


def test_a_stability_proxy_body_without_content_type_becomes_object_object(
    oss: PortkeyMock, http: httpx.Client
) -> None:
    # proxy-stability-body-array, proxy-stability-no-content-type-v1-override.
    path = "/v1/v1/generation/stable-diffusion-xl-1024-v1-0/text-to-image"
    http.post(path, headers=STABILITY, content=b'{"model": "stable-diffusion-xl-1024-v1-0"}')
    request = _upstream(oss)
    assert request.body == b"[object Object]"
    assert request.header("content-type") == "text/plain;charset=UTF-8"


def test_an_openai_proxy_body_without_content_type_is_not_sent(
    oss: PortkeyMock, http: httpx.Client
) -> None:
    # proxy-openai-no-content-type: the base JSON content type, and undici's content-length 0.
    http.post("/v1/proxy/images/generations", headers=OPENAI, content=b'{"prompt": "a cat"}')
    request = _upstream(oss)
    assert request.body == b""
    assert (request.header("content-type"), request.header("content-length")) == (
        "application/json",
        "0",
    )


def test_a_negative_request_timeout_expires_at_once(oss: PortkeyMock, http: httpx.Client) -> None:
    # Measured against the real gateway with request_timeout -5: 408 in 44 of 60 runs, and 200
    # only when the local fake answered within setTimeout's 1 ms (too racy for the corpus);
    # a real provider never answers that fast.
    headers = {**STABILITY, "x-portkey-request-timeout": "-5"}
    body = {"model": "stable-diffusion-v1-6", "prompt": "a cat"}
    response = http.post("/v1/images/generations", headers=headers, json=body)
    assert response.status_code == 408
    assert response.json()["error"]["message"] == (
        "Request exceeded the timeout sent in the request: -5ms"
    )
    assert len(oss.calls.last.upstream) == 1  # sent, then abandoned
