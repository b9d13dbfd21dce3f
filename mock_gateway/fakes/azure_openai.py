"""A fake Azure OpenAI images API, answered in-process.

Paths (with or without the ``/openai`` prefix, since a custom host replaces the gateway's
whole base including it, azure-openai.md §1.1): ``POST /deployments/{id}/images/generations
?api-version=...`` and the newer ``POST /v1/images/generations`` (``model`` names the
deployment). Auth: ``api-key`` or ``Authorization: Bearer <Entra token>``. A DALL·E 3
deployment validates and answers as Azure does (``invalidPayload``, n = 1, URLs with
``revised_prompt`` and the content filter results); a GPT image deployment (named
``...gpt-image...``) answers as OpenAI's GPT image models do, by the OpenAI fake.
"""

from __future__ import annotations

import base64
import random
import re
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from mock_gateway.contract_tools.contracts import validator_for
from mock_gateway.fakes.azure_openai_data import (
    ASSUMED,
    DEFAULT_SIZE,
    GPT_IMAGE_MARK,
    MISSING_MARK,
    POLICY_MESSAGE,
    REQUEST_CONTRACT,
    content_filter_results,
    prompt_filter_results,
)
from mock_gateway.fakes.blobs import BlobStore
from mock_gateway.fakes.images import derive_seed, render_image
from mock_gateway.fakes.openai import FakeOpenAI
from mock_gateway.fakes.openai_data import MODELS, REVISED_PROMPT
from mock_gateway.upstream import (
    UpstreamRequest,
    UpstreamResponse,
    json_response,
    unsupported_response,
)
from mock_gateway.wire import safejson

__all__ = ["FakeAzureAI", "FakeAzureOpenAI", "deployment_of"]

_DEPLOYMENT = re.compile(r"(?:/openai)?/deployments/([^/]+)/images/(generations|edits)")
_V1 = re.compile(r"(?:/openai)?/v1/images/(generations|edits)")
# JS `${undefined}` and the SDKs' placeholders are no keys.
_NOT_KEYS = frozenset({"", "undefined", "AZURE_OPENAI_API_KEY"})


class _Reject(Exception):
    """An Azure error answer, raised from deep in validation."""

    def __init__(self, status: int, error: dict[str, Any]) -> None:
        super().__init__(error.get("message"))
        self.status, self.error = status, error


def _payload(name: str) -> _Reject:
    message = ASSUMED["invalid_payload"].format(name=name)
    return _Reject(400, {"code": "invalidPayload", "message": message})


def deployment_of(path: str, body: Any) -> tuple[str, str] | None:
    """(deployment, operation) of an images path; ``None`` for any other path. On the v1
    surface the body's ``model`` names the deployment."""
    found = _DEPLOYMENT.fullmatch(path)
    if found:
        return found.group(1), found.group(2)
    found = _V1.fullmatch(path)
    if found:
        model = body.get("model") if isinstance(body, dict) else None
        return (model if isinstance(model, str) else ""), found.group(1)
    return None


