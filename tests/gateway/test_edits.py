"""``POST /v1/images/edits`` through the mock gateway (docs/facts/gateway-image-edits.md), with
the real OpenAI SDK pointed at the mock as at Portkey (base_url + x-portkey headers)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest

from mock_gateway import create_app
from mock_gateway.fakes.images import image_dimensions
from mock_gateway.fakes.openai_stream import sse_events
from mock_gateway.transport import InProcessTransport
from mock_gateway.wire.multipart import decode_form
from tests.conftest import FIXED_NOW, PORTKEY_KEY, ClientFactory, MockClient
from tests.edit_inputs import holed_mask, image_bytes, pixel

KEY = "sk-test-0123456789abcdef"
OPENAI = {"x-portkey-provider": "openai", "authorization": f"Bearer {KEY}"}
PNG = ("a.png", image_bytes(), "image/png")


def portkey_sdk(profile: str = "hosted") -> openai.OpenAI:
    app = create_app(profile=profile, clock=lambda: FIXED_NOW)
    http = httpx.Client(transport=InProcessTransport(app), base_url="http://mock")
    return openai.OpenAI(
        base_url="http://mock/v1",
        api_key=KEY,
        http_client=http,  # type: ignore[arg-type]
        max_retries=0,
        default_headers={"x-portkey-provider": "openai", "x-portkey-api-key": PORTKEY_KEY},
    )


@pytest.fixture
def sdk() -> Iterator[openai.OpenAI]:
    with portkey_sdk() as client:
        yield client


def edit(client: MockClient, files: Any = None, **fields: Any) -> httpx.Response:
    headers = {**OPENAI, **fields.pop("headers", {})}
    data = {"prompt": "a hat", "model": "gpt-image-1", **fields}
    files = files or {"image": PNG}
    return client.post("/v1/images/edits", headers=headers, files=files, data=data)


def upstream_form(client: MockClient) -> tuple[dict[str, Any], list[Any]]:
    attempt = client.calls()[-1]["upstream"][-1]
    request = attempt["request"]
    body = base64.b64decode(request["body"]["base64"])
    content_type = dict(request["headers"])["content-type"]
    return request, decode_form(body, content_type)


def test_the_sdk_edits_one_image_through_portkey(sdk: openai.OpenAI) -> None:
    result = sdk.images.edit(image=PNG, prompt="a hat", model="gpt-image-1", size="1024x1536")
    data = base64.b64decode((result.data or [])[0].b64_json or "")
    assert image_dimensions(data) == (1024, 1536)
    assert result.usage is not None and result.usage.input_tokens_details.image_tokens == 323
    assert (result.model_extra or {}).get("provider") is None  # passed through, nothing added


def test_the_sdk_edits_several_images_with_a_mask(sdk: openai.OpenAI) -> None:
    result = sdk.images.edit(
        image=[PNG, ("b.webp", image_bytes(fmt="WEBP"), "image/webp")],
        mask=("mask.png", holed_mask(), "image/png"),
        prompt="a window",
        model="gpt-image-1.5",
        size="1024x1024",
    )
    data = base64.b64decode((result.data or [])[0].b64_json or "")
    assert pixel(data, 0.75, 0.3) == (200, 30, 30)  # outside the mask's hole: the input
    assert pixel(data, 0.25, 0.3) != (200, 30, 30)


def test_bad_input_gets_openais_error_unwrapped(sdk: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        sdk.images.edit(image=PNG, prompt="a hat", model="gpt-image-1", response_format="url")
    # No "openai error: " prefix and no provider field on this route (measured).
    assert raised.value.body == {
        "message": "Unknown parameter: 'response_format'.",
        "type": "invalid_request_error",
        "param": "response_format",
        "code": "unknown_parameter",
    }
    assert raised.value.response.headers["x-portkey-provider"] == "openai"


def test_the_form_goes_upstream_whole(client: MockClient) -> None:
    jpeg = ("b.jpg", image_bytes(fmt="JPEG", mode="RGB"), "image/jpeg")
    files = [("image[]", PNG), ("image[]", jpeg), ("mask", ("m.png", holed_mask(), "image/png"))]
    answer = edit(client, files, n="2", foo="bar")
    assert answer.status_code == 400  # OpenAI's unknown `foo`, passed back as is
    assert answer.json()["error"]["message"] == "Unknown parameter: 'foo'."
    request, form = upstream_form(client)
    assert request["url"] == "https://api.openai.com/v1/images/edits"
    assert [(f.name, f.filename, f.content_type) for f in form] == [
        ("prompt", None, None),
        ("model", None, None),
        ("n", None, None),
        ("foo", None, None),
        ("image[]", "a.png", "image/png"),
        ("image[]", "b.jpg", "image/jpeg"),
        ("mask", "m.png", "image/png"),
    ]
    assert form[4].value == image_bytes()
    headers = dict(request["headers"])
    assert headers["content-type"].startswith("multipart/form-data; boundary=----formdata-undici-")
    assert headers["user-agent"] == "node"


def test_a_json_body_is_the_gateways_500_and_nothing_goes_upstream(client: MockClient) -> None:
    body = {"images": [{"image_url": "data:image/png;base64,AAAA"}], "prompt": "a hat"}
    answer = client.post("/v1/images/edits", headers=OPENAI, json=body)
    assert answer.status_code == 500
    assert answer.json() == {"status": "failure", "message": "Something went wrong"}
    assert "x-portkey-provider" not in answer.headers
    assert (
        "OpenAI's JSON edit form is not supported by the gateway" in answer.headers["x-mock-hint"]
    )
    assert client.calls()[-1]["upstream"] == []


def test_no_provider_is_the_validators_400(client: MockClient) -> None:
    answer = client.post("/v1/images/edits", files={"image": PNG}, data={"prompt": "a hat"})
    assert answer.status_code == 400
    assert answer.json()["message"] == (
        "Either x-portkey-config or x-portkey-provider header is required"
    )


def test_retries_resend_the_whole_form(client: MockClient) -> None:
    config = {"provider": "openai", "api_key": KEY, "retry": {"attempts": 3}}
    client.post("/_mock/faults", json={"fault": "fail", "status": 503, "times": 2})
    answer = client.post(
        "/v1/images/edits",
        headers={"x-portkey-config": json.dumps(config)},
        files={"image": PNG},
        data={"prompt": "a hat", "model": "gpt-image-1"},
    )
    assert answer.status_code == 200
    assert answer.headers["x-portkey-retry-attempt-count"] == "2"
    attempts = client.calls()[-1]["upstream"]
    assert [a["response"]["status"] for a in attempts] == [503, 503, 200]
    assert len({a["request"]["body"]["base64"] for a in attempts}) == 1  # the same bytes


def test_a_per_request_fault_applies(client: MockClient) -> None:
    answer = edit(client, headers={"x-mock-fault": "status", "x-mock-status": "429"})
    assert answer.status_code == 429
    assert answer.json()["error"]["type"] == "requests"  # OpenAI's own body, not wrapped


def test_edits_are_streamed_through(client: MockClient) -> None:
    answer = edit(client, stream="true", partial_images="1")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/event-stream")
    assert answer.headers["x-portkey-provider"] == "openai"
    events = [name for name, _ in sse_events(answer.content)]
    assert events == ["image_edit.partial_image", "image_edit.completed"]


def test_the_sdk_streams_an_edit_through_portkey(sdk: openai.OpenAI) -> None:
    stream = sdk.images.edit(image=PNG, prompt="a hat", model="gpt-image-1", stream=True)
    assert [event.type for event in stream] == ["image_edit.completed"]


def test_generations_drop_stream_and_the_sdk_gets_no_events(sdk: openai.OpenAI) -> None:
    # Measured: the gateway keeps only prompt, model, n, quality, response_format, size, style
    # and user, so OpenAI answers JSON, which the SDK's Stream reads as no events at all.
    stream = sdk.images.generate(prompt="a cat", model="gpt-image-1", stream=True)
    assert list(stream) == []


@pytest.mark.parametrize("route", ["/v1/images/edits", "/v1/images/generations"])
def test_oss_npm_turns_a_streamed_2xx_into_a_500(make_client: ClientFactory, route: str) -> None:
    client = make_client(profile="oss-npm")
    if route.endswith("edits"):
        answer = edit(client, stream="true")
    else:
        body = {"prompt": "a cat", "model": "gpt-image-1", "stream": True}
        answer = client.post(route, headers=OPENAI, json=body)
    assert answer.status_code == 500
    assert answer.headers["x-portkey-gateway-exception"] == "true"


def test_oss_npm_passes_errors_through(make_client: ClientFactory) -> None:
    answer = edit(make_client(profile="oss-npm"), files={"image": ("a.png", b"x", "image/png")})
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid_image_file"


def test_a_provider_without_edits_gets_the_form_at_its_base_url(client: MockClient) -> None:
    headers = {"x-portkey-provider": "stability-ai", "authorization": "Bearer sk-stab-0123456789"}
    answer = client.post(
        "/v1/images/edits", headers=headers, files={"image": PNG}, data={"prompt": "a hat"}
    )
    request = client.calls()[-1]["upstream"][0]["request"]
    assert request["url"] == "https://api.stability.ai/"
    assert dict(request["headers"])["accept"] == "application/json"
    assert answer.headers["x-portkey-provider"] == "stability-ai"


def test_the_journal_keeps_the_clients_form(client: MockClient) -> None:
    edit(client)
    body = client.calls()[-1]["request"]["body"]
    assert {"name": "image", "filename": "a.png", "size": len(image_bytes())} in body["form"]
