"""Bedrock through the mock gateway (unified and proxy routes, faults, journal, redaction), the
SigV4 signer against the real gateway's measured signatures, and boto3's bedrock-runtime
client against the mock's upstream role (docs/facts/providers/bedrock.md)."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_gateway import LiveServer, PortkeyMock, create_app
from mock_gateway.adapters import bedrock
from mock_gateway.fakes.images import image_dimensions
from mock_gateway.fakes.provider_app import provider_for_path
from mock_gateway.upstream import UpstreamRequest
from mock_gateway.wire.redact import is_secret_name
from mock_gateway.wire.sigv4 import signature_headers
from tests.hostile.test_secrets import everything_shown

SD35 = "stability.sd3-5-large-v1:0"
SDXL = "stability.stable-diffusion-xl-v1"
SECRET = "wJalrXUtnFEMI-MARK0123456789-EXAMPLEKEY"
HEADERS = {
    "x-portkey-provider": "bedrock",
    "x-portkey-aws-access-key-id": "AKIDEXAMPLE",
    "x-portkey-aws-secret-access-key": SECRET,
    "x-portkey-aws-region": "us-west-2",
}


@pytest.fixture
def mock() -> PortkeyMock:
    return PortkeyMock(create_app(profile="oss"))


@pytest.fixture
def client(mock: PortkeyMock) -> Iterator[httpx.Client]:
    with httpx.Client(transport=mock.transport(), base_url=mock.url, headers=HEADERS) as http:
        yield http


def _sent(mock: PortkeyMock) -> UpstreamRequest:
    (attempt,) = mock.calls[-1].attempts
    return attempt.request


# -- the signer ------------------------------------------------------------------------------

MEASURED = [  # (path, body, session token, signature): measured-transcripts.md br-*
    ("/brv2/model/us.stability.stable-image-core-v1%3A1/invoke", b'{"prompt":"a cat"}', "",
     "3c13970ec458d0c129bb0974261a8bc1d3daf12c3d0470c05e3d8d187100fd7a"),
    ("/brv2/model/stability.stable-image-ultra-v1%3A1/invoke", b'{"prompt":"a cat"}',
     "sess-tok", "af792ff4434dcabdc4bef80f20dc200903d656b002e9f81f002bed29ab923e14"),
    ("/brv2", b'{"prompt":"a cat"}', "",
     "70d8dc54547c03d5f5a2dec6c29b616b3fac82fdb2ab1a9d832c399729b67a2a"),
    ("/brv1/model/stability.stable-diffusion-xl-v1/invoke",
     b'{"text_prompts":[{"text":"a cat","weight":1}],"samples":10,"height":1792,"width":320,'
     b'"style_preset":"anime"}', "",
     "30df47b8866590cdf94edd3ab98d8d11be59a9adaf77ab155e339de712683955"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "body", "token", "signature"), MEASURED)
def test_the_signature_is_the_real_gateways(
    path: str, body: bytes, token: str, signature: str
) -> None:
    added = dict(
        signature_headers(
            "POST", "http://127.0.0.1:18921" + path, {"content-type": "application/json"}, body,
            access_key="AKIDEXAMPLE", secret_key="secret", session_token=token,
            region="us-west-2", service="bedrock", now=datetime(2026, 12, 2, 8, 13, 34, tzinfo=UTC),
        )
    )  # fmt: skip
    signed = "content-type;host;x-amz-content-sha256;x-amz-date" + (
        ";x-amz-security-token" if token else ""
    )
    assert added["authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261202/us-west-2/bedrock/aws4_request, "
        f"SignedHeaders={signed}, Signature={signature}"
    )
    assert added["x-amz-date"] == "20261202T081334Z"
    assert added.get("x-amz-security-token") == (token or None)


def test_sign_signs_at_its_own_date_with_the_options() -> None:
    request = UpstreamRequest.build("POST", bedrock.BASE_URL + "/model/m/invoke", [], b"{}")
    options = {"awsAccessKeyId": "AKID", "awsSecretAccessKey": "s", "awsSessionToken": "t"}
    signed = bedrock.sign(request, options)
    stamp = signed.header("x-amz-date") or ""
    when = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    expected = signature_headers("POST", request.url, {"content-type": "application/json"}, b"{}",
                                 access_key="AKID", secret_key="s", session_token="t",
                                 region="us-east-1", service="bedrock", now=when)  # fmt: skip
    assert signed.header("authorization") == dict(expected)["authorization"]
    # A header the request already has wins over the signer's (the client's, on the proxy).
    mine = UpstreamRequest.build("POST", request.url, [("authorization", "Bearer b")], b"{}")
    assert bedrock.sign(mine, options).header("authorization") == "Bearer b"


# -- the unified route -----------------------------------------------------------------------


def test_v2_maps_as_measured_and_is_signed_for_its_region(
    mock: PortkeyMock, client: httpx.Client
) -> None:
    body = {"model": SD35, "prompt": "a cat", "negative_prompt": "dog", "aspect_ratio": "16:9",
            "seed": 5, "output_format": "png", "mode": "text-to-image", "n": 3,
            "size": "1024x1024", "response_format": "url", "style": "vivid",
            "style_preset": "anime"}  # fmt: skip
    answer = client.post("/v1/images/generations", json=body)
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert (data["provider"], len(data["data"]), answer.headers["x-portkey-provider"]) == (
        "bedrock", 1, "bedrock"
    )  # fmt: skip
    assert image_dimensions(base64.b64decode(data["data"][0]["b64_json"])) == (1344, 768)
    sent = _sent(mock)
    assert sent.url == (
        "https://bedrock-runtime.us-west-2.amazonaws.com/model/stability.sd3-5-large-v1%3A0/invoke"
    )
    assert sent.body == (
        b'{"prompt":"a cat","negative_prompt":"dog","aspect_ratio":"16:9","seed":5,'
        b'"style_preset":"anime","mode":"text-to-image","output_format":"png"}'
    )
    # The journal shortens the signature itself; the scope and signed headers stay readable.
    day = (sent.header("x-amz-date") or "")[:8]
    assert (sent.header("authorization") or "").startswith(
        f"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{day}/us-west-2/bedrock/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Sign"
    )
    assert sent.header("x-amz-content-sha256") == hashlib.sha256(sent.body).hexdigest()


def test_sdxl_maps_only_five_inputs_as_measured(mock: PortkeyMock, client: httpx.Client) -> None:
    body = {"model": SDXL, "prompt": "a cat", "n": 20, "size": "256x1792", "style": "anime",
            "cfg_scale": 9, "seed": 4, "steps": 30, "response_format": "url",
            "negative_prompt": "dog"}  # fmt: skip
    answer = client.post("/v1/images/generations", json=body)
    assert _sent(mock).body == (
        b'{"text_prompts":[{"text":"a cat","weight":1}],"samples":10,"height":1792,"width":320,'
        b'"style_preset":"anime"}'
    )
    # Bedrock refuses that SDXL size: its {"message"} wrapped as the gateway wraps it.
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["message"].startswith("bedrock error: Malformed input request: #/")
    assert (error["type"], error["code"]) == (None, None)
    ok = client.post("/v1/images/generations", json={"model": SDXL, "prompt": "a cat"})
    assert ok.status_code == 200 and len(ok.json()["data"]) == 1


def test_a_config_target_gives_keys_region_and_session_token(mock: PortkeyMock) -> None:
    config = {"provider": "bedrock", "aws_access_key_id": "AKIDCFG",
              "aws_secret_access_key": SECRET, "aws_region": "eu-central-1",
              "aws_session_token": "sess-tok"}  # fmt: skip
    with httpx.Client(transport=mock.transport(), base_url=mock.url) as http:
        answer = http.post(
            "/v1/images/generations",
            json={"model": SD35, "prompt": "a cat"},
            headers={"x-portkey-config": json.dumps(config)},
        )
    assert answer.status_code == 200, answer.text
    sent = _sent(mock)
    assert sent.url.startswith("https://bedrock-runtime.eu-central-1.amazonaws.com/model/")
    assert "Credential=AKIDCFG/" in (sent.header("authorization") or "")
    assert "x-amz-security-token" in (sent.header("authorization") or "")
    assert sent.header("x-amz-security-token") is not None


def test_the_gateways_own_refusals_make_no_upstream_call(
    mock: PortkeyMock, client: httpx.Client
) -> None:
    for body, message in (
        ({"prompt": "a cat"}, "Model is required"),  # measured br-no-model
        ({"model": "amazon.titan-image-generator-v2:0", "prompt": "a cat"},
         "imageGenerate is not supported by bedrock"),  # measured br-nonstability-model
    ):  # fmt: skip
        answer = client.post("/v1/images/generations", json=body)
        assert (answer.status_code, answer.json()) == (
            500, {"status": "failure", "message": message}
        )  # fmt: skip
        assert answer.headers["x-portkey-gateway-exception"] == "true"
        assert mock.calls[-1].attempts == []


def test_stream_true_calls_the_bare_base_url(mock: PortkeyMock, client: httpx.Client) -> None:
    body = {"model": SD35, "prompt": "a cat", "stream": True}
    answer = client.post("/v1/images/generations", json=body)
    assert _sent(mock).url == "https://bedrock-runtime.us-west-2.amazonaws.com"
    # The fake Bedrock has no such operation; the gateway wraps its {"message": null}.
    assert answer.status_code == 404
    assert answer.json()["error"]["message"] == "bedrock error: null"
    # Had Bedrock answered 200, the client would get an empty 200 (measured br-stream-true).
    mock.respond_next(200, '{"images":["x"]}', "application/json")
    empty = client.post("/v1/images/generations", json=body)
    assert (empty.status_code, empty.content) == (200, b"")
    strict = PortkeyMock(create_app(profile="oss", strict_responses=True))
    strict.respond_next(200, '{"images":["x"]}', "application/json")
    with httpx.Client(transport=strict.transport(), base_url=strict.url, headers=HEADERS) as http:
        answer = http.post("/v1/images/generations", json=body)
    assert (answer.status_code, answer.content, strict.state.errors) == (200, b"", [])


def test_the_content_filter_is_a_200_invalid_response(client: httpx.Client) -> None:
    answer = client.post("/v1/images/generations", json={"model": SD35, "prompt": "mock-blocked"})
    assert answer.status_code == 200  # measured br-filtered
    assert answer.json()["error"]["message"] == (
        'Invalid response received from bedrock: {"finish_reasons":["Filter reason: prompt"]}'
    )


def test_a_fault_is_bedrocks_own_error_wrapped(mock: PortkeyMock, client: httpx.Client) -> None:
    mock.fail_next(429, retry_after=1)
    answer = client.post("/v1/images/generations", json={"model": SD35, "prompt": "a cat"})
    assert answer.status_code == 429
    assert answer.json()["error"]["message"] == (
        "bedrock error: Too many requests, please wait before trying again."
    )
    assert answer.headers["x-amzn-errortype"].startswith("ThrottlingException")
    mock.fail_next(408)  # 408 passes untransformed (the response handler's own rule)
    timed_out = client.post("/v1/images/generations", json={"model": SD35, "prompt": "a cat"})
    assert (timed_out.status_code, set(timed_out.json())) == (408, {"message"})


def test_api_key_auth_sends_bearer_and_no_signature(
    mock: PortkeyMock, client: httpx.Client
) -> None:
    extra = {"x-portkey-aws-auth-type": "apiKey", "authorization": "Bearer br-api-key"}
    answer = client.post(
        "/v1/images/generations", json={"model": SD35, "prompt": "a cat"}, headers=extra
    )
    assert answer.status_code == 200, answer.text
    sent = _sent(mock)
    assert sent.header("x-amz-date") is None
    assert (sent.header("authorization") or "").startswith("Bearer ")


def test_the_inspector_names_bedrock_and_its_model(client: httpx.Client, mock: PortkeyMock) -> None:
    from mock_gateway.control.inspector.view import attempt_model, call_provider

    client.post("/v1/images/generations", json={"model": SD35, "prompt": "a cat"})
    call = mock.calls[-1]
    assert (call_provider(call), attempt_model(call.attempts[0])) == ("bedrock", SD35)


# -- the proxy route -------------------------------------------------------------------------


def test_the_proxy_route_signs_the_native_call(mock: PortkeyMock, client: httpx.Client) -> None:
    answer = client.post(f"/v1/model/{SD35}/invoke", json={"prompt": "a cat"})
    assert answer.status_code == 200, answer.text
    assert set(answer.json()) == {"seeds", "finish_reasons", "images"}
    sent = _sent(mock)
    assert sent.url == f"https://bedrock-runtime.us-west-2.amazonaws.com/model/{SD35}/invoke"
    assert (sent.header("authorization") or "").startswith("AWS4-HMAC-SHA256 Credential=AKID")
    refused = client.post(f"/v1/model/{SD35}/invoke", json={"negative_prompt": "x"})
    assert refused.status_code == 400
    assert refused.headers["x-amzn-errortype"].startswith("ValidationException")


# -- secrets ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["x-portkey-aws-secret-access-key", "x-portkey-aws-session-token", "x-amz-security-token",
     "aws_secret_access_key", "awsSecretAccessKey", "aws_session_token", "awsSessionToken",
     "authorization"],
)  # fmt: skip
def test_redaction_knows_every_aws_credential_name(name: str) -> None:
    assert is_secret_name(name)
    assert not is_secret_name("x-amz-date") and not is_secret_name("x-amz-content-sha256")


def test_the_secret_key_and_token_are_never_shown(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    app = create_app(profile="oss")
    config = {"provider": "bedrock", "aws_access_key_id": "AKIDCFG",
              "aws_secret_access_key": SECRET, "aws_session_token": SECRET}  # fmt: skip
    with httpx.Client(transport=PortkeyMock(app).transport(), base_url="http://mock") as http:
        http.post("/v1/images/generations", json={"model": SD35, "prompt": "a cat"},
                  headers={**HEADERS, "x-portkey-aws-session-token": SECRET})  # fmt: skip
        http.post("/v1/images/generations", json={"model": SD35, "prompt": "a", "stream": True},
                  headers={"x-portkey-config": json.dumps(config)})  # fmt: skip
    shown = everything_shown(app, tmp_path)
    assert "AWS4-HMAC-SHA256 Credential=" in shown  # the journal shows the call was signed
    for where in (shown, caplog.text, capsys.readouterr().err):
        assert "MARK0123456789" not in where


# -- boto3's bedrock-runtime client against the upstream role -------------------------------


@pytest.fixture(scope="module")
def upstream() -> Iterator[LiveServer]:
    with LiveServer(create_app(role="upstream")) as server:
        yield server


def _boto3(endpoint: str, key: str = "AKIDEXAMPLE") -> Any:
    try:
        import boto3
        from botocore.config import Config
    except ImportError:  # pragma: no cover - the test extra installs it
        pytest.fail("this test needs boto3: pip install -e '.[test]' (or pip install boto3)")

    return boto3.client(
        "bedrock-runtime", endpoint_url=endpoint, region_name="us-west-2",
        aws_access_key_id=key, aws_secret_access_key=SECRET, aws_session_token="tok",
        config=Config(retries={"total_max_attempts": 1}),
    )  # fmt: skip


def test_the_upstream_role_routes_bedrocks_paths_to_the_fake_bedrock() -> None:
    assert provider_for_path(f"/model/{SD35}/invoke") == "bedrock"
    assert provider_for_path(f"/bedrock/model/{SD35}/invoke") == "bedrock"
    assert provider_for_path("/bedrock") == "bedrock"  # stream:true's bare base URL
    assert provider_for_path("/v1/generation/sdxl/text-to-image") == "stability-ai"
    assert provider_for_path("/v1/images/generations") == "openai"


@pytest.mark.socket
def test_boto3_invoke_model_gets_images(upstream: LiveServer) -> None:
    runtime = _boto3(upstream.url)
    answer = runtime.invoke_model(
        modelId=SD35, body=json.dumps({"prompt": "a cat", "aspect_ratio": "9:16"})
    )
    body = json.loads(answer["body"].read())
    assert image_dimensions(base64.b64decode(body["images"][0])) == (768, 1344)
    sdxl = runtime.invoke_model(modelId=SDXL, body=json.dumps({"text_prompts": [{"text": "x"}]}))
    assert json.loads(sdxl["body"].read())["artifacts"][0]["finishReason"] == "SUCCESS"
    sent = httpx.get(upstream.url + "/_mock/requests").json()["calls"][-1]
    assert sent["request"]["path"] == f"/model/{SDXL}/invoke"
    # botocore signed it (its own SigV4 signer), and the fake accepted it.
    authorization = dict(sent["request"]["headers"])["authorization"]
    assert authorization.startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")


@pytest.mark.socket
def test_boto3_raises_bedrocks_exceptions(upstream: LiveServer) -> None:
    runtime = _boto3(upstream.url)
    with pytest.raises(runtime.exceptions.ValidationException, match="required key \\[prompt\\]"):
        runtime.invoke_model(modelId=SD35, body=json.dumps({"seed": 1}))
    httpx.post(upstream.url + "/_mock/faults", json={"fault": "fail", "status": 429})
    with pytest.raises(runtime.exceptions.ThrottlingException):
        runtime.invoke_model(modelId=SD35, body=json.dumps({"prompt": "a cat"}))
    refused = _boto3(upstream.url, key="AKIDINVALID".lower())
    with pytest.raises(Exception, match="UnrecognizedClientException"):
        refused.invoke_model(modelId=SD35, body=json.dumps({"prompt": "a cat"}))