class FakeAzureOpenAI:
    """Azure OpenAI's image deployments, deterministic per seed; URLs served from ``blobs``."""

    def __init__(
        self,
        *,
        blobs: BlobStore,
        clock: Callable[[], float],
        seed: int = 0,
        blocked_words: tuple[str, ...] = (),
    ) -> None:
        self._blobs, self._clock, self._seed = blobs, clock, seed
        self._blocked = blocked_words
        self._rng = random.Random(seed)
        # GPT image deployments answer as OpenAI's models (ASSUMED: same rules and shapes).
        self._gpt = FakeOpenAI(blobs=blobs, clock=clock, seed=seed, blocked_words=blocked_words)

    def handle(self, request: UpstreamRequest, *, filtered: bool = False) -> UpstreamResponse:
        """Answer one request to ``{resource}.openai.azure.com`` as Azure would."""
        try:
            return self._handle(request, filtered=filtered)
        except _Reject as reject:
            return json_response(reject.status, {"error": reject.error})

    def error_response(
        self, request: UpstreamRequest, status: int, *, retry_after: float | None = None
    ) -> UpstreamResponse:
        """Azure's error body for an injected ``status`` fault."""
        if status == 429:
            version = _query(request).get("api-version", "v1")
            seconds = f"{retry_after:g}" if retry_after is not None else "60"
            message = ASSUMED["rate_limit"].format(version=version, seconds=seconds)
            error: dict[str, Any] = {"code": "429", "message": message}
        elif status >= 500:
            error = {"code": "InternalServerError", "message": ASSUMED["server_error"]}
        else:
            error = {"code": str(status), "message": f"HTTP {status}"}
        extra = () if retry_after is None else (("retry-after", f"{retry_after:g}"),)
        return json_response(status, {"error": error}, extra)

    # -- routing ----------------------------------------------------------------------------

    def _handle(self, request: UpstreamRequest, *, filtered: bool) -> UpstreamResponse:
        body = _body(request.body)
        route = deployment_of(request.path, body)
        v1 = _V1.fullmatch(request.path) is not None
        if route is None or request.method != "POST":
            raise _Reject(404, dict(ASSUMED["resource_not_found"]))
        if not v1 and not _query(request).get("api-version"):
            raise _Reject(404, dict(ASSUMED["resource_not_found"]))  # api-version is required
        self._authorize(request)
        deployment, operation = route
        if operation == "edits":
            return unsupported_response(f"Azure OpenAI's POST {request.path} (image edits)")
        if body is None:
            raise _Reject(400, {"code": "invalidPayload", "message": "Invalid payload."})
        model = self._model(deployment)
        if model != "dall-e-3":
            return self._gpt.handle(_as_openai(body, model), filtered=filtered)
        self._check(body)
        return self._generate(body, filtered=filtered)

    @staticmethod
    def _authorize(request: UpstreamRequest) -> None:
        key = request.header("api-key")
        authorization = request.header("authorization")
        if key is None and authorization and authorization.startswith("Bearer "):
            token = authorization.removeprefix("Bearer ").strip()
            # A mock convention, as for the OpenAI fake: a token containing "invalid" fails.
            if token in _NOT_KEYS or "invalid" in token:
                raise _Reject(401, dict(ASSUMED["invalid_token"]))
            return
        if key is None:
            raise _Reject(401, dict(ASSUMED["missing_key"]))
        if key.strip() in _NOT_KEYS or "invalid" in key:
            raise _Reject(401, dict(ASSUMED["invalid_key"]))

    @staticmethod
    def _model(deployment: str) -> str:
        """The model a deployment serves, from its name (the mock's convention, see _data)."""
        name = deployment.lower()
        if not name or MISSING_MARK in name:
            raise _Reject(404, dict(ASSUMED["deployment_not_found"]))
        if GPT_IMAGE_MARK not in name:
            return "dall-e-3"
        gpt = [model for model, rules in MODELS.items() if rules.family == "gpt-image"]
        named = [model for model in gpt if model in name]
        return max(named, key=len) if named else "gpt-image-1"

    # -- DALL·E 3 ---------------------------------------------------------------------------

    @staticmethod
    def _check(body: dict[str, Any]) -> None:
        """The request contract (spec 2024-10-21); unknown keys are ignored (ASSUMED). The first
        property in error, in the body's order, is named (ASSUMED: Azure reports one)."""
        errors = list(validator_for(REQUEST_CONTRACT).iter_errors(body))
        if not errors:
            return
        if any(error.validator == "required" for error in errors):
            raise _Reject(400, {"code": "invalidPayload", "message": ASSUMED["missing_prompt"]})
        names = [str(error.absolute_path[0]) for error in errors if error.absolute_path]
        raise _payload(min(names, key=list(body).index) if names else "body")

    def _generate(self, body: dict[str, Any], *, filtered: bool) -> UpstreamResponse:
        prompt: str = body["prompt"]
        if filtered or any(word in prompt.lower() for word in self._blocked):
            raise self._policy(prompt)
        size = body.get("size", DEFAULT_SIZE)
        width, height = (int(side) for side in size.split("x"))
        seed = derive_seed(self._seed, "dall-e-3", prompt, size)
        created = int(self._clock())
        image = render_image(width, height, prompt=prompt, seed=seed, index=0)
        item: dict[str, Any] = {"revised_prompt": REVISED_PROMPT.format(prompt=prompt)}
        item["prompt_filter_results"] = prompt_filter_results()
        if body.get("response_format", "url") == "b64_json":
            item["b64_json"] = base64.b64encode(image).decode()
        else:
            # Azure's blob path: .../private/images/{uuid}/generated_00.png (spec example).
            name = f"images/{uuid.UUID(int=self._rng.getrandbits(128))}/generated_00.png"
            item["url"] = self._blobs.put(image, name=name, content_type="image/png",
                                          created=created)  # fmt: skip
        item["content_filter_results"] = content_filter_results()
        return json_response(200, {"created": created, "data": [item]}, keep=True)

    @staticmethod
    def _policy(prompt: str) -> _Reject:
        inner = {
            "code": "ResponsibleAIPolicyViolation",
            "content_filter_results": content_filter_results(blocked=True),
            "revised_prompt": REVISED_PROMPT.format(prompt=prompt),
        }
        error = {"code": "content_policy_violation", "inner_error": inner,
                 "message": POLICY_MESSAGE, "type": "invalid_request_error"}  # fmt: skip
        return _Reject(400, error)


def _query(request: UpstreamRequest) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(request.url).query).items()}


def _body(raw: bytes) -> dict[str, Any] | None:
    try:
        body = safejson.loads(raw)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _as_openai(body: dict[str, Any], model: str) -> UpstreamRequest:
    """The request as OpenAI's fake reads it: the deployment's model, a placeholder key."""
    data = safejson.dumps({**body, "model": model})
    headers = (("content-type", "application/json"), ("authorization", "Bearer azure-deployment"))
    return UpstreamRequest("POST", "https://api.openai.com/v1/images/generations", headers, data)


class FakeAzureAI:
    """azure-ai's upstream (azure-ai-inference.md §2): an Azure OpenAI deployment behind the
    foundry URL. Without a foundry URL the gateway's fetch gets a relative URL and throws
    before any provider is reached; that failure is answered here, as the network failures
    of ``MockState`` are (measured text)."""

    def __init__(self, deployments: FakeAzureOpenAI) -> None:
        self._deployments = deployments

    def handle(self, request: UpstreamRequest, *, filtered: bool = False) -> UpstreamResponse:
        """A deployment's answer, or fetch's TypeError for a URL without a host."""
        if not urlsplit(request.url).scheme:
            text = (
                f"Message: Failed to parse URL from {request.url} "
                "Cause: TypeError: Invalid URL Name: TypeError"
            )
            headers = (("content-type", "text/plain;charset=UTF-8"),)
            return UpstreamResponse(500, headers, text.encode(), {"network": True})
        return self._deployments.handle(request, filtered=filtered)

    def error_response(
        self, request: UpstreamRequest, status: int, *, retry_after: float | None = None
    ) -> UpstreamResponse:
        """Azure OpenAI's error body for an injected ``status`` fault."""
        return self._deployments.error_response(request, status, retry_after=retry_after)
