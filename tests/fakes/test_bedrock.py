"""The fake Bedrock runtime on its own: InvokeModel for the Stability models, its SigV4 checks
and its errors (docs/facts/providers/bedrock.md §2)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from mock_gateway.adapters import bedrock as adapter
from mock_gateway.contract_tools.contracts import validator_for
from mock_gateway.fakes.bedrock import FakeBedrock, invoke_model_id
from mock_gateway.fakes.images import image_dimensions
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse
from mock_gateway.wire.sigv4 import signature_headers

HOST = "https://bedrock-runtime.us-west-2.amazonaws.com"
SD35 = "stability.sd3-5-large-v1:0"
SDXL = "stability.stable-diffusion-xl-v1"
OPTIONS = {"awsAccessKeyId": "AKIDEXAMPLE", "awsSecretAccessKey": "secret-0123456789",
           "awsRegion": "us-west-2"}  # fmt: skip


def _request(
    model: str, body: Any, *, options: dict[str, str] | None = None, host: str = HOST
) -> UpstreamRequest:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    path = "/model/" + model.replace(":", "%3A") + "/invoke"
    unsigned = UpstreamRequest.build(
        "POST", host + path, [("content-type", "application/json")], raw
    )
    return adapter.sign(unsigned, options or OPTIONS)


def _answer(request: UpstreamRequest, **kwargs: Any) -> tuple[UpstreamResponse, Any]:
    response = FakeBedrock(seed=1, blocked_words=("mock-blocked",),
                           filtered_words=("mock-filtered",)).handle(request, **kwargs)  # fmt: skip
    return response, json.loads(response.body)


def _error_of(response: UpstreamResponse) -> str:
    return (response.header("x-amzn-errortype") or "").split(":")[0]


def test_sd35_answers_images_seeds_and_finish_reasons_of_the_aspect_ratio() -> None:
    response, body = _answer(_request(SD35, {"prompt": "a cat", "aspect_ratio": "16:9"}))
    assert response.status == 200
    assert validator_for("bedrock/v2-invoke-response.json").is_valid(body)
    assert body["finish_reasons"] == [None] and len(body["seeds"]) == 1
    assert image_dimensions(base64.b64decode(body["images"][0])) == (1344, 768)
    assert response.header("x-amzn-requestid")


def test_core_with_a_region_prefix_and_jpeg() -> None:
    body = {"prompt": "a cat", "output_format": "JPEG"}
    response, answer = _answer(_request("us.stability.stable-image-core-v1:1", body))
    assert response.status == 200
    assert base64.b64decode(answer["images"][0])[:3] == b"\xff\xd8\xff"


def test_sdxl_answers_one_artifact_of_the_requested_size() -> None:
    body = {"text_prompts": [{"text": "a cat", "weight": 1}], "width": 1152, "height": 896}
    response, answer = _answer(_request(SDXL, body))
    assert response.status == 200
    assert validator_for("bedrock/v1-invoke-response.json").is_valid(answer)
    (artifact,) = answer["artifacts"]
    assert artifact["finishReason"] == "SUCCESS"
    assert image_dimensions(base64.b64decode(artifact["base64"])) == (1152, 896)


def test_the_same_request_and_seed_give_the_same_bytes() -> None:
    request = _request(SD35, {"prompt": "a cat"})
    assert _answer(request)[1]["images"] == _answer(request)[1]["images"]


@pytest.mark.parametrize(
    ("model", "body", "status", "name", "message"),
    [
        # Measured body (br-err-400).
        (SD35, {"aspect_ratio": "1:1"}, 400, "ValidationException",
         "Malformed input request: #: required key [prompt] not found, please reformat your "
         "input and try again."),
        (SD35, {"prompt": "a cat", "aspect_ratio": "7:3"}, 400, "ValidationException",
         "#/aspect_ratio: 7:3 is not a valid enum value"),
        (SD35, {"prompt": "a cat", "seed": -1}, 400, "ValidationException", "#/seed"),
        (SD35, b"not json", 400, "ValidationException", "expected type: JSONObject"),
        (SDXL, {"text_prompts": [{"text": "a cat"}], "width": 1024, "height": 640}, 400,
         "ValidationException", "(1024x640) are not supported"),
        (SDXL, {"text_prompts": [{"text": "a cat"}], "samples": 2}, 400,
         "ValidationException", "Only 1 sample"),
        ("stability.no-such-model-v9", {"prompt": "a cat"}, 400, "ValidationException",
         "The provided model identifier is invalid."),
    ],
)  # fmt: skip
def test_bad_bodies_and_models_get_bedrocks_validation_errors(
    model: str, body: Any, status: int, name: str, message: str
) -> None:
    response, answer = _answer(_request(model, body))
    assert (response.status, _error_of(response)) == (status, name)
    assert message in answer["message"]
    assert validator_for("bedrock/error.json").is_valid(answer)


def _with(request: UpstreamRequest, **changes: str | None) -> UpstreamRequest:
    headers = [(k, v) for k, v in request.headers if k not in changes]
    headers += [(k, v) for k, v in changes.items() if v is not None]
    return UpstreamRequest(request.method, request.url, tuple(headers), request.body)


@pytest.mark.parametrize(
    ("change", "name", "fragment"),
    [
        ({"authorization": None}, "MissingAuthenticationTokenException", "Missing Authentication"),
        ({"authorization": "AWS4-HMAC-SHA256 Credential=AKID"}, "IncompleteSignatureException",
         "requires 'Credential'"),
        ({"x-amz-date": None}, "IncompleteSignatureException", "X-Amz-Date"),
        ({"x-amz-date": "20200101T000000Z"}, "InvalidSignatureException", "Date in Credential"),
        ({"x-amz-content-sha256": "0" * 64}, "InvalidSignatureException", "x-amz-content-sha256"),
        ({"authorization": "Bearer br-invalid-key"}, "UnrecognizedClientException",
         "security token"),
    ],
)  # fmt: skip
def test_the_signature_is_checked_for_its_shape(
    change: dict[str, str | None], name: str, fragment: str
) -> None:
    response, answer = _answer(_with(_request(SD35, {"prompt": "a cat"}), **change))
    assert (response.status, _error_of(response)) == (403, name)
    assert fragment in answer["message"]


def test_a_region_other_than_the_hosts_is_refused() -> None:
    options = {**OPTIONS, "awsRegion": "eu-central-1"}
    response, answer = _answer(_request(SD35, {"prompt": "a cat"}, options=options))
    assert (response.status, _error_of(response)) == (403, "InvalidSignatureException")
    assert "eu-central-1" in answer["message"]
    # A custom host names no region: only the credential scope says which.
    custom = _request(SD35, {"prompt": "a cat"}, options=options, host="http://127.0.0.1:9")
    assert _answer(custom)[0].status == 200


def test_an_access_key_or_token_holding_invalid_is_an_unknown_key() -> None:
    for options in ({**OPTIONS, "awsAccessKeyId": "AKIDINVALID".lower()},
                    {**OPTIONS, "awsSessionToken": "invalid-token"}):  # fmt: skip
        response, answer = _answer(_request(SD35, {"prompt": "a cat"}, options=options))
        assert (response.status, answer) == (
            403,
            {"message": "The security token included in the request is invalid."},
        )  # measured body, br-err-403


def test_a_bearer_api_key_is_accepted() -> None:
    request = _with(_request(SD35, {"prompt": "a cat"}), authorization="Bearer br-key-1")
    assert _answer(request)[0].status == 200


def test_botocores_signature_shape_is_accepted() -> None:
    # botocore signs without x-amz-content-sha256 and spaces its header differently.
    stamp = datetime(2026, 12, 2, tzinfo=UTC)
    body = b'{"prompt":"a cat"}'
    url = HOST + "/model/stability.sd3-5-large-v1%3A0/invoke"
    added = signature_headers("POST", url, {}, body, access_key="AKID", secret_key="s",
                              session_token="", region="us-west-2", service="bedrock",
                              now=stamp)  # fmt: skip
    headers = [(k, v.replace(", ", ",")) for k, v in added if k != "x-amz-content-sha256"]
    assert _answer(UpstreamRequest.build("POST", url, headers, body))[0].status == 200


def test_content_filters_answer_200_without_images() -> None:
    _, blocked = _answer(_request(SD35, {"prompt": "a mock-blocked cat"}))
    assert blocked == {"finish_reasons": ["Filter reason: prompt"]}
    _, filtered = _answer(_request(SD35, {"prompt": "a cat"}), filtered=True)
    assert filtered == {"finish_reasons": ["Filter reason: output image"]}
    _, sdxl = _answer(_request(SDXL, {"text_prompts": [{"text": "a mock-filtered cat"}]}))
    assert sdxl["artifacts"][0]["finishReason"] == "CONTENT_FILTERED"


def test_an_unknown_operation_and_an_unmodelled_model() -> None:
    bare = adapter.sign(UpstreamRequest.build("POST", HOST, [], b"{}"), OPTIONS)
    response, answer = _answer(bare)
    assert (response.status, _error_of(response), answer) == (
        404,
        "UnknownOperationException",
        {"message": None},
    )
    titan = _answer(_request("amazon.titan-image-generator-v2:0", {"taskType": "TEXT_IMAGE"}))
    assert titan[0].status == 501 and titan[0].header("x-mock-unsupported") == "true"


@pytest.mark.parametrize(
    ("status", "name"),
    [(400, "ValidationException"), (403, "AccessDeniedException"),
     (404, "ResourceNotFoundException"), (424, "ModelErrorException"),
     (429, "ThrottlingException"), (503, "ServiceUnavailableException"),
     (502, "InternalServerException")],
)  # fmt: skip
def test_fault_answers_are_bedrocks_own_errors(status: int, name: str) -> None:
    request = _request(SD35, {"prompt": "a cat"})
    response = FakeBedrock().error_response(request, status, retry_after=2)
    assert (response.status, _error_of(response), response.header("retry-after")) == (
        status, name, "2"
    )  # fmt: skip
    assert set(json.loads(response.body)) == {"message"}


def test_invoke_model_id_reads_the_encoded_path() -> None:
    assert invoke_model_id("/brv2/model/stability.sd3-5-large-v1%3A0/invoke") == SD35
    assert invoke_model_id("/model/x/converse") is None
