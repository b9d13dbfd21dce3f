"""A fake Amazon Bedrock runtime: ``InvokeModel`` for the Stability image models, in-process.

``POST /model/{modelId}/invoke`` (rest-json, SigV4 signing name ``bedrock``), with SDXL 1.0's
v1 body (``text_prompts`` ... -> ``artifacts``) and SD3.5 Large / Stable Image Core / Ultra's
v2 body (``prompt`` ... -> ``images``/``seeds``/``finish_reasons``). Errors are ``{"message"}``
with the exception named in ``x-amzn-ErrorType``, as botocore parses them.

Authentication is checked for its shape, not its cryptography (the fake does not know the
secret): a SigV4 ``Authorization`` (credential scope date = ``x-amz-date``'s day, service
``bedrock``, ``aws4_request``, the host's region when the host names one, ``host`` signed),
``x-amz-content-sha256`` equal to the body's hash when sent; or a Bedrock API key as
``Bearer``. Mock conventions, documented: an access key, session token or API key containing
"invalid" is refused as AWS refuses an unknown one; a prompt holding a blocked word is
filtered ("Filter reason: prompt"), a filtered word blurs (v1) or filters the output (v2).
"""

from __future__ import annotations

import base64
import random
import re
import uuid
from typing import Any
from urllib.parse import unquote, urlsplit

from mock_gateway.contract_tools.contracts import first_error
from mock_gateway.fakes.bedrock_data import (
    ASPECT_RATIOS,
    ERROR_TYPE_SUFFIX,
    FAULT_ERRORS,
    FILTER_REASONS,
    MAX_BODY,
    MESSAGES,
    REGION_PREFIXES,
    SDXL_DIMENSIONS,
    SERVICE,
    V1_MODELS,
    V2_MODELS,
)
from mock_gateway.fakes.images import Base64Text, derive_seed, render_image, render_png_b64
from mock_gateway.upstream import (
    UpstreamRequest,
    UpstreamResponse,
    json_response,
    unsupported_response,
)
from mock_gateway.wire import safejson
from mock_gateway.wire.js import js_string
from mock_gateway.wire.sigv4 import parse_authorization, payload_hash

__all__ = ["BEDROCK_HOST", "FakeBedrock", "invoke_model_id"]

BEDROCK_HOST = re.compile(r"^bedrock-runtime(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com$")
_V1_CONTRACT = "bedrock/v1-invoke-request.json"
_V2_CONTRACT = "bedrock/v2-invoke-request.json"
_NOT_KEYS = frozenset({"", "undefined"})
_V1_DEFAULTS = {"height": 1024, "width": 1024, "samples": 1, "seed": 0}


class _Reject(Exception):
    """A native Bedrock error answer: status, exception name, message."""

    def __init__(self, status: int, name: str, message: str | None) -> None:
        super().__init__(message)
        self.status, self.name, self.message = status, name, message


def invoke_model_id(path: str) -> str | None:
    """The model id of an ``.../model/{modelId}/invoke`` path (decoded), else ``None``."""
    parts = path.split("/")
    if len(parts) < 4 or parts[-1] != "invoke" or parts[-3] != "model":
        return None
    return unquote(parts[-2])


def _error(reject: _Reject, request_id: str) -> UpstreamResponse:
    headers = (("x-amzn-requestid", request_id),
               ("x-amzn-errortype", reject.name + ERROR_TYPE_SUFFIX))  # fmt: skip
    return json_response(reject.status, {"message": reject.message}, headers)


