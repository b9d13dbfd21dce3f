"""The contracts accept what the real systems answered (captured in shared/reference) and
reject broken variants; the config contract agrees with the gateway's own validator."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from mock_gateway.contract_tools.contracts import _schemas, contract_names, validator_for
from mock_gateway.gateway.config_schema import config_errors
from mock_gateway.wire.js import truthy

# Bodies as portkey-gateway-behavior.md and upstream-apis.md quote them (MEASURED / observed).
REAL: list[tuple[str, Any]] = [
    ("portkey/gateway-failure.json", {"status": "failure", "message": "Invalid content type passed"}),
    ("portkey/gateway-failure.json", {"status": "failure", "message": "Either x-portkey-config or x-portkey-provider header is required"}),
    ("portkey/gateway-failure.json", {"status": "failure", "message": "Invalid provider passed"}),
    ("portkey/gateway-failure.json", {"status": "failure", "message": "Invalid custom host"}),
    ("portkey/gateway-failure.json", {"status": "failure", "message": "Invalid config passed. You need to pass a valid json"}),
    ("portkey/gateway-failure.json", {"status": "failure", "message": "Invalid config passed", "errors": ["path: retry,attempts, message: Required"]}),
    ("portkey/gateway-failure.json", {"status": "failure", "message": "Invalid config passed", "errors": ["path: , message: Invalid custom host"]}),
    ("portkey/gateway-failure.json", {"status": "failure", "message": "This version of config is not supported in this route. Please migrate to the latest version"}),
    ("portkey/gateway-failure.json", {"status": "failure", "message": "Something went wrong"}),
    ("portkey/gateway-failure.json", {"status": "failure", "message": "Proxy error: Unexpected end of JSON input"}),
    ("portkey/gateway-failure.json", {"status": "failure", "message": "Provider  not found"}),
    ("portkey/gateway-failure.json", {"status": "failure", "message": "imageGenerate is not supported by anthropic"}),
    ("portkey/gateway-failure.json", {"status": "failure", "message": "Cannot read properties of undefined (reading 'entries')"}),
    ("portkey/not-found.json", {"message": "Not Found", "ok": False}),
    ("portkey/images-response-stability.json", {"created": 1795475858, "data": [{"b64_json": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAf"}, {"b64_json": "iVBORw0KGgo"}], "provider": "stability-ai"}),
    ("portkey/images-response-stability.json", {"created": "1710664648966", "data": [{"b64_json": "iVBORw0KGgoAAAANSUhEUgAAAgAAAAIACA"}], "provider": "stability-ai"}),
    ("portkey/provider-error.json", {"error": {"message": "stability-ai error: invalid_prompts: text_prompts cannot be empty", "type": "invalid_prompts", "param": None, "code": None}, "provider": "stability-ai"}),
    ("portkey/provider-error.json", {"error": {"message": "stability-ai error: missing authorization header", "type": "unauthorized", "param": None, "code": None}, "provider": "stability-ai"}),
    ("portkey/provider-error.json", {"error": {"message": "stability-ai error: prompt: is required, aspect_ratio: invalid", "type": "bad_request", "param": "ed14ab3f", "code": None}, "provider": "stability-ai"}),
    ("portkey/provider-error.json", {"error": {"message": "stability-ai error: Your request was flagged by our content moderation system", "type": "content_moderation", "param": "abc123", "code": None}, "provider": "stability-ai"}),
    ("portkey/provider-error.json", {"error": {"message": 'Invalid response received from stability-ai: {"foo":"bar"}', "type": None, "param": None, "code": None}, "provider": "stability-ai"}),
    ("portkey/provider-error.json", {"error": {"message": 'Invalid response received from stability-ai: {"html-message":"<html><body>Internal</body></html>"}', "type": None, "param": None, "code": None}, "provider": "stability-ai"}),
    ("portkey/provider-error.json", {"error": {"message": "openai error: Your request was rejected as a result of our safety system.", "type": "invalid_request_error", "param": None, "code": "content_policy_violation"}, "provider": "openai"}),
    ("portkey/timeout-error.json", {"error": {"message": "Request exceeded the timeout sent in the request: 1000ms", "type": "timeout_error", "param": None, "code": None}}),
    ("portkey/html-message.json", {"html-message": "Message: fetch failed Cause: Error: connect ECONNREFUSED 127.0.0.1:9929 Name: TypeError"}),
    ("stability/v1-error.json", {"id": "9160aa70", "name": "unauthorized", "message": "missing authorization header"}),
    ("stability/v1-error.json", {"id": "x", "name": "not_found", "message": "The specified engine (ID some-fake-engine) was not found."}),
    ("stability/v1-text-to-image-response.json", {"artifacts": [{"base64": "iVBORw0KGgo", "seed": 123, "finishReason": "SUCCESS"}, {"base64": "iVBORw0KGgo", "seed": 124, "finishReason": "CONTENT_FILTERED"}]}),
    ("stability/v2beta-generate-response.json", {"image": "iVBORw0KGgo", "finish_reason": "SUCCESS", "seed": 7}),
    ("stability/v2beta-error.json", {"id": "ed14ab3f", "name": "bad_request", "errors": ["prompt: is required", "aspect_ratio: invalid"]}),
    ("stability/v2beta-error.json", {"id": "rate_limit_exceeded", "name": "rate_limit_exceeded", "errors": ["You have exceeded the rate limit of 150 requests within a 10 second period, and have been timed out for 60 seconds."]}),
    ("stability/engines-list-response.json", [{"id": "stable-diffusion-v1-6", "name": "Stable Diffusion v1.6", "description": "x", "type": "PICTURE"}]),
    ("openai/images-response.json", {"created": 1700000000, "data": [{"url": "https://oaidalleapiprodscus.blob.core.windows.net/private/x.png", "revised_prompt": "rp"}]}),
    ("openai/images-response.json", {"created": 1704435764, "data": [{"b64_json": "iVBOR", "revised_prompt": "A small and adorable Maltese dog"}]}),
    ("openai/images-response.json", {"created": 1713833628, "data": [{"b64_json": "iVBOR"}], "usage": {"total_tokens": 100, "input_tokens": 50, "output_tokens": 50, "input_tokens_details": {"text_tokens": 10, "image_tokens": 40}}, "background": "opaque", "output_format": "png", "quality": "high", "size": "1024x1024"}),
    ("openai/error.json", {"error": {"message": "Unknown parameter: 'response_format'.", "type": "invalid_request_error", "param": "response_format", "code": "unknown_parameter"}}),
    ("openai/error.json", {"error": {"code": "rate_limit_exceeded", "message": "Rate limit exceeded for images per minute in organization org-XXXX.", "param": None, "type": "requests"}}),
    ("openai/error.json", {"error": {"message": "Your request was rejected by the safety system.", "type": "image_generation_user_error", "param": None, "code": "moderation_blocked", "moderation_details": {"moderation_stage": "input", "categories": ["sexual"]}}}),
    ("openai/images-request.json", {"prompt": "a cat", "model": "dall-e-2", "n": 10, "quality": "hd", "size": "1024x1024", "style": "vivid", "user": "u"}),
    ("stability/v1-text-to-image-request.json", {"steps": 40, "width": 1024, "height": 1024, "seed": 0, "cfg_scale": 5, "samples": 1, "text_prompts": [{"text": "A painting of a cat", "weight": 1}, {"text": "blurry, bad", "weight": -1}]}),
    ("portkey/config.json", {"provider": "stability-ai", "api_key": "k", "customHost": "http://127.0.0.1:9921/v1", "overrideParams": {"n": 4}}),
    ("portkey/config.json", {"strategy": {"mode": "fallback"}, "targets": [{"provider": "stability-ai", "api_key": "a"}, {"provider": "openai", "api_key": "b", "override_params": {"model": "dall-e-3"}}]}),
    ("portkey/config.json", {"provider": "stability-ai", "retry": {"attempts": 3, "on_status_codes": [429, 503]}}),
]  # fmt: skip

BROKEN: list[tuple[str, Any]] = [
    ("portkey/images-response-stability.json", {"created": 1, "data": [{"url": "https://x"}], "provider": "stability-ai"}),
    ("portkey/images-response-stability.json", {"created": 1, "data": [{"b64_json": "x"}]}),
    ("portkey/images-response-stability.json", {"created": 1.5, "data": [{"b64_json": "x"}], "provider": "stability-ai"}),
    ("portkey/images-response-stability.json", {"created": 1, "data": [], "provider": "stability-ai"}),
    ("portkey/provider-error.json", {"error": {"message": "stability-ai error: x", "type": "t", "code": None}, "provider": "stability-ai"}),
    ("portkey/provider-error.json", {"error": {"message": "no prefix", "type": None, "param": None, "code": None}, "provider": "x"}),
    ("portkey/gateway-failure.json", {"status": "error", "message": "x"}),
    ("portkey/gateway-failure.json", {"status": "failure", "message": "x", "detail": 1}),
    ("portkey/timeout-error.json", {"error": {"message": "timed out", "type": "timeout_error", "param": None, "code": None}}),
    ("stability/v1-error.json", {"id": "x", "name": "bad_request"}),
    ("stability/v2beta-error.json", {"id": "x", "name": "bad_request", "errors": []}),
    ("stability/v2beta-error.json", {"id": "x", "name": "bad_request", "message": "x"}),
    ("stability/v1-text-to-image-response.json", {"artifacts": [{"base64": "x", "seed": 1, "finishReason": "OK"}]}),
    ("stability/v2beta-generate-response.json", {"image": "x", "finish_reason": "SUCCESS"}),
    ("openai/error.json", {"error": {"message": "x", "type": "t", "param": None}}),
    ("openai/images-response.json", {"created": "1700000000", "data": []}),
    ("openai/images-request.json", {"model": "dall-e-2"}),
    ("stability/v1-text-to-image-request.json", {"text_prompts": [{"text": "x"}], "steps": 150}),
    ("portkey/config.json", {"provider": "stability-ai"}),
    ("portkey/config.json", {"strategy": {"mode": "roundrobin"}, "targets": []}),
    ("portkey/config.json", {"provider": "nope", "api_key": "k"}),
    ("portkey/config.json", {"provider": "stability-ai", "api_key": "k", "retry": {"on_status_codes": [500]}}),
    ("portkey/config.json", {"provider": "stability-ai", "api_key": "k", "options": [{}]}),
]  # fmt: skip


@pytest.mark.parametrize("name", contract_names())
def test_every_contract_is_a_valid_2020_12_schema_with_id_and_description(name: str) -> None:
    document = _schemas()[name]
    Draft202012Validator.check_schema(document)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["$id"].endswith(name)
    assert len(document["description"]) > 40


@pytest.mark.parametrize(("name", "body"), REAL, ids=[f"{n}-{i}" for i, (n, _) in enumerate(REAL)])
def test_real_answers_are_accepted(name: str, body: Any) -> None:
    errors = [error.message for error in validator_for(name).iter_errors(body)]
    assert errors == []


@pytest.mark.parametrize(
    ("name", "body"), BROKEN, ids=[f"{n}-{i}" for i, (n, _) in enumerate(BROKEN)]
)
def test_broken_variants_are_rejected(name: str, body: Any) -> None:
    assert not validator_for(name).is_valid(body)


# -- the config contract and the gateway's zod port agree ----------------------------------

values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1, 3),
    st.text(max_size=3),
    st.lists(st.integers(0, 600), max_size=2),
)
retry = st.fixed_dictionaries(
    {}, optional={"attempts": st.one_of(st.integers(0, 5), values), "on_status_codes": values}
)
configs = st.fixed_dictionaries(
    {},
    optional={
        "provider": st.sampled_from(["stability-ai", "openai", "ollama", "nope", ""]) | values,
        "api_key": st.just("k") | values,
        "retry": retry | values,
        "cache": st.fixed_dictionaries(
            {}, optional={"mode": st.sampled_from(["simple", "semantic", "x"])}
        )
        | values,
        "request_timeout": st.integers(0, 2000) | values,
        "strategy": st.fixed_dictionaries(
            {"mode": st.sampled_from(["fallback", "single", "roundrobin"])}
        )
        | values,
        "targets": st.lists(
            st.fixed_dictionaries({"provider": st.just("openai"), "api_key": st.just("k")}),
            max_size=2,
        )
        | values,
        "weight": st.integers(0, 2) | values,
    },
)


@given(configs)
def test_config_contract_agrees_with_the_zod_port(config: dict[str, Any]) -> None:
    zod_accepts = not config_errors(config) and not truthy(config.get("options"))
    assert validator_for("portkey/config.json").is_valid(config) is zod_accepts, json.dumps(config)
