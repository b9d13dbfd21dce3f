"""Behaviour the conformance suite measured on the real gateway 1.15.2, fixed in the mock.

Each test names the corpus case (tests/conformance/cases.json) that measured it; these run
in-process, without Node, so the fix stays guarded wherever the suite cannot run.
"""

from __future__ import annotations

import pytest

from mock_gateway import Fault
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
    oss.app.state.mock.faults.add(Fault.malformed('{"artifacts":[]}', content_type=""))
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