class FakeBedrock:
    """Bedrock's InvokeModel for the Stability models, deterministic per seed."""

    def __init__(
        self,
        *,
        seed: int = 0,
        blocked_words: tuple[str, ...] = (),
        filtered_words: tuple[str, ...] = (),
    ) -> None:
        self._seed = seed
        self._rng = random.Random(seed)
        self._blocked, self._filtered = blocked_words, filtered_words

    def reset(self) -> None:
        """Restart the request-id sequence, as a fresh instance with the same seed would."""
        self._rng = random.Random(self._seed)

    def _request_id(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def handle(self, request: UpstreamRequest, *, filtered: bool = False) -> UpstreamResponse:
        """Answer one request to ``bedrock-runtime.{region}.amazonaws.com`` as Bedrock would.

        ``filtered`` makes the content filter fire on an otherwise valid generation.
        """
        try:
            return self._route(request, filtered)
        except _Reject as reject:
            return _error(reject, self._request_id())

    def error_response(
        self, request: UpstreamRequest, status: int, *, retry_after: float | None = None
    ) -> UpstreamResponse:
        """Bedrock's own error for ``status`` (an injected fault); unknown statuses are
        InternalServerException's body with that status."""
        name, message = FAULT_ERRORS.get(status, FAULT_ERRORS[500])
        response = _error(_Reject(status, name, message), self._request_id())
        if retry_after is None:
            return response
        extra = (("retry-after", js_string(retry_after)),)
        return UpstreamResponse(response.status, response.headers + extra, response.body)

    def _route(self, request: UpstreamRequest, filtered: bool) -> UpstreamResponse:
        _authorize(request)
        model = invoke_model_id(request.path)
        if request.method != "POST" or model is None:
            # An operation bedrock-runtime does not have (e.g. the gateway's stream:true call
            # to the bare base URL). ASSUMED: rest-json's UnknownOperationException.
            raise _Reject(404, "UnknownOperationException", None)
        if len(request.body) > MAX_BODY:
            raise _Reject(400, "ValidationException", MESSAGES["too_large"])
        base = _base_model(model)
        if base in V1_MODELS:
            return self._sdxl(request, model, filtered)
        if base in V2_MODELS:
            return self._stable_image(request, model, filtered)
        if base.startswith("stability.") or "." not in base:
            raise _Reject(400, "ValidationException", MESSAGES["bad_model"])
        return unsupported_response(f"Bedrock model {model!r} (only the Stability image models)")

    def _flagged(self, prompt: str, words: tuple[str, ...]) -> bool:
        lowered = prompt.lower()
        return any(word in lowered for word in words)

    # -- v1: SDXL 1.0 -------------------------------------------------------------------------

    def _sdxl(self, request: UpstreamRequest, model: str, filtered: bool) -> UpstreamResponse:
        body = {**_V1_DEFAULTS, **_body(request.body, _V1_CONTRACT)}
        width, height = body["width"], body["height"]
        if (width, height) not in SDXL_DIMENSIONS:
            message = MESSAGES["v1_dimensions"].format(width=width, height=height)
            raise _Reject(400, "ValidationException", message)
        if body["samples"] != 1:  # ASSUMED: "Bedrock supports generating one image"
            raise _Reject(400, "ValidationException", MESSAGES["v1_samples"])
        prompt = " ".join(js_string(item["text"]) for item in body["text_prompts"])
        seed = body["seed"] or derive_seed(self._seed, model, prompt, width, height)
        # Like Stability's v1: a filtered artifact is a 200 with a blurred image (ASSUMED).
        blurred = filtered or self._flagged(prompt, self._blocked + self._filtered)
        image = render_png_b64(width, height, prompt=prompt, seed=seed, blurred=blurred)
        artifact = {"seed": seed, "base64": Base64Text(image),
                    "finishReason": "CONTENT_FILTERED" if blurred else "SUCCESS"}  # fmt: skip
        answer = {"result": "success", "artifacts": [artifact]}
        return json_response(200, answer, (("x-amzn-requestid", self._request_id()),), keep=True)

    # -- v2: SD3.5 Large, Stable Image Core and Ultra ------------------------------------------

    def _stable_image(
        self, request: UpstreamRequest, model: str, filtered: bool
    ) -> UpstreamResponse:
        body = _body(request.body, _V2_CONTRACT)
        if body.get("mode") == "image-to-image":
            return unsupported_response("Bedrock image-to-image (mode image-to-image)")
        prompt = body["prompt"]
        ratio = body.get("aspect_ratio", "1:1")
        seed = body.get("seed") or derive_seed(self._seed, model, prompt, ratio)
        headers = (("x-amzn-requestid", self._request_id()),)
        reason = None
        if self._flagged(prompt, self._blocked):
            reason = FILTER_REASONS[0]
        elif filtered or self._flagged(prompt, self._filtered):
            reason = FILTER_REASONS[1]
        if reason is not None:
            # The filtered answer is a 200 without images (AWS model pages).
            return json_response(200, {"finish_reasons": [reason]}, headers, keep=True)
        width, height = ASPECT_RATIOS[ratio]
        fmt = str(body.get("output_format", "png")).lower()
        image = render_image(width, height, prompt=prompt, seed=seed, fmt=fmt)
        answer = {"seeds": [seed], "finish_reasons": [None],
                  "images": [base64.b64encode(image).decode("ascii")]}  # fmt: skip
        return json_response(200, answer, headers, keep=True)


def _base_model(model: str) -> str:
    """The model without a cross-region inference profile prefix (``us.``, ``eu.``, ...)."""
    for prefix in REGION_PREFIXES:
        if model.startswith(prefix):
            return model[len(prefix) :]
    return model


def _body(raw: bytes, contract: str) -> dict[str, Any]:
    """The JSON body, checked against the model's request contract; Bedrock's wording."""
    try:
        body = safejson.loads(raw)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        found = "JSONArray" if isinstance(body, list) else "invalid JSON"
        detail = f"#: expected type: JSONObject, found: {found}"
        raise _Reject(400, "ValidationException", MESSAGES["malformed"].format(detail=detail))
    error = first_error(contract, body)
    if error is not None:
        message = MESSAGES["malformed"].format(detail=_detail(error))
        raise _Reject(400, "ValidationException", message)
    return body


def _detail(error: Any) -> str:
    """A JSON-schema error in the validator style Bedrock prints (measured: ``#: required key
    [prompt] not found``; the other wordings ASSUMED in the same style)."""
    pointer = "#" + "".join(f"/{part}" for part in error.absolute_path)
    if error.validator == "required":
        missing = next(key for key in error.validator_value if key not in error.instance)
        return f"{pointer}: required key [{missing}] not found"
    if error.validator in ("enum", "pattern", "const"):
        return f"{pointer}: {js_string(error.instance)} is not a valid enum value"
    if error.validator in ("minimum", "maximum", "maxLength", "minItems"):
        kind = {"minimum": "minimum", "maximum": "maximum", "maxLength": "maxLength",
                "minItems": "minItems"}[error.validator]  # fmt: skip
        return f"{pointer}: expected {kind}: {error.validator_value}, found: {error.instance!r}"
    if error.validator == "type":
        return f"{pointer}: expected type: {error.validator_value}"
    return f"{pointer}: {error.message}"


def _authorize(request: UpstreamRequest) -> None:
    """The shape of a SigV4 signature (or a Bedrock API key), checked as AWS's front end does."""
    authorization = request.header("authorization")
    if authorization is None:
        raise _Reject(403, "MissingAuthenticationTokenException", MESSAGES["missing_auth"])
    if authorization.startswith("Bearer "):
        key = authorization.removeprefix("Bearer ").strip()
        if key in _NOT_KEYS or "invalid" in key.lower():
            raise _Reject(403, "UnrecognizedClientException", MESSAGES["invalid_token"])
        return
    parsed = parse_authorization(authorization)
    if parsed is None:
        raise _Reject(403, "IncompleteSignatureException", MESSAGES["incomplete"])
    date = request.header("x-amz-date")
    if date is None:
        raise _Reject(403, "IncompleteSignatureException", MESSAGES["no_date"])
    if parsed.date != date[:8]:
        message = MESSAGES["date_scope"].format(
            scope=parsed.date, date=date[:8], header="x-amz-date"
        )
        raise _Reject(403, "InvalidSignatureException", message)
    if parsed.terminator != "aws4_request":
        message = MESSAGES["terminator"].format(terminator=parsed.terminator)
        raise _Reject(403, "InvalidSignatureException", message)
    if parsed.service != SERVICE:
        raise _Reject(403, "InvalidSignatureException", MESSAGES["service_scope"])
    host = BEDROCK_HOST.match(urlsplit(request.url).hostname or "")
    if host is not None and host.group(1) != parsed.region:
        message = MESSAGES["region_scope"].format(region=parsed.region)
        raise _Reject(403, "InvalidSignatureException", message)
    if "host" not in parsed.signed_headers:
        raise _Reject(403, "InvalidSignatureException", MESSAGES["signed_headers"])
    sha = request.header("x-amz-content-sha256")
    if sha is not None and sha != payload_hash(request.body):
        raise _Reject(403, "InvalidSignatureException", MESSAGES["content_sha"])
    token = request.header("x-amz-security-token") or ""
    if parsed.access_key in _NOT_KEYS or "invalid" in f"{parsed.access_key} {token}".lower():
        raise _Reject(403, "UnrecognizedClientException", MESSAGES["invalid_token"])
